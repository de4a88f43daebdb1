// Token sources: each scope set the suite needs is served by the first source that can serve it,
// in this order (README "Credentials"): static token > command > service account > client credentials.
// The everyday credential follows the same order: a static scope-set token, else AUTH_TOKEN_COMMAND,
// else a scope-set command, else a service account or issuer minting both scopes.
// Every credential says which source served it; a credential from a source also carries `fresh`,
// which renews it near expiry and after the target refused it as expired. Tokens built to be
// refused (forged, tampered, expired) never carry it, so they are never retried.
// Subpaths: jose's full index costs every process of a run its load time; only the forgery needs signing.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { decodeJwt } from 'jose/jwt/decode';
import type { Config } from '../running/config';
import { MADE_UP_TOKEN, SELF_MADE_MARK, redact, registerSecret } from './redact';
import { runTokenCommand } from './token-sources/command';
import { CredentialError, Renewable, grantedScopes, jwtExpiry, scopeMismatch, type Minted } from './token-sources/renewable';
import { mintServiceAccountToken } from './token-sources/service-account';
import { NO_TLS_SETTINGS, tlsHint, tokenFetch } from '../transport/tls';

export { CredentialError } from './token-sources/renewable';

export const TRANSLATION_SCOPE = 'https://www.googleapis.com/auth/cloud-translation';
export const PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Scope sets that hold neither allowed scope: one unrelated, the rest look-alikes. */
export const INSUFFICIENT_SCOPE_SETS: readonly { label: string; scope: string }[] = [
  { label: 'unrelated scope', scope: 'https://www.googleapis.com/auth/devstorage.read_only' },
  { label: 'look-alike cloud-platform.read-only', scope: 'https://www.googleapis.com/auth/cloud-platform.read-only' },
  { label: 'look-alike cloud-translations', scope: 'https://www.googleapis.com/auth/cloud-translations' },
  { label: 'look-alike http:// scheme', scope: 'http://www.googleapis.com/auth/cloud-translation' },
  { label: 'look-alike trailing slash', scope: 'https://www.googleapis.com/auth/cloud-platform/' },
  { label: 'look-alike bare name', scope: 'cloud-platform' },
];

export interface Credential {
  readonly label: string;
  /** The token when the credential was looked up; send `await fresh()` where present. */
  readonly token: string;
  /** Which source served it, e.g. "static AUTH_TOKEN_TRANSLATION" or "command AUTH_TOKEN_COMMAND_TRANSLATION". */
  readonly source: string;
  /**
   * Only on credentials served by a source: the current token, renewed shortly before expiry.
   * `rejected`: the token the target just refused as expired; a new one is minted (once per token).
   * Throws CredentialError when the source cannot give one.
   */
  readonly fresh?: (rejected?: string) => Promise<string>;
  /** Only on tokens the suite built to be refused: how, so that a replay line builds the same one (src/credentials/replay.ts). */
  readonly built?: BuiltToken;
}

/**
 * How the suite built a token. `how` is in words, `{from}` standing for the credential it was built
 * from. A token made from nothing secret is `literal`: a replay writes it out. One made from the
 * user's token is rebuilt in the shell from $ACCESS_TOKEN holding `from`'s token: `shell` is that
 * expression, to go inside double quotes.
 */
export type BuiltToken =
  | { readonly how: string; readonly literal: true; readonly from?: Pick<Credential, 'label' | 'source'>; readonly exp?: number }
  | { readonly how: string; readonly shell: string; readonly from?: Pick<Credential, 'label' | 'source'> };

export interface Unavailable {
  readonly unavailable: string;
  /** Set when a configured source failed (as opposed to no source being configured). */
  readonly failed?: true;
}

export type Lookup = Credential | Unavailable;
export const isAvailable = (c: Lookup): c is Credential => 'token' in c;

export interface Tokens {
  /** The suite's everyday credential: both scopes where an issuer can mint it, so one scope's checks stay independent of the other's. */
  everyday(): Promise<Lookup>;
  translation(): Promise<Lookup>;
  platform(): Promise<Lookup>;
  /** Valid tokens holding neither scope; empty when no source can mint them. */
  insufficient(): Promise<Credential[]>;
  expired(): Promise<Lookup>;
}

type Minter = (scope: string, extra?: Record<string, string>) => Promise<Minted>;

