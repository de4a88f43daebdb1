// The replay lines of a red run reproduce it: `npm run conformance` against the reference server on
// HTTPS with a private CA, with a fault that accepts forged tokens (cancel.auth.invalid fails), then
// each replay line of its evidence (the console's Failures section, and every transcript of the
// failing test) run by real curl in bash, with ACCESS_TOKEN exported as the line says (a token of
// the reference issuer for the everyday scope set, as the run got it): curl gets back the status
// the suite got, the wrong 200s included. Nothing in it is the user's token.
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, startReferenceServer } from '../../reference-server/index';
import { isSelfMadeJwt } from '../../src/credentials/redact';
import { readReplayBlock } from '../../src/transport/replay';
import { runConformance } from '../matrix/run-conformance';
import { certFiles } from '../tls/helpers';

const CLIENT = { AUTH_CLIENT_ID: 'replay-selftest', AUTH_CLIENT_SECRET: 'replay-selftest-secret' };
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

// Never a synchronous child while the reference server runs in this process: it could not answer.
const execFile = promisify(execFileCallback);
const bash = async (script: string, env: Record<string, string>) =>
  (await execFile('bash', ['-c', script], { env: { PATH, ...env }, encoding: 'utf8', timeout: 10_000 })).stdout;

/** PATH with jq on it: the export lines pipe the issuer's answer through `jq -r .access_token`; a stand-in where jq is missing. */
const PATH = (() => {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return process.env.PATH!;
  } catch {
    const dir = mkdtempSync(join(tmpdir(), 'jq-'));
    writeFileSync(join(dir, 'jq'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).access_token))'\n`, { mode: 0o755 });
    return `${dir}:${process.env.PATH}`;
  }
})();

/** What curl got back for a replay line run by bash, as the status of its (last) HTTP answer. */
async function replayStatus(line: string, env: Record<string, string>): Promise<number> {
  const out = await bash(line, env);
  const statuses = [...out.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)].map((m) => Number(m[1]));
  expect(statuses.length, out).toBeGreaterThan(0);
  return statuses.at(-1)!;
}

