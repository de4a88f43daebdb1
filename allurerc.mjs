// Allure 3 configuration, used by `npm run report` (scripts/report.ts) and `npm run merge-reports`.
// Environment: REPORTS_DIR (reports), ALLURE_HISTORY_PATH (reports/history/allure-history.jsonl),
// ALLURE_SINGLE_FILE=1 builds the one-file variant into reports/allure-report-single.
import { existsSync, readFileSync } from 'node:fs';

const reportsDir = process.env.REPORTS_DIR ?? 'reports';
const single = process.env.ALLURE_SINGLE_FILE === '1';

function summary() {
  const file = `${reportsDir}/conformance-summary.json`;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const s = summary();
const count = (status) => (s ? s.requirements.filter((r) => r.status === status).length : 0);
const variables = s
  ? {
      Verdict: s.verdict.toUpperCase(),
      'Requirements passed': String(count('passed')),
      'Requirements failed': String(count('failed')),
      'Requirements other': String(s.requirements.length - count('passed') - count('failed')),
      ...(s.gate ? { Gate: `${s.gate.status.toUpperCase()} (exit ${s.gate.exitCode})` } : {}),
      'Requests sent': String(s.requests),
    }
  : {};

export default {
  name: `Cancel conformance${s?.target ? ` of ${s.target}` : ''}`,
  output: `${reportsDir}/${single ? 'allure-report-single' : 'allure-report'}`,
  // One line per run, appended by the multi-file report; the single file only reads it.
  historyPath: process.env.ALLURE_HISTORY_PATH ?? `${reportsDir}/history/allure-history.jsonl`,
  appendHistory: !single,
  variables,
  plugins: {
    awesome: {
      options: {
        singleFile: single,
        reportName: 'Cancel conformance',
        // The tree: epic, then requirement group, then "<id>: <title>", then its tests.
        groupBy: ['epic', 'feature', 'story'],
      },
    },
  },
  categories: {
    rules: [
      {
        name: 'Target unreachable',
        matchers: { statuses: ['failed', 'broken'], message: /got no HTTP answer|did not return an Operation with a name/ },
      },
      {
        name: 'Suite defect',
        matchers: { statuses: ['failed', 'broken'], message: /^(?:Error: )?(?:TypeError|ReferenceError|SyntaxError|RangeError|EvalError)\b/ },
      },
      { name: 'Contract violation', matchers: { statuses: ['failed'] } },
      { name: 'Other errors', matchers: { statuses: ['broken'] } },
      { name: 'Not judged (unverified, not applicable, not run)', matchers: { statuses: ['skipped'] } },
    ],
  },
};
