// Suite configuration: the public variables of the README, read from the environment
// (and .env through dotenv). Every bad value gets one ConfigError naming the variable.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import type { RetryPolicy } from '../transport/retry';
import type { DoorName } from '../transport/operations-client';
import type { GrpcSettings } from '../transport/grpc/operations-client';

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string, fix: string) {
    super(`${variable}: ${problem}. ${fix}`);
    this.name = 'ConfigError';
  }
}

export type CancelSupport = 'auto' | 'supported' | 'unimplemented';
export type FinishedCancelPolicy = 'either' | 'failed-precondition' | 'ok';
export type AuthMode = 'oauth' | 'none';
export type RouteSupport = 'auto' | 'supported' | 'absent';

export interface Config {
  /** undefined: the embedded reference server is started and used, unless only the gRPC door is set. */
  readonly baseUrl: string | undefined;
  /** TRANSPORTS: the doors judged, in order; by default every door that is configured. */
  readonly doors: readonly DoorName[];
  /** TARGET_GRPC_ADDRESS and friends; undefined when the target has no gRPC door configured. */
  readonly grpc?: GrpcSettings;
  readonly apiPrefix: string;
  /** Where new operations are created; optional when OPERATION_CREATE_PATH says where. */
  readonly parent: string | undefined;
  /** AUTH_MODE=none: the target authenticates nobody; the auth requirements are not applicable. */
  readonly authMode: AuthMode;
  /** TARGET_LIST_PATH: where to list operations, when it is not `{prefix}/{parent of the name}/operations`. */
  readonly listPath?: string;
  /** WAIT_SUPPORT / LIST_SUPPORT: `auto` finds out; `absent` declares the route missing; `supported` makes a miss a failure. */
  readonly waitSupport: RouteSupport;
  readonly listSupport: RouteSupport;
  readonly headers: Readonly<Record<string, string>>;
  readonly createPath: string;
  readonly createBody: unknown;
  readonly createBodyQuick: unknown;
  readonly tokens: {
    readonly translation?: string;
    readonly platform?: string;
    readonly insufficient: readonly string[];
    readonly expired?: string;
  };
  readonly clientCredentials?: { readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string };
  /** Shell commands that print a token, one per scope set (AUTH_TOKEN_COMMAND_*). */
  readonly commands: {
    readonly everyday?: string;
    readonly translation?: string;
    readonly platform?: string;
    readonly insufficient?: string;
    /** Lifetime assumed for a printed token that is not a JWT (AUTH_TOKEN_COMMAND_TTL). */
    readonly ttlS: number;
    readonly timeoutMs: number;
  };
  /** A Google service-account key (GOOGLE_APPLICATION_CREDENTIALS); ignored by the embedded target. */
  readonly serviceAccount?: ServiceAccountKey;
  /** TARGET_PRESET, when one filled defaults. */
  readonly preset?: Preset;
  readonly cancelSupport: CancelSupport;
  readonly settleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly cancelAttempts: number;
  /** CONFORMANCE_MAX_OPERATIONS: the most operations a run may create (src/running/ledger.ts), the probe included. */
  readonly maxOperations: number;
  /** Set when the user declares the target does not use OAuth scopes. */
  readonly scopeChecksNotApplicable?: string;
  readonly allowBareStatus: boolean;
  readonly allowDoneWithoutResult: boolean;
  readonly finishedCancelPolicy: FinishedCancelPolicy;
  /** TLS towards the target and the token endpoints (README "TLS"). */
  readonly transport: Transport;
  /** RETRY_MAX_ATTEMPTS / RETRY_MAX_SECONDS: how transient answers are retried (src/transport/retry.ts). */
  readonly retry: RetryPolicy;
  /** QUIET_PERIOD: how long after the last call to an operation the suite reads it again (a controller may act late). */
  readonly quietPeriodMs: number;
  /** TARGET_OTHER_PARENT: a second parent the caller can use, for the real cross-tenant check. */
  readonly otherParent?: string;
  /** CONFORMANCE_STRICT. */
  readonly strict: ReadonlySet<StrictMode>;
}

