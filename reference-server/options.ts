// ReferenceOptions and their parsing from REFERENCE_* environment variables.
import { readFileSync } from 'node:fs';
import { FAULTS, isFaultName, type FaultName } from './faults';
import { DEFAULT_CANCEL_DELAY_MS, PROFILES, isProfileName, type ProfileName } from './profiles';
import { TRANSIENT_KINDS, zoneKnobs, type ZoneKnobs } from './zone';

/** The server's options; the live-zone knobs (ZoneKnobs) default to the profile's. */
export interface ReferenceOptions extends ZoneKnobs {
  port: number;
  profile: ProfileName;
  faults: FaultName[];
  cancelDelayMs: number;
  finishedCancel: 'failed-precondition' | 'noop';
  maxOperations: number;
  audience: string;
  /** Listen on HTTPS with this PEM certificate and key; `ca` + `requestClientCert`: only clients with a certificate from `ca` get in. */
  tls?: ReferenceTls;
  /** Open the gRPC door too (google.longrunning.Operations, TranslationService), with the REST door's TLS. */
  grpc: boolean;
  /** The gRPC door's port; 0 picks a free one. */
  grpcPort: number;
}

export interface ReferenceTls {
  key: string;
  cert: string;
  ca?: string;
  requestClientCert?: boolean;
}

export class ReferenceConfigError extends Error {
  override name = 'ReferenceConfigError';
}

export const DEFAULT_AUDIENCE = 'https://translation.reference.test';
const FINISHED_CANCEL = ['failed-precondition', 'noop'] as const;

const bad = (variable: string, value: string, allowed: string) => new ReferenceConfigError(`${variable}="${value}" is not valid; allowed: ${allowed}.`);

function integer(variable: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) throw bad(variable, value, `an integer from ${min} to ${max}`);
  return Number(value);
}

function oneOf<T extends string>(variable: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw bad(variable, value, allowed.join(', '));
  return value as T;
}

/** A comma list, each item from `allowed` (or passing `valid`, described by `what`), duplicates dropped. */
function list<T extends string>(variable: string, value: string, allowed: readonly T[], valid = (s: string) => allowed.includes(s as T), what = allowed.join(', ')): T[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !valid(n));
  if (unknown !== undefined) throw bad(variable, unknown, what);
  return [...new Set(names as T[])];
}

function fraction(variable: string, value: string): number {
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(value.trim())) throw bad(variable, value, 'a number from 0 to 1');
  return Number(value);
}

const bool = (variable: string, value: string) => oneOf(variable, value, ['true', 'false'] as const) === 'true';

// GDC projects are Kubernetes namespaces: DNS-1123 labels.
const PROJECT_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Fills unset options; the cancel delay and the finished-cancel answer default to the profile's own. */
export function withDefaults(opts: Partial<ReferenceOptions> = {}): ReferenceOptions {
  const profile = opts.profile ?? 'conformant';
  return {
    ...zoneKnobs(opts, PROFILES[profile].zone),
    port: opts.port ?? 0,
    profile,
    faults: opts.faults ?? [],
    cancelDelayMs: opts.cancelDelayMs ?? PROFILES[profile].cancelDelayMs ?? DEFAULT_CANCEL_DELAY_MS,
    finishedCancel: opts.finishedCancel ?? PROFILES[profile].finishedCancel ?? 'failed-precondition',
    maxOperations: opts.maxOperations ?? 100_000,
    audience: opts.audience ?? DEFAULT_AUDIENCE,
    ...(opts.tls ? { tls: opts.tls } : {}),
    grpc: opts.grpc ?? true,
    grpcPort: opts.grpcPort ?? 0,
  };
}

