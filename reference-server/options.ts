// ReferenceOptions and their parsing from REFERENCE_* environment variables.
import { readFileSync } from 'node:fs';
import { FAULTS, isFaultName, type FaultName } from './faults';
import { DEFAULT_CANCEL_DELAY_MS, PROFILES, isProfileName, type ProfileName } from './profiles';

export interface ReferenceOptions {
  port: number;
  profile: ProfileName;
  faults: FaultName[];
  cancelDelayMs: number;
  finishedCancel: 'failed-precondition' | 'noop';
  maxOperations: number;
  audience: string;
  /** Listen on HTTPS with this PEM certificate and key; `ca` + `requestClientCert`: only clients with a certificate from `ca` get in. */
  tls?: ReferenceTls;
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

function faultList(value: string): FaultName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !isFaultName(n));
  if (unknown !== undefined) throw bad('REFERENCE_FAULTS', unknown, Object.keys(FAULTS).join(', '));
  return [...new Set(names as FaultName[])];
}

/** Fills unset options; the cancel delay and the finished-cancel answer default to the profile's own. */
export function withDefaults(opts: Partial<ReferenceOptions> = {}): ReferenceOptions {
  const profile = opts.profile ?? 'conformant';
  return {
    port: opts.port ?? 0,
    profile,
    faults: opts.faults ?? [],
    cancelDelayMs: opts.cancelDelayMs ?? PROFILES[profile].cancelDelayMs ?? DEFAULT_CANCEL_DELAY_MS,
    finishedCancel: opts.finishedCancel ?? PROFILES[profile].finishedCancel ?? 'failed-precondition',
    maxOperations: opts.maxOperations ?? 100_000,
    audience: opts.audience ?? DEFAULT_AUDIENCE,
    ...(opts.tls ? { tls: opts.tls } : {}),
  };
}

/** Each variable: how to read it into a partial option set. Unset or blank means the default. */
const VARIABLES: Record<string, (v: string) => Partial<ReferenceOptions>> = {
  REFERENCE_PORT: (v) => ({ port: integer('REFERENCE_PORT', v, 0, 65535) }),
  REFERENCE_PROFILE: (v) => ({ profile: oneOf('REFERENCE_PROFILE', v, Object.keys(PROFILES).filter(isProfileName)) }),
  REFERENCE_FAULTS: (v) => ({ faults: faultList(v) }),
  REFERENCE_CANCEL_DELAY_MS: (v) => ({ cancelDelayMs: integer('REFERENCE_CANCEL_DELAY_MS', v, 0, 3_600_000) }),
  REFERENCE_FINISHED_CANCEL: (v) => ({ finishedCancel: oneOf('REFERENCE_FINISHED_CANCEL', v, FINISHED_CANCEL) }),
  REFERENCE_MAX_OPERATIONS: (v) => ({ maxOperations: integer('REFERENCE_MAX_OPERATIONS', v, 1, 10_000_000) }),
  REFERENCE_AUDIENCE: (v) => {
    if (/[\s"\\]/.test(v)) throw bad('REFERENCE_AUDIENCE', v, 'a URI without spaces, quotes or backslashes');
    return { audience: v };
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
