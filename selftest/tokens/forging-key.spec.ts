// The key that signs forged tokens is kept between runs; a kept file that is not a private RSA
// key is replaced, and the issuer's own key is never the one kept for forging.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { ISSUER_KEY_FILE } from '../../reference-server/auth';
import { FORGING_KEY_FILE, forgingKey } from '../../src/credentials/tokens';
import { tempDir } from './helpers';

const kept = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;

test('the first run makes the key and keeps it (owner-only); a later run signs with the same key', async () => {
  const dir = tempDir();
  const first = join(dir, 'first.json');
  await forgingKey(first);
  expect(statSync(first).mode & 0o777).toBe(0o600);
  const { d, ...publicJwk } = kept(first);
  expect({ kty: publicJwk.kty, d }).toEqual({ kty: 'RSA', d: expect.any(String) });
  // Another process finds the same file (copied under a new name: keys are memoised per file).
  copyFileSync(first, join(dir, 'later.json'));
  const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).sign(await forgingKey(join(dir, 'later.json')));
  await expect(jwtVerify(token, await importJWK(publicJwk, 'RS256'))).resolves.toBeTruthy();
});

test('a kept file holding garbage, a public key or an EC key gets a new RSA key in its place', async () => {
  const dir = tempDir();
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  for (const [name, content] of [['garbage', 'not json'], ['public', JSON.stringify(await exportJWK(rsa.publicKey))], ['ec', JSON.stringify(await exportJWK(ec.privateKey))]]) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, content!);
    await forgingKey(file);
    expect(kept(file), name).toMatchObject({ kty: 'RSA', n: expect.any(String), d: expect.any(String) });
  }
});

test('the forging key and the embedded issuer key are kept in different files', () => {
  expect(FORGING_KEY_FILE).not.toBe(ISSUER_KEY_FILE);
});