export interface Transport {
  /** TARGET_CA_FILE (absolute path) and its certificates: trusted in addition to Node's default roots. */
  readonly caFile?: string;
  readonly caCertificates: readonly string[];
  /** TARGET_CLIENT_CERT / TARGET_CLIENT_KEY (+ TARGET_CLIENT_KEY_PASSPHRASE), for targets that ask for one. */
  readonly clientCertificate?: { readonly certFile: string; readonly keyFile: string; readonly passphrase?: string };
  /** TARGET_TLS_INSECURE=true: the target's certificate is not verified (a warning says so everywhere). */
  readonly insecure: boolean;
}

export type Preset = 'gdc' | 'cloud';

export interface ServiceAccountKey {
  /** The file it came from (GOOGLE_APPLICATION_CREDENTIALS). */
  readonly keyFile: string;
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly privateKeyId?: string;
  /** Where assertions go: the key's token_uri (default Google's). */
  readonly tokenUri: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Loads `.env` (or DOTENV_CONFIG_PATH) into process.env without overriding what is already set. */
/** Reads .env (DOTENV_CONFIG_PATH) into process.env; returns the names it holds. */
export function loadEnvFile(): string[] {
  return Object.keys(loadDotenv({ path: process.env.DOTENV_CONFIG_PATH ?? '.env', quiet: true }).parsed ?? {});
}

export type StrictMode = 'partial' | 'variables';

/** CONFORMANCE_STRICT: `partial` makes a CONFORMANT run whose MUSTs were checked in part INCOMPLETE; `variables` makes an unknown variable a configuration error. */
export function strictModes(env: Env): ReadonlySet<StrictMode> {
  const modes = (text(env, 'CONFORMANCE_STRICT') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  const bad = modes.find((m) => m !== 'partial' && m !== 'variables');
  if (bad !== undefined) throw new ConfigError('CONFORMANCE_STRICT', `"${bad}" is not a strict mode`, 'Use partial, variables, or partial,variables.');
  return new Set(modes as StrictMode[]);
}

const text = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = text(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `"${value}" is not allowed`, `Use one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

function positiveNumber(env: Env, name: string, fallback: number, { integer = false } = {}): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigError(name, `"${raw}" is not a positive ${integer ? 'integer' : 'number'}`, `Set it to e.g. ${fallback}.`);
  }
  return value;
}

function flag(env: Env, name: string): boolean {
  return oneOf(env, name, ['true', 'false'], 'false') === 'true';
}

function baseUrl(env: Env): string | undefined {
  const raw = text(env, 'TARGET_BASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('TARGET_BASE_URL', `"${raw}" is not a URL`, 'Use e.g. https://translation.example.com (no path).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('TARGET_BASE_URL', `protocol ${url.protocol} is not supported`, 'Use an http:// or https:// URL.');
  }
  return raw.replace(/\/+$/, '');
}

/** Neither door is named: `npm run conformance` starts the embedded reference server. */
export const isEmbeddedTarget = (env: Env) => text(env, 'TARGET_BASE_URL') === undefined && text(env, 'TARGET_GRPC_ADDRESS') === undefined;

/** CONFORMANCE_MAX_OPERATIONS by default: the doors share what they can (README "Budget"). */
export const DEFAULT_MAX_OPERATIONS = { oneDoor: 10, bothDoors: 14 } as const;

export const DEFAULT_GRPC_CREATE_METHOD = 'google.cloud.translation.v3.TranslationService/BatchTranslateDocument';

function grpcAddress(env: Env): string | undefined {
  const raw = text(env, 'TARGET_GRPC_ADDRESS');
  if (raw === undefined) return undefined;
  const port = /^(?:\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d{1,5})$/.exec(raw)?.[1];
  if (!port || Number(port) < 1 || Number(port) > 65535) {
    throw new ConfigError('TARGET_GRPC_ADDRESS', `"${raw}" is not host:port`, 'Use e.g. translation.zone1.example.com:443 (no scheme, no path).');
  }
  return raw;
}

/** GRPC_PROTO_PATH: folders (import paths) and .proto files, separated by ":"; files are found under the folders. */
function protoPath(env: Env): { includeDirs: string[]; files: string[] } {
  const entries = (text(env, 'GRPC_PROTO_PATH') ?? '').split(':').map((e) => e.trim()).filter(Boolean);
  const includeDirs = entries.filter((e) => !e.endsWith('.proto')).map((dir) => {
    if (!existsSync(dir)) throw new ConfigError('GRPC_PROTO_PATH', `the folder ${dir} does not exist`, 'List the import folders of your protos and the .proto files that define OPERATION_CREATE_GRPC_METHOD, separated by ":".');
    return resolve(dir);
  });
  const files = entries.filter((e) => e.endsWith('.proto'));
  for (const file of files) {
    if (![...includeDirs, process.cwd()].some((dir) => existsSync(resolve(dir, file)))) {
      throw new ConfigError('GRPC_PROTO_PATH', `${file} is in none of its folders (${includeDirs.join(', ') || 'none given'})`, 'Name each .proto file relative to one of the folders listed in GRPC_PROTO_PATH.');
    }
  }
  return { includeDirs, files };
}

function grpcSettings(env: Env): GrpcSettings | undefined {
  const address = grpcAddress(env);
  const createMethod = text(env, 'OPERATION_CREATE_GRPC_METHOD') ?? DEFAULT_GRPC_CREATE_METHOD;
  if (!/^[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/.test(createMethod)) {
    throw new ConfigError('OPERATION_CREATE_GRPC_METHOD', `"${createMethod}" is not a full method name`, 'Use package.Service/Method, e.g. google.cloud.translation.v3.TranslationService/BatchTranslateDocument.');
  }
  const protos = protoPath(env);
  if (createMethod !== DEFAULT_GRPC_CREATE_METHOD && protos.files.length === 0) {
    throw new ConfigError('GRPC_PROTO_PATH', `names no .proto file, so ${createMethod} cannot be found`, 'Add the .proto file that defines OPERATION_CREATE_GRPC_METHOD (and its import folders), separated by ":".');
  }
  if (address === undefined) return undefined;
  return { address, plaintext: flag(env, 'TARGET_GRPC_PLAINTEXT'), createMethod, protos };
}

/**
 * The doors a run will judge, for Playwright's projects, before the global setup has checked the
 * configuration (it reports a bad value): the embedded target serves both, unless REFERENCE_GRPC=false.
 */
export function plannedDoors(rawEnv: Env): DoorName[] {
  try {
    const env: Env = { ...rawEnv, ...presetDefaults(rawEnv) };
    const embedded = isEmbeddedTarget(env);
    return doors(env, embedded || text(env, 'TARGET_BASE_URL') !== undefined, (embedded && text(env, 'REFERENCE_GRPC') !== 'false') || text(env, 'TARGET_GRPC_ADDRESS') !== undefined);
  } catch {
    return ['rest'];
  }
}

/** TRANSPORTS: rest, grpc or both; by default every door that is configured (the embedded target serves both). */
function doors(env: Env, rest: boolean, grpc: boolean): DoorName[] {
  const raw = text(env, 'TRANSPORTS');
  if (raw === undefined) return [...(rest ? ['rest' as const] : []), ...(grpc ? ['grpc' as const] : [])];
  const named = [...new Set(raw.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean))];
  const unknown = named.find((d) => d !== 'rest' && d !== 'grpc');
  if (unknown !== undefined || named.length === 0) throw new ConfigError('TRANSPORTS', `"${raw}" is not a list of doors`, 'Use rest, grpc or rest,grpc.');
  if (named.includes('rest') && !rest) throw new ConfigError('TRANSPORTS', 'names rest, but TARGET_BASE_URL is not set', 'Set TARGET_BASE_URL to the REST endpoint, or leave rest out.');
  if (named.includes('grpc') && !grpc) throw new ConfigError('TRANSPORTS', 'names grpc, but TARGET_GRPC_ADDRESS is not set', 'Set TARGET_GRPC_ADDRESS to the gRPC endpoint (host:port), or leave grpc out.');
  return (['rest', 'grpc'] as const).filter((d) => named.includes(d));
}

function apiPrefix(env: Env): string {
  const raw = text(env, 'TARGET_API_PREFIX') ?? '/v3';
  if (!/^(\/[A-Za-z0-9._~-]+)*$/.test(raw)) {
    throw new ConfigError('TARGET_API_PREFIX', `"${raw}" is not a path prefix`, 'Use e.g. /v3 (leading slash, no trailing slash), or an empty value.');
  }
  return raw;
}

function otherParent(env: Env, own: string | undefined): string | undefined {
  const raw = text(env, 'TARGET_OTHER_PARENT');
  if (raw === undefined) return undefined;
  if (!/^projects\/[^/\s]+(\/locations\/[^/\s]+)?$/.test(raw)) {
    throw new ConfigError('TARGET_OTHER_PARENT', `"${raw}" is not a parent name`, 'Use projects/{project} or projects/{project}/locations/{location}: a second parent your credentials may use.');
  }
  if (raw === own) throw new ConfigError('TARGET_OTHER_PARENT', `is the same as TARGET_PARENT (${raw})`, 'Name a second parent the caller can use, so the same operation ID under it proves isolation.');
  return raw;
}

function nonNegativeSeconds(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(name, `"${raw}" is not a number of seconds`, `Set it to e.g. ${fallback}, or 0 to turn it off.`);
  return value * 1000;
}

function parent(env: Env, embedded: boolean): string | undefined {
  const raw = text(env, 'TARGET_PARENT') ?? (embedded ? 'projects/conformance' : undefined);
  const createPath = text(env, 'OPERATION_CREATE_PATH');
  if (raw === undefined) {
    if (createPath !== undefined && !createPath.includes('{TARGET_PARENT}')) return undefined;
    throw new ConfigError('TARGET_PARENT', 'is required when TARGET_BASE_URL or TARGET_GRPC_ADDRESS is set and OPERATION_CREATE_PATH does not say where operations are created',
      'Set it to projects/{project} (GDC) or projects/{project}/locations/{location}, or set OPERATION_CREATE_PATH to the POST that starts an operation.');
  }
  // A generic target may name its parents freely; the default create path only needs a path.
  // An operation name pasted by mistake is not a parent either.
  if (!/^[^/\s][^\s]*[^/\s]$|^[^/\s]$/.test(raw) || /(^|\/)operations(\/|$)/.test(raw)) {
    throw new ConfigError('TARGET_PARENT', `"${raw}" is not a parent name`, 'Use projects/{project} or projects/{project}/locations/{location} (no leading or trailing slash, no spaces).');
  }
  return raw;
}

function listPath(env: Env): string | undefined {
  const raw = text(env, 'TARGET_LIST_PATH');
  if (raw === undefined) return undefined;
  if (!raw.startsWith('/') || /\s/.test(raw)) {
    throw new ConfigError('TARGET_LIST_PATH', `"${raw}" is not a path`, 'Use the path (and query) that lists operations, e.g. /v1/operations or /v3/operations?name=operations.');
  }
  return raw;
}

function headers(env: Env): Record<string, string> {
  const raw = text(env, 'TARGET_HEADERS');
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('TARGET_HEADERS', 'is not valid JSON', 'Use a JSON object of strings, e.g. {"x-goog-user-project":"my-project"}.');
  }
  const isStringRecord = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string');
  if (!isStringRecord) {
    throw new ConfigError('TARGET_HEADERS', 'is not a JSON object of string values', 'Use e.g. {"x-goog-user-project":"my-project"}.');
  }
  if (Object.keys(parsed as object).some((k) => k.toLowerCase() === 'authorization')) {
    throw new ConfigError('TARGET_HEADERS', 'must not carry Authorization', 'Give tokens through the AUTH_* variables so the suite can vary and redact them.');
  }
  return parsed as Record<string, string>;
}

function jsonFile(env: Env, name: string, fallback: string): unknown {
  const path = resolve(text(env, name) ?? fallback);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(name, `cannot read ${path}`, 'Point it at a JSON file with the create request body.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(name, `${path} is not valid JSON`, 'Fix the file or point the variable at another one.');
  }
}

function clientCredentials(env: Env): Config['clientCredentials'] {
  const names = ['AUTH_TOKEN_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'] as const;
  const [tokenUrl, clientId, clientSecret] = names.map((n) => text(env, n));
  if (!tokenUrl && !clientId && !clientSecret) return undefined;
  const missing = names.filter((_, i) => ![tokenUrl, clientId, clientSecret][i]);
  if (missing.length > 0) {
    throw new ConfigError(missing[0]!, 'is missing', `The client-credentials source needs all of ${names.join(', ')}.`);
  }
  try {
    new URL(tokenUrl!);
  } catch {
    throw new ConfigError('AUTH_TOKEN_URL', `"${tokenUrl}" is not a URL`, 'Use the issuer token endpoint, e.g. https://issuer.example/token.');
  }
  return { tokenUrl: tokenUrl!, clientId: clientId!, clientSecret: clientSecret! };
}

function scopeChecks(env: Env): string | undefined {
  const mode = oneOf(env, 'SCOPE_CHECKS', ['enforced', 'not-applicable'], 'enforced');
  if (mode === 'enforced') return undefined;
  const reason = text(env, 'SCOPE_CHECKS_REASON');
  if (!reason) {
    throw new ConfigError('SCOPE_CHECKS_REASON', 'is required when SCOPE_CHECKS=not-applicable', 'Say why the target does not use OAuth scopes (it is printed in the report).');
  }
  return reason;
}

/** 8 attempts pause ~1.8 s in all: a zone failing one request in ten fails a call once in 10⁸. */
export const DEFAULT_RETRY = { attempts: 8, seconds: 30 } as const;
/**
 * A controller reconciles within a second or two (CONTRACT "Live zones"). 1 s at least, counted from
 * the last call: the watched tests come 1.2-1.7 s after those calls in a quiet run, so this costs
 * no wall time, where 2 s added a second to every run (2.7 s → 3.7 s, floor 1.5 s).
 */
export const DEFAULT_QUIET_PERIOD_S = 1;

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const CLOUD_BASE_URL = 'https://translate.googleapis.com';

/**
 * TARGET_PRESET=gdc|cloud: the defaults it fills in. Only unset (or empty) variables are filled:
 * explicit ones always win. The global setup writes these into process.env so workers and the
 * summary see the same values.
 */
export function presetDefaults(env: Env): Record<string, string> {
  const raw = text(env, 'TARGET_PRESET');
  if (raw === undefined) return {};
  if (raw !== 'gdc' && raw !== 'cloud') {
    throw new ConfigError('TARGET_PRESET', `"${raw}" is not a preset`, 'Use gdc (Google Distributed Cloud) or cloud (translate.googleapis.com), or leave it unset.');
  }
  const project = text(env, 'TARGET_PROJECT');
  if (!project && !text(env, 'TARGET_PARENT')) {
    throw new ConfigError('TARGET_PROJECT', `is required with TARGET_PRESET=${raw}`, 'Set it to your project ID (or set TARGET_PARENT yourself).');
  }
  if (project !== undefined && !/^[^/\s]+$/.test(project)) {
    throw new ConfigError('TARGET_PROJECT', `"${project}" is not a project ID`, 'Use the bare ID, e.g. my-project (no slashes).');
  }
  const defaults: Record<string, string> = { TARGET_API_PREFIX: '/v3' };
  if (raw === 'gdc') {
    const base = text(env, 'TARGET_BASE_URL');
    if (!base) throw new ConfigError('TARGET_BASE_URL', 'is required with TARGET_PRESET=gdc', 'Set it to the Translation endpoint of your GDC zone, e.g. https://translation.zone1.gdc.example.');
    if (project) defaults.TARGET_PARENT = `projects/${project}`;
    // GDC authenticates with audience-bound identity tokens.
    defaults.AUTH_TOKEN_COMMAND = `gdcloud auth print-identity-token --audiences=${base.replace(/\/+$/, '')}`;
  } else {
    const location = text(env, 'TARGET_LOCATION') ?? 'us-central1';
    if (!/^[^/\s]+$/.test(location)) {
      throw new ConfigError('TARGET_LOCATION', `"${location}" is not a location ID`, 'Use the bare ID, e.g. us-central1.');
    }
    defaults.TARGET_BASE_URL = CLOUD_BASE_URL;
    if (project) defaults.TARGET_PARENT = `projects/${project}/locations/${location}`;
  }
  return Object.fromEntries(Object.entries(defaults).filter(([name]) => text(env, name) === undefined));
}

function commands(env: Env): Config['commands'] {
  const pick = (name: string) => (text(env, name) ? { [name]: text(env, name) } : {});
  const named = { ...pick('AUTH_TOKEN_COMMAND'), ...pick('AUTH_TOKEN_COMMAND_TRANSLATION'), ...pick('AUTH_TOKEN_COMMAND_PLATFORM'), ...pick('AUTH_TOKEN_COMMAND_INSUFFICIENT') };
  return {
    ...(named.AUTH_TOKEN_COMMAND ? { everyday: named.AUTH_TOKEN_COMMAND } : {}),
    ...(named.AUTH_TOKEN_COMMAND_TRANSLATION ? { translation: named.AUTH_TOKEN_COMMAND_TRANSLATION } : {}),
    ...(named.AUTH_TOKEN_COMMAND_PLATFORM ? { platform: named.AUTH_TOKEN_COMMAND_PLATFORM } : {}),
    ...(named.AUTH_TOKEN_COMMAND_INSUFFICIENT ? { insufficient: named.AUTH_TOKEN_COMMAND_INSUFFICIENT } : {}),
    ttlS: positiveNumber(env, 'AUTH_TOKEN_COMMAND_TTL', 300),
    timeoutMs: positiveNumber(env, 'AUTH_TOKEN_COMMAND_TIMEOUT', 30) * 1000,
  };
}

/** Reads and checks the service-account key; the private key never appears in a message. */
export function serviceAccountKey(env: Env): ServiceAccountKey | undefined {
  const name = 'GOOGLE_APPLICATION_CREDENTIALS';
  const file = text(env, name);
  if (file === undefined) return undefined;
  const path = resolve(file);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(name, `cannot read ${path}`, 'Point it at a service-account JSON key file.');
  }
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ConfigError(name, `${path} is not valid JSON`, 'Point it at a service-account JSON key file (IAM > Service accounts > Keys).');
  }
  if (typeof key !== 'object' || key === null || key.type !== 'service_account') {
    const type = typeof key === 'object' && key !== null && typeof key.type === 'string' ? `"${key.type}"` : 'no type';
    throw new ConfigError(name, `${path} is not a service-account key (type is ${type})`, 'Use a key whose "type" is "service_account"; user credentials cannot mint tokens for chosen scopes.');
  }
  const missing = ['client_email', 'private_key'].filter((field) => typeof key[field] !== 'string' || !key[field]);
  if (missing.length > 0) throw new ConfigError(name, `${path} has no ${missing.join(' or ')}`, 'Download a fresh JSON key for the service account.');
  const tokenUri = typeof key.token_uri === 'string' && key.token_uri ? key.token_uri : GOOGLE_TOKEN_URI;
  try {
    new URL(tokenUri);
  } catch {
    throw new ConfigError(name, `${path} has a token_uri that is not a URL`, `Fix token_uri (usually ${GOOGLE_TOKEN_URI}).`);
  }
  return {
    keyFile: path,
    clientEmail: key.client_email as string,
    privateKey: key.private_key as string,
    ...(typeof key.private_key_id === 'string' && key.private_key_id ? { privateKeyId: key.private_key_id } : {}),
    tokenUri,
  };
}

// --- TLS and proxies (README "TLS"). File contents never appear in a message, only paths.

function readFor(env: Env, name: string, what: string): { path: string; text: string } | undefined {
  const file = text(env, name);
  if (file === undefined) return undefined;
  const path = resolve(file);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch {
    throw new ConfigError(name, `cannot read ${path}`, `Point it at ${what}.`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function pemCertificates(name: string, file: { path: string; text: string }, what: string): string[] {
  const blocks = file.text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new ConfigError(name, `${file.path} holds no PEM certificate`, `Use ${what} as PEM (-----BEGIN CERTIFICATE----- blocks); convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem.`);
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(name, `certificate #${i + 1} in ${file.path} cannot be parsed`, 'Replace it with an intact PEM certificate.');
    }
  });
  return blocks;
}

