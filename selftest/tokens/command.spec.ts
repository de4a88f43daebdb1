// The command source: run through the shell when a token is needed, cached until shortly before
// expiry, re-run after; failures and hangs give one bounded message that never holds the token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseConfig } from '../../src/running/config';
import { createTokens, isAvailable, type Credential, type Lookup } from '../../src/credentials/tokens';
import { redact } from '../../src/credentials/redact';
import { EXTERNAL, nodeEval, printToken, runsIn, tempDir } from './helpers';

const tokensWith = (env: Record<string, string>) => createTokens(parseConfig({ ...EXTERNAL, ...env }));
const available = (lookup: Lookup): Credential => {
  if (!isAvailable(lookup)) throw new Error(`expected a credential, got: ${lookup.unavailable}`);
  return lookup;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.describe('command token source', () => {
  test('serves each scope set from its own command and names it as the source', async () => {
    const dir = tempDir();
    const tokens = tokensWith({
      AUTH_TOKEN_COMMAND: printToken('opaque', join(dir, 'everyday')),
      AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque', join(dir, 'translation')),
      AUTH_TOKEN_COMMAND_PLATFORM: printToken('opaque', join(dir, 'platform')),
      AUTH_TOKEN_COMMAND_INSUFFICIENT: printToken('opaque', join(dir, 'insufficient')),
    });
    const everyday = available(await tokens.everyday());
    const translation = available(await tokens.translation());
    const platform = available(await tokens.platform());
    const insufficient = await tokens.insufficient();
    expect(everyday.source).toBe('command AUTH_TOKEN_COMMAND');
    expect(translation.source).toBe('command AUTH_TOKEN_COMMAND_TRANSLATION');
    expect(platform.source).toBe('command AUTH_TOKEN_COMMAND_PLATFORM');
    expect(insufficient.map((c) => c.source)).toEqual(['command AUTH_TOKEN_COMMAND_INSUFFICIENT']);
    expect(new Set([everyday.token, translation.token, platform.token, insufficient[0]!.token]).size).toBe(4);
    for (const name of ['everyday', 'translation', 'platform', 'insufficient']) expect(runsIn(join(dir, name)), name).toBe(1);
    // Every token it printed is registered as a secret.
    expect(redact(`x ${translation.token} y`)).toBe('x [REDACTED] y');
  });

  test('a 2-second JWT is cached while it lives, and the command runs again once it expires', async () => {
    const log = join(tempDir(), 'runs');
    const tokens = tokensWith({ AUTH_TOKEN_COMMAND_TRANSLATION: printToken('jwt', '2', log) });
    const first = available(await tokens.translation());
    const second = available(await tokens.translation());
    expect(second.token).toBe(first.token);
    expect(await first.fresh!()).toBe(first.token);
    expect(runsIn(log)).toBe(1);
    await sleep(2_100);
    const third = available(await tokens.translation());
    expect(third.token).not.toBe(first.token);
    expect(runsIn(log)).toBe(2);
    // A credential looked up earlier also gets the renewed token.
    expect(await first.fresh!()).toBe(third.token);
    expect(runsIn(log)).toBe(2);
  });

  test('a token that is not a JWT lives AUTH_TOKEN_COMMAND_TTL seconds', async () => {
    const log = join(tempDir(), 'runs');
    const tokens = tokensWith({ AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque', log), AUTH_TOKEN_COMMAND_TTL: '1' });
    const first = available(await tokens.translation());
    expect(available(await tokens.translation()).token).toBe(first.token);
    await sleep(1_100);
    expect(available(await tokens.translation()).token).not.toBe(first.token);
    expect(runsIn(log)).toBe(2);
  });

  test('fresh(rejected) mints a new token once, however many callers report the same rejected token', async () => {
    const log = join(tempDir(), 'runs');
    const credential = available(await tokensWith({ AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque', log) }).translation());
    const renewed = await Promise.all([credential.fresh!(credential.token), credential.fresh!(credential.token), credential.fresh!(credential.token)]);
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(credential.token);
    expect(await credential.fresh!(credential.token)).toBe(renewed[0]);
    expect(runsIn(log)).toBe(2);
  });

  const SECRET = 'tok-3f9a1c7e5b2d4a60-secret';
  const failing: [string, string, RegExp][] = [
    ['a non-zero exit', nodeEval(`process.stdout.write('${SECRET}'); process.stderr.write('login required for ${SECRET}'); process.exit(3)`), /exited with status 3 after \d+ ms; stderr: login required for \[REDACTED\]/],
    ['empty output', nodeEval(`process.stderr.write('no credentials found')`), /printed nothing on stdout; stderr: no credentials found/],
    ['more than the token', nodeEval(`console.log('token: ${SECRET}')`), /printed more than one word on stdout/],
    ['a command that does not exist', 'definitely-not-a-command-3f9a', /exited with status 127/],
  ];
  for (const [what, command, message] of failing) {
    test(`${what}: one message naming the variable, without the token`, async () => {
      const tokens = tokensWith({ AUTH_TOKEN_COMMAND_TRANSLATION: command });
      const started = Date.now();
      const lookup = await tokens.translation();
      expect(isAvailable(lookup)).toBe(false);
      const { unavailable, failed } = lookup as { unavailable: string; failed?: boolean };
      expect(failed).toBe(true);
      expect(unavailable).toMatch(/AUTH_TOKEN_COMMAND_TRANSLATION: the token command /);
      expect(unavailable).toMatch(message);
      expect(unavailable).not.toContain(SECRET);
      expect(unavailable.split('\n')).toHaveLength(1);
      // The failure is remembered: the next lookup does not run the command again.
      const again = Date.now();
      expect(await tokens.translation()).toEqual(lookup);
      expect(Date.now() - again).toBeLessThan(50);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  }

  test('a hanging command is killed with its process group after AUTH_TOKEN_COMMAND_TIMEOUT', async () => {
    const pidFile = join(tempDir(), 'pid');
    const tokens = tokensWith({
      AUTH_TOKEN_COMMAND_PLATFORM: `echo "waiting for ${SECRET}" >&2; sleep 60 & echo $! > '${pidFile}'; wait`,
      AUTH_TOKEN_COMMAND_TIMEOUT: '1',
    });
    const started = Date.now();
    const lookup = await tokens.platform();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_500);
    expect(isAvailable(lookup)).toBe(false);
    const message = (lookup as { unavailable: string }).unavailable;
    expect(message).toMatch(/AUTH_TOKEN_COMMAND_PLATFORM: the token command did not finish within AUTH_TOKEN_COMMAND_TIMEOUT \(1 s\) and was killed/);
    // The sleeping grandchild went with the group: gone, or a zombie waiting for its new parent to reap it.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await sleep(200);
    const state = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      } catch {
        return 'gone';
      }
    };
    expect(['gone', 'Z', 'X']).toContain(state());
  });

  test('the everyday credential falls back to the scope-set commands when AUTH_TOKEN_COMMAND is unset', async () => {
    const tokens = tokensWith({ AUTH_TOKEN_COMMAND_PLATFORM: printToken('opaque') });
    expect(available(await tokens.everyday()).source).toBe('command AUTH_TOKEN_COMMAND_PLATFORM');
    expect(await tokens.translation()).toMatchObject({ unavailable: expect.stringMatching(/AUTH_TOKEN_COMMAND_TRANSLATION/) });
  });
});