test('the replay lines of a red run on HTTPS with a private CA get back, with real curl, the status the suite got', async () => {
  test.setTimeout(60_000);
  const { files } = await certFiles();
  // Up before the run and after it: the replays reach the same server, operation and issuer.
  const reference = await startReferenceServer({
    faults: ['forged-token-accepted'],
    tls: { cert: readFileSync(files['server.pem'], 'utf8'), key: readFileSync(files['server.key'], 'utf8') },
    grpc: false,
  });
  try {
    const target = { TARGET_BASE_URL: reference.baseUrl, TARGET_PARENT: 'projects/conformance', AUTH_TOKEN_URL: reference.tokenUrl, ...CLIENT };
    const run = await runConformance({ ...target, TARGET_CA_FILE: files['ca.pem'], TRANSPORTS: 'rest' }, { args: ['--grep', '@cancel.auth.invalid'], timeoutMs: 45_000 });
    const invalid = run.summary?.requirements.find((r) => r.id === 'cancel.auth.invalid');
    expect(invalid?.status, run.output.slice(-3000)).toBe('failed');

    // The console (its colours, which Playwright's FORCE_COLOR turns on, taken off): the Failures
    // section's block for the requirement, its decisive exchange and replay.
    const output = run.output.replace(/\u001b\[[0-9;]*m/g, '');
    const failures = output.slice(output.indexOf('Failures ('));
    const block = failures.slice(failures.indexOf('cancel.auth.invalid'), failures.indexOf('VERDICT:')).split(/\n {2}\d+\) /)[0]!;
    const decisive = Number(/^ {5}exchange +#\d+ POST \S+:cancel → (\d{3})$/m.exec(block)?.[1]);
    const consoleLine = /^ {5}replay +(curl .*)$/m.exec(block)?.[1];
    expect([decisive, consoleLine], block).toEqual([200, expect.stringMatching(/^curl -sS -i -X POST 'https:\/\/127\.0\.0\.1:\d+\/v3\/projects\/conformance\/operations\/[^']+:cancel' --cacert '[^']+\/ca\.pem' -H "Authorization: Bearer eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+" /)]);
    // The summary's evidence quotes the same line.
    expect((invalid as { evidence?: { curl?: string } }).evidence?.curl).toBe(consoleLine);
    // A forgery the suite signed: written out, said in words, nothing to export.
    const flat = block.replace(/\s+/g, ' ');
    expect(flat).toMatch(/ credential forged: a JWT signed \(RS256\) with a key the suite made, which no issuer knows; header and claims copied from the token with both scopes \(cloud-translation and cloud-platform\) that the client-credentials issuer \(AUTH_TOKEN_URL\) mints: iss "[^"]+", aud "[^"]+", scope "[^"]+", exp \S+Z, /);
    expect(flat).toMatch(/ token none needed: the line carries the token itself, made by the suite \(its exp is \S+Z: after that a replay is refused for its expiry alone\) replay curl /);

    // Every transcript the failing test attached: each invalid token's cancel, with its status.
    const allure = join(run.dir, 'allure-results');
    const transcripts = readdirSync(allure).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(allure, f), 'utf8'))
      .filter((t) => /^POST \S+:cancel$/m.test(t.split('\n')[0]!));
    const cases = new Map(transcripts.map((t) => {
      const replay = readReplayBlock(t)!;
      return [replay.line, { status: Number(/^HTTP (\d{3}) /m.exec(t)![1]), replay, kind: replay.credentials!.split(':')[0]! }] as const;
    }));
    const kinds = [...cases.values()].map((c) => c.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['forged', 'malformed', 'tampered', 'unsigned']));
    expect(cases.has(consoleLine!), 'the console quotes a transcript of the test').toBe(true);

    // ACCESS_TOKEN as the derived credential's token line says: the issuer's token for both scopes.
    const tampered = [...cases.values()].find((c) => c.kind === 'tampered')!;
    expect(tampered.replay.line).toMatch(/-H "Authorization: Bearer \$\{ACCESS_TOKEN%%\.\*\}\.eyJ[\w-]+\.\$\{ACCESS_TOKEN##\*\.\}"/);
    expect(tampered.replay.token).toBe('the token with both scopes (cloud-translation and cloud-platform) that the client-credentials issuer (AUTH_TOKEN_URL) mints: the suite built this credential from it');
    // TARGET_CA_FILE goes to the issuer as the suite's token requests do, where it speaks HTTPS (the reference issuer speaks HTTP).
    const issuerCa = reference.tokenUrl.startsWith('https:') ? `--cacert '${files['ca.pem']}' ` : '';
    expect(tampered.replay.export).toBe(`export ACCESS_TOKEN="$(curl -sS ${issuerCa}-u "$AUTH_CLIENT_ID:$AUTH_CLIENT_SECRET" -d grant_type=client_credentials --data-urlencode 'scope=${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}' "$AUTH_TOKEN_URL" | jq -r .access_token)"`);
    const minted = await bash(`${tampered.replay.export}; printf %s "$ACCESS_TOKEN"`, target);
    expect(minted).toMatch(/^eyJ/);

    // Each line, run as printed after its own export line (the expired token's mints one with
    // expires_in=-120): the status the suite got. Forged, tampered, unsigned: the wrong 200.
    const got: [string, number][] = [];
    for (const c of cases.values()) got.push([c.kind, await replayStatus(`${c.replay.export ?? ''}\n${c.replay.line}`, target)]);
    expect(got).toEqual([...cases.values()].map((c) => [c.kind, c.status]));
    expect(Object.fromEntries(got)).toMatchObject({ forged: 200, tampered: 200, unsigned: 200, malformed: 401 });
    expect(got.find(([kind]) => kind.startsWith('the expired token'))?.[1]).toBe(401);
    // The console's line carries its own token: nothing to export.
    expect(await replayStatus(consoleLine!, {})).toBe(decisive);

    // No token of the issuer in the console or the transcripts: only the JWTs the suite made itself.
    const jwts = [output, ...transcripts].flatMap((text) => text.match(JWT) ?? []);
    expect(jwts.length).toBeGreaterThan(0);
    expect(jwts.filter((jwt) => !isSelfMadeJwt(jwt))).toEqual([]);
    expect([output, ...transcripts].some((text) => text.includes(minted.split('.')[2]!))).toBe(false);
  } finally {
    await reference.close();
  }
});
