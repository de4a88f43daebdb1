// Renewal and the single retry: a credential from a source that the target refuses as expired is
// renewed and the request repeated once; tokens built to be refused are never retried.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseConfig } from '../../src/running/config';
import { transcript, type Exchange } from '../../src/transport/evidence';
import { createOperationsClient, newCounters } from '../../src/transport/rest/operations-client';
import { createTokens, CredentialError, invalidTokens, isAvailable, isExpiryRefusal, tokenSourceNames, type Credential, type Lookup } from '../../src/credentials/tokens';
import { EXTERNAL, printToken, runsIn, serviceAccount, tempDir } from './helpers';

const available = (lookup: Lookup): Credential => {
  if (!isAvailable(lookup)) throw new Error(`expected a credential, got: ${lookup.unavailable}`);
  return lookup;
};

type Mode = 'first-expired' | 'always-expired' | 'expired-by-header-only' | 'invalid';

/** A target that answers cancel with 200 {}, or refuses tokens as the mode says. */
async function target(mode: Mode) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    seen.push(token);
    const refuse = mode === 'always-expired' || mode === 'invalid' || (seen.indexOf(token) === 0 && mode !== 'expired-by-header-only') || (mode === 'expired-by-header-only' && seen.length === 1);
    req.resume();
    if (!refuse) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const expired = mode !== 'invalid';
    const withDetails = mode !== 'expired-by-header-only';
    res.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer realm="x", error="invalid_token", error_description="${expired ? 'The access token expired' : 'The access token is invalid'}"`,
    }).end(JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED', message: 'no', details: withDetails ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: expired ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com' }] : [] } }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((d) => server.close(() => d())) };
}

async function cancelWith(request: Parameters<typeof createOperationsClient>[0], url: string, auth: Credential) {
  const cfg = parseConfig({ ...EXTERNAL, TARGET_BASE_URL: url });
  const titles: string[] = [];
  const counters = newCounters();
  const api = createOperationsClient(request, cfg, url, { defaultAuth: auth, counters, record: async (title, run) => { titles.push(title); return run(); } });
  const exchange: Exchange = await api.cancel('projects/p/operations/op-1');
  return { exchange, titles, counters };
}

test.describe('renewal and one retry after an expiry 401', () => {
  test('a command credential refused as expired is renewed and the cancel repeated once', async ({ request }) => {
    const log = join(tempDir(), 'runs');
    const server = await target('first-expired');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque', log) })).translation());
      const { exchange, titles, counters } = await cancelWith(request, server.url, credential);
      expect(exchange.status).toBe(200);
      expect(server.seen).toHaveLength(2);
      expect(server.seen[0]).toBe(credential.token);
      expect(server.seen[1]).not.toBe(credential.token);
      expect(runsIn(log)).toBe(2);
      expect(counters.requests).toBe(2);
      // One recorded exchange: the refused attempt is in its evidence, numbered.
      expect(titles).toHaveLength(1);
      expect(exchange.earlierAttempts).toMatchObject([{ attempt: 1, status: 401, cause: 'the token had expired: renewed and sent again' }]);
      expect(transcript(exchange)).toMatch(/# attempt 1: HTTP 401 .*the token had expired: renewed and sent again/);
    } finally {
      await server.close();
    }
  });

  test('only once: a target that keeps saying "expired" gets two requests, and the 401 is the answer', async ({ request }) => {
    const server = await target('always-expired');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque') })).translation());
      const { exchange } = await cancelWith(request, server.url, credential);
      expect(exchange.status).toBe(401);
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  test('the error_description of the challenge alone is enough to recognise expiry', async ({ request }) => {
    const server = await target('expired-by-header-only');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque') })).translation());
      expect((await cancelWith(request, server.url, credential)).exchange.status).toBe(200);
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  test('a 401 that is not about expiry is not retried', async ({ request }) => {
    const server = await target('invalid');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque') })).translation());
      expect((await cancelWith(request, server.url, credential)).exchange.status).toBe(401);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('tokens built to be refused (forged, tampered, expired) are never retried', async ({ request }) => {
    const server = await target('always-expired');
    try {
      const tokens = createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('jwt', '600') }));
      const valid = available(await tokens.translation());
      const bad = await invalidTokens(valid.token);
      for (const credential of bad) {
        expect(credential.fresh, credential.label).toBeUndefined();
        await cancelWith(request, server.url, credential);
      }
      expect(server.seen).toHaveLength(bad.length);
    } finally {
      await server.close();
    }
  });

  test('a service-account credential is renewed after an expiry 401 too', async ({ request }) => {
    const sa = await serviceAccount();
    const server = await target('first-expired');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile })).platform());
      expect((await cancelWith(request, server.url, credential)).exchange.status).toBe(200);
      expect(sa.server.issued).toEqual(server.seen);
    } finally {
      await Promise.all([server.close(), sa.server.close()]);
    }
  });

  test('a static token refused as expired cannot be renewed: one message naming its variable', async ({ request }) => {
    const server = await target('always-expired');
    try {
      const credential = available(await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_TRANSLATION: 'static-opaque-token-1234' })).translation());
      const error = await cancelWith(request, server.url, credential).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialError);
      expect((error as Error).message).toMatch(/^AUTH_TOKEN_TRANSLATION: the static token has expired \(the target refused it as expired\) and a static token cannot be renewed\. .*AUTH_TOKEN_COMMAND_TRANSLATION/);
      expect((error as Error).message).not.toContain('static-opaque-token-1234');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('a static JWT that has already expired leaves its scope set unavailable, naming the variable', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const expired = `${b64({ alg: 'RS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) - 10 })}.c2lnbmF0dXJl`;
    const lookup = await createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_PLATFORM: expired })).platform();
    expect(lookup).toMatchObject({ failed: true, unavailable: expect.stringMatching(/AUTH_TOKEN_PLATFORM: the static token has expired \(exp \d{4}-/) });
    expect((lookup as { unavailable: string }).unavailable).not.toContain(expired);
  });

  test('isExpiryRefusal reads the ErrorInfo reason, the bare form and the challenge', () => {
    const info = (reason: string) => [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }];
    expect(isExpiryRefusal(401, {}, { error: { details: info('ACCESS_TOKEN_EXPIRED') } })).toBe(true);
    expect(isExpiryRefusal(401, {}, { code: 16, details: info('ACCESS_TOKEN_EXPIRED') })).toBe(true);
    expect(isExpiryRefusal(401, { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="Token has expired"' }, undefined)).toBe(true);
    expect(isExpiryRefusal(401, { 'www-authenticate': 'Bearer error="invalid_token"' }, { error: { details: info('ACCESS_TOKEN_TYPE_UNSUPPORTED') } })).toBe(false);
    expect(isExpiryRefusal(403, {}, { error: { details: info('ACCESS_TOKEN_EXPIRED') } })).toBe(false);
  });
});

