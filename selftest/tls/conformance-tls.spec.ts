// `npm run conformance` against the reference server listening on HTTPS (REFERENCE_TLS_*) with
// certificates from a CA made in the test, the way a GDC zone's endpoints are signed by the
// organization's root CA. One full run (TARGET_CA_FILE: CONFORMANT); every other case runs one
// requirement, or stops in the global setup before any test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runConformance, type ConformanceRun } from '../matrix/run-conformance';
import { CLIENT_KEY_PASSPHRASE, certFiles, referenceTls, startProxy } from './helpers';

const ONE = ['--grep', '@cancel.outcome.error-code'];
const statusOf = (run: ConformanceRun, id: string) => run.summary?.requirements.find((r) => r.id === id)?.status;
const targetOf = (run: ConformanceRun) => (JSON.parse(readFileSync(join(run.dir, 'reports/run-environment.json'), 'utf8')) as { target: string }).target;

test('an HTTPS target signed by a private CA: with TARGET_CA_FILE the whole run is CONFORMANT', async () => {
  test.setTimeout(180_000);
  const { files } = await certFiles();
  const run = await runConformance({ ...referenceTls(files, 'server'), TARGET_CA_FILE: files['ca.pem'] });
  expect(run.summary?.verdict, run.output.slice(-3000)).toBe('conformant');
  expect(run.exitCode).toBe(0);
  // Both doors, on TLS with the same certificate.
  expect(targetOf(run)).toMatch(/^https:\/\/127\.0\.0\.1:\d+ and grpc:\/\/127\.0\.0\.1:\d+$/);
});

/** A TLS failure: the user's setup to fix, so exit 3; the message printed once, the only suite error, and no test ran. */
async function expectStoppedBeforeTests(env: Record<string, string>, message: RegExp): Promise<string> {
  const run = await runConformance(env, { args: ONE, timeoutMs: 90_000 });
  expect(run.exitCode, run.output.slice(-2000)).toBe(3);
  // Said once: the table points at it instead of repeating it.
  expect(run.output.split('\n').filter((l) => l.includes(run.summary!.suiteErrors[0]!.slice(5, 80))), run.output.slice(-2000)).toHaveLength(1);
  const lines = run.output.split('\n').filter((l) => /^TLS: /.test(l));
  expect(lines, run.output.slice(-2000)).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.summary?.suiteErrors).toEqual([lines[0]]);
  expect(run.summary?.requirements.every((r) => r.status === 'not-run')).toBe(true);
  expect(run.output).not.toMatch(/Running \d+ tests?|NOT RUN/);
  expect(run.output).not.toMatch(/\n\s+at .*\.ts:\d+/);
  return lines[0]!;
}

