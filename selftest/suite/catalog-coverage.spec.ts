import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { coverageProblems, requirementIdsOfTags } from '../../src/judging/verdict';
import { ROOT } from '../matrix/run-conformance';

interface ListedSuite { specs?: { title: string; tags: string[] }[]; suites?: ListedSuite[] }
const specsOf = (s: ListedSuite): { title: string; tags: string[] }[] => [...(s.specs ?? []), ...(s.suites ?? []).flatMap(specsOf)];

// The JSON listing must reach stdout, even under an `npm test -- --reporter=json` that sets these.
const JSON_OUTPUT_VARIABLES = ['PLAYWRIGHT_JSON_OUTPUT_DIR', 'PLAYWRIGHT_JSON_OUTPUT_NAME', 'PLAYWRIGHT_JSON_OUTPUT_FILE'];

test('every catalog requirement has a conformance test and every test names known IDs', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p' };
  JSON_OUTPUT_VARIABLES.forEach((v) => delete env[v]);
  const listed = JSON.parse(execFileSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--list', '--reporter=json'], {
    cwd: ROOT, encoding: 'utf8', env,
  })) as { suites: ListedSuite[] };
  const tests = listed.suites.flatMap(specsOf).map((s) => ({ title: s.title, requirementIds: requirementIdsOfTags(s.tags.map((t) => `@${t.replace(/^@/, '')}`)) }));
  expect(tests.length).toBeGreaterThan(20);
  expect(coverageProblems(tests, { requireAll: true })).toEqual([]);
});

test('a --grep run judges what it ran and names no uncovered catalog entry as a suite error', async () => {
  test.setTimeout(120_000);
  const { runConformance } = await import('../matrix/run-conformance');
  const run = await runConformance({}, { args: ['--grep', '@cancel.outcome.error-code'] });
  expect(run.summary?.suiteErrors, run.output.slice(-1500)).toEqual([]);
  expect(run.summary?.requirements.find((r) => r.id === 'cancel.outcome.error-code')?.status).toBe('passed');
  expect(run.summary?.requirements.find((r) => r.id === 'errors.envelope')).toMatchObject({ status: 'not-run', reason: 'no test for it ran' });
  // It creates only what that requirement needs: on each of the two doors, the control and the cancelled operation.
  expect(run.summary?.operationsCreated).toBe(4);
});
