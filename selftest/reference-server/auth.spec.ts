import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { OAuth2Server } from 'oauth2-mock-server';
import { signingKey } from '../../reference-server/auth';
import { GDC, PLATFORM_SCOPE, TRANSLATION_SCOPE, api, created, expect, expectEnvelope, mint, state, test } from './helpers';

const CHALLENGE_SCOPES = `scope="${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}"`;

test.describe('auth matrix on cancel', () => {
  for (const [label, scope] of [
    ['cloud-translation', TRANSLATION_SCOPE],
    ['cloud-platform', PLATFORM_SCOPE],
    ['both with others', `openid ${PLATFORM_SCOPE} email`],
  ]) {
    test(`allowed: ${label}`, async ({ ref }) => {
      const owner = await api(ref);
      const name = await created(owner, GDC);
      const r = await (await api(ref, await mint(ref, scope))).cancel(name);
      expect(r.status).toBe(200);
    });
  }

  for (const [label, scope] of [
    ['unrelated', 'https://www.googleapis.com/auth/devstorage.read_only'],
    ['look-alike read-only', `${PLATFORM_SCOPE}.read-only`],
    ['trailing slash', `${PLATFORM_SCOPE}/`],
    ['http scheme', TRANSLATION_SCOPE.replace('https', 'http')],
    ['empty scope', ''],
    ['no scope claim', undefined],
  ] as const) {
    test(`403 with challenge, operation untouched: ${label}`, async ({ ref }) => {
      const owner = await api(ref);
      const name = await created(owner, GDC);
      const r = await (await api(ref, await mint(ref, scope))).cancel(name);
      expectEnvelope(r, 403, 'PERMISSION_DENIED');
      expect(r.json.error.details[0]).toMatchObject({
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { service: 'translate.googleapis.com', method: 'google.longrunning.Operations.CancelOperation' },
      });
      expect(r.headers.get('www-authenticate')).toBe(`Bearer realm="${ref.audience}", error="insufficient_scope", ${CHALLENGE_SCOPES}`);
      expect(state((await owner.get(name)).json)).toBe('RUNNING');
    });
  }

  test('403 comes before existence', async ({ ref }) => {
    const r = await (await api(ref, await mint(ref, 'openid'))).cancel(`${GDC}/operations/nope`);
    expectEnvelope(r, 403, 'PERMISSION_DENIED');
  });

  test('401 missing credentials: realm only, CREDENTIALS_MISSING', async ({ ref }) => {
    const r = await (await api(ref, null)).cancel(`${GDC}/operations/nope`);
    expectEnvelope(r, 401, 'UNAUTHENTICATED');
    expect(r.json.error.details[0].reason).toBe('CREDENTIALS_MISSING');
    expect(r.headers.get('www-authenticate')).toBe(`Bearer realm="${ref.audience}"`);
  });

  const invalid: [string, (ref: any) => Promise<string>, string][] = [
    ['malformed', async () => 'not-a-jwt', 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
    [
      'forged (another key)',
      async (ref) => {
        const { privateKey } = await generateKeyPair('RS256');
        const claims = decodeJwt(await mint(ref, TRANSLATION_SCOPE));
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'forged' }).sign(privateKey);
      },
      'ACCESS_TOKEN_TYPE_UNSUPPORTED',
    ],
    ['expired', (ref) => mint(ref, TRANSLATION_SCOPE, { expires_in: '-120' }), 'ACCESS_TOKEN_EXPIRED'],
    ['wrong audience', (ref) => mint(ref, TRANSLATION_SCOPE, { aud: 'https://elsewhere.test' }), 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
  ];
  for (const [label, make, reason] of invalid) {
    test(`401 invalid_token: ${label}`, async ({ ref }) => {
      const owner = await api(ref);
      const name = await created(owner, GDC);
      const r = await (await api(ref, await make(ref))).cancel(name);
      expectEnvelope(r, 401, 'UNAUTHENTICATED');
      expect(r.json.error.details[0].reason).toBe(reason);
      expect(r.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="${ref.audience}", error="invalid_token", error_description=".+"$`));
      expect(state((await owner.get(name)).json)).toBe('RUNNING');
    });
  }

  test('expires_in sets exp; the token URL mints any client', async ({ ref }) => {
    const claims = decodeJwt(await mint(ref, TRANSLATION_SCOPE, { expires_in: '-120' }));
    expect(claims.exp! - claims.iat!).toBe(-120);
    expect(claims).toMatchObject({ aud: ref.audience, iss: ref.issuerUrl, scope: TRANSLATION_SCOPE });
  });

  test('auth is checked before the body is parsed', async ({ ref }) => {
    const a = await api(ref, null);
    expectEnvelope(await a.cancel(`${GDC}/operations/x`, '{not json'), 401, 'UNAUTHENTICATED');
    expectEnvelope(await a.create(GDC, '{'), 401, 'UNAUTHENTICATED');
    const big = 'x'.repeat(2 * 1024 * 1024);
    expectEnvelope(await a.create(GDC, big), 401, 'UNAUTHENTICATED');
  });

  test('every API route requires a token', async ({ ref }) => {
    const a = await api(ref, null);
    for (const r of [await a.get(`${GDC}/operations/x`), await a.list(GDC), await a.remove(`${GDC}/operations/x`), await a.wait(`${GDC}/operations/x`, '1s')]) {
      expectEnvelope(r, 401, 'UNAUTHENTICATED');
    }
  });
});

test.describe('the issuer key kept between servers', () => {
  const keptIn = () => join(mkdtempSync(join(tmpdir(), 'issuer-key-')), 'key.json');
  const kidOf = async (file: string) => {
    const server = new OAuth2Server();
    await signingKey(server, file);
    return server.issuer.keys.toJSON()[0]!.kid;
  };

  test('the first server makes the key and keeps it (owner-only); the next one signs with the same key', async () => {
    const file = keptIn();
    const first = await kidOf(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kid: first, alg: 'RS256', d: expect.any(String) });
    expect(await kidOf(file)).toBe(first);
  });

  for (const [label, kind] of [['garbage', 'garbage'], ['a public key only', 'public'], ['a key of another algorithm', 'es256']] as const) {
    test(`a kept file holding ${label} gets a new key, kept in its place`, async () => {
      const file = keptIn();
      const { publicKey, privateKey } = await generateKeyPair(kind === 'es256' ? 'ES256' : 'RS256', { extractable: true });
      const jwk = kind === 'public' ? { ...(await exportJWK(publicKey)), alg: 'RS256', kid: kind } : { ...(await exportJWK(privateKey)), alg: 'ES256', kid: kind };
      writeFileSync(file, kind === 'garbage' ? 'not json' : JSON.stringify(jwk));
      const made = await kidOf(file);
      expect(made).not.toBe(kind);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kid: made, alg: 'RS256', d: expect.any(String) });
    });
  }
});