test('without TARGET_CA_FILE the run stops before any test with one message: set TARGET_CA_FILE', async () => {
  const { files } = await certFiles();
  await expectStoppedBeforeTests(referenceTls(files, 'server'),
    /^TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. Set TARGET_CA_FILE to your zone's root CA bundle \(PEM\)\.$/);
});

test("a TARGET_CA_FILE of another CA: the message names the bundle's CAs and the certificate's issuer", async () => {
  const { files } = await certFiles();
  await expectStoppedBeforeTests({ ...referenceTls(files, 'server'), TARGET_CA_FILE: files['stranger-ca.pem'] },
    /^TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA, O=Selftest, which neither TARGET_CA_FILE=.*stranger-ca\.pem \(CN=Some Other Root CA\) nor the system roots trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. Set TARGET_CA_FILE to the root CA bundle that issued it\.$/);
});

test('a certificate for another host: the names in it and the host in TARGET_BASE_URL', async () => {
  const { files } = await certFiles();
  await expectStoppedBeforeTests({ ...referenceTls(files, 'wrong-host'), TARGET_CA_FILE: files['ca.pem'] },
    /^TLS: the certificate of https:\/\/127\.0\.0\.1:(\d+) is for DNS:translation\.zone1\.gdc\.example, not for 127\.0\.0\.1 \(the host in TARGET_BASE_URL\)\. Set TARGET_BASE_URL to a name the certificate lists \(e\.g\. https:\/\/translation\.zone1\.gdc\.example:\1\), or give the server a certificate that names 127\.0\.0\.1\.$/);
});

test('an expired certificate: its dates', async () => {
  const { files } = await certFiles();
  await expectStoppedBeforeTests({ ...referenceTls(files, 'expired'), TARGET_CA_FILE: files['ca.pem'] },
    /^TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ expired on 2024-06-30T00:00:00Z \(valid from 2024-01-01T00:00:00Z to 2024-06-30T00:00:00Z; subject CN=localhost\)\. The server needs a current certificate\.$/);
});

test('an mTLS-only server refuses a run without a client certificate (one message), and lets it in with one', async () => {
  test.setTimeout(120_000);
  const { files } = await certFiles();
  const server = { ...referenceTls(files, 'server', { mtls: true }), TARGET_CA_FILE: files['ca.pem'] };
  await expectStoppedBeforeTests(server,
    /^TLS: https:\/\/127\.0\.0\.1:\d+ asks for a client certificate \(the server ended the handshake: certificate required\)\. Set TARGET_CLIENT_CERT and TARGET_CLIENT_KEY \(and TARGET_CLIENT_KEY_PASSPHRASE if the key is encrypted\)\.$/);
  const run = await runConformance({ ...server, TARGET_CLIENT_CERT: files['client.pem'], TARGET_CLIENT_KEY: files['client-encrypted.key'], TARGET_CLIENT_KEY_PASSPHRASE: CLIENT_KEY_PASSPHRASE }, { args: ONE });
  expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
  // The teardown reached the target with the same certificate: nothing was left running.
  expect(run.output).not.toMatch(/left running: projects\//);
});

test('NODE_EXTRA_CA_CERTS works too, without TARGET_CA_FILE', async () => {
  const { files } = await certFiles();
  const run = await runConformance({ ...referenceTls(files, 'server'), NODE_EXTRA_CA_CERTS: files['ca.pem'] }, { args: ONE });
  expect(run.output).not.toMatch(/^TLS: /m);
  expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
});

test('HTTPS_PROXY: the run goes through a forward proxy, which sees the CONNECT to the target', async () => {
  const { files } = await certFiles();
  const proxy = await startProxy();
  try {
    // REST alone: Playwright's tunnels are counted per request (the gRPC door's are below).
    const run = await runConformance({ ...referenceTls(files, 'server'), TRANSPORTS: 'rest', TARGET_CA_FILE: files['ca.pem'], HTTPS_PROXY: proxy.url, NO_PROXY: '' }, { args: ONE });
    expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
    const target = `CONNECT ${new URL(targetOf(run)).host}`;
    // Playwright opens one tunnel per request: the TLS check's one, then every request the run counted
    // (probe, tests, teardown). A context without the proxy would make the count fall short.
    expect(proxy.seen.filter((s) => s === target).length, proxy.seen.join('\n')).toBe(1 + run.summary!.requests);
  } finally {
    await proxy.close();
  }
});

test('TARGET_TLS_INSECURE=true runs against an untrusted certificate, and says so on the console, in the summary and in the report environment', async () => {
  const { files } = await certFiles();
  const run = await runConformance({ ...referenceTls(files, 'server'), TARGET_TLS_INSECURE: 'true' }, { args: ONE });
  expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
  const warning = /^TARGET_TLS_INSECURE=true: the certificate of https:\/\/127\.0\.0\.1:\d+ was NOT verified \(verification would have failed: the certificate of .* is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\)\. This run proves nothing about the target's TLS\.$/;
  expect((run.summary as unknown as { warnings: string[] }).warnings[0]).toMatch(warning);
  expect(run.output).toMatch(/lro-cancel-conformance: WARNING: TARGET_TLS_INSECURE=true: the certificate of /);
  expect(readFileSync(join(run.dir, 'allure-results/environment.properties'), 'utf8')).toMatch(/^TLS\\ verification=OFF: TARGET_TLS_INSECURE=true: the certificate of https/m);
});

// The gRPC door over TLS: the same CA, client certificate and proxy settings as REST (issue 23).
const GRPC_ONLY = { TRANSPORTS: 'grpc' } as const;

test('the gRPC door alone over TLS: trusted through TARGET_CA_FILE, and one message naming it without', async () => {
  const { files } = await certFiles();
  const run = await runConformance({ ...referenceTls(files, 'server'), ...GRPC_ONLY, TARGET_CA_FILE: files['ca.pem'] }, { args: ONE });
  expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
  await expectStoppedBeforeTests({ ...referenceTls(files, 'server'), ...GRPC_ONLY },
    /^TLS: the certificate of grpcs:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust \([A-Z_]+\)\. Set TARGET_CA_FILE to your zone's root CA bundle \(PEM\)\.$/);
  await expectStoppedBeforeTests({ ...referenceTls(files, 'wrong-host'), ...GRPC_ONLY, TARGET_CA_FILE: files['ca.pem'] },
    /^TLS: the certificate of grpcs:\/\/127\.0\.0\.1:\d+ is for DNS:translation\.zone1\.gdc\.example, not for 127\.0\.0\.1 \(the host in TARGET_GRPC_ADDRESS\)\. Set TARGET_GRPC_ADDRESS to a name the certificate lists, or give the server a certificate that names 127\.0\.0\.1\.$/);
});

test('the gRPC door through HTTPS_PROXY: its channel and its TLS check tunnel through the proxy', async () => {
  const { files } = await certFiles();
  const proxy = await startProxy();
  try {
    const run = await runConformance({ ...referenceTls(files, 'server'), ...GRPC_ONLY, TARGET_CA_FILE: files['ca.pem'], HTTPS_PROXY: proxy.url, NO_PROXY: '' }, { args: ONE });
    expect(statusOf(run, 'cancel.outcome.error-code'), run.output.slice(-2000)).toBe('passed');
    // The target is the gRPC door alone: every tunnel goes to it (no REST request), the TLS check's
    // first, then the probe's and the worker's channels (HTTP/2: one tunnel each, however many calls).
    const grpc = `CONNECT ${new URL(targetOf(run)).host}`;
    expect(targetOf(run)).toMatch(/^grpc:\/\//);
    expect(proxy.seen.filter((s) => s === grpc).length, proxy.seen.join('\n')).toBeGreaterThanOrEqual(3);
    expect(proxy.seen.filter((s) => s !== grpc), proxy.seen.join('\n')).toEqual([]);
  } finally {
    await proxy.close();
  }
});
