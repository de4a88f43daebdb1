// The everyday credential's source, in README "Credentials" order: a static scope-set token, else
// AUTH_TOKEN_COMMAND, else a scope-set command, else a service account or issuer minting both scopes.
// Issue 24 (8): with AUTH_TOKEN_PLATFORM and AUTH_TOKEN_COMMAND set, it came from AUTH_TOKEN_COMMAND_TRANSLATION.
import { expect, test } from '@playwright/test';
import { parseConfig } from '../../src/running/config';
import { createTokens, isAvailable, tokenSourceNames, type Credential, type Lookup } from '../../src/credentials/tokens';
import { EXTERNAL } from './helpers';

const available = (lookup: Lookup): Credential => {
  if (!isAvailable(lookup)) throw new Error(`expected a credential, got: ${lookup.unavailable}`);
  return lookup;
};

/** The everyday credential as a run gets it, and the source the summary names for it. */
async function everyday(env: Record<string, string>) {
  const cfg = parseConfig({ ...EXTERNAL, ...env });
  const tokens = createTokens(cfg);
  return { credential: available(await tokens.everyday()), named: tokenSourceNames(cfg).everyday, tokens };
}

// Fake tokens printed by shell commands: each names where it came from.
const COMMANDS = {
  AUTH_TOKEN_COMMAND: "printf 'everyday-from-AUTH_TOKEN_COMMAND'",
  AUTH_TOKEN_COMMAND_TRANSLATION: 'echo translation-from-AUTH_TOKEN_COMMAND_TRANSLATION',
  AUTH_TOKEN_COMMAND_PLATFORM: "printf '%s\\n' platform-from-AUTH_TOKEN_COMMAND_PLATFORM",
} as const;
const ISSUER = { AUTH_TOKEN_URL: 'http://127.0.0.1:9/token', AUTH_CLIENT_ID: 'id', AUTH_CLIENT_SECRET: 'client-secret-value' } as const;

test.describe('precedence of the everyday credential (README "Credentials")', () => {
  test('a static scope-set token comes before AUTH_TOKEN_COMMAND and the scope-set commands', async () => {
    const { credential, named, tokens } = await everyday({ AUTH_TOKEN_PLATFORM: 'static-platform-token', ...COMMANDS });
    expect(credential.source).toBe('static AUTH_TOKEN_PLATFORM');
    expect(credential.token).toBe('static-platform-token');
    expect(credential.fresh).toBeDefined();
    expect(named).toBe('static AUTH_TOKEN_PLATFORM');
    // Its scope set is served the same token (a static token is served once: they share it); the other keeps its command.
    const platform = available(await tokens.platform());
    expect([platform.source, platform.token]).toEqual(['static AUTH_TOKEN_PLATFORM', 'static-platform-token']);
    const translation = available(await tokens.translation());
    expect([translation.source, translation.token]).toEqual(['command AUTH_TOKEN_COMMAND_TRANSLATION', 'translation-from-AUTH_TOKEN_COMMAND_TRANSLATION']);
  });

  test('of two static scope-set tokens, the cloud-translation one', async () => {
    const { credential, named } = await everyday({ AUTH_TOKEN_TRANSLATION: 'static-translation-token', AUTH_TOKEN_PLATFORM: 'static-platform-token', ...COMMANDS });
    expect([credential.source, credential.token, named]).toEqual(['static AUTH_TOKEN_TRANSLATION', 'static-translation-token', 'static AUTH_TOKEN_TRANSLATION']);
  });

  test('without a static token, AUTH_TOKEN_COMMAND comes before the scope-set commands', async () => {
    const { credential, named } = await everyday({ ...COMMANDS, ...ISSUER });
    expect([credential.source, credential.token, named]).toEqual(['command AUTH_TOKEN_COMMAND', 'everyday-from-AUTH_TOKEN_COMMAND', 'command AUTH_TOKEN_COMMAND']);
  });

  test('without AUTH_TOKEN_COMMAND, a scope-set command (cloud-translation first) comes before an issuer', async () => {
    const { AUTH_TOKEN_COMMAND: _, ...scopeSetCommands } = COMMANDS;
    const both = await everyday({ ...scopeSetCommands, ...ISSUER });
    expect([both.credential.source, both.credential.token, both.named]).toEqual(['command AUTH_TOKEN_COMMAND_TRANSLATION', 'translation-from-AUTH_TOKEN_COMMAND_TRANSLATION', 'command AUTH_TOKEN_COMMAND_TRANSLATION']);
    // Only the cloud-platform command: it serves, not the issuer's cloud-translation token (the issuer is unreachable, so asking it would fail).
    const platformOnly = await everyday({ AUTH_TOKEN_COMMAND_PLATFORM: COMMANDS.AUTH_TOKEN_COMMAND_PLATFORM, ...ISSUER });
    expect([platformOnly.credential.source, platformOnly.credential.token, platformOnly.named]).toEqual(['command AUTH_TOKEN_COMMAND_PLATFORM', 'platform-from-AUTH_TOKEN_COMMAND_PLATFORM', 'command AUTH_TOKEN_COMMAND_PLATFORM']);
  });

  test('the source the summary names is the one that serves, for every combination of the three', async () => {
    const sources = { AUTH_TOKEN_PLATFORM: 'static-platform-token', ...COMMANDS };
    const names = Object.keys(sources) as (keyof typeof sources)[];
    for (let mask = 1; mask < 1 << names.length; mask++) {
      const env = Object.fromEntries(names.filter((_, i) => mask & (1 << i)).map((n) => [n, sources[n]]));
      const { credential, named } = await everyday(env);
      expect(credential.source, JSON.stringify(Object.keys(env))).toBe(named);
      const expected = env.AUTH_TOKEN_PLATFORM ? 'static AUTH_TOKEN_PLATFORM' : env.AUTH_TOKEN_COMMAND ? 'command AUTH_TOKEN_COMMAND'
        : env.AUTH_TOKEN_COMMAND_TRANSLATION ? 'command AUTH_TOKEN_COMMAND_TRANSLATION' : 'command AUTH_TOKEN_COMMAND_PLATFORM';
      expect(named, JSON.stringify(Object.keys(env))).toBe(expected);
    }
  });
});
