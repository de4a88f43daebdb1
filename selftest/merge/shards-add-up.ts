// What a merge of two red shards must add up to (selftest/merge/merge-shards.spec.ts): the shards
// of one run made by hand (npm run conformance -- --shard=i/2), then npm run merge-reports.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import type { Summary } from '../matrix/run-conformance';

const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'conformance-summary.json'), 'utf8')) as Summary;
const junitCount = (dir: string, attribute: 'tests' | 'failures') =>
  Number(readFileSync(join(dir, 'junit.xml'), 'utf8').match(new RegExp(`<testsuites[^>]*\\b${attribute}="(\\d+)"`))![1]);

/** `shardsDir` holds 1-of-2 and 2-of-2; `mergedDir` what merge-reports wrote from them. */
export function expectShardsAddUp(shardsDir: string, mergedDir: string) {
  const dirs = [1, 2].map((i) => join(shardsDir, `${i}-of-2`));
  const shards = dirs.map(readSummary);
  for (const s of shards) expect(s.suiteErrors).toEqual([]);
  dirs.forEach((dir, i) => expect(existsSync(join(dir, `blob-report/report-${i + 1}.zip`))).toBe(true));
  const merged = readSummary(mergedDir);
  expect(merged.requests).toBe(shards[0]!.requests + shards[1]!.requests);
  expect(merged.operationsCreated).toBe(shards[0]!.operationsCreated + shards[1]!.operationsCreated);
  // A requirement is judged in the shard(s) holding its tests (tests/watched.spec.ts adds a second file for some); the merge keeps the worst.
  const RANK = ['not-applicable', 'passed', 'unverified', 'not-run', 'failed'];
  for (const r of merged.requirements) {
    const judged = shards.map((s) => s.requirements.find((x) => x.id === r.id)!).filter((x) => x.status !== 'not-run').map((x) => x.status);
    expect(judged.length, `${r.id} is judged in some shard`).toBeGreaterThan(0);
    expect(r.status, r.id).toBe(judged.reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a)));
  }
  const shardTests = dirs.map((dir) => junitCount(dir, 'tests'));
  expect(junitCount(mergedDir, 'tests')).toBe(shardTests[0]! + shardTests[1]!);
  // The red fault breaks the store: its one failing test fails on each of the two doors.
  expect(junitCount(mergedDir, 'failures')).toBe(2);
  const allure = JSON.parse(readFileSync(join(mergedDir, 'allure-report/summary.json'), 'utf8')) as { stats: { total: number; failed?: number } };
  expect(allure.stats.total).toBe(shardTests[0]! + shardTests[1]!);
  expect(allure.stats.failed).toBe(2);
  expect(readFileSync(join(mergedDir, 'allure-report-single/index.html'), 'utf8')).toContain('id="conformance-summary"');
}
