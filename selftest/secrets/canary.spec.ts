// Secrets never leak: a run that holds a recognisable canary token (and real signed JWTs from
// the embedded issuer) leaves no copy of either in anything it writes or prints. The run talks
// mTLS to an HTTPS reference server, on both doors, so the client key and its passphrase are checked too.
// The only JWTs allowed are the forgeries the replay lines write out: marked as the suite's, and
// signed by the suite's own forging key, which no issuer knows.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runConformance } from '../matrix/run-conformance';
import { CLIENT_KEY_PASSPHRASE, certFiles, referenceTls } from '../tls/helpers';
import { isSelfMadeJwt } from '../../src/credentials/redact';
import { FORGING_KEY_FILE } from '../../src/credentials/tokens';

const CANARY = 'canary-4f1d9c2e-do-not-leak-7b3a';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g;

/** A forgery the suite wrote out: its header marks it, and the suite's forging key signed it. */
function suiteForgery(jwt: string, key: KeyObject | undefined): boolean {
  const [header, payload, signature] = jwt.split('.');
  return !!key && isSelfMadeJwt(jwt) && verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature!, 'base64url'));
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

test('a run leaves 0 copies of any token, client key or key passphrase in reports, Allure results, JUnit, the summary and the console', async () => {
  test.setTimeout(180_000);
  const { files: tls } = await certFiles();
  const run = await runConformance({
    AUTH_TOKEN_INSUFFICIENT: CANARY,
    AUTH_TOKEN_EXPIRED: `${CANARY}-expired`,
    ...referenceTls(tls, 'server', { mtls: true }),
    TARGET_CA_FILE: tls['ca.pem'],
    TARGET_CLIENT_CERT: tls['client.pem'],
    TARGET_CLIENT_KEY: tls['client-encrypted.key'],
    TARGET_CLIENT_KEY_PASSPHRASE: CLIENT_KEY_PASSPHRASE,
  });
  expect(run.summary, run.output.slice(-1500)).toBeDefined();
  // The mTLS-only server let the run in with the client certificate (the canary tokens themselves fail their checks).
  expect(run.summary!.requirements.find((r) => r.id === 'cancel.outcome.error-code')?.status, run.output.slice(-3000)).toBe('passed');
  const keyLines = [tls['client-encrypted.key'], tls['client.key']].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')));
  const forgingKey = (() => {
    try {
      return createPublicKey({ key: JSON.parse(readFileSync(FORGING_KEY_FILE, 'utf8')), format: 'jwk' });
    } catch {
      return undefined;
    }
  })();
  let forgeries = 0;
  const otherJwt = (text: string) => (text.match(JWT) ?? []).some((jwt) => !suiteForgery(jwt, forgingKey) || (forgeries++, false));
  const secret = (text: string) => text.includes(CANARY) || otherJwt(text) || text.includes(CLIENT_KEY_PASSPHRASE) || keyLines.some((l) => text.includes(l));
  const files = filesUnder(run.dir);
  expect(files.some((f) => f.endsWith('junit.xml'))).toBe(true);
  expect(files.filter((f) => f.includes('allure-results')).length).toBeGreaterThan(20);
  // Both doors' evidence was scanned: gRPC transcripts carry the metadata, redacted, and a grpcurl replay.
  expect(files.some((f) => /authorization: Bearer \[REDACTED\][\s\S]*grpcurl -H "authorization: Bearer \$ACCESS_TOKEN"/.test(readFileSync(f, 'latin1')))).toBe(true);
  const leaks = [
    ...files.filter((f) => secret(readFileSync(f, 'latin1'))),
    ...(secret(run.output) ? ['(console)'] : []),
  ];
  expect(leaks, `searched ${files.length} files and the console`).toEqual([]);
  // The forged tokens' replay lines were scanned, and let through only as the suite's own.
  expect(forgeries).toBeGreaterThan(0);
  // The canary was really sent: the evidence names it by label only.
  const evidence = files.filter((f) => f.includes('allure-results')).map((f) => readFileSync(f, 'latin1')).join('\n');
  expect(evidence).toContain('AUTH_TOKEN_INSUFFICIENT #1');
  expect(evidence).toContain('Bearer [REDACTED]');
});

test('Playwright traces, which would record request headers, are refused with one clear message', async () => {
  const run = await runConformance({}, { args: ['--trace', 'on'] });
  expect(run.exitCode).toBe(3);
  expect(run.output.trim()).toMatch(/^lro-cancel-conformance: configuration error: --trace .*bearer tokens/);
});
