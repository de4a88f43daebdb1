// `npm run bench` in BENCH_QUICK mode: the script runs end to end, prints its table and a
// machine line, and writes the markdown where BENCH_DOC says (never over docs/performance.md).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { runProcess } from '../run-process';

const ROOT = resolve(import.meta.dirname, '../..');

test('npm run bench works (BENCH_QUICK smoke run, bounded)', async () => {
  test.setTimeout(180_000);
  const doc = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'performance.md');
  const { code, output: out } = await runProcess(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bench.ts'], {
    cwd: ROOT,
    // A smoke run never times npm test (BENCH_NPM_TEST would, for minutes).
    env: { ...process.env, CI: '', BENCH_QUICK: '1', BENCH_DOC: doc, BENCH_NPM_TEST: '' },
    timeoutMs: 170_000,
  });
  expect(code, out).toBe(0);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  expect(line, out).toBeTruthy();
  const result = JSON.parse(line!.slice('BENCH_RESULT '.length));
  expect(result.quick).toBe(true);
  expect(result.machine).toMatchObject({ node: process.version });
  expect(result.suite.requests).toBeGreaterThan(0);
  expect(result.suite.operationsCreated).toBeGreaterThan(0);
  expect(result.suite.operationsLeftRunning).toBe(0);
  for (const n of [result.suite.fullMs, result.suite.restMs, result.suite.oneMs, result.suite.floorMs, result.throughput.refRps, result.throughput.bareRps, result.store.getSmall, result.store.getLarge, result.store.cancelSmall, result.store.cancelLarge]) {
    expect(n).toBeGreaterThan(0);
  }
  expect(result.store.bytesPerOperation).toBeGreaterThan(0);
  // The flake row: one run against the conformant profile with transient faults, CONFORMANT.
  expect(result.flake).toMatchObject({ runs: 1, green: 1 });
  for (const row of ['(a) operations created per run', '(b) requests per run', '(c) suite wall time, both doors', '(c) suite wall time, REST alone', '(d) npm test wall', '(e) cancel throughput',
    '(f) operations left running', '(g) get latency p50', '(g) cancel latency p50', '(h) heap per stored operation', '(i) flake']) {
    expect(out).toContain(row);
  }
  const md = readFileSync(doc, 'utf8');
  expect(md).toContain('**Machine:**');
  expect(md).toContain('| (e) cancel throughput |');
});
