// The service-account source: google-auth-library signs the assertion with a key made here; the
// key's token_uri points at a local token server that verifies it and grants the asked scopes.
import { expect, test } from '@playwright/test';
import { ConfigError, parseConfig } from '../../src/running/config';
import { createTokens, INSUFFICIENT_SCOPE_SETS, isAvailable, PLATFORM_SCOPE, TRANSLATION_SCOPE, type Credential, type Lookup } from '../../src/credentials/tokens';
import { EXTERNAL, serviceAccount, tempDir } from './helpers';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const available = (lookup: Lookup): Credential => {
  if (!isAvailable(lookup)) throw new Error(`expected a credential, got: ${lookup.unavailable}`);
  return lookup;
};

test.describe('service-account token source', () => {
  test('mints a token for every scope set the suite needs, each with exactly its scopes', async () => {
    const sa = await serviceAccount();
    try {
      const tokens = createTokens(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile }));
      const everyday = available(await tokens.everyday());
      const translation = available(await tokens.translation());
      const platform = available(await tokens.platform());
      const insufficient = await tokens.insufficient();
      for (const c of [everyday, translation, platform, ...insufficient]) expect(c.source).toBe(`service account ${sa.clientEmail}`);
      expect(insufficient.map((c) => c.label)).toEqual(INSUFFICIENT_SCOPE_SETS.map((s) => s.label));
      // The insufficient sets are minted in parallel: their order at the server may vary.
      expect(sa.server.scopes.slice(0, 3)).toEqual([`${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}`, TRANSLATION_SCOPE, PLATFORM_SCOPE]);
      expect(sa.server.scopes.slice(3).sort()).toEqual(INSUFFICIENT_SCOPE_SETS.map((s) => s.scope).sort());
      expect([everyday, translation, platform, ...insufficient].map((c) => c.token).sort()).toEqual([...sa.server.issued].sort());
      // Cached: asking again mints nothing.
      await tokens.translation();
      expect(sa.server.issued).toHaveLength(3 + INSUFFICIENT_SCOPE_SETS.length);
    } finally {
      await sa.server.close();
    }
  });

  test('a token is minted again once it expires (expires_in 2)', async () => {
    const sa = await serviceAccount({ expiresIn: 2 });
    try {
      const tokens = createTokens(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile }));
      const first = available(await tokens.translation());
      expect(available(await tokens.translation()).token).toBe(first.token);
      await new Promise((r) => setTimeout(r, 2_100));
      const renewed = await first.fresh!();
      expect(renewed).not.toBe(first.token);
      expect(sa.server.scopes).toEqual([TRANSLATION_SCOPE, TRANSLATION_SCOPE]);
    } finally {
      await sa.server.close();
    }
  });

  test('a refusing token server: one bounded message naming GOOGLE_APPLICATION_CREDENTIALS, no key, no token', async () => {
    const sa = await serviceAccount({ refuse: true });
    try {
      const started = Date.now();
      const lookup = await createTokens(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile })).platform();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isAvailable(lookup)).toBe(false);
      const message = (lookup as { unavailable: string }).unavailable;
      expect(message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS: the service account conformance@test-project\.iam\.gserviceaccount\.com got no token for scope "https:\/\/www\.googleapis\.com\/auth\/cloud-platform" from http:\/\/127\.0\.0\.1:\d+\/token \(HTTP 400\)/);
      expect(message).not.toContain('PRIVATE KEY');
      expect(message.split('\n')).toHaveLength(1);
    } finally {
      await sa.server.close();
    }
  });

  test('an unreachable token_uri fails within REQUEST_TIMEOUT, once', async () => {
    const sa = await serviceAccount();
    await sa.server.close();
    const tokens = createTokens(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile, REQUEST_TIMEOUT: '2' }));
    const started = Date.now();
    const lookup = await tokens.translation();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((lookup as { unavailable: string }).unavailable).toMatch(/^no token for the cloud-translation only scope set: GOOGLE_APPLICATION_CREDENTIALS: .*got no token/);
  });

  test('the embedded target ignores GOOGLE_APPLICATION_CREDENTIALS (it trusts only its own issuer)', async () => {
    const sa = await serviceAccount();
    await sa.server.close();
    expect(parseConfig({ GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile }).serviceAccount).toBeUndefined();
    expect(parseConfig({ ...EXTERNAL, CONFORMANCE_EMBEDDED_PROFILE: 'conformant', GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile }).serviceAccount).toBeUndefined();
    expect(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile }).serviceAccount?.tokenUri).toBe(sa.server.url);
  });

  const dir = tempDir();
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const badKeys: [string, string, RegExp][] = [
    ['missing file', join(dir, 'nope.json'), /^GOOGLE_APPLICATION_CREDENTIALS: cannot read .*nope\.json/],
    ['not JSON', file('bad.json', '{nope'), /is not valid JSON/],
    ['user credentials', file('user.json', { type: 'authorized_user', client_id: 'x', refresh_token: 'y' }), /is not a service-account key \(type is "authorized_user"\)/],
    ['no private key', file('nokey.json', { type: 'service_account', client_email: 'a@b' }), /has no private_key/],
    ['bad token_uri', file('uri.json', { type: 'service_account', client_email: 'a@b', private_key: 'k', token_uri: 'not a url' }), /has a token_uri that is not a URL/],
  ];
  for (const [what, path, message] of badKeys) {
    test(`a bad key (${what}) is one ConfigError naming GOOGLE_APPLICATION_CREDENTIALS`, () => {
      let error: unknown;
      try {
        parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: path });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('GOOGLE_APPLICATION_CREDENTIALS');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    });
  }
});