export function clientCredentialsMinter(cc: NonNullable<Config['clientCredentials']>, timeoutMs: number, transport: Config['transport'] = NO_TLS_SETTINGS): Minter {
  // TARGET_CA_FILE and the proxy variables apply to the issuer too.
  const fetch = tokenFetch(transport);
  return async (scope, extra = {}) => {
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(cc.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(cc.clientId)}:${encodeURIComponent(cc.clientSecret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...extra }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new CredentialError(`AUTH_TOKEN_URL ${cc.tokenUrl} could not be reached (${(error as Error).message}).${tlsHint(error, transport) || ' Check the URL and that the issuer is up.'}`);
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; scope?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new CredentialError(`AUTH_TOKEN_URL ${cc.tokenUrl} refused a client-credentials grant for scope "${scope}" (HTTP ${response.status}). Check AUTH_CLIENT_ID and AUTH_CLIENT_SECRET.`);
    }
    registerSecret(body.access_token);
    const mismatch = scopeMismatch(scope, grantedScopes(body.scope, body.access_token));
    if (mismatch) throw new CredentialError(`AUTH_TOKEN_URL ${cc.tokenUrl} minted a token for other scopes than asked: ${mismatch}. Let AUTH_CLIENT_ID ask for exactly these scopes (the issuer's client configuration), or the scope checks would test the wrong token.`);
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in);
    const exp = jwtExpiry(body.access_token) ?? Math.floor(Date.now() / 1000) + (Number.isFinite(expiresIn) ? expiresIn : 300);
    return { token: body.access_token, exp };
  };
}

/** A static token: served as long as it has not expired (JWT `exp`); it cannot be renewed. */
function staticToken(variable: string, token: string, commandVariable: string): () => Promise<Minted> {
  let served = false;
  return async () => {
    const exp = jwtExpiry(token) ?? Number.POSITIVE_INFINITY;
    if (served || exp <= Date.now() / 1000) {
      throw new CredentialError(
        `${variable}: the static token has expired${Number.isFinite(exp) ? ` (exp ${new Date(exp * 1000).toISOString()})` : ' (the target refused it as expired)'} and a static token cannot be renewed. ` +
          `Set a fresh one, or let ${commandVariable} print one when needed.`,
      );
    }
    served = true;
    return { token, exp };
  };
}

/** A scope set's source: a label for the summary and a renewable token. */
interface Source {
  readonly name: string;
  readonly renewable: Renewable;
}

export interface TokenSourceNames {
  readonly everyday: string;
  readonly translation: string;
  readonly platform: string;
  readonly insufficient: string;
  readonly expired: string;
}

type ScopeSetPlan = { name: string; mint: () => Promise<Minted> } | undefined;
/** A source that may serve the everyday credential, with the scope-set label it is held under. */
interface EverydayCandidate { readonly plan: NonNullable<ScopeSetPlan>; readonly label: string }

const TRANSLATION_LABEL = 'cloud-translation only';
const PLATFORM_LABEL = 'cloud-platform only';