function clientKey(file: { path: string; text: string }, passphrase: string | undefined): KeyObject {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/.test(file.text);
  if (encrypted && !passphrase) throw new ConfigError('TARGET_CLIENT_KEY', `${file.path} is encrypted`, 'Set TARGET_CLIENT_KEY_PASSPHRASE to its passphrase.');
  try {
    return createPrivateKey({ key: file.text, ...(passphrase ? { passphrase } : {}) });
  } catch {
    if (encrypted) {
      throw new ConfigError('TARGET_CLIENT_KEY_PASSPHRASE', `does not decrypt ${file.path}`, 'Check the passphrase of the client key.');
    }
    throw new ConfigError('TARGET_CLIENT_KEY', `${file.path} is not a PEM private key`, 'Point it at the private key of TARGET_CLIENT_CERT (PEM, PKCS#8 or PKCS#1).');
  }
}

function clientCertificate(env: Env): Transport['clientCertificate'] {
  const [cert, key, passphrase] = ['TARGET_CLIENT_CERT', 'TARGET_CLIENT_KEY', 'TARGET_CLIENT_KEY_PASSPHRASE'].map((n) => text(env, n));
  if (!cert && !key) {
    if (passphrase) throw new ConfigError('TARGET_CLIENT_KEY_PASSPHRASE', 'is set without TARGET_CLIENT_KEY', 'Set TARGET_CLIENT_CERT and TARGET_CLIENT_KEY too, or unset it.');
    return undefined;
  }
  if (!cert || !key) {
    throw new ConfigError(cert ? 'TARGET_CLIENT_KEY' : 'TARGET_CLIENT_CERT', 'is missing', 'A client certificate needs both TARGET_CLIENT_CERT (PEM certificate) and TARGET_CLIENT_KEY (its PEM private key).');
  }
  const certFile = readFor(env, 'TARGET_CLIENT_CERT', 'the client certificate (PEM)')!;
  const keyFile = readFor(env, 'TARGET_CLIENT_KEY', 'the private key of TARGET_CLIENT_CERT (PEM)')!;
  const [leaf] = pemCertificates('TARGET_CLIENT_CERT', certFile, 'the client certificate');
  if (!new X509Certificate(leaf!).checkPrivateKey(clientKey(keyFile, passphrase))) {
    throw new ConfigError('TARGET_CLIENT_CERT', `${certFile.path} does not belong to the key in ${keyFile.path}`, 'Use the certificate issued for that key (its first certificate must match the key).');
  }
  return { certFile: certFile.path, keyFile: keyFile.path, ...(passphrase ? { passphrase } : {}) };
}

