// The run itself says what it did not read (issue 24, point 7): a misspelt variable is a warning
// with the name it most likely meant, once; CONFORMANCE_STRICT=variables makes it exit 3 before
// any test; GITHUB_STEP_SUMMARY receives the verdict table.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runConformance } from '../matrix/run-conformance';

const ONE = ['--grep', '@cancel.outcome.error-code'];

test('a misspelt variable: warned once with "did you mean", and the run goes on; the step summary gets the table', async () => {
  const stepSummary = join(mkdtempSync(join(tmpdir(), 'step-summary-')), 'summary.md');
  const run = await runConformance({ AUTH_TOKEN_PLATFROM: 'x', GITHUB_STEP_SUMMARY: stepSummary, TRANSPORTS: 'rest' }, { args: ONE });
  const warnings = run.output.split('\n').filter((l) => l.includes('AUTH_TOKEN_PLATFROM'));
  expect(warnings, run.output.slice(-2000)).toEqual(['lro-cancel-conformance: WARNING: AUTH_TOKEN_PLATFROM is not a variable the suite reads; did you mean AUTH_TOKEN_PLATFORM?']);
  expect(run.summary?.requirements.find((r) => r.id === 'cancel.outcome.error-code')?.status).toBe('passed');
  const md = readFileSync(stepSummary, 'utf8');
  expect(md).toMatch(/^## Cancel conformance: INCOMPLETE\n/);
  expect(md).toContain('| `cancel.outcome.error-code` | MUST | ✅ pass |');
});

test('CONFORMANCE_STRICT=variables: the misspelt variable is a configuration error, exit 3, before any test', async () => {
  const run = await runConformance({ AUTH_TOKEN_PLATFROM: 'x', CONFORMANCE_STRICT: 'variables' }, { args: ONE });
  expect(run.exitCode, run.output.slice(-2000)).toBe(3);
  const lines = run.output.split('\n').filter((l) => l.includes('AUTH_TOKEN_PLATFROM'));
  expect(lines).toEqual(['lro-cancel-conformance: configuration error: AUTH_TOKEN_PLATFROM is not a variable the suite reads; did you mean AUTH_TOKEN_PLATFORM? (CONFORMANCE_STRICT=variables). Correct the name or unset it.']);
  expect(run.output).not.toMatch(/Running \d+ tests?/);
});
