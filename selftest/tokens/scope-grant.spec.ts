// A minted token holds the scopes it was asked for, or the run stops with a credential error:
// a token granted other scopes would make the scope checks test the wrong token (a setup mistake,
// never a MUST failure of the target).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { UnsecuredJWT } from 'jose';
import { grantedScopes, scopeMismatch } from '../../src/credentials/token-sources/renewable';
import { clientCredentialsMinter } from '../../src/credentials/tokens';

const TRANSLATION = 'https://www.googleapis.com/auth/cloud-translation';
const PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

test('the grant is read from the token response, else from the JWT scope or scp claim; a different set is a mismatch', () => {
  const jwt = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();
  expect(grantedScopes(`${PLATFORM} ${TRANSLATION}`, 'opaque')).toEqual([PLATFORM, TRANSLATION]);
  expect(grantedScopes(undefined, jwt({ scope: TRANSLATION }))).toEqual([TRANSLATION]);
  expect(grantedScopes(undefined, jwt({ scp: [PLATFORM] }))).toEqual([PLATFORM]);
  expect(grantedScopes(undefined, 'opaque')).toBeUndefined();
  expect(scopeMismatch(`${TRANSLATION} ${PLATFORM}`, [PLATFORM, TRANSLATION])).toBeUndefined();
  expect(scopeMismatch(TRANSLATION, undefined)).toBeUndefined();
  expect(scopeMismatch(TRANSLATION, [PLATFORM])).toBe(`it was asked for "${TRANSLATION}" and granted "${PLATFORM}"`);
  // A look-alike granted as the real scope would turn an insufficient-scope check into a valid-token one.
  expect(scopeMismatch(`${PLATFORM}.read-only`, [PLATFORM])).toBeDefined();
});

test('a client-credentials issuer that grants other scopes than asked is a credential error naming AUTH_TOKEN_URL', async () => {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'issued-token-0123456789', expires_in: 300, scope: PLATFORM }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  try {
    const mint = clientCredentialsMinter({ tokenUrl, clientId: 'c', clientSecret: 's' }, 5000);
    await expect(mint(PLATFORM)).resolves.toMatchObject({ token: 'issued-token-0123456789' });
    await expect(mint(TRANSLATION)).rejects.toMatchObject({
      name: 'CredentialError',
      message: `AUTH_TOKEN_URL ${tokenUrl} minted a token for other scopes than asked: it was asked for "${TRANSLATION}" and granted "${PLATFORM}". Let AUTH_CLIENT_ID ask for exactly these scopes (the issuer's client configuration), or the scope checks would test the wrong token.`,
    });
  } finally {
    server.close();
  }
});
