// End to end: `npm run conformance` against the embedded server with every scope set served by
// AUTH_TOKEN_COMMAND_* scripts that mint 2-second tokens from the embedded issuer (its URL is
// in AUTH_TOKEN_URL once the global setup ran), so tokens expire and are renewed mid-run.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runConformance } from '../matrix/run-conformance';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE } from '../../src/credentials/tokens';
import { printToken, runsIn, tempDir } from './helpers';

test('a run whose tokens come from commands and expire every 2 s stays CONFORMANT and names the command sources', async () => {
  test.setTimeout(180_000);
  const dir = tempDir();
  const log = (name: string) => join(dir, name);
  const run = await runConformance({
    AUTH_TOKEN_COMMAND: printToken('issuer', `${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}`, '2', log('everyday')),
    AUTH_TOKEN_COMMAND_TRANSLATION: printToken('issuer', TRANSLATION_SCOPE, '2', log('translation')),
    AUTH_TOKEN_COMMAND_PLATFORM: printToken('issuer', PLATFORM_SCOPE, '2', log('platform')),
    AUTH_TOKEN_COMMAND_INSUFFICIENT: printToken('issuer', 'https://www.googleapis.com/auth/devstorage.read_only', '2', log('insufficient')),
    // A quick run could end before a 2-second token needs renewing: the cancellation takes longer than one.
    REFERENCE_CANCEL_DELAY_MS: '2500',
  });
  expect(run.summary, run.output.slice(-2000)).toBeDefined();
  const summary = run.summary as NonNullable<typeof run.summary> & { tokenSources?: Record<string, string> };
  expect(summary.verdict, run.output.slice(-3000)).toBe('conformant');
  expect(run.exitCode).toBe(0);
  expect(summary.tokenSources).toEqual({
    everyday: 'command AUTH_TOKEN_COMMAND',
    translation: 'command AUTH_TOKEN_COMMAND_TRANSLATION',
    platform: 'command AUTH_TOKEN_COMMAND_PLATFORM',
    insufficient: 'command AUTH_TOKEN_COMMAND_INSUFFICIENT',
    expired: 'client-credentials (expires_in=-120)',
  });
  for (const r of ['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.auth.insufficient-scope']) {
    expect(summary.requirements.find((q) => q.id === r)?.status, r).toBe('passed');
  }
  // Renewal mid-run: the everyday command ran more often than there are processes that use it
  // (the global setup, which seeds the worker, and the one worker).
  const lines = runsIn(log('everyday'));
  expect(lines, `everyday command runs: ${lines}`).toBeGreaterThan(2);
  expect(run.output).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
  test.info().annotations.push({ type: 'timing', description: `${run.ms} ms, everyday command ran ${lines} times` });
});

test('a failing everyday command stops the run at the probe with one message naming it, printed once (a setup problem, exit 3)', async () => {
  test.setTimeout(120_000);
  const run = await runConformance({ AUTH_TOKEN_COMMAND: `echo "token-that-must-not-leak-42"; echo "gdcloud: not logged in" >&2; exit 1` });
  expect(run.exitCode, run.output.slice(-1500)).toBe(3);
  expect(run.output).toMatch(/AUTH_TOKEN_COMMAND: the token command exited with status 1 .*stderr: gdcloud: not logged in/);
  expect(run.output.split('\n').filter((l) => l.includes('the token command exited')), run.output.slice(-1500)).toHaveLength(1);
  expect(run.output).not.toContain('token-that-must-not-leak-42');
  expect(run.summary?.verdict).toBe('incomplete');
});
