// Node's compile cache (src/running/compile-cache.mjs): npm run conformance turns it on for all its
// processes on Node 22.1+, in node_modules/.cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { KEPT_COMPILE_CACHE, compileCacheSupported } from '../../src/running/compile-cache.mjs';
import { runConformance } from '../matrix/run-conformance';

const compileCacheOf = async (env: Record<string, string>) => {
  // One requirement's tests: enough for the runner and a worker to start.
  const run = await runConformance({ NODE_COMPILE_CACHE: '', ...env }, { args: ['--grep', '@cancel.request.empty-object'], keepAllure: false });
  expect(run.exitCode, run.output.slice(-1500)).toBe(2);
  return (JSON.parse(readFileSync(join(run.dir, 'reports/run-environment.json'), 'utf8')) as { compileCache?: string }).compileCache;
};

test.describe.configure({ timeout: 120_000 });

test('a run keeps compiled code in node_modules/.cache on Node 22.1+, and nowhere before', async () => {
  const kept = await compileCacheOf({});
  // Node keeps one subfolder per Node version and V8 flags.
  expect(kept && dirname(kept)).toBe(compileCacheSupported ? KEPT_COMPILE_CACHE : undefined);
});

test('NODE_DISABLE_COMPILE_CACHE=1 turns it off', async () => {
  test.skip(!compileCacheSupported, `Node ${process.versions.node} has no compile cache`);
  expect(await compileCacheOf({ NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
});
