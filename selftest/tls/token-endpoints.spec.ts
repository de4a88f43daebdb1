// The token requests the suite makes itself go over the same trust and proxies as the target:
// TARGET_CA_FILE is trusted for AUTH_TOKEN_URL and for a service account's token_uri (besides the
// system roots), and HTTPS_PROXY / NO_PROXY decide whether they go through a proxy.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { OAuth2Server } from 'oauth2-mock-server';
import { transportConfig, type ServiceAccountKey, type Transport } from '../../src/running/config';
import { mintServiceAccountToken } from '../../src/credentials/token-sources/service-account';
import { clientCredentialsMinter } from '../../src/credentials/tokens';
import { certFiles, startProxy } from './helpers';

// These tests set proxy variables in this worker's environment; one at a time.
test.describe.configure({ mode: 'serial' });

async function httpsIssuer(): Promise<{ tokenUrl: string; close: () => Promise<void> }> {
  const { files } = await certFiles();
  const issuer = new OAuth2Server(files['server.key'], files['server.pem']);
  await issuer.issuer.keys.generate('RS256');
  await issuer.start(0, '127.0.0.1');
  return { tokenUrl: `https://127.0.0.1:${issuer.address().port}/token`, close: () => issuer.stop() };
}

/** A token_uri over HTTPS that answers every grant: this file tests the transport, selftest/tokens the assertion. */
async function httpsTokenUri(): Promise<{ key: ServiceAccountKey; close: () => Promise<void> }> {
  const { pem } = await certFiles();
  const server: Server = createServer(pem.server, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'sa-token-over-tls', expires_in: 3600, token_type: 'Bearer' })));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return {
    key: { keyFile: '/dev/null', clientEmail: 'conformance@test-project.iam.gserviceaccount.com', privateKey, tokenUri: `https://127.0.0.1:${(server.address() as AddressInfo).port}/token` },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const CC = (tokenUrl: string) => ({ tokenUrl, clientId: 'conformance', clientSecret: 'client-secret-for-tls-tests' });
const mintCc = (tokenUrl: string, t: Transport) => clientCredentialsMinter(CC(tokenUrl), 5000, t)('https://www.googleapis.com/auth/cloud-translation');
const failure = (p: Promise<unknown>) => p.then(() => 'minted', (e: Error) => e.message);

async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test('client credentials: an issuer signed by the zone CA is refused with the fix, and trusted with TARGET_CA_FILE', async () => {
  const { files } = await certFiles();
  const issuer = await httpsIssuer();
  try {
    expect(await failure(mintCc(issuer.tokenUrl, transportConfig({})))).toBe(
      `AUTH_TOKEN_URL ${issuer.tokenUrl} could not be reached (fetch failed). Its certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set TARGET_CA_FILE to the root CA bundle that issued it.`,
    );
    expect(await failure(mintCc(issuer.tokenUrl, transportConfig({ TARGET_CA_FILE: files['stranger-ca.pem'] })))).toMatch(/Its certificate is not signed by a CA in TARGET_CA_FILE=.*stranger-ca\.pem or the system roots/);
    const minted = await mintCc(issuer.tokenUrl, transportConfig({ TARGET_CA_FILE: files['ca.pem'] }));
    expect(minted.token.split('.')).toHaveLength(3);
  } finally {
    await issuer.close();
  }
});

test("service account: the key's token_uri over TLS is trusted through TARGET_CA_FILE, and refused without it", async () => {
  const { files } = await certFiles();
  const sa = await httpsTokenUri();
  try {
    expect(await failure(mintServiceAccountToken(sa.key, 'https://www.googleapis.com/auth/cloud-platform', 5000, transportConfig({}))))
      .toMatch(/^GOOGLE_APPLICATION_CREDENTIALS: the service account .* got no token .* Its certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set TARGET_CA_FILE/);
    const minted = await mintServiceAccountToken(sa.key, 'https://www.googleapis.com/auth/cloud-platform', 5000, transportConfig({ TARGET_CA_FILE: files['ca.pem'] }));
    expect(minted.token).toBe('sa-token-over-tls');
  } finally {
    await sa.close();
  }
});

test('HTTPS_PROXY carries both kinds of token request through the proxy (it sees the CONNECT); NO_PROXY sends them direct', async () => {
  const { files } = await certFiles();
  const [issuer, sa, proxy] = await Promise.all([httpsIssuer(), httpsTokenUri(), startProxy()]);
  const t = () => transportConfig({ TARGET_CA_FILE: files['ca.pem'] });
  try {
    await withEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '' }, async () => {
      await mintCc(issuer.tokenUrl, t());
      await mintServiceAccountToken(sa.key, 'https://www.googleapis.com/auth/cloud-platform', 5000, t());
    });
    expect(proxy.seen).toEqual([`CONNECT ${new URL(issuer.tokenUrl).host}`, `CONNECT ${new URL(sa.key.tokenUri).host}`]);
    await withEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, async () => {
      await mintCc(issuer.tokenUrl, t());
      await mintServiceAccountToken(sa.key, 'https://www.googleapis.com/auth/cloud-platform', 5000, t());
    });
    expect(proxy.seen).toHaveLength(2);
  } finally {
    await Promise.all([issuer.close(), sa.close(), proxy.close()]);
  }
});
