// `npm run preflight`: checks a setup without a billed job. It resolves the configuration (the
// checks of npm run conformance), completes the TLS handshake of each door, runs every configured
// token source (showing its expiry and scopes where the token is a JWT, never the token), makes one
// authenticated read per door that creates nothing (GET of an unknown operation under TARGET_PARENT:
// 404, or 403 on a zone with per-project roles), and prints each requirement's readiness per door.
// Exit 0: ready (partial checks allowed); 3: something in the setup must be fixed, each problem
// said once. It never creates an operation: the doors it opens refuse any call but a read, and the
// ledger it keeps (REPORTS_DIR/preflight) has a budget of none.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose/jwt/decode';
import { ReferenceConfigError, optionsFromEnv } from '../reference-server/options';
import { ConfigError, DEFAULT_MAX_OPERATIONS, isEmbeddedTarget, loadEnvFile, parseConfig, presetDefaults, type Config } from '../src/running/config';
import { requireCredentials } from '../src/credentials/credentials-check';
import { CredentialError, PLATFORM_SCOPE, TRANSLATION_SCOPE, createTokens, isAvailable, tokenSourceNames, type Credential, type Lookup, type TokenSourceNames } from '../src/credentials/tokens';
import { grantedScopes, scopeMismatch } from '../src/credentials/token-sources/renewable';
import { redact } from '../src/credentials/redact';
import { GateConfigError, gateInputsFromEnv } from '../src/judging/gate-files';
import { DOOR_LABEL } from '../src/judging/verdict';
import { NO_INSUFFICIENT_TOKEN } from '../src/judging/reasons';
import { routeMiss } from '../src/judging/judge';
import { openLedger } from '../src/running/ledger';
import { SCOPE_SETS, mustsNotRun, readiness, readinessLines, type MissingTokens, type ScopeSet } from '../src/running/readiness';
import { said } from '../src/transport/evidence';
import { newCounters, operationsClient, type Door, type DoorName } from '../src/transport/operations-client';
import { checkGrpcTls, checkTargetTls, proxyFor, trustEnvironment } from '../src/transport/tls';

export const PREFLIGHT_EXIT = { ready: 0, fix: 3 } as const;
/** Set on the copy of this process started with TARGET_CA_FILE in Node's trust (NODE_EXTRA_CA_CERTS). */
const RESTARTED = 'CONFORMANCE_PREFLIGHT_RESTARTED';

const say = (line = '') => console.log(redact(line));
const problems: string[] = [];
/** A problem the user must fix: said here, once, and counted. */
function problem(message: string, indent = '  '): void {
  problems.push(message);
  say(`${indent}PROBLEM: ${message}`);
}
const note = (message: string, indent = '    ') => say(`${indent}note: ${message}`);