/** Plans each scope set's source by precedence, without minting anything. */
function plan(cfg: Config) {
  const mintCc = cfg.clientCredentials ? clientCredentialsMinter(cfg.clientCredentials, cfg.requestTimeoutMs, cfg.transport) : undefined;
  const sa = cfg.serviceAccount;
  const staticPlan = (variable: string, token: string | undefined, commandVariable: string): ScopeSetPlan =>
    token ? { name: `static ${variable}`, mint: staticToken(variable, token, commandVariable) } : undefined;
  const command = (variable: string, cmd: string | undefined): ScopeSetPlan =>
    cmd ? { name: `command ${variable}`, mint: () => runTokenCommand({ variable, command: cmd, ttlS: cfg.commands.ttlS, timeoutMs: cfg.commands.timeoutMs }) } : undefined;
  const serviceAccount = (scope: string): ScopeSetPlan =>
    sa ? { name: `service account ${sa.clientEmail}`, mint: () => mintServiceAccountToken(sa, scope, cfg.requestTimeoutMs, cfg.transport) } : undefined;
  const clientCredentials = (scope: string): ScopeSetPlan => (mintCc ? { name: 'client-credentials', mint: () => mintCc(scope) } : undefined);

  // One plan object per source: the everyday credential and its scope set share it, so they share
  // one cached token (a static token is served once, a command runs once per renewal).
  const staticTranslation = staticPlan('AUTH_TOKEN_TRANSLATION', cfg.tokens.translation, 'AUTH_TOKEN_COMMAND_TRANSLATION');
  const staticPlatform = staticPlan('AUTH_TOKEN_PLATFORM', cfg.tokens.platform, 'AUTH_TOKEN_COMMAND_PLATFORM');
  const commandTranslation = command('AUTH_TOKEN_COMMAND_TRANSLATION', cfg.commands.translation);
  const commandPlatform = command('AUTH_TOKEN_COMMAND_PLATFORM', cfg.commands.platform);
  const translation = staticTranslation ?? commandTranslation ?? serviceAccount(TRANSLATION_SCOPE) ?? clientCredentials(TRANSLATION_SCOPE);
  const platform = staticPlatform ?? commandPlatform ?? serviceAccount(PLATFORM_SCOPE) ?? clientCredentials(PLATFORM_SCOPE);
  const both = `${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}`;
  // Everyday (README "Credentials"): a static scope-set token, else AUTH_TOKEN_COMMAND, else a
  // scope-set command, else a service account or issuer minting both scopes. The first tier that
  // has a source serves it; inside a tier, cloud-translation is tried before cloud-platform.
  const tier = (...plans: [ScopeSetPlan, string][]): EverydayCandidate[] => plans.flatMap(([p, label]) => (p ? [{ plan: p, label }] : []));
  const tiers = [
    tier([staticTranslation, TRANSLATION_LABEL], [staticPlatform, PLATFORM_LABEL]),
    tier([command('AUTH_TOKEN_COMMAND', cfg.commands.everyday), 'everyday (AUTH_TOKEN_COMMAND)']),
    tier([commandTranslation, TRANSLATION_LABEL], [commandPlatform, PLATFORM_LABEL]),
    tier([serviceAccount(both), 'cloud-translation + cloud-platform']),
    tier([clientCredentials(both), 'cloud-translation + cloud-platform']),
  ];
  const everyday: readonly EverydayCandidate[] = tiers.find((t) => t.length > 0) ?? [];
  const insufficient = cfg.commands.insufficient
    ? [{ label: 'AUTH_TOKEN_COMMAND_INSUFFICIENT', plan: command('AUTH_TOKEN_COMMAND_INSUFFICIENT', cfg.commands.insufficient)! }]
    : INSUFFICIENT_SCOPE_SETS.flatMap(({ label, scope }) => {
        const p = serviceAccount(scope) ?? clientCredentials(scope);
        return p ? [{ label, plan: p }] : [];
      });
  return { translation, platform, everyday, insufficient, mintCc };
}

/** Which source serves each scope set under this config (for the summary's `tokenSources`). */
export function tokenSourceNames(cfg: Config): TokenSourceNames {
  const p = plan(cfg);
  const insufficient = [
    ...(cfg.tokens.insufficient.length ? [`static AUTH_TOKEN_INSUFFICIENT (${cfg.tokens.insufficient.length})`] : []),
    ...(p.insufficient.length ? [`${p.insufficient[0]!.plan.name}${p.insufficient.length > 1 ? ` (${p.insufficient.length} scope sets)` : ''}`] : []),
  ];
  return {
    everyday: p.everyday[0]?.plan.name ?? 'none',
    translation: p.translation?.name ?? 'none',
    platform: p.platform?.name ?? 'none',
    insufficient: insufficient.join(' + ') || 'none',
    expired: cfg.tokens.expired ? 'static AUTH_TOKEN_EXPIRED' : p.mintCc ? 'client-credentials (expires_in=-120)' : 'none',
  };
}

/** Is this refusal the target saying the token expired (ErrorInfo ACCESS_TOKEN_EXPIRED, or error_description)? */
export function isExpiryRefusal(status: number, headers: Readonly<Record<string, string>>, json: unknown): boolean {
  if (status !== 401) return false;
  const challenge = Object.entries(headers).find(([k]) => k.toLowerCase() === 'www-authenticate')?.[1] ?? '';
  if (/error_description="[^"]*expir/i.test(challenge)) return true;
  const error = (json as { error?: { details?: unknown } } | undefined)?.error ?? json;
  const details = (error as { details?: unknown } | undefined)?.details;
  return Array.isArray(details) && details.some((d) => (d as { reason?: unknown } | null)?.reason === 'ACCESS_TOKEN_EXPIRED');
}

