// The TLS check the global setup runs before any test (src/transport/tls.ts checkTargetTls), against the
// reference server listening on HTTPS with certificates from a CA made for the test. This worker
// process trusts only the system roots, so every case here is one the check must refuse or explain.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { transportConfig } from '../../src/running/config';
import { checkTargetTls } from '../../src/transport/tls';
import { startReferenceServer, type RunningReference } from '../../reference-server/index';
import { certFiles, type CertFiles } from './helpers';

type Cert = 'server' | 'wrong-host' | 'expired';

async function withReference<T>(cert: Cert, run: (url: string, f: CertFiles['files']) => Promise<T>, { mtls = false } = {}): Promise<T> {
  const { files, pem } = await certFiles();
  const leaf = { server: pem.server, 'wrong-host': pem.wrongHost, expired: pem.expired }[cert];
  const reference: RunningReference = await startReferenceServer({ tls: { ...leaf, ...(mtls ? { ca: pem.ca, requestClientCert: true } : {}) } });
  try {
    expect(reference.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    return await run(reference.baseUrl, files);
  } finally {
    await reference.close();
  }
}

const refusal = (url: string, env: Record<string, string> = {}) =>
  checkTargetTls(url, transportConfig(env), 5000).then(() => 'accepted', (e: Error) => `${e.name}: ${e.message}`);

test('an issuer the system roots do not know: set TARGET_CA_FILE to the zone root CA bundle', async () => {
  await withReference('server', async (url) => {
    expect(await refusal(url)).toBe(
      `TLS: the certificate of ${url} is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE). Set TARGET_CA_FILE to your zone's root CA bundle (PEM).`,
    );
  });
});

test('TARGET_CA_FILE set, but Playwright started without it (not through npm run conformance): says how to start it', async () => {
  await withReference('server', async (url, f) => {
    expect(await refusal(url, { TARGET_CA_FILE: f['ca.pem'] })).toBe(
      `TLS: the certificate of ${url} (issuer CN=Conformance Zone Root CA, O=Selftest) is not trusted: TARGET_CA_FILE=${f['ca.pem']} is trusted only when npm run conformance starts Playwright, and this process was started without it. Run npm run conformance, or start Playwright with NODE_EXTRA_CA_CERTS=${f['ca.pem']}.`,
    );
  });
});

test('a certificate for another host and from an unknown issuer: both problems in one message', async () => {
  await withReference('wrong-host', async (url) => {
    const message = await refusal(url);
    expect(message).toContain(`the certificate of ${url} is for DNS:translation.zone1.gdc.example, not for 127.0.0.1 (the host in TARGET_BASE_URL). Set TARGET_BASE_URL to a name the certificate lists (e.g. https://translation.zone1.gdc.example:${new URL(url).port})`);
    expect(message).toContain('Also, the certificate');
    expect(message).toContain('Set TARGET_CA_FILE');
    expect(message.split('\n')).toHaveLength(1);
  });
});

test('an mTLS-only server: no client certificate, and one from a CA it does not trust, are each one message', async () => {
  await withReference('server', async (url, f) => {
    expect(await refusal(url)).toBe(
      `TLS: ${url} asks for a client certificate (the server ended the handshake: certificate required). Set TARGET_CLIENT_CERT and TARGET_CLIENT_KEY (and TARGET_CLIENT_KEY_PASSPHRASE if the key is encrypted).`,
    );
    const stranger = await refusal(url, { TARGET_CLIENT_CERT: f['stranger-client.pem'], TARGET_CLIENT_KEY: f['stranger-client.key'] });
    expect(stranger).toMatch(new RegExp(`^TLS: ${url.replace(/[.:/]/g, '\\$&')} refused the client certificate TARGET_CLIENT_CERT=${f['stranger-client.pem']} \\(subject CN=client-of-another-ca, issuer CN=Some Other Root CA, valid to [0-9T:-]+Z\\): [a-z ,]+\\. Use a certificate from a CA the server trusts\\.$`));
  }, { mtls: true });
});

test('TARGET_TLS_INSECURE=true lets an expired certificate through, and the warning says what verification would have found', async () => {
  await withReference('expired', async (url) => {
    expect(await refusal(url)).toMatch(/^TLS: the certificate of .* expired on 2024-06-30T00:00:00Z \(valid from 2024-01-01T00:00:00Z to 2024-06-30T00:00:00Z; subject CN=localhost\)\. The server needs a current certificate\.$/);
    const warning = await checkTargetTls(url, transportConfig({ TARGET_TLS_INSECURE: 'true' }), 5000);
    expect(warning).toBe(`TARGET_TLS_INSECURE=true: the certificate of ${url} was NOT verified (verification would have failed: the certificate of ${url} expired on 2024-06-30T00:00:00Z (valid from 2024-01-01T00:00:00Z to 2024-06-30T00:00:00Z; subject CN=localhost)). This run proves nothing about the target's TLS.`);
  });
});

test('an https:// URL on a plain-HTTP server is named as such; an unreachable target is left to the probe', async () => {
  const plain = createServer((_req, res) => res.end('plain'));
  await new Promise<void>((done) => plain.listen(0, '127.0.0.1', done));
  const port = (plain.address() as AddressInfo).port;
  try {
    expect(await refusal(`https://127.0.0.1:${port}`)).toBe(`TLS: https://127.0.0.1:${port} did not answer in TLS (OpenSSL: wrong version number). Is it an http:// endpoint? Check the scheme of TARGET_BASE_URL.`);
  } finally {
    await new Promise<void>((done) => plain.close(() => done()));
  }
  expect(await refusal(`https://127.0.0.1:${port}`)).toBe('accepted');
  expect(await refusal(`http://127.0.0.1:${port}`)).toBe('accepted');
});
