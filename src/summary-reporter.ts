// A Playwright reporter that folds test results per requirement into
// reports/conformance-summary.json and prints the verdict table.
// Being a reporter, it works the same for plain, sharded and merged runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { redact } from './redact';
import { coverageProblems, requirementIdsOfTags, summarize, type TestOutcome } from './verdict';

export const COUNTER_ANNOTATIONS = { requests: 'conformance.requests', operationsCreated: 'conformance.operations-created' } as const;

const STATUS_MARK: Record<string, string> = { passed: 'PASS', failed: 'FAIL', unverified: 'UNVERIFIED', 'not-applicable': 'N/A', 'not-run': 'NOT RUN' };

export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, TestOutcome>();
  private readonly errors: string[] = [];
  private counters = { requests: 0, operationsCreated: 0 };
  private rootDir = process.cwd();

  constructor(private readonly options: { outputFile?: string } = {}) {}

  printsToStdio() {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite) {
    this.rootDir = config.rootDir;
    const tests = suite.allTests().map((t) => ({ title: t.title, requirementIds: requirementIdsOfTags(t.tags) }));
    // No tests at all: the global setup failed, and its error says why.
    if (tests.length === 0) return;
    // A partial run (shard, grep, file filter) cannot promise full coverage; it still must not name unknown IDs.
    const filtered = config.shard !== null || config.grep.toString() !== /.*/.toString() || process.argv.slice(2).some((a) => a.endsWith('.ts'));
    this.errors.push(...coverageProblems(tests, { requireAll: !filtered }).map((p) => `catalog: ${p}`));
  }

  onTestEnd(test: TestCase, result: TestResult) {
    // result.annotations (Playwright ≥ 1.52) holds the static and the runtime ones of this attempt.
    const annotations = result.annotations ?? test.annotations;
    const count = (type: string) => annotations.filter((a) => a.type === type).reduce((n, a) => n + Number(a.description ?? 0), 0);
    // Retries replace the earlier attempt's outcome but their requests still happened.
    this.counters.requests += count(COUNTER_ANNOTATIONS.requests);
    this.counters.operationsCreated += count(COUNTER_ANNOTATIONS.operationsCreated);
    this.outcomes.set(test.id, {
      title: test.title,
      file: relative(this.rootDir, test.location.file),
      requirementIds: requirementIdsOfTags(test.tags),
      status: result.status,
      annotations,
      error: result.error?.message ? redact(result.error.message) : undefined,
    });
  }

  onError(error: TestError) {
    this.errors.push(redact(error.message ?? String(error.value ?? 'unknown error')).split('\n')[0]!);
  }

  onEnd(result: FullResult) {
    const { verdict, requirements, warnings } = summarize([...this.outcomes.values()], this.errors);
    const probe = (name: string) => Number(process.env[name] ?? 0);
    const summary = {
      target: process.env.TARGET_BASE_URL ?? '(not started)',
      embeddedProfile: process.env.CONFORMANCE_EMBEDDED_PROFILE,
      cancelSupport: process.env.CONFORMANCE_CANCEL_SUPPORT,
      cancelSupportSource: process.env.CONFORMANCE_CANCEL_SUPPORT_SOURCE,
      tokenSources: tokenSourcesOf(process.env.CONFORMANCE_TOKEN_SOURCES),
      verdict,
      playwrightStatus: result.status,
      generatedAt: new Date().toISOString(),
      requests: this.counters.requests + probe('CONFORMANCE_PROBE_REQUESTS'),
      operationsCreated: this.counters.operationsCreated + probe('CONFORMANCE_PROBE_OPERATIONS'),
      suiteErrors: this.errors,
      warnings,
      requirements,
    };
    const outputFile = this.options.outputFile ?? 'reports/conformance-summary.json';
    mkdirSync(dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, redact(JSON.stringify(summary, null, 2)) + '\n');
    console.log(redact(formatTable(summary)));
  }
}

/** Which source served each scope set, as the global setup found it (absent in merged reports). */
function tokenSourcesOf(raw: string | undefined): Record<string, string> | undefined {
  try {
    return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

export function formatTable(s: { target: string; verdict: string; requests: number; operationsCreated: number; suiteErrors: string[]; requirements: { id: string; level: string; status: string; reason: string }[] }): string {
  const width = Math.max(...s.requirements.map((r) => r.id.length));
  const nothingRan = s.requirements.every((r) => r.status === 'not-run' && r.reason === 'no test for it ran');
  const rows = nothingRan ? [`  (no requirement was checked: ${s.requirements.length} not run)`] : s.requirements.map((r) =>
    `  ${r.id.padEnd(width)}  ${r.level.padEnd(6)}  ${(STATUS_MARK[r.status] ?? r.status).padEnd(10)}  ${r.reason.slice(0, 100)}`);
  return [
    '',
    `Cancel conformance of ${s.target}`,
    ...rows,
    ...s.suiteErrors.map((e) => `  suite error: ${e}`),
    `  requests sent: ${s.requests}, operations created: ${s.operationsCreated}`,
    `VERDICT: ${s.verdict.toUpperCase()}`,
    '',
  ].join('\n');
}
