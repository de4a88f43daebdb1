import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { coverageProblems, requirementIdsOfTags } from '../../src/verdict';
import { ROOT } from '../matrix/run-conformance';

interface ListedSuite { specs?: { title: string; tags: string[] }[]; suites?: ListedSuite[] }
const specsOf = (s: ListedSuite): { title: string; tags: string[] }[] => [...(s.specs ?? []), ...(s.suites ?? []).flatMap(specsOf)];

test('every catalog requirement has a conformance test and every test names known IDs', () => {
  const listed = JSON.parse(execFileSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--list', '--reporter=json'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p' },
  })) as { suites: ListedSuite[] };
  const tests = listed.suites.flatMap(specsOf).map((s) => ({ title: s.title, requirementIds: requirementIdsOfTags(s.tags.map((t) => `@${t.replace(/^@/, '')}`)) }));
  expect(tests.length).toBeGreaterThan(20);
  expect(coverageProblems(tests, { requireAll: true })).toEqual([]);
});