/** The proxy variables as proxy-from-env reads them (either case); each must be an http(s) URL. */
export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as const;

function checkProxies(env: Env): void {
  for (const name of PROXY_VARIABLES) {
    const raw = text(env, name);
    if (raw === undefined) continue;
    let url: URL | undefined;
    try {
      url = new URL(raw.includes('://') ? raw : `http://${raw}`);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      throw new ConfigError(name, `"${raw.replace(/\/\/[^@/]*@/, '//…@')}" is not an http(s) proxy URL`, 'Use e.g. http://proxy.example:3128 (credentials as http://user:password@host:port).');
    }
  }
}

/** TARGET_CA_FILE, TARGET_CLIENT_CERT/KEY/KEY_PASSPHRASE, TARGET_TLS_INSECURE, and the proxy variables. */
export function transportConfig(env: Env): Transport {
  checkProxies(env);
  const ca = readFor(env, 'TARGET_CA_FILE', "your zone's root CA bundle (PEM)");
  const client = clientCertificate(env);
  return {
    ...(ca ? { caFile: ca.path } : {}),
    caCertificates: ca ? pemCertificates('TARGET_CA_FILE', ca, "your zone's root CA bundle") : [],
    ...(client ? { clientCertificate: client } : {}),
    insecure: flag(env, 'TARGET_TLS_INSECURE'),
  };
}