/** Each variable: how to read it into a partial option set. Unset or blank means the default. */
const VARIABLES: Record<string, (v: string) => Partial<ReferenceOptions>> = {
  REFERENCE_PORT: (v) => ({ port: integer('REFERENCE_PORT', v, 0, 65535) }),
  REFERENCE_PROFILE: (v) => ({ profile: oneOf('REFERENCE_PROFILE', v, Object.keys(PROFILES).filter(isProfileName)) }),
  REFERENCE_FAULTS: (v) => ({ faults: list('REFERENCE_FAULTS', v, Object.keys(FAULTS).filter(isFaultName)) }),
  REFERENCE_CANCEL_DELAY_MS: (v) => ({ cancelDelayMs: integer('REFERENCE_CANCEL_DELAY_MS', v, 0, 3_600_000) }),
  REFERENCE_FINISHED_CANCEL: (v) => ({ finishedCancel: oneOf('REFERENCE_FINISHED_CANCEL', v, FINISHED_CANCEL) }),
  REFERENCE_MAX_OPERATIONS: (v) => ({ maxOperations: integer('REFERENCE_MAX_OPERATIONS', v, 1, 10_000_000) }),
  REFERENCE_AUDIENCE: (v) => {
    if (/[\s"\\]/.test(v)) throw bad('REFERENCE_AUDIENCE', v, 'a URI without spaces, quotes or backslashes');
    return { audience: v };
  },
  REFERENCE_TRANSIENT_RATE: (v) => ({ transientRate: fraction('REFERENCE_TRANSIENT_RATE', v) }),
  REFERENCE_TRANSIENT_KINDS: (v) => ({ transientKinds: list('REFERENCE_TRANSIENT_KINDS', v, TRANSIENT_KINDS) }),
  REFERENCE_RETRY_AFTER: (v) => ({ retryAfterS: integer('REFERENCE_RETRY_AFTER', v, 0, 60) }),
  REFERENCE_TRANSIENT_SEED: (v) => ({ transientSeed: integer('REFERENCE_TRANSIENT_SEED', v, 0, 4_294_967_295) }),
  REFERENCE_LATENCY_JITTER_MS: (v) => ({ latencyJitterMs: integer('REFERENCE_LATENCY_JITTER_MS', v, 0, 5000) }),
  REFERENCE_CONTROLLER_LAG_MS: (v) => ({ controllerLagMs: integer('REFERENCE_CONTROLLER_LAG_MS', v, 0, 600_000) }),
  REFERENCE_METADATA_AHEAD_MS: (v) => ({ metadataAheadMs: integer('REFERENCE_METADATA_AHEAD_MS', v, 0, 600_000) }),
  REFERENCE_LIST_LAG_MS: (v) => ({ listLagMs: integer('REFERENCE_LIST_LAG_MS', v, 0, 600_000) }),
  REFERENCE_STRICT_IDS: (v) => ({ strictIds: bool('REFERENCE_STRICT_IDS', v) }),
  REFERENCE_GRPC: (v) => ({ grpc: bool('REFERENCE_GRPC', v) }),
  REFERENCE_GRPC_PORT: (v) => ({ grpcPort: integer('REFERENCE_GRPC_PORT', v, 0, 65535) }),
  REFERENCE_PROJECTS: (v) => {
    const projects = list<string>('REFERENCE_PROJECTS', v, [], (p) => PROJECT_ID.test(p), 'project IDs (lowercase letters, digits, hyphens), comma-separated');
    return projects.length ? { projects } : {};
  },
};

export function optionsFromEnv(env: NodeJS.ProcessEnv): ReferenceOptions {
  const parts = Object.entries(VARIABLES).map(([name, read]) => {
    const value = env[name]?.trim();
    return value ? read(value) : {};
  });
  return withDefaults(Object.assign({}, ...parts, tlsFromEnv(env)));
}

/** node:https server options for ReferenceTls (fastify's `https`). */
export const httpsServerOptions = (t: ReferenceTls) => ({
  key: t.key,
  cert: t.cert,
  ...(t.ca ? { ca: t.ca } : {}),
  requestCert: !!t.requestClientCert,
  rejectUnauthorized: !!t.requestClientCert,
});

/** REFERENCE_TLS_CERT + REFERENCE_TLS_KEY (PEM files): HTTPS; REFERENCE_TLS_CLIENT_CA too: client certificates required. */
function tlsFromEnv(env: NodeJS.ProcessEnv): Partial<ReferenceOptions> {
  const [cert, key, ca] = ['REFERENCE_TLS_CERT', 'REFERENCE_TLS_KEY', 'REFERENCE_TLS_CLIENT_CA'].map((name) => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new ReferenceConfigError(`${name}=${file} cannot be read; it must name a PEM file.`);
    }
  });
  if (!cert && !key && !ca) return {};
  if (!cert || !key) throw new ReferenceConfigError('REFERENCE_TLS_CERT and REFERENCE_TLS_KEY go together (PEM certificate and its key).');
  return { tls: { cert, key, ...(ca ? { ca, requestClientCert: true } : {}) } };
}