const SHORT_SCOPE = /^https:\/\/www\.googleapis\.com\/auth\//;
const minutes = (seconds: number) => (seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`);

/** What a token shows about itself, never the token: a JWT's expiry and scopes. */
export function describeToken(token: string, now = Date.now() / 1000): { text: string; exp?: number; scopes?: string[] } {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    return { text: 'not a JWT (opaque): its expiry and scopes cannot be read' };
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const at = exp === undefined ? '' : new Date(exp * 1000).toISOString().replace('.000Z', 'Z');
  const expiry = exp === undefined ? 'no exp claim' : exp > now ? `expires in ${minutes(exp - now)} (${at})` : `expired ${minutes(now - exp)} ago (${at})`;
  const scopes = grantedScopes(undefined, token);
  const scopeText = scopes ? `scopes: ${scopes.map((s) => s.replace(SHORT_SCOPE, '')).join(' ') || '(empty)'}` : 'no scope or scp claim';
  return { text: `JWT, ${expiry}, ${scopeText}`, ...(exp === undefined ? {} : { exp }), ...(scopes ? { scopes } : {}) };
}

/** The command behind a "command AUTH_TOKEN_COMMAND_…" source, for the line that names it. */
function commandOf(source: string, cfg: Config): string | undefined {
  const variable = /^command (AUTH_TOKEN_COMMAND(?:_(TRANSLATION|PLATFORM|INSUFFICIENT))?)$/.exec(source);
  if (!variable) return undefined;
  const key = (variable[2]?.toLowerCase() ?? 'everyday') as 'everyday' | 'translation' | 'platform' | 'insufficient';
  return cfg.commands[key];
}
const sourceText = (source: string, cfg: Config) => {
  const command = commandOf(source, cfg);
  return command ? `${source} (${command})` : source;
};

/** Only reads pass: the preflight creates, cancels and deletes nothing, whatever a bug might ask. */
function readOnly(door: Door): Door {
  return {
    ...door,
    attempt: (call, auth, timeoutMs, token) => {
      if (call.rpc !== 'get' && call.rpc !== 'list') throw new Error(`preflight: a ${call.rpc} call was refused: the preflight only reads`);
      return door.attempt(call, auth, timeoutMs, token);
    },
  };
}

/** A TCP connection to the door's address; why not, when none. Through a proxy, the handshake and the read tell. */
function reach(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (why?: string) => {
      socket.destroy();
      done(why);
    };
    socket.setTimeout(timeoutMs, () => finish(`no connection within ${timeoutMs / 1000} s`));
    socket.once('connect', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

function doorAddress(door: DoorName, cfg: Config): { variable: string; value: string; host: string; port: number; viaProxy: boolean } {
  if (door === 'rest') {
    const url = new URL(cfg.baseUrl!);
    return { variable: 'TARGET_BASE_URL', value: cfg.baseUrl!, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), viaProxy: !!proxyFor(cfg.baseUrl!) };
  }
  const [, host, port] = /^\[?(.*?)\]?:(\d+)$/.exec(cfg.grpc!.address)!;
  return { variable: 'TARGET_GRPC_ADDRESS', value: cfg.grpc!.address, host: host!, port: Number(port), viaProxy: !!proxyFor(`https://${cfg.grpc!.address}`) };
}

/** The configuration checks of npm run conformance; the message of the first that fails. */
function checkConfiguration(env: NodeJS.ProcessEnv): { cfg: Config; embedded: boolean } | { error: string } {
  try {
    const cfg = parseConfig(env);
    requireCredentials(cfg);
    const embedded = isEmbeddedTarget(env);
    if (embedded) optionsFromEnv(env);
    gateInputsFromEnv(env);
    return { cfg, embedded };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ReferenceConfigError || error instanceof GateConfigError) return { error: error.message };
    throw error;
  }
}

interface TokenOutcome {
  /** The everyday credential, when one could be had. */
  readonly everyday?: Credential;
  readonly missing: MissingTokens;
}

