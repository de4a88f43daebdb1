// TARGET_CA_FILE, TARGET_CLIENT_CERT/KEY/KEY_PASSPHRASE, TARGET_TLS_INSECURE and the proxy
// variables: what they parse into, and one message naming the variable for each bad value.
// Key material never appears in a message, only paths.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ConfigError, transportConfig } from '../../src/running/config';
import { targetContextOptions, trustEnvironment } from '../../src/transport/tls';
import { CLIENT_KEY_PASSPHRASE, certFiles } from './helpers';

const messageOf = (env: Record<string, string>): string => {
  try {
    transportConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

test('TARGET_CA_FILE is read into its certificates; nothing set means default trust and verification on', async () => {
  const { files } = await certFiles();
  expect(transportConfig({})).toEqual({ caCertificates: [], insecure: false });
  const bundle = join(files.dir, 'bundle.pem');
  writeFileSync(bundle, `# zone roots\n${readFileSync(files['ca.pem'], 'utf8')}\n${readFileSync(files['stranger-ca.pem'], 'utf8')}`);
  const t = transportConfig({ TARGET_CA_FILE: bundle });
  expect(t.caFile).toBe(bundle);
  expect(t.caCertificates).toHaveLength(2);
});

test('a CA file that is missing, holds no certificate or a broken one is one message naming TARGET_CA_FILE', async () => {
  const { files } = await certFiles();
  expect(messageOf({ TARGET_CA_FILE: '/nonexistent/zone-ca.pem' })).toBe("TARGET_CA_FILE: cannot read /nonexistent/zone-ca.pem. Point it at your zone's root CA bundle (PEM).");
  expect(messageOf({ TARGET_CA_FILE: files['server.key'] })).toMatch(/^TARGET_CA_FILE: .*server\.key holds no PEM certificate\. .*openssl x509 -inform der/);
  const broken = join(files.dir, 'broken.pem');
  writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  expect(messageOf({ TARGET_CA_FILE: broken })).toMatch(/^TARGET_CA_FILE: certificate #1 in .*broken\.pem cannot be parsed/);
});

test('a client certificate needs both files; an encrypted key needs its passphrase; they must belong together', async () => {
  const { files } = await certFiles();
  expect(messageOf({ TARGET_CLIENT_CERT: files['client.pem'] })).toMatch(/^TARGET_CLIENT_KEY: is missing\. A client certificate needs both/);
  expect(messageOf({ TARGET_CLIENT_KEY: files['client.key'] })).toMatch(/^TARGET_CLIENT_CERT: is missing\./);
  expect(messageOf({ TARGET_CLIENT_KEY_PASSPHRASE: 'x' })).toMatch(/^TARGET_CLIENT_KEY_PASSPHRASE: is set without TARGET_CLIENT_KEY/);
  const encrypted = { TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client-encrypted.key'] };
  expect(messageOf(encrypted)).toBe(`TARGET_CLIENT_KEY: ${files['client-encrypted.key']} is encrypted. Set TARGET_CLIENT_KEY_PASSPHRASE to its passphrase.`);
  expect(messageOf({ ...encrypted, TARGET_CLIENT_KEY_PASSPHRASE: 'wrong-passphrase' })).toBe(`TARGET_CLIENT_KEY_PASSPHRASE: does not decrypt ${files['client-encrypted.key']}. Check the passphrase of the client key.`);
  expect(messageOf({ TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['stranger-client.key'] }))
    .toBe(`TARGET_CLIENT_CERT: ${files['client.pem']} does not belong to the key in ${files['stranger-client.key']}. Use the certificate issued for that key (its first certificate must match the key).`);
  expect(messageOf({ TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client.pem'] })).toMatch(/^TARGET_CLIENT_KEY: .*client\.pem is not a PEM private key/);
  const ok = transportConfig({ ...encrypted, TARGET_CLIENT_KEY_PASSPHRASE: CLIENT_KEY_PASSPHRASE });
  expect(ok.clientCertificate).toEqual({ certFile: files['client.pem'], keyFile: files['client-encrypted.key'], passphrase: CLIENT_KEY_PASSPHRASE });
});

test('no message about the client key quotes the key or the passphrase', async () => {
  const { files, pem } = await certFiles();
  const keyBody = pem.client.key.split('\n')[1]!;
  const encryptedBody = readFileSync(files['client-encrypted.key'], 'utf8').split('\n')[1]!;
  const messages = [
    messageOf({ TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client-encrypted.key'], TARGET_CLIENT_KEY_PASSPHRASE: `${CLIENT_KEY_PASSPHRASE}-wrong` }),
    messageOf({ TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client-encrypted.key'] }),
    messageOf({ TARGET_CLIENT_CERT: files['stranger-client.pem'], TARGET_CLIENT_KEY: files['client.key'] }),
  ];
  for (const m of messages) {
    expect(m).not.toContain(keyBody);
    expect(m).not.toContain(encryptedBody);
    expect(m).not.toContain(CLIENT_KEY_PASSPHRASE);
  }
});

test('TARGET_TLS_INSECURE is off unless exactly true; no other setting turns it on', async () => {
  const { files } = await certFiles();
  expect(transportConfig({ TARGET_TLS_INSECURE: 'true' }).insecure).toBe(true);
  expect(transportConfig({ TARGET_TLS_INSECURE: 'false' }).insecure).toBe(false);
  expect(messageOf({ TARGET_TLS_INSECURE: 'yes' })).toMatch(/^TARGET_TLS_INSECURE: "yes" is not allowed\. Use one of: true, false/);
  const everythingElse = { TARGET_CA_FILE: files['ca.pem'], TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client.key'], HTTPS_PROXY: 'http://127.0.0.1:3128' };
  expect(transportConfig(everythingElse).insecure).toBe(false);
  expect(targetContextOptions('https://127.0.0.1:1', transportConfig(everythingElse)).ignoreHTTPSErrors).toBeUndefined();
});

test('a proxy variable that is not an http(s) URL is one message naming it, with credentials hidden', () => {
  expect(messageOf({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' })).toMatch(/^HTTPS_PROXY: "socks5:\/\/127\.0\.0\.1:1080" is not an http\(s\) proxy URL/);
  expect(messageOf({ http_proxy: 'http://user:secret-pw@' })).toBe('http_proxy: "http://…@" is not an http(s) proxy URL. Use e.g. http://proxy.example:3128 (credentials as http://user:password@host:port).');
  expect(() => transportConfig({ HTTPS_PROXY: 'proxy.corp.example:3128', NO_PROXY: 'localhost,.internal' })).not.toThrow();
});

test('Playwright gets the client certificate for the target origin only, with the passphrase', async () => {
  const { files } = await certFiles();
  const t = transportConfig({ TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client-encrypted.key'], TARGET_CLIENT_KEY_PASSPHRASE: CLIENT_KEY_PASSPHRASE });
  expect(targetContextOptions('https://translation.zone1.gdc.example:443/', t)).toEqual({
    clientCertificates: [{ origin: 'https://translation.zone1.gdc.example', certPath: files['client.pem'], keyPath: files['client-encrypted.key'], passphrase: CLIENT_KEY_PASSPHRASE }],
  });
});

test('npm run conformance hands TARGET_CA_FILE to Playwright through NODE_EXTRA_CA_CERTS, keeping one already set', async () => {
  const { files } = await certFiles();
  const t = transportConfig({ TARGET_CA_FILE: files['ca.pem'] });
  expect(trustEnvironment(transportConfig({}), {})).toEqual({});
  expect(trustEnvironment(t, {})).toEqual({ NODE_EXTRA_CA_CERTS: files['ca.pem'] });
  const merged = trustEnvironment(t, { NODE_EXTRA_CA_CERTS: files['stranger-ca.pem'] }).NODE_EXTRA_CA_CERTS!;
  const text = readFileSync(merged, 'utf8');
  expect(text).toContain(readFileSync(files['ca.pem'], 'utf8').trim());
  expect(text).toContain(readFileSync(files['stranger-ca.pem'], 'utf8').trim());
});
