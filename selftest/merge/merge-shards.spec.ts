// Scale-out: two shards of the real entry point, then npm run merge-reports' work, checked against
// the shards (requests and operations add up, no false catalog-coverage error), and the CI examples.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { CATALOG } from '../../src/catalog';
import { mergeReports } from '../../scripts/merge-reports';
import { ROOT, runConformance, type Summary } from '../matrix/run-conformance';

test('two shards merge into one summary, JUnit, Playwright and Allure report that add up', async () => {
  test.setTimeout(240_000);
  const base = mkdtempSync(join(tmpdir(), 'conformance-merge-')); // the merge reads <base>/shards/<i>-of-2
  const shard = (i: number) => ({ REPORTS_DIR: join(base, `shards/${i}-of-2`), ALLURE_RESULTS_DIR: join(base, `shards/${i}-of-2/allure-results`) });
  const [one, two] = await Promise.all([1, 2].map((i) => runConformance({ REFERENCE_FAULTS: 'cancelled-code-unknown', ...shard(i) }, { args: [`--shard=${i}/2`], timeoutMs: 120_000 })));
  for (const run of [one!, two!]) expect(run.exitCode, run.output).toBe(0);
  const shards = [1, 2].map((i) => JSON.parse(readFileSync(join(base, `shards/${i}-of-2/conformance-summary.json`), 'utf8')) as Summary);
  for (const s of shards) expect(s.suiteErrors).toEqual([]);
  for (const i of [1, 2]) expect(existsSync(join(base, `shards/${i}-of-2/blob-report/report-${i}.zip`))).toBe(true);

  const lines: string[] = [];
  const exit = mergeReports({ ...process.env, REPORTS_DIR: base, CONFORMANCE_BASELINE: '', CONFORMANCE_PREVIOUS_SUMMARY: '' }, (l) => lines.push(l));
  expect(exit, lines.join('\n')).toBe(1);
  const merged = JSON.parse(readFileSync(join(base, 'conformance-summary.json'), 'utf8')) as Summary & { gate: { exitCode: number } };
  expect(merged.verdict).toBe('non-conformant');
  expect(merged.suiteErrors).toEqual([]);
  expect(merged.requests).toBe(shards[0]!.requests + shards[1]!.requests);
  expect(merged.operationsCreated).toBe(shards[0]!.operationsCreated + shards[1]!.operationsCreated);
  expect(merged.requirements.map((r) => r.id)).toEqual(CATALOG.map((r) => r.id));
  expect(merged.requirements.filter((r) => r.status === 'failed').map((r) => r.id)).toEqual(['cancel.outcome.error-code']);
  expect(merged.requirements.filter((r) => r.status === 'not-run')).toEqual([]);
  expect(merged.gate.exitCode).toBe(1);
  // Each requirement is judged in exactly one shard; the other shard has it as not run.
  for (const r of merged.requirements) {
    const judged = shards.map((s) => s.requirements.find((x) => x.id === r.id)!).filter((x) => x.status !== 'not-run');
    expect(judged.map((x) => x.status), r.id).toEqual([r.status]);
  }
  const junit = readFileSync(join(base, 'junit.xml'), 'utf8');
  const shardTests = [1, 2].map((i) => Number(readFileSync(join(base, `shards/${i}-of-2/junit.xml`), 'utf8').match(/<testsuites[^>]*\btests="(\d+)"/)![1]));
  expect(Number(junit.match(/<testsuites[^>]*\btests="(\d+)"/)![1])).toBe(shardTests[0]! + shardTests[1]!);
  expect(junit.match(/<testsuites[^>]*\bfailures="(\d+)"/)![1]).toBe('1');
  expect(existsSync(join(base, 'playwright-report/index.html'))).toBe(true);
  const allure = JSON.parse(readFileSync(join(base, 'allure-report/summary.json'), 'utf8')) as { stats: { total: number; failed?: number } };
  expect(allure.stats.total).toBe(shardTests[0]! + shardTests[1]!);
  expect(allure.stats.failed).toBe(1);
  expect(readFileSync(join(base, 'allure-report-single/index.html'), 'utf8')).toContain('id="conformance-summary"');
});

test('one shard alone does not pass for a whole run: the merge names the uncovered catalog entries', async () => {
  test.setTimeout(120_000);
  const run = await runConformance({}, { args: ['--shard=1/2'], timeoutMs: 100_000 });
  const base = run.dir;
  const { renameSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(base, 'shards'));
  renameSync(join(base, 'reports'), join(base, 'shards/1-of-2'));
  renameSync(join(base, 'allure-results'), join(base, 'shards/1-of-2/allure-results'));
  const lines: string[] = [];
  const exit = mergeReports({ ...process.env, REPORTS_DIR: base, CONFORMANCE_BASELINE: '', CONFORMANCE_PREVIOUS_SUMMARY: '' }, (l) => lines.push(l));
  expect(exit).toBe(2);
  const merged = JSON.parse(readFileSync(join(base, 'conformance-summary.json'), 'utf8')) as Summary;
  expect(merged.suiteErrors.some((e) => /catalog entry ".*" has no test/.test(e))).toBe(true);
});

test('the CI examples shard the suite and merge after every shard', () => {
  const gh = parse(readFileSync(join(ROOT, 'docs/ci/github-actions.yml'), 'utf8'));
  const shards = gh.jobs.conformance.strategy.matrix.shard as number[];
  expect(shards.length).toBeGreaterThanOrEqual(2);
  expect(shards).toEqual(shards.map((_, i) => i + 1));
  const shardRun = (gh.jobs.conformance.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
  expect(shardRun).toContain('npm run conformance -- --shard=${{ matrix.shard }}/${{ strategy.job-total }}');
  expect(JSON.stringify(gh.jobs.conformance.steps)).toContain('reports/shards/');
  const merge = gh.jobs['merge-reports'];
  expect([merge.needs].flat()).toContain('conformance');
  expect((merge.steps as { run?: string }[]).some((s) => s.run === 'npm run merge-reports')).toBe(true);
  expect(JSON.stringify(merge.steps)).toContain('reports/shards/');

  const gl = parse(readFileSync(join(ROOT, 'docs/ci/gitlab-ci.yml'), 'utf8'));
  expect(gl.conformance.parallel).toBeGreaterThanOrEqual(2);
  expect(gl.conformance.script.join('\n')).toContain('--shard=${CI_NODE_INDEX}/${CI_NODE_TOTAL}');
  expect(gl.conformance.artifacts.paths).toContain('reports/shards/');
  expect(gl['merge-reports'].needs.map((n: { job: string }) => n.job)).toContain('conformance');
  expect(gl.stages.indexOf(gl['merge-reports'].stage)).toBeGreaterThan(gl.stages.indexOf(gl.conformance.stage));
  expect(gl['merge-reports'].script).toContain('npm run merge-reports');
  expect(gl['merge-reports'].artifacts.reports.junit).toBe('reports/junit.xml');
});
