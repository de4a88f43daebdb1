// `npm run preflight`: a check of a setup that costs nothing. It resolves the configuration, completes
// the TLS handshake of each door, runs every token source, reads an unknown operation per door, and
// prints each requirement's readiness; exit 0 ready, 3 when the setup must be fixed (each problem said
// once). It never creates an operation: the reference server's store and the preflight's ledger show it.
// Also `npm run config`'s warning about MUSTs that are certain to be not-run.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, startReferenceServer, type RunningReference } from '../../reference-server/index';
import { ROOT } from '../matrix/run-conformance';
import { runProcess } from '../run-process';
import { certFiles, referenceTls } from '../tls/helpers';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

interface Run { readonly status: number | null; readonly out: string; readonly reports: string }

/** Runs a script as `npm run …` does (tsx), with only these variables, asynchronously: the reference server answers from this process. */
async function run(script: 'scripts/preflight.ts' | 'scripts/config.ts', env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  writeFileSync(join(dir, 'no.env'), '');
  const { code, output } = await runProcess(process.execPath, [TSX, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_PATH: join(dir, 'no.env'), REPORTS_DIR: join(dir, 'reports'), ...env },
    timeoutMs: 30_000,
  });
  return { status: code, out: output, reports: join(dir, 'reports') };
}

/** The preflight's ledger (REPORTS_DIR/preflight): no create was ever sent, no budget slot taken. */
function expectLedgerEmpty(reports: string) {
  const ledger = join(reports, 'preflight/operations-ledger.jsonl');
  const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
  expect(lines.filter((l) => /"event":"(sending|created|uncertain)"/.test(l))).toEqual([]);
  expect(readdirSync(join(reports, 'preflight/operations-budget'))).toEqual([]);
}

/** What the reference server holds under the parent, read through its own list (the store is the truth). */
async function storedOperations(reference: RunningReference, parent = 'projects/conformance'): Promise<unknown[]> {
  const grant = await fetch(reference.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('selftest:selftest').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://www.googleapis.com/auth/cloud-platform' }),
  });
  const { access_token: token } = (await grant.json()) as { access_token: string };
  const list = await fetch(`${reference.baseUrl}/v3/${parent}/operations`, { headers: { authorization: `Bearer ${token}` } });
  expect(list.status).toBe(200);
  return ((await list.json()) as { operations?: unknown[] }).operations ?? [];
}

const clientCredentials = (reference: RunningReference) => ({
  TARGET_BASE_URL: reference.baseUrl, TARGET_PARENT: 'projects/conformance',
  AUTH_TOKEN_URL: reference.tokenUrl, AUTH_CLIENT_ID: 'conformance', AUTH_CLIENT_SECRET: 'preflight-client-secret',
});

/** A line of the readiness section: the requirement, then its doors and what will happen. */
const readinessOf = (out: string, id: string) => out.split('\n').filter((l) => l.trimStart().startsWith(`${id} (`)).map((l) => l.trim().replace(/\s{2,}/g, ' '));
const countOf = (out: string, text: string) => out.split(text).length - 1;

test('the embedded target: started for the preflight, both doors read, every token shown without the token, ready, nothing created', async () => {
  const { status, out, reports } = await run('scripts/preflight.ts', {});
  expect(status, out).toBe(0);
  expect(out).toContain('target: embedded reference server (conformant), started for the preflight');
  expect(out).toMatch(/ {2}REST {2}http:\/\/127\.0\.0\.1:\d+: connected, plaintext \(no TLS\)/);
  expect(out).toMatch(/ {2}everyday +client-credentials\n {4}JWT, expires in \d+ min \([^)]+\), scopes: cloud-translation cloud-platform/);
  expect(out).toMatch(/ {2}expired +client-credentials \(expires_in=-120\)\n {4}JWT, expired \d+ min ago/);
  expect(out).toMatch(/look-alike bare name \(client-credentials\): JWT, .*scopes: cloud-platform\n/);
  expect(out).toMatch(/REST {2}GET \/v3\/projects\/conformance\/operations\/[0-9a-f-]{36} answered HTTP 404 NOT_FOUND/);
  expect(out).toMatch(/gRPC {2}GetOperation projects\/conformance\/operations\/[0-9a-f-]{36} answered gRPC NOT_FOUND \(5\)/);
  expect(readinessOf(out, 'cancel.auth.invalid')).toEqual(['cancel.auth.invalid (MUST) [REST, gRPC] will run']);
  expect(readinessOf(out, 'cancel.transport.parity')).toEqual([
    "cancel.transport.parity (MUST) [REST] not-applicable because on the REST door: judged once for both doors, in the gRPC door's run",
    'cancel.transport.parity (MUST) [gRPC] will run',
  ]);
  expect(readinessOf(out, 'cancel.outcome.exists')).toEqual(["cancel.outcome.exists (MUST) [REST, gRPC] will run if cancel is implemented (the run's probe finds out)"]);
  expect(readinessOf(out, 'cancel.security.cross-parent')[0]).toMatch(/\[REST, gRPC\] partial because no TARGET_OTHER_PARENT/);
  // No token in clear: a JWT would start with eyJ.
  expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  expect(out).toContain('operations created: 0');
  expect(out.trimEnd().split('\n').at(-1)).toBe('preflight: ready');
  expectLedgerEmpty(reports);
});