// Minted once per run, not once per worker: the global setup hands the tokens it minted to the
// workers (CONFORMANCE_TOKEN_SEED, Playwright's way of passing data from global setup to workers).
// A worker reads them once and drops the variable, so the token commands it runs never inherit it.
// Static tokens are not seeded: they are in the environment already, and must not renew.
export const TOKEN_SEED_VARIABLE = 'CONFORMANCE_TOKEN_SEED';
/** Warnings the global setup printed already: a worker that meets the same failure stays quiet. */
export const TOKEN_WARNINGS_VARIABLE = 'CONFORMANCE_TOKEN_WARNINGS';
const held = new Map<string, Renewable>();
const warned = new Set<string>(parsedList(process.env[TOKEN_WARNINGS_VARIABLE]));

function parsedList(raw: string | undefined): string[] {
  try {
    const list: unknown = JSON.parse(raw ?? '[]');
    return Array.isArray(list) ? list.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

/** The warnings this process printed, for the workers (the global setup sets CONFORMANCE_TOKEN_WARNINGS to it). */
export const tokenWarnings = (): string => JSON.stringify([...warned]);
let workerSeeds: Record<string, Minted> | undefined;
function seeds(): Record<string, Minted> {
  if (workerSeeds) return workerSeeds;
  let parsed: Record<string, Minted> = {};
  try {
    parsed = JSON.parse(process.env[TOKEN_SEED_VARIABLE] ?? '{}') as Record<string, Minted>;
  } catch {
    // A broken seed only costs a mint.
  }
  if (process.env.TEST_WORKER_INDEX !== undefined) {
    workerSeeds = parsed;
    delete process.env[TOKEN_SEED_VARIABLE];
  }
  return parsed;
}

/** The tokens this process holds, by scope set, for the workers to start from (the global setup sets CONFORMANCE_TOKEN_SEED to it). */
export function tokenSeed(): string {
  return JSON.stringify(Object.fromEntries([...held].flatMap(([key, r]) => {
    const current = r.current();
    return current ? [[key, current]] : [];
  })));
}

export function createTokens(cfg: Config): Tokens {
  Object.values(cfg.tokens).flat().forEach((t) => registerSecret(t));
  if (cfg.clientCredentials) registerSecret(cfg.clientCredentials.clientSecret);
  if (cfg.serviceAccount) registerSecret(cfg.serviceAccount.privateKey);
  const p = plan(cfg);
  const sources = new Map<ScopeSetPlan, Source>();
  const sourceOf = (scopePlan: NonNullable<ScopeSetPlan>, label: string): Source => {
    let source = sources.get(scopePlan);
    if (!source) {
      const key = `${scopePlan.name} | ${label}`;
      const renewable = scopePlan.name.startsWith('static ') ? new Renewable(scopePlan.mint) : new Renewable(scopePlan.mint, seeds()[key]);
      if (!scopePlan.name.startsWith('static ')) held.set(key, renewable);
      sources.set(scopePlan, (source = { name: scopePlan.name, renewable }));
    }
    return source;
  };
  const serve = async (label: string, scopePlan: ScopeSetPlan, none: string): Promise<Lookup> => {
    if (!scopePlan) return { unavailable: none };
    const { name, renewable } = sourceOf(scopePlan, label);
    try {
      const token = await renewable.token();
      return { label, token, source: name, fresh: (rejected?: string) => renewable.token(rejected) };
    } catch (error) {
      if (error instanceof CredentialError) return { unavailable: `no token for the ${label} scope set: ${error.message}`, failed: true };
      throw error;
    }
  };

  const translation = () => serve(TRANSLATION_LABEL, p.translation,
    'no token for the cloud-translation only scope set: set AUTH_TOKEN_TRANSLATION, AUTH_TOKEN_COMMAND_TRANSLATION, GOOGLE_APPLICATION_CREDENTIALS or the AUTH_TOKEN_URL/AUTH_CLIENT_ID/AUTH_CLIENT_SECRET issuer');
  const platform = () => serve(PLATFORM_LABEL, p.platform,
    'no token for the cloud-platform only scope set: set AUTH_TOKEN_PLATFORM, AUTH_TOKEN_COMMAND_PLATFORM, GOOGLE_APPLICATION_CREDENTIALS or the AUTH_TOKEN_URL/AUTH_CLIENT_ID/AUTH_CLIENT_SECRET issuer');
  return {
    async everyday() {
      if (p.everyday.length === 0) {
        return { unavailable: 'no token that may cancel: set AUTH_TOKEN_COMMAND, a scope-set token or command, GOOGLE_APPLICATION_CREDENTIALS or a client-credentials issuer' };
      }
      // The first source of the tier serves it; the tier's other scope set only when that one fails.
      const found: Lookup[] = [];
      for (const { plan: candidate, label } of p.everyday) {
        const lookup = await serve(label, candidate, '');
        if (isAvailable(lookup)) return lookup;
        found.push(lookup);
      }
      if (found.length === 1) return found[0]!;
      return {
        unavailable: `no token that may cancel: ${found.map((f) => ('unavailable' in f ? f.unavailable : '')).join('; ')}`,
        ...(found.some((f) => 'failed' in f && f.failed) ? { failed: true as const } : {}),
      };
    },
    translation,
    platform,
    async insufficient() {
      const fromStatic = cfg.tokens.insufficient.map((token, i) => ({ label: `AUTH_TOKEN_INSUFFICIENT #${i + 1}`, token, source: 'static AUTH_TOKEN_INSUFFICIENT' }));
      const looked = await Promise.all(p.insufficient.map(({ label, plan: scopePlan }) => serve(label, scopePlan, '')));
      const minted = looked.filter(isAvailable);
      const failures = looked.filter((l): l is Unavailable => !isAvailable(l));
      // Some issuers refuse look-alike scopes outright: check the rest, and say (once) which were left out.
      // None at all leaves the requirement not-run, never passed.
      for (const f of failures) {
        if (warned.has(f.unavailable)) continue;
        warned.add(f.unavailable);
        console.warn(redact(`lro-cancel-conformance: insufficient-scope token left out: ${f.unavailable}`));
      }
      return [...fromStatic, ...minted];
    },
    async expired() {
      if (cfg.tokens.expired) return { label: 'expired', token: cfg.tokens.expired, source: 'static AUTH_TOKEN_EXPIRED' };
      if (!p.mintCc) return { unavailable: 'no expired token: set AUTH_TOKEN_EXPIRED or a client-credentials issuer' };
      // Issuers that honour a negative expires_in (the embedded one does) mint an expired token.
      const { token } = await p.mintCc(TRANSLATION_SCOPE, { expires_in: '-120' });
      if ((jwtExpiry(token) ?? Number.POSITIVE_INFINITY) >= Date.now() / 1000) {
        return { unavailable: 'the issuer cannot mint expired tokens: set AUTH_TOKEN_EXPIRED to a token that has expired' };
      }
      return { label: 'expired', token, source: 'client-credentials (expires_in=-120)' };
    },
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const forgeries = new Map<string, Promise<Credential[]>>();

/**
 * Tokens that no issuer signed: a forged signature, a tampered payload, an unsigned JWT, a non-JWT.
 * Built once per token. Given the Credential (not its bare token), each says which one it was built
 * from, for the replay line's "export ACCESS_TOKEN=…".
 */
export function invalidTokens(valid: string | Credential): Promise<Credential[]> {
  const from = typeof valid === 'string' ? undefined : { label: valid.label, source: valid.source };
  const token = typeof valid === 'string' ? valid : valid.token;
  const key = `${from ? `${from.label}\n${from.source}` : ''}\n${token}`;
  let built = forgeries.get(key);
  if (!built) forgeries.set(key, (built = forge(token, from)));
  return built;
}

/** A token no issuer could have made: not a JWT, not even opaque-looking. Made up, so a replay writes it out. */
export const MALFORMED_TOKEN: Credential = {
  label: 'malformed (not a JWT)',
  token: MADE_UP_TOKEN,
  source: 'built by the suite',
  built: { how: `malformed: "${MADE_UP_TOKEN}", a string the suite made up (not a JWT)`, literal: true },
};

/** The last 4 characters changed: "AAAA", or "BBBB" for a token that ends in AAAA. */
export const TAMPERED_TAIL = (token: string) => (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

/** The claims a forgery copies, in a few words: what a target that skips the signature check looks at. */
function claimWords(payload: Record<string, unknown>): string {
  const shown = ['iss', 'aud', 'sub', 'scope', 'scp'].filter((k) => payload[k] !== undefined)
    .map((k) => `${k} ${JSON.stringify(payload[k]).slice(0, 120)}`);
  const exp = typeof payload.exp === 'number' ? [`exp ${iso(payload.exp)}`] : [];
  const others = Object.keys(payload).filter((k) => !['iss', 'aud', 'sub', 'scope', 'scp', 'exp'].includes(k));
  return [...shown, ...exp, ...(others.length ? [`and ${others.join(', ')}`] : [])].join(', ');
}

/**
 * The key that signs forged tokens, kept between runs (npm's cache folder inside node_modules): an
 * RSA key takes 50-400 ms to generate. No issuer ever sees it, so any key will do, as long as it is RSA.
 */
export const FORGING_KEY_FILE = join(import.meta.dirname, '../node_modules/.cache/lro-cancel-conformance/forging-rs256.jwk.json');

const forgingKeys = new Map<string, Promise<CryptoKey>>();
export function forgingKey(file = FORGING_KEY_FILE): Promise<CryptoKey> {
  let key = forgingKeys.get(file);
  if (!key) forgingKeys.set(file, (key = loadOrMakeForgingKey(file)));
  return key;
}

async function loadOrMakeForgingKey(file: string): Promise<CryptoKey> {
  const [{ importJWK }, { exportJWK }, { generateKeyPair }] = await Promise.all([import('jose/key/import'), import('jose/key/export'), import('jose/key/generate/keypair')]);
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof importJWK>[0];
    const key = await importJWK(kept, 'RS256');
    if (key instanceof CryptoKey && key.type === 'private') return key;
  } catch {
    // missing, unreadable or not a private RSA key: a new one
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // a read-only checkout: each process makes its own key
  }
  return privateKey;
}

async function forge(valid: string, from?: Pick<Credential, 'label' | 'source'>): Promise<Credential[]> {
  const source = MALFORMED_TOKEN.source;
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(valid);
    payload = decodeJwt(valid);
  } catch {
    // Opaque tokens: altering characters is the best forgery available.
    const tail = TAMPERED_TAIL(valid);
    const tampered = valid.slice(0, -4) + tail;
    registerSecret(tampered);
    return [MALFORMED_TOKEN, {
      label: 'tampered opaque token', token: tampered, source,
      built: { how: `tampered: {from}, with its last 4 characters replaced by ${tail}`, shell: `\${ACCESS_TOKEN%????}${tail}`, ...(from ? { from } : {}) },
    }];
  }
  // The forged and unsigned tokens carry the claims of the user's token, but no secret: no key an
  // issuer knows signed them. SELF_MADE_MARK in their header says so, and redact() leaves them in clear.
  const { SignJWT } = await import('jose/jwt/sign');
  const forged = await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256', [SELF_MADE_MARK]: 'forged' }).sign(await forgingKey());
  const [h, , s] = valid.split('.');
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  const tamperedPayload = b64url({ ...payload, exp });
  // Header and signature are the user's: a secret, rebuilt in the shell from $ACCESS_TOKEN, never written out.
  const tampered = `${h}.${tamperedPayload}.${s}`;
  const unsigned = `${b64url({ alg: 'none', typ: 'JWT', [SELF_MADE_MARK]: 'unsigned' })}.${b64url(payload)}.`;
  registerSecret(tampered);
  const claims = claimWords(payload);
  const until = typeof payload.exp === 'number' ? { exp: payload.exp } : {};
  const of = from ? { from } : {};
  return [
    MALFORMED_TOKEN,
    {
      label: 'forged (signed with a key the issuer never used)', token: forged, source,
      built: { how: `forged: a JWT signed (RS256) with a key the suite made, which no issuer knows; header and claims copied from {from}: ${claims}`, literal: true, ...until, ...of },
    },
    {
      label: 'tampered payload (signature no longer matches)', token: tampered, source,
      built: {
        how: `tampered: {from}, its header and signature kept, its payload replaced by the same claims with exp ${iso(exp)} (a day after the run), so the signature no longer matches`,
        shell: `\${ACCESS_TOKEN%%.*}.${tamperedPayload}.\${ACCESS_TOKEN##*.}`,
        ...of,
      },
    },
    {
      label: 'unsigned (alg none)', token: unsigned, source,
      built: { how: `unsigned: a JWT with alg "none" and an empty signature, made by the suite, carrying the claims of {from}: ${claims}`, literal: true, ...until, ...of },
    },
  ];
}
