// Scale-out: one shard alone is not a whole run, and the CI examples shard and merge. That two red
// shards merge into one summary, JUnit, Playwright and Allure report that add up is checked on the
// CI examples' own shards (selftest/ci/ci-examples.spec.ts, shards-add-up.ts), so they run once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { mergeReports } from '../../scripts/merge-reports';
import { ROOT, runConformance, type Summary } from '../matrix/run-conformance';

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