test('a started reference server through TARGET_BASE_URL and client credentials: ready, readiness per requirement, its store empty', async () => {
  const reference = await startReferenceServer({ grpc: false });
  try {
    const { status, out, reports } = await run('scripts/preflight.ts', { ...clientCredentials(reference), CANCEL_SUPPORT: 'supported' });
    expect(status, out).toBe(0);
    expect(out).toContain(`target: ${reference.baseUrl}`);
    expect(out).toContain('doors judged: REST\n');
    expect(out).toContain('ok: the target took the everyday token (client-credentials) and found no such operation');
    expect(readinessOf(out, 'cancel.auth.insufficient-scope')).toEqual(['cancel.auth.insufficient-scope (MUST) [REST] will run']);
    expect(readinessOf(out, 'cancel.outcome.exists')).toEqual(['cancel.outcome.exists (MUST) [REST] will run']);
    expect(readinessOf(out, 'cancel.unimplemented.status')).toEqual([
      "cancel.unimplemented.status (MUST) [REST] not-applicable because the target's cancel is supported (declared by CANCEL_SUPPORT); this applies only when it is unimplemented",
    ]);
    expect(readinessOf(out, 'cancel.transport.parity')[0]).toMatch(/\[REST\] not-applicable because on the REST door: it compares the REST and gRPC doors/);
    expect(out).not.toContain('preflight-client-secret');
    expect(out.trimEnd().split('\n').at(-1)).toBe('preflight: ready');
    expect(await storedOperations(reference)).toEqual([]);
    expectLedgerEmpty(reports);

    // The same target with the everyday token alone: the scope MUSTs are certain to be not-run, so the setup is not ready.
    const printToken = `AUTH_TOKEN_URL=${reference.tokenUrl} '${process.execPath}' '${join(ROOT, 'selftest/tokens/print-token.mjs')}' issuer '${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}' 3600`;
    const scopeless = await run('scripts/preflight.ts', { TARGET_BASE_URL: reference.baseUrl, TARGET_PARENT: 'projects/conformance', AUTH_TOKEN_COMMAND: printToken });
    expect(scopeless.status, scopeless.out).toBe(3);
    expect(readinessOf(scopeless.out, 'cancel.auth.platform-scope')[0]).toMatch(/\[REST\] not-run because no token for the cloud-platform only scope set: set AUTH_TOKEN_PLATFORM/);
    expect(scopeless.out).toMatch(/ {2}everyday +command AUTH_TOKEN_COMMAND \(.*print-token\.mjs.*\)\n {4}JWT, expires in \d+ min/);
    expect(scopeless.out).toContain('ok: the target took the everyday token (command AUTH_TOKEN_COMMAND) and found no such operation');
    expect(readinessOf(scopeless.out, 'cancel.auth.challenge')[0]).toMatch(/\[REST\] partial because 403 was not checked: no token holding neither scope/);
    expect(scopeless.out.trimEnd().split('\n').at(-1)).toBe('preflight: NOT READY: cancel.auth.translation-scope, cancel.auth.platform-scope, cancel.auth.insufficient-scope (MUST) will not run, so the verdict cannot be CONFORMANT');
    expect(await storedOperations(reference)).toEqual([]);
  } finally {
    await reference.close();
  }
});

test('a token command that exits 127: one message naming the variable and the fix, exit 3, nothing created', async () => {
  const reference = await startReferenceServer({ grpc: false });
  try {
    const { status, out, reports } = await run('scripts/preflight.ts', { ...clientCredentials(reference), AUTH_TOKEN_COMMAND: 'gdcloud-not-installed auth print-identity-token' });
    expect(status, out).toBe(3);
    const messages = out.split('\n').filter((l) => l.includes('not found'));
    expect(messages).toEqual([expect.stringMatching(/^ {4}PROBLEM: AUTH_TOKEN_COMMAND: the token command exited with status 127 after \d+ ms; stderr: .*gdcloud-not-installed: not found\. Fix the command \(run it in a shell to see\) or unset AUTH_TOKEN_COMMAND\.$/)]);
    expect(countOf(out, 'PROBLEM:')).toBe(1);
    expect(out).toContain('  skipped: no everyday token (above)');
    expect(out).toContain('  every requirement that applies: not-run because its token source (command AUTH_TOKEN_COMMAND) failed: see above');
    expect(out.trimEnd().split('\n').at(-1)).toBe('preflight: NOT READY: 1 problem marked PROBLEM above');
    expect(await storedOperations(reference)).toEqual([]);
    expectLedgerEmpty(reports);
  } finally {
    await reference.close();
  }
});