export function parseConfig(rawEnv: Env): Config {
  const env: Env = { ...rawEnv, ...presetDefaults(rawEnv) };
  const preset = text(env, 'TARGET_PRESET') as Preset | undefined;
  const url = baseUrl(env);
  const grpc = grpcSettings(env);
  const starting = isEmbeddedTarget(env);
  // The embedded target trusts only its own issuer (the global setup marks it with CONFORMANCE_EMBEDDED_PROFILE),
  // so a GOOGLE_APPLICATION_CREDENTIALS set for other tools is not used against it.
  const embedded = starting || text(env, 'CONFORMANCE_EMBEDDED_PROFILE') !== undefined;
  const prefix = apiPrefix(env);
  const parentName = parent(env, starting);
  const insufficient = (text(env, 'AUTH_TOKEN_INSUFFICIENT') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const optional = (name: string) => text(env, name);
  // Before the embedded target is up, both of its doors count as configured.
  const judged = doors(env, starting || url !== undefined, starting || grpc !== undefined);
  return {
    baseUrl: url,
    doors: judged,
    ...(grpc ? { grpc } : {}),
    apiPrefix: prefix,
    parent: parentName,
    headers: headers(env),
    createPath: (text(env, 'OPERATION_CREATE_PATH') ?? '{TARGET_API_PREFIX}/{TARGET_PARENT}:batchTranslateDocument')
      .replaceAll('{TARGET_API_PREFIX}', prefix)
      .replaceAll('{TARGET_PARENT}', parentName ?? ''),
    createBody: jsonFile(env, 'OPERATION_CREATE_BODY', 'fixtures/batch-translate-long.json'),
    createBodyQuick: jsonFile(env, 'OPERATION_CREATE_BODY_QUICK', 'fixtures/batch-translate-quick.json'),
    tokens: {
      ...(optional('AUTH_TOKEN_TRANSLATION') ? { translation: optional('AUTH_TOKEN_TRANSLATION') } : {}),
      ...(optional('AUTH_TOKEN_PLATFORM') ? { platform: optional('AUTH_TOKEN_PLATFORM') } : {}),
      ...(optional('AUTH_TOKEN_EXPIRED') ? { expired: optional('AUTH_TOKEN_EXPIRED') } : {}),
      insufficient,
    },
    clientCredentials: clientCredentials(env),
    commands: commands(env),
    ...(embedded ? {} : { serviceAccount: serviceAccountKey(env) }),
    ...(preset ? { preset } : {}),
    cancelSupport: oneOf(env, 'CANCEL_SUPPORT', ['auto', 'supported', 'unimplemented'], 'auto'),
    settleTimeoutMs: positiveNumber(env, 'CANCEL_SETTLE_TIMEOUT', 30) * 1000,
    requestTimeoutMs: positiveNumber(env, 'REQUEST_TIMEOUT', 15) * 1000,
    cancelAttempts: positiveNumber(env, 'CANCEL_ATTEMPTS', 3, { integer: true }),
    maxOperations: positiveNumber(env, 'CONFORMANCE_MAX_OPERATIONS', judged.length > 1 ? DEFAULT_MAX_OPERATIONS.bothDoors : DEFAULT_MAX_OPERATIONS.oneDoor, { integer: true }),
    scopeChecksNotApplicable: scopeChecks(env),
    authMode: oneOf(env, 'AUTH_MODE', ['oauth', 'none'], 'oauth'),
    ...(listPath(env) ? { listPath: listPath(env) } : {}),
    waitSupport: oneOf(env, 'WAIT_SUPPORT', ['auto', 'supported', 'absent'], 'auto'),
    listSupport: oneOf(env, 'LIST_SUPPORT', ['auto', 'supported', 'absent'], 'auto'),
    allowBareStatus: oneOf(env, 'ERROR_FORM', ['envelope', 'envelope-or-bare-status'], 'envelope') !== 'envelope',
    allowDoneWithoutResult: flag(env, 'ALLOW_DONE_WITHOUT_RESULT'),
    finishedCancelPolicy: oneOf(env, 'FINISHED_CANCEL_POLICY', ['either', 'failed-precondition', 'ok'], 'either'),
    transport: transportConfig(env),
    retry: {
      maxAttempts: positiveNumber(env, 'RETRY_MAX_ATTEMPTS', DEFAULT_RETRY.attempts, { integer: true }),
      maxMs: positiveNumber(env, 'RETRY_MAX_SECONDS', DEFAULT_RETRY.seconds) * 1000,
    },
    quietPeriodMs: nonNegativeSeconds(env, 'QUIET_PERIOD', DEFAULT_QUIET_PERIOD_S),
    strict: strictModes(env),
    ...(otherParent(env, parentName) ? { otherParent: otherParent(env, parentName) } : {}),
  };
}

let cached: Config | undefined;
/** The worker's configuration, parsed once from process.env. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