/** Runs every configured token source once, and prints what each gave. */
async function checkTokens(cfg: Config, embedded: boolean): Promise<TokenOutcome> {
  say('');
  say('tokens (each configured source run once; a token is never printed)');
  if (cfg.authMode === 'none') {
    say('  none: AUTH_MODE=none, the target authenticates nobody');
    return { missing: {} };
  }
  const names: TokenSourceNames = tokenSourceNames(cfg);
  const tokens = createTokens(cfg);
  const width = Math.max(...SCOPE_SETS.map((s) => s.length));
  const missing: MissingTokens = {};
  const printed = new Set<string>();
  /** A failed source: its message once; a scope set served by the same source points at it. */
  const failed = (set: ScopeSet, message: string) => {
    missing[set] = `its token source (${names[set]}) failed: see above`;
    // The everyday credential may be a scope set's token: that scope set's line says what failed.
    const sameAs = set === 'everyday' ? (['translation', 'platform'] as const).find((s) => names[s] === names.everyday) : undefined;
    if (sameAs) return say(`    failed: ${names.everyday} also serves the ${sameAs} scope set, below`);
    const root = message.replace(/^no token for the .+? scope set: /, '');
    if (printed.has(root)) return say('    failed: the same failure as above');
    printed.add(root);
    problem(root, '    ');
  };
  const lookup = async (set: ScopeSet, run: () => Promise<Lookup>): Promise<Credential | undefined> => {
    const configured = names[set] !== 'none' || embedded;
    let found: Lookup;
    try {
      found = await run();
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      found = { unavailable: error.message, failed: true };
    }
    if (isAvailable(found)) {
      say(`  ${set.padEnd(width)}  ${sourceText(found.source, cfg)}`);
      say(`    ${describeToken(found.token).text}`);
      return found;
    }
    say(`  ${set.padEnd(width)}  ${configured ? sourceText(names[set], cfg) : 'none configured (see the readiness below)'}`);
    if (found.failed) failed(set, found.unavailable);
    else missing[set] = found.unavailable;
    return undefined;
  };

  const everyday = await lookup('everyday', () => tokens.everyday());
  for (const [set, scope] of [['translation', TRANSLATION_SCOPE], ['platform', PLATFORM_SCOPE]] as const) {
    const credential = await lookup(set, () => tokens[set]());
    const mismatch = credential && scopeMismatch(scope, describeToken(credential.token).scopes);
    if (mismatch) note(`${mismatch}: the ${set} scope check would test another token than one holding only ${scope.replace(SHORT_SCOPE, '')}`);
  }

  // tokens.ts warns about each insufficient-scope source it leaves out: here they are part of this list.
  const leftOut: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => leftOut.push(args.map(String).join(' ').replace(/^lro-cancel-conformance: insufficient-scope token left out: /, ''));
  let insufficient: Credential[];
  try {
    insufficient = await tokens.insufficient();
  } finally {
    console.warn = warn;
  }
  say(`  ${'insufficient'.padEnd(width)}  ${names.insufficient === 'none' && !embedded ? 'none configured (see the readiness below)' : `${insufficient.length} token${insufficient.length === 1 ? '' : 's'} holding neither scope`}`);
  for (const credential of insufficient) {
    const shown = describeToken(credential.token);
    say(`    ${credential.label} (${sourceText(credential.source, cfg)}): ${shown.text}`);
    const held = (shown.scopes ?? []).filter((s) => s === TRANSLATION_SCOPE || s === PLATFORM_SCOPE);
    if (held.length) note(`it holds ${held.join(' and ')}: a target that accepts it would be judged wrongly`, '      ');
  }
  for (const why of leftOut) {
    // A command is the whole source: its failure leaves the scope set empty. An issuer's refused look-alike is only left out.
    if (/AUTH_TOKEN_COMMAND_INSUFFICIENT/.test(why)) failed('insufficient', why);
    else note(`left out: ${why}`);
  }
  if (insufficient.length === 0) missing.insufficient ??= NO_INSUFFICIENT_TOKEN;

  const expired = await lookup('expired', () => tokens.expired());
  const exp = expired && describeToken(expired.token).exp;
  if (exp !== undefined && exp > Date.now() / 1000) {
    problem(`AUTH_TOKEN_EXPIRED has not expired (exp ${new Date(exp * 1000).toISOString()}): cancel.auth.invalid would expect 401 for a token that is still valid. Set it to a correctly signed token whose exp has passed.`, '    ');
  }
  return { ...(everyday ? { everyday } : {}), missing };
}

/** One read per door that creates nothing: GET of an operation that does not exist, under TARGET_PARENT. */
async function readEachDoor(cfg: Config, doors: readonly DoorName[], auth: Credential | 'none'): Promise<number> {
  const { request } = await import('@playwright/test');
  const { openDoors } = await import('../src/transport/open-doors');
  const opened = await openDoors(cfg, request, doors);
  const counters = newCounters();
  // No budget at all: a create would be refused before it is sent (src/running/ledger.ts).
  const budgetless: Config = { ...cfg, maxOperations: 0 };
  const id = randomUUID();
  // Under TARGET_PARENT, as the operations the run creates usually are; a target whose names have no
  // parent (operations/{id}) misses that route, and is asked for the other shape.
  const names = [...(cfg.parent ? [`${cfg.parent}/operations/${id}`] : []), `operations/${id}`];
  try {
    for (const [doorName, door] of opened.doors) {
      const api = operationsClient(readOnly(door), budgetless, { defaultAuth: auth, record: (_t, run) => run(), counters });
      let answer: Awaited<ReturnType<typeof api.get>> | undefined;
      let title = '';
      try {
        for (const name of names) {
          title = door.title({ rpc: 'get', name });
          answer = await api.get(name);
          say(`  ${DOOR_LABEL[doorName]}  ${title} ${said(answer)}`);
          if (!routeMiss(answer, cfg)) break;
        }
      } catch (error) {
        if ((error as Error).name === 'TargetUnreachable' || (error as Error).name === 'TransientExhausted') {
          problem(`${DOOR_LABEL[doorName]}: ${(error as Error).message}`);
          continue;
        }
        throw error;
      }
      if (!answer) continue;
      const who = auth === 'none' ? 'no token (AUTH_MODE=none)' : `the everyday token (${auth.source})`;
      if (routeMiss(answer, cfg)) {
        note(`no name shape reached a GetOperation route (a 404 without a NOT_FOUND status), so this read does not show that ${who} is accepted: the run reads the names its creates return`);
      } else if (answer.status === 404) say(`    ok: the target took ${who} and found no such operation`);
      else if (answer.status === 403) {
        say(`    ok: ${who} reached the target, which refused the parent (a zone with per-project roles answers 403 before any lookup)`);
        note(`the caller needs a role in ${cfg.parent ?? 'the parent of the operations'}: otherwise the run's creates are refused too`);
      } else if (answer.status === 400) {
        say(`    ok: ${who} was not refused; the target found the made-up name malformed (the run uses the names it returns)`);
      } else if (answer.status >= 200 && answer.status < 300) {
        say(`    ok: ${who} was accepted (an operation nobody created was answered as found: cancel.semantics.not-found will tell)`);
      } else if (answer.status === 401) {
        problem(auth === 'none'
          ? `${DOOR_LABEL[doorName]}: the target asks for credentials (401) but AUTH_MODE=none: unset AUTH_MODE and give a token source (npm run config lists them).`
          : `${DOOR_LABEL[doorName]}: the target refused the everyday token from ${auth.source} (401 UNAUTHENTICATED): check that the source gives a token for this target (its issuer, audience and expiry), e.g. run the command in a shell and decode the token.`, '    ');
      } else {
        problem(`${DOOR_LABEL[doorName]}: ${title} ${said(answer)}, where an unknown operation gets 404 NOT_FOUND (or 403): check ${doorName === 'rest' ? 'TARGET_BASE_URL, TARGET_API_PREFIX' : 'TARGET_GRPC_ADDRESS'} and TARGET_PARENT.`, '    ');
      }
    }
  } finally {
    await opened.close();
  }
  return counters.operationsCreated;
}