test.describe('precedence: static > command > service account > client credentials', () => {
  test('each scope set is served by the first source that can serve it', async () => {
    const sa = await serviceAccount();
    await sa.server.close();
    const cc = { AUTH_TOKEN_URL: 'http://127.0.0.1:9/token', AUTH_CLIENT_ID: 'id', AUTH_CLIENT_SECRET: 'secret' };
    const all = {
      ...EXTERNAL, ...cc, GOOGLE_APPLICATION_CREDENTIALS: sa.keyFile,
      AUTH_TOKEN_COMMAND_TRANSLATION: 'x', AUTH_TOKEN_COMMAND_PLATFORM: 'x', AUTH_TOKEN_COMMAND_INSUFFICIENT: 'x', AUTH_TOKEN_COMMAND: 'x',
      AUTH_TOKEN_TRANSLATION: 'static-translation', AUTH_TOKEN_PLATFORM: 'static-platform', AUTH_TOKEN_INSUFFICIENT: 'static-insufficient',
    };
    const names = (env: Record<string, string>) => tokenSourceNames(parseConfig(env));
    const email = `service account ${sa.clientEmail}`;
    expect(names(all)).toEqual({
      everyday: 'static AUTH_TOKEN_TRANSLATION', translation: 'static AUTH_TOKEN_TRANSLATION', platform: 'static AUTH_TOKEN_PLATFORM',
      insufficient: 'static AUTH_TOKEN_INSUFFICIENT (1) + command AUTH_TOKEN_COMMAND_INSUFFICIENT', expired: 'client-credentials (expires_in=-120)',
    });
    const { AUTH_TOKEN_TRANSLATION: _t, AUTH_TOKEN_PLATFORM: _p, AUTH_TOKEN_INSUFFICIENT: _i, ...noStatic } = all;
    expect(names(noStatic)).toMatchObject({ everyday: 'command AUTH_TOKEN_COMMAND', translation: 'command AUTH_TOKEN_COMMAND_TRANSLATION', platform: 'command AUTH_TOKEN_COMMAND_PLATFORM', insufficient: 'command AUTH_TOKEN_COMMAND_INSUFFICIENT' });
    const { AUTH_TOKEN_COMMAND: _e, AUTH_TOKEN_COMMAND_TRANSLATION: _ct, AUTH_TOKEN_COMMAND_PLATFORM: _cp, AUTH_TOKEN_COMMAND_INSUFFICIENT: _ci, ...noCommand } = noStatic;
    expect(names(noCommand)).toMatchObject({ everyday: email, translation: email, platform: email, insufficient: `${email} (6 scope sets)` });
    const { GOOGLE_APPLICATION_CREDENTIALS: _g, ...onlyCc } = noCommand;
    expect(names(onlyCc)).toMatchObject({ everyday: 'client-credentials', translation: 'client-credentials', insufficient: 'client-credentials (6 scope sets)' });
    expect(names(EXTERNAL)).toEqual({ everyday: 'none', translation: 'none', platform: 'none', insufficient: 'none', expired: 'none' });
  });

  test('with no source for a scope set, it stays unavailable with the reason', async () => {
    const tokens = createTokens(parseConfig({ ...EXTERNAL, AUTH_TOKEN_COMMAND_TRANSLATION: printToken('opaque') }));
    expect(await tokens.platform()).toEqual({ unavailable: expect.stringMatching(/^no token for the cloud-platform only scope set: set AUTH_TOKEN_PLATFORM, AUTH_TOKEN_COMMAND_PLATFORM, GOOGLE_APPLICATION_CREDENTIALS or/) });
    expect(await tokens.insufficient()).toEqual([]);
  });
});
