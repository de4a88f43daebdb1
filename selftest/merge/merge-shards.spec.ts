// Scale-out by hand: `npm run conformance -- --shard=i/n`, then `npm run merge-reports`. The CI
// examples do not shard (a run takes seconds: one job, one run, one verdict, one budget), so the
// feature is proven here: a shard prints no verdict of its own and exits 0, two red shards merge
// into one summary, JUnit, Playwright and Allure report that add up (shards-add-up.ts), and one
// shard alone does not pass for a whole run.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { mergeReports } from '../../scripts/merge-reports';
import { formatConsole, type ConsoleSummary } from '../../src/reporting/console-summary';
import { runConformance, type ConformanceRun, type Summary } from '../matrix/run-conformance';
import { expectShardsAddUp } from './shards-add-up';

const RED = { REFERENCE_FAULTS: 'cancelled-code-unknown' };
const SHARD_LINE = (i: number) => `shard ${i}/2 done: the verdict comes from npm run merge-reports`;

test('a shard ends with its shard line, never a VERDICT line of its own (the console formatter)', () => {
  const summary: ConsoleSummary = { target: 't', verdict: 'incomplete', requests: 1, operationsCreated: 0, suiteErrors: [], requirements: [{ id: 'a', level: 'MUST', status: 'failed', reason: 'r' }] };
  const whole = formatConsole(summary).trimEnd().split('\n');
  expect(whole.at(-1)).toBe('VERDICT: INCOMPLETE');
  const shard = formatConsole(summary, { shard: { current: 2, total: 3 } });
  expect(shard.trimEnd().split('\n').at(-1)).toBe('shard 2/3 done: the verdict comes from npm run merge-reports');
  expect(shard).not.toContain('VERDICT');
});

test('two red shards: each exits 0 with its shard line and no verdict; the merge adds up and gives the one verdict; one shard alone is no whole run', async () => {
  test.setTimeout(180_000);
  // Both shards of one run, as a user shards by hand: each writes into its own reports/shards/<i>-of-2.
  // On GitHub Actions the job's summary page gets the shard line too, not a verdict table.
  const stepSummaries = [1, 2].map((i) => join(mkdtempSync(join(tmpdir(), 'step-summary-')), `shard-${i}.md`));
  const shards: ConformanceRun[] = await Promise.all([1, 2].map((i) => runConformance({ ...RED, GITHUB_STEP_SUMMARY: stepSummaries[i - 1]! }, { args: [`--shard=${i}/2`], timeoutMs: 150_000 })));
  const base = shards[0]!.dir;
  mkdirSync(join(base, 'shards'));
  shards.forEach((run, i) => {
    expect(run.exitCode, run.output.slice(-2000)).toBe(0);
    expect(run.output).toContain(SHARD_LINE(i + 1));
    expect(run.output).not.toMatch(/VERDICT/);
    expect(readFileSync(stepSummaries[i]!, 'utf8')).toBe(`## ${SHARD_LINE(i + 1)}\n`);
    rmSync(dirname(stepSummaries[i]!), { recursive: true, force: true });
    expect(run.output).toContain(`lro-cancel-conformance: shard ${i + 1}/2: its results are in`);
    renameSync(join(run.dir, 'reports'), join(base, 'shards', `${i + 1}-of-2`));
    renameSync(join(run.dir, 'allure-results'), join(base, 'shards', `${i + 1}-of-2`, 'allure-results'));
  });

  const env = { ...process.env, CONFORMANCE_BASELINE: '', CONFORMANCE_PREVIOUS_SUMMARY: '' };
  const lines: string[] = [];
  expect(mergeReports({ ...env, REPORTS_DIR: join(base, 'merged'), MERGE_SHARDS_DIR: join(base, 'shards') }, (l) => lines.push(l))).toBe(1);
  expect(lines.join('\n')).toContain('VERDICT: NON-CONFORMANT');
  expectShardsAddUp(join(base, 'shards'), join(base, 'merged'));

  // Shard 1 alone: the catalog entries whose tests are in shard 2 have none, so it is no whole run:
  // incomplete, or non-conformant where the failing test is among its own.
  mkdirSync(join(base, 'alone'));
  renameSync(join(base, 'shards/1-of-2'), join(base, 'alone/1-of-2'));
  const red = shards[0]!.summary!.requirements.some((r) => r.status === 'failed');
  expect(mergeReports({ ...env, REPORTS_DIR: join(base, 'alone-merged'), MERGE_SHARDS_DIR: join(base, 'alone') }, () => {})).toBe(red ? 1 : 2);
  const alone = JSON.parse(readFileSync(join(base, 'alone-merged/conformance-summary.json'), 'utf8')) as Summary;
  expect(alone.verdict).toBe(red ? 'non-conformant' : 'incomplete');
  expect(alone.suiteErrors.some((e) => /catalog entry ".*" has no test/.test(e))).toBe(true);
});
