// Secrets never leak: a run that holds a recognisable canary token (and real signed JWTs from
// the embedded issuer) leaves no copy of either in anything it writes or prints.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runConformance } from '../matrix/run-conformance';

const CANARY = 'canary-4f1d9c2e-do-not-leak-7b3a';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

test('a run leaves 0 copies of any token in reports, Allure results, JUnit, the summary and the console', async () => {
  test.setTimeout(180_000);
  const run = await runConformance({ AUTH_TOKEN_INSUFFICIENT: CANARY, AUTH_TOKEN_EXPIRED: `${CANARY}-expired` });
  expect(run.summary, run.output.slice(-1500)).toBeDefined();
  const files = filesUnder(run.dir);
  expect(files.some((f) => f.endsWith('junit.xml'))).toBe(true);
  expect(files.filter((f) => f.includes('allure-results')).length).toBeGreaterThan(20);
  const leaks = [
    ...files.filter((f) => { const text = readFileSync(f, 'latin1'); return text.includes(CANARY) || JWT.test(text); }),
    ...(run.output.includes(CANARY) || JWT.test(run.output) ? ['(console)'] : []),
  ];
  expect(leaks, `searched ${files.length} files and the console`).toEqual([]);
  // The canary was really sent: the evidence names it by label only.
  const evidence = files.filter((f) => f.includes('allure-results')).map((f) => readFileSync(f, 'latin1')).join('\n');
  expect(evidence).toContain('AUTH_TOKEN_INSUFFICIENT #1');
  expect(evidence).toContain('Bearer [REDACTED]');
});

test('Playwright traces, which would record request headers, are refused with one clear message', async () => {
  const run = await runConformance({}, { args: ['--trace', 'on'] });
  expect(run.exitCode).toBe(3);
  expect(run.output.trim()).toMatch(/^lro-cancel-conformance: configuration error: --trace .*bearer tokens/);
});
