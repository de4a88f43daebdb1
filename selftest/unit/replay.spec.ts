// Replay lines send what the suite sent: each credential the suite derived from the user's token is
// rebuilt by a shell expression from $ACCESS_TOKEN (run here by sh, compared byte for byte with the
// suite's own derivation), each one it made from nothing secret is written out and left in clear by
// redact(), and the line says which token to export, with the TLS and proxy flags the suite used.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { SignJWT, generateKeyPair } from 'jose';
import { INSUFFICIENT_SCOPE_SETS, MALFORMED_TOKEN, invalidTokens, type Credential } from '../../src/credentials/tokens';
import { tokenReplay } from '../../src/credentials/replay';
import { MADE_UP_TOKEN, SELF_MADE_MARK, redact, registerSecret } from '../../src/credentials/redact';
import { transcript, type Exchange, type GrpcAnswer } from '../../src/transport/evidence';
import { DECRYPTED_KEY_FILE, readReplayBlock, type Replay } from '../../src/transport/replay';
import { replayProxy } from '../../src/transport/replay-of';
import { formatFailures } from '../../src/reporting/console-summary';
import { decisiveExchange } from '../../src/reporting/test-evidence';
import type { TestResult } from '@playwright/test/reporter';

const NO_ISSUER = { curlFlags: [] };
/** What `sh` makes of a double-quoted word with ACCESS_TOKEN (and other variables) set. */
const shell = (word: string, env: Record<string, string>) =>
  execFileSync('/bin/sh', ['-c', `printf %s "${word}"`], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
const run = (command: string, env: Record<string, string>) =>
  execFileSync('/bin/sh', ['-c', `${command}; printf %s "$ACCESS_TOKEN"`], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

const everyday = (token: string): Credential => ({ label: 'cloud-translation + cloud-platform', token, source: 'client-credentials' });

async function userJwt(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const jwt = await new SignJWT({ scope: 'https://www.googleapis.com/auth/cloud-translation', sub: 'user@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key-1', typ: 'JWT' }).setIssuer('https://issuer.example').setAudience('https://translation.example')
    .setIssuedAt().setExpirationTime('1h').sign(privateKey);
  registerSecret(jwt);
  return jwt;
}

const exchange = (c: Credential, replay: Replay, url = 'https://zone.example/v3/projects/p/operations/o:cancel'): Exchange => ({
  method: 'POST', url, authLabel: `${c.label} (${c.source})`,
  requestHeaders: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' }, requestBody: '{}',
  status: 200, responseHeaders: { 'content-type': 'application/json' }, responseText: '{}', json: {}, durationMs: 2, replay,
});

test.describe('each built credential, rebuilt by sh from $ACCESS_TOKEN or written out', () => {
  test('a JWT: forged, tampered, unsigned and malformed give back the bytes the suite sent', async () => {
    const valid = await userJwt();
    const built = await invalidTokens(everyday(valid));
    expect(built.map((c) => c.label)).toEqual(['malformed (not a JWT)', 'forged (signed with a key the issuer never used)', 'tampered payload (signature no longer matches)', 'unsigned (alg none)']);
    for (const c of built) {
      const r = tokenReplay(c, NO_ISSUER);
      expect(shell(r.shell, { ACCESS_TOKEN: valid }), c.label).toBe(c.token);
      // The user's token is never in a replay line, whole or rebuilt.
      expect(r.shell).not.toContain(valid);
      expect(r.shell).not.toContain(valid.split('.')[2]);
    }
    const [malformed, forged, tampered, unsigned] = built.map((c) => tokenReplay(c, NO_ISSUER));
    // Derived from the user's token: rebuilt, never written out; the line says which token to export.
    expect(tampered!.shell).toMatch(/^\$\{ACCESS_TOKEN%%\.\*\}\.eyJ[\w-]+\.\$\{ACCESS_TOKEN##\*\.\}$/);
    expect(tampered!.shell).not.toContain(built[2]!.token);
    expect(tampered!.needs?.token).toBe('the token with both scopes (cloud-translation and cloud-platform) that the client-credentials issuer (AUTH_TOKEN_URL) mints: the suite built this credential from it');
    expect(tampered!.built).toMatch(/^tampered: the token with both scopes .* its header and signature kept, its payload replaced by the same claims with exp \S+Z \(a day after the run\), so the signature no longer matches$/);
    // Made from nothing secret: written out, nothing to export.
    for (const [r, c] of [[forged, built[1]], [unsigned, built[3]], [malformed, built[0]]] as const) {
      expect(r!.shell).toBe(c!.token);
      expect(r!.needs).toBeUndefined();
    }
    expect(forged!.built).toMatch(/^forged: a JWT signed \(RS256\) with a key the suite made, which no issuer knows; header and claims copied from the token with both scopes .*: iss "https:\/\/issuer\.example", aud "https:\/\/translation\.example", sub "user@example\.com", scope "https:\/\/www\.googleapis\.com\/auth\/cloud-translation", exp \S+Z, and iat$/);
    expect(unsigned!.built).toMatch(/^unsigned: a JWT with alg "none" and an empty signature/);
    expect(forged!.expires).toBe(JSON.parse(Buffer.from(valid.split('.')[1]!, 'base64url').toString()).exp);
    expect(malformed!.built).toBe(`malformed: "${MADE_UP_TOKEN}", a string the suite made up (not a JWT)`);
  });

  test('an opaque token: its last 4 characters replaced, AAAA or (for one ending in AAAA) BBBB', async () => {
    for (const [valid, tail] of [['ya29.opaque-user-token-0123456789-xyz', 'AAAA'], ['ya29.opaque-user-token-ending-AAAA', 'BBBB']] as const) {
      registerSecret(valid);
      const built = await invalidTokens(everyday(valid));
      expect(built.map((c) => c.label)).toEqual([MALFORMED_TOKEN.label, 'tampered opaque token']);
      const r = tokenReplay(built[1]!, NO_ISSUER);
      expect(r.shell).toBe(`\${ACCESS_TOKEN%????}${tail}`);
      expect(shell(r.shell, { ACCESS_TOKEN: valid })).toBe(built[1]!.token);
      expect(r.built).toBe(`tampered: the token with both scopes (cloud-translation and cloud-platform) that the client-credentials issuer (AUTH_TOKEN_URL) mints, with its last 4 characters replaced by ${tail}`);
    }
  });

  test('each source says which token to export, and its export command gives that token', () => {
    const of = (label: string, source: string) => tokenReplay({ label, source, token: 'x' }, { curlFlags: ['--cacert', "'/zone/ca.pem'"] }).needs!;
    expect(of('cloud-platform only', 'static AUTH_TOKEN_PLATFORM')).toEqual({ token: 'the cloud-platform-only token in AUTH_TOKEN_PLATFORM', export: 'export ACCESS_TOKEN="$AUTH_TOKEN_PLATFORM"' });
    expect(run(of('cloud-platform only', 'static AUTH_TOKEN_PLATFORM').export!, { AUTH_TOKEN_PLATFORM: 'platform-token' })).toBe('platform-token');
    const command = of('cloud-translation only', 'command AUTH_TOKEN_COMMAND_TRANSLATION');
    expect(command.token).toBe('the cloud-translation-only token that the command in AUTH_TOKEN_COMMAND_TRANSLATION prints');
    expect(run(command.export!, { AUTH_TOKEN_COMMAND_TRANSLATION: "printf '%s\\n' translation-token" })).toBe('translation-token');
    expect(of('everyday (AUTH_TOKEN_COMMAND)', 'command AUTH_TOKEN_COMMAND').token).toBe('the everyday token that the command in AUTH_TOKEN_COMMAND prints');
    // config.ts: comma-separated, trimmed, empty ones left out.
    const third = of('AUTH_TOKEN_INSUFFICIENT #3', 'static AUTH_TOKEN_INSUFFICIENT');
    expect(third.token).toBe('the token #3 (holding neither scope) in AUTH_TOKEN_INSUFFICIENT');
    expect(run(third.export!, { AUTH_TOKEN_INSUFFICIENT: ' one, two ,, three ' })).toBe('three');
    const lookalike = of(INSUFFICIENT_SCOPE_SETS[1]!.label, 'client-credentials');
    expect(lookalike.token).toBe('the token holding only cloud-platform.read-only (look-alike cloud-platform.read-only, neither allowed scope) that the client-credentials issuer (AUTH_TOKEN_URL) mints');
    expect(lookalike.export).toBe(`export ACCESS_TOKEN="$(curl -sS --cacert '/zone/ca.pem' -u "$AUTH_CLIENT_ID:$AUTH_CLIENT_SECRET" -d grant_type=client_credentials --data-urlencode 'scope=https://www.googleapis.com/auth/cloud-platform.read-only' "$AUTH_TOKEN_URL" | jq -r .access_token)"`);
    expect(of('expired', 'client-credentials (expires_in=-120)').export).toContain(`--data-urlencode 'scope=https://www.googleapis.com/auth/cloud-translation' -d expires_in=-120 "$AUTH_TOKEN_URL"`);
    expect(of('cloud-translation only', 'service account sa@p.iam.gserviceaccount.com')).toEqual({ token: 'the cloud-translation-only token minted for service account sa@p.iam.gserviceaccount.com (GOOGLE_APPLICATION_CREDENTIALS) with scope https://www.googleapis.com/auth/cloud-translation' });
  });
});

test.describe('redaction keeps only the self-made tokens in clear', () => {
  test('forged, unsigned and made-up tokens stay; the user token, a tampered one and any other JWT go', async () => {
    const valid = await userJwt();
    const [malformed, forged, tampered, unsigned] = await invalidTokens(everyday(valid));
    const text = [valid, forged!.token, tampered!.token, unsigned!.token, `Bearer ${malformed!.token}`].map((t) => `-H "Authorization: Bearer ${t}"`).join('\n');
    const out = redact(text);
    expect(out).not.toContain(valid);
    expect(out).not.toContain(tampered!.token);
    expect(out).toContain(forged!.token);
    expect(out).toContain(unsigned!.token);
    expect(out).toContain(`Bearer ${MADE_UP_TOKEN}`);
    // The mark is read from the header: an unmarked JWT, or one whose header is not JSON, is redacted.
    const unmarked = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect(redact(`Bearer ${unmarked}`)).toBe('Bearer [REDACTED]');
    expect(redact(`id ${unmarked}`)).toBe('id [REDACTED-JWT]');
    // A registered secret is removed first, even one that would carry the mark.
    const markedSecret = `${Buffer.from(JSON.stringify({ alg: 'RS256', [SELF_MADE_MARK]: 'forged' })).toString('base64url')}.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl`;
    registerSecret(markedSecret);
    expect(redact(`Bearer ${markedSecret}`)).toBe('Bearer [REDACTED]');
    // The made-up token only where it stands alone.
    expect(redact(`Bearer ${MADE_UP_TOKEN}-but-longer`)).toBe('Bearer [REDACTED]');
  });
});

test.describe('the transcript ends with a replay block the console reads back', () => {
  const replayOf = (c: Credential, extra: Omit<Replay, 'credential'> = {}): Replay => ({ credential: tokenReplay(c, { curlFlags: ["--cacert '/zone/ca.pem'"] }), ...extra });

  test('curl: the rebuilt credential, --cacert, --cert/--key, --pass by its variable, --proxy, -k', async () => {
    const valid = await userJwt();
    const [, , tampered] = await invalidTokens(everyday(valid));
    const tls = { caFile: '/zone/ca.pem', certFile: '/zone/client.pem', keyFile: '/zone/client.key', keyPassphrase: true };
    const text = transcript(exchange(tampered!, replayOf(tampered!, { tls, proxy: { url: 'http://proxy.zone:3128' } })));
    expect(text).not.toContain(valid);
    expect(text).not.toContain(tampered!.token);
    const block = readReplayBlock(text)!;
    expect(block.line).toBe(`curl -sS -i -X POST 'https://zone.example/v3/projects/p/operations/o:cancel' --cacert '/zone/ca.pem' --cert '/zone/client.pem' --key '/zone/client.key' --pass "$TARGET_CLIENT_KEY_PASSPHRASE" --proxy 'http://proxy.zone:3128' -H "Authorization: Bearer ${tokenReplay(tampered!, { curlFlags: [] }).shell}" -H 'content-type: application/json' --data-raw '{}'`);
    expect(block.credentials).toMatch(/^tampered: the token with both scopes/);
    expect(block.token).toMatch(/: the suite built this credential from it$/);
    expect(block.export).toMatch(/^export ACCESS_TOKEN="\$\(curl -sS --cacert '\/zone\/ca\.pem' -u /);
    const insecure = readReplayBlock(transcript(exchange(MALFORMED_TOKEN, replayOf(MALFORMED_TOKEN, { tls: { insecure: true } }))))!;
    expect(insecure.line).toContain(`-k -H "Authorization: Bearer ${MADE_UP_TOKEN}"`);
    expect(insecure.token).toBe('none needed: the line carries the token itself, made by the suite');
    expect(insecure.export).toBeUndefined();
  });

  test('grpcurl: -cacert, -cert, -key (decrypted first), and HTTPS_PROXY said in a note', () => {
    const g: GrpcAnswer = { method: 'google.longrunning.Operations/CancelOperation', address: 'zone.example:443', plaintext: false, code: 0, codeName: 'OK', replyBytes: 0, importPaths: ['/abs/protos'], protoFiles: ['google/longrunning/operations.proto'] };
    const c: Credential = { label: 'cloud-platform only', source: 'static AUTH_TOKEN_PLATFORM', token: 'opaque-platform-token-0123456789' };
    registerSecret(c.token);
    const tls = { caFile: '/zone/ca.pem', certFile: '/zone/client.pem', keyFile: '/zone/client-encrypted.key', keyPassphrase: true };
    const text = transcript({ ...exchange(c, replayOf(c, { tls, proxy: { url: 'http://proxy.zone:3128', variable: 'HTTPS_PROXY' } }), 'grpc://zone.example:443/x'), grpc: g, requestBody: '{"name":"projects/p/operations/o"}' });
    const block = readReplayBlock(text)!;
    expect(block.line).toBe(`grpcurl -H "authorization: Bearer $ACCESS_TOKEN" -H 'content-type: application/json' -cacert '/zone/ca.pem' -cert '/zone/client.pem' -key ${DECRYPTED_KEY_FILE} -import-path '/abs/protos' -proto google/longrunning/operations.proto -d '{"name":"projects/p/operations/o"}' zone.example:443 google.longrunning.Operations/CancelOperation`);
    expect(block.token).toBe('the cloud-platform-only token in AUTH_TOKEN_PLATFORM');
    expect(block.export).toBe('export ACCESS_TOKEN="$AUTH_TOKEN_PLATFORM"');
    expect(block.notes).toEqual([
      'grpcurl takes its proxy from the environment, as the suite did: export HTTPS_PROXY="$HTTPS_PROXY" if it is not set',
      `grpcurl reads no encrypted key: first (umask 077; openssl pkey -in '/zone/client-encrypted.key' -passin env:TARGET_CLIENT_KEY_PASSPHRASE -out ${DECRYPTED_KEY_FILE}), and remove it after`,
    ]);
  });

  test('a proxy with credentials is named by its variable, never written out', () => {
    const env = { HTTPS_PROXY: 'http://user:pw-canary@proxy.zone:3128', NO_PROXY: '' };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      expect(replayProxy('https://zone.example/v3/x', env)).toEqual({ url: 'http://proxy.zone:3128', variable: 'HTTPS_PROXY' });
      process.env.HTTPS_PROXY = 'http://proxy.zone:3128';
      expect(replayProxy('https://zone.example/v3/x', env)).toEqual({ url: 'http://proxy.zone:3128' });
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    }
  });
});

test('the console quotes the decisive exchange\'s replay: how its credential was built, the token to export, the line', async () => {
  const valid = await userJwt();
  const [, , tampered] = await invalidTokens(everyday(valid));
  const text = transcript(exchange(tampered!, { credential: tokenReplay(tampered!, NO_ISSUER), tls: { caFile: '/zone/ca.pem' } }));
  const result = { steps: [], attachments: [{ name: '#3 POST /v3/x:cancel → 200', contentType: 'text/plain', body: Buffer.from(text) }] } as unknown as TestResult;
  const evidence = decisiveExchange(result, []);
  const block = readReplayBlock(text)!;
  expect(evidence).toEqual({ exchange: '#3 POST /v3/x:cancel → 200', curl: block.line, credentials: block.credentials, token: block.token, tokenExport: block.export });
  const out = formatFailures({ target: 't', verdict: 'non-conformant', requests: 1, operationsCreated: 1, suiteErrors: [], requirements: [{ id: 'cancel.auth.invalid', level: 'MUST', status: 'failed', reason: 'r', evidence: { test: 't', ...evidence } }] }, { columns: 100 });
  const lines = out.split('\n');
  // In the order a user acts: how it was built, which token, its export command, then the line; commands whole, on one line each.
  const at = (prefix: RegExp) => lines.findIndex((l) => prefix.test(l));
  expect([at(/^ {5}credential tampered: /), at(/^ {5}token {6}the token with both scopes/), lines.indexOf(`${' '.repeat(16)}${block.export}`), lines.indexOf(`     replay     ${block.line}`)].every((i, n, all) => i > 0 && (n === 0 || i > all[n - 1]!))).toBe(true);
  expect(out).not.toContain(valid);
  expect(out).toContain('Replay a request: export ACCESS_TOKEN as its token line says');
});