export async function preflight(): Promise<number> {
  loadEnvFile();
  let checked: ReturnType<typeof checkConfiguration>;
  try {
    Object.assign(process.env, presetDefaults(process.env));
    checked = checkConfiguration(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checked = { error: error.message };
  }
  if ('error' in checked) {
    console.error(redact(`lro-cancel-conformance: configuration error: ${checked.error}`));
    return PREFLIGHT_EXIT.fix;
  }
  // The REST door connects the way Playwright does, with Node's default trust: TARGET_CA_FILE joins
  // it through NODE_EXTRA_CA_CERTS, which Node reads at start, so this process starts again with it.
  const trust = trustEnvironment(checked.cfg.transport, process.env);
  if (trust.NODE_EXTRA_CA_CERTS && trust.NODE_EXTRA_CA_CERTS !== process.env.NODE_EXTRA_CA_CERTS && !process.env[RESTARTED]) {
    const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...trust, [RESTARTED]: '1' } });
    return again.status ?? PREFLIGHT_EXIT.fix;
  }

  let { cfg } = checked;
  const { embedded } = checked;
  say('Preflight of lro-cancel-conformance: nothing is created, cancelled or deleted');
  let stop = async () => {};
  try {
    if (embedded) {
      // As npm run conformance does: the embedded reference server, both doors on one store.
      const { startEmbeddedTarget } = await import('../src/running/embedded-target');
      let target: Awaited<ReturnType<typeof startEmbeddedTarget>>;
      try {
        target = await startEmbeddedTarget(process.env);
      } catch (error) {
        problem(`the embedded reference server did not start: ${(error as Error).message}`, '');
        return PREFLIGHT_EXIT.fix;
      }
      stop = () => target.close();
      Object.assign(process.env, target.variables);
      cfg = parseConfig(process.env);
    }
    const reportsDir = process.env.REPORTS_DIR ?? 'reports';
    openLedger(join(reportsDir, 'preflight'));
    say(`target: ${embedded ? `embedded reference server (${process.env.CONFORMANCE_EMBEDDED_PROFILE}), started for the preflight` : [cfg.baseUrl, cfg.grpc?.address].filter(Boolean).join(' and ')}`);
    say(`doors judged: ${cfg.doors.map((d) => DOOR_LABEL[d]).join(' and ')}`);

    say('');
    say('connection and TLS');
    const open: DoorName[] = [];
    for (const door of cfg.doors) {
      const address = doorAddress(door, cfg);
      const label = `  ${DOOR_LABEL[door]}  ${address.value}`;
      if (!address.viaProxy) {
        const why = await reach(address.host, address.port, Math.min(cfg.requestTimeoutMs, 10_000));
        if (why) {
          say(label);
          problem(`${address.variable}=${address.value} cannot be reached (${why}). Check ${address.variable} and that the target is up${address.variable === 'TARGET_BASE_URL' ? '' : ' (TARGET_GRPC_PLAINTEXT=true for a plaintext port)'}.`, '    ');
          continue;
        }
      }
      const tls = door === 'rest' ? (cfg.baseUrl!.startsWith('https:') ? 'https' : 'none') : cfg.grpc!.plaintext ? 'none' : 'https';
      if (tls === 'none') {
        say(`${label}: connected, plaintext (no TLS)`);
        open.push(door);
        continue;
      }
      try {
        const warning = door === 'rest' ? await checkTargetTls(cfg.baseUrl!, cfg.transport, cfg.requestTimeoutMs) : await checkGrpcTls(cfg.grpc!.address, cfg.transport, cfg.requestTimeoutMs);
        say(`${label}: TLS handshake completed, certificate ${warning ? 'NOT verified' : 'verified'}${cfg.transport.caFile ? ` (trusting TARGET_CA_FILE=${cfg.transport.caFile} and the system roots)` : ''}`);
        if (warning) note(warning);
        open.push(door);
      } catch (error) {
        if ((error as Error).name !== 'TLS') throw error;
        say(label);
        problem(`TLS: ${(error as Error).message}`, '    ');
      }
    }

    const { everyday, missing } = await checkTokens(cfg, embedded);

    say('');
    say('one read per door (creates nothing)');
    let created = 0;
    const auth = cfg.authMode === 'none' ? 'none' as const : everyday;
    if (!auth) say('  skipped: no everyday token (above)');
    else if (open.length === 0) say('  skipped: no door passed the connection and TLS checks (above)');
    else created = await readEachDoor(cfg, open, auth);

    say('');
    say(`readiness of each requirement (${cfg.doors.map((d) => DOOR_LABEL[d]).join(', ')})`);
    const rows = readiness(cfg, missing);
    // Without the everyday token nothing runs: one line says so, the rest are the requirements that do not apply.
    const noEveryday = cfg.authMode !== 'none' && missing.everyday;
    const everyRowNotRun = (row: (typeof rows)[number]) => Object.values(row.doors).every((r) => r?.state === 'not-run');
    if (noEveryday) say(`  every requirement that applies: not-run because ${missing.everyday}`);
    readinessLines(noEveryday ? rows.filter((row) => !everyRowNotRun(row)) : rows).forEach((line) => say(line));
    if (cfg.cancelSupport === 'auto') note('CANCEL_SUPPORT=auto: the run\'s first cancel finds out whether the target implements cancel; the preflight cancels nothing', '  ');
    const needed = cfg.doors.length > 1 ? DEFAULT_MAX_OPERATIONS.bothDoors : DEFAULT_MAX_OPERATIONS.oneDoor;
    if (cfg.maxOperations < needed) note(`CONFORMANCE_MAX_OPERATIONS=${cfg.maxOperations}: a full run of ${cfg.doors.map((d) => DOOR_LABEL[d]).join(' and ')} creates ${needed}; the tests past the budget will be not-run`, '  ');
    // A MUST that cannot run because a source failed is that failure's consequence, already said.
    const unconfigured = mustsNotRun(rows).filter(({ why }) => !why.startsWith('its token source ('));
    for (const { id, why } of unconfigured) problems.push(`${id} (MUST) will not run: ${why}`);

    say('');
    say(`operations created: ${created}`);
    if (problems.length === 0) {
      say('preflight: ready');
      return PREFLIGHT_EXIT.ready;
    }
    const musts = unconfigured.length ? `${unconfigured.map((m) => m.id).join(', ')} (MUST) will not run, so the verdict cannot be CONFORMANT` : '';
    const others = problems.length - unconfigured.length;
    say(`preflight: NOT READY: ${[others ? `${others} problem${others === 1 ? '' : 's'} marked PROBLEM above` : '', musts].filter(Boolean).join('; ')}`);
    return PREFLIGHT_EXIT.fix;
  } finally {
    await stop();
  }
}

if (process.argv[1]?.endsWith('scripts/preflight.ts')) {
  process.exit(await preflight());
}