test('TLS: a private CA without TARGET_CA_FILE is one message per door and exit 3; with it, both doors verify and it is ready', async () => {
  const { files } = await certFiles();
  const [untrusted, trusted] = await Promise.all([
    run('scripts/preflight.ts', referenceTls(files, 'server')),
    run('scripts/preflight.ts', { ...referenceTls(files, 'server'), TARGET_CA_FILE: files['ca.pem'] }),
  ]);
  expect(untrusted.status, untrusted.out).toBe(3);
  const tls = untrusted.out.split('\n').filter((l) => l.includes('TLS: '));
  expect(tls).toEqual([
    expect.stringMatching(/^ {4}PROBLEM: TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. Set TARGET_CA_FILE to your zone's root CA bundle \(PEM\)\.$/),
    expect.stringMatching(/^ {4}PROBLEM: TLS: the certificate of grpcs:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA, O=Selftest, which the system roots do not trust/),
  ]);
  expect(untrusted.out).toContain('  skipped: no door passed the connection and TLS checks (above)');
  expect(untrusted.out.trimEnd().split('\n').at(-1)).toBe('preflight: NOT READY: 2 problems marked PROBLEM above');
  expectLedgerEmpty(untrusted.reports);

  // TARGET_CA_FILE joins Node's trust as npm run conformance gives it to Playwright (the preflight starts again with NODE_EXTRA_CA_CERTS).
  expect(trusted.status, trusted.out).toBe(0);
  expect(trusted.out).toMatch(/ {2}REST {2}https:\/\/127\.0\.0\.1:\d+: TLS handshake completed, certificate verified \(trusting TARGET_CA_FILE=.*ca\.pem and the system roots\)/);
  expect(trusted.out).toMatch(/ {2}gRPC {2}127\.0\.0\.1:\d+: TLS handshake completed, certificate verified/);
  expect(trusted.out).toMatch(/REST {2}GET .* answered HTTP 404 NOT_FOUND/);
  expect(countOf(trusted.out, 'Preflight of lro-cancel-conformance')).toBe(1);
  expectLedgerEmpty(trusted.reports);
});

test('a configuration error is the message of npm run conformance, exit 3, before anything is started', async () => {
  const { status, out } = await run('scripts/preflight.ts', { REQUEST_TIMEOUT: 'soon' });
  expect(status, out).toBe(3);
  expect(out.trim()).toBe('lro-cancel-conformance: configuration error: REQUEST_TIMEOUT: "soon" is not a positive number. Set it to e.g. 15.');
});

test('npm run config warns about the MUSTs certain to be not-run, and the configuration stays valid (exit 0)', async () => {
  const { status, out } = await run('scripts/config.ts', { TARGET_PRESET: 'gdc', TARGET_BASE_URL: 'https://translation.zone1.gdc.example', TARGET_PROJECT: 'qa' });
  expect(status, out).toBe(0);
  expect(out.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([
    'warning: cancel.auth.translation-scope (MUST) will not run: no token for the cloud-translation only scope set: set AUTH_TOKEN_TRANSLATION, AUTH_TOKEN_COMMAND_TRANSLATION, GOOGLE_APPLICATION_CREDENTIALS or the AUTH_TOKEN_URL/AUTH_CLIENT_ID/AUTH_CLIENT_SECRET issuer',
    'warning: cancel.auth.platform-scope (MUST) will not run: no token for the cloud-platform only scope set: set AUTH_TOKEN_PLATFORM, AUTH_TOKEN_COMMAND_PLATFORM, GOOGLE_APPLICATION_CREDENTIALS or the AUTH_TOKEN_URL/AUTH_CLIENT_ID/AUTH_CLIENT_SECRET issuer',
    'warning: cancel.auth.insufficient-scope (MUST) will not run: no token holding neither scope could be had (set AUTH_TOKEN_INSUFFICIENT, AUTH_TOKEN_COMMAND_INSUFFICIENT, GOOGLE_APPLICATION_CREDENTIALS or a client-credentials issuer)',
  ]);
  expect(out.trimEnd().split('\n').at(-1)).toBe('configuration: valid');
  // Declared away, they are no longer warned about; the command in the preset was never run.
  const declared = await run('scripts/config.ts', { TARGET_PRESET: 'gdc', TARGET_BASE_URL: 'https://translation.zone1.gdc.example', TARGET_PROJECT: 'qa', SCOPE_CHECKS: 'not-applicable', SCOPE_CHECKS_REASON: 'GDC identity tokens carry no scopes' });
  expect(declared.status, declared.out).toBe(0);
  expect(declared.out).not.toContain('warning: ');
});
