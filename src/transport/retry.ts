// Transient answers, retried as the official clients retry them (CONTRACT "Live zones"): the
// google.longrunning client config retries Get/List/Cancel/Delete on UNAVAILABLE and
// DEADLINE_EXCEEDED, first delay 100 ms, multiplier 1.3. A front end's 503/504/502 page, a 429
// and a dropped connection are the zone's bad minute, not the method's answer: never judged.

export interface RetryPolicy {
  /** RETRY_MAX_ATTEMPTS: attempts of one call, the first included. */
  readonly maxAttempts: number;
  /** RETRY_MAX_SECONDS: no retry starts after this long since the first attempt. */
  readonly maxMs: number;
}

export const FIRST_DELAY_MS = 100;
export const MULTIPLIER = 1.3;
/** The clients' cap is 60 s; a release gate bounded by RETRY_MAX_SECONDS never gets near it. */
export const MAX_DELAY_MS = 60_000;

/** What a call got, as far as retrying goes. */
export interface Answer {
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly json: unknown;
  readonly transportError?: string;
  /** On the gRPC door: the status the server sent. */
  readonly grpc?: { readonly codeName?: string };
}

const RESET = /\b(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET)\b|socket hang up|other side closed|closed the connection|connection reset/i;
/** What the gRPC clients retry (UNAVAILABLE, DEADLINE_EXCEEDED), and a quota's RESOURCE_EXHAUSTED, as 429 is over REST. */
const TRANSIENT_GRPC = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED']);
const TIMEOUT = /\b(ETIMEDOUT|UND_ERR_\w*TIMEOUT)\b|Timeout \d+ms exceeded|timed out/i;
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

const rpcStatusName = (json: unknown): string | undefined => {
  const status = (json as { error?: { status?: unknown } } | undefined)?.error?.status;
  return typeof status === 'string' ? status : undefined;
};

/**
 * Why this answer is transient ("HTTP 503 UNAVAILABLE", "HTTP 503 from a proxy (text/plain)",
 * "connection reset", "timeout"), or undefined when it is the method's answer to judge.
 */
export function transientCause(answer: Answer): string | undefined {
  if (answer.transportError !== undefined) {
    if (RESET.test(answer.transportError)) return 'connection reset';
    if (TIMEOUT.test(answer.transportError)) return 'timeout';
    return undefined;
  }
  if (answer.grpc) return answer.grpc.codeName && TRANSIENT_GRPC.has(answer.grpc.codeName) ? `gRPC ${answer.grpc.codeName}` : undefined;
  if (!TRANSIENT_STATUS.has(answer.status)) return undefined;
  const rpc = rpcStatusName(answer.json);
  if (rpc) return `HTTP ${answer.status} ${rpc}`;
  const type = (answer.responseHeaders['content-type'] ?? 'no content type').split(';')[0];
  return `HTTP ${answer.status} from a proxy (${type})`;
}

/** Retry-After (RFC 9110: delay-seconds or an HTTP-date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: Readonly<Record<string, string>>, now = Date.now()): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The pause after failed attempt `n` (1-based): 100 ms × 1.3^(n-1), capped, with jitter in its
 * upper half (so parallel callers spread out, and no pause is near zero); never shorter than Retry-After.
 */
export function retryDelayMs(n: number, retryAfter: number | undefined, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * MULTIPLIER ** (n - 1));
  const jittered = base / 2 + (random() * base) / 2;
  return Math.round(Math.max(jittered, retryAfter ?? 0));
}

/** Whether another attempt may start after failed attempt `n`, `elapsedMs` into the call, pausing `delayMs`. */
export const mayRetry = (policy: RetryPolicy, n: number, elapsedMs: number, delayMs: number) =>
  n < policy.maxAttempts && elapsedMs + delayMs <= policy.maxMs;

/** Retries ran out on a call the run needed: the requirements that depend on it are unverified, never failed. */
export class TransientExhausted extends Error {
  override name = 'TransientExhausted';
}

/** Retries by cause, added up over a run ("HTTP 503 UNAVAILABLE" → 3). */
export type RetryCounts = Record<string, number>;

export function addRetries(into: RetryCounts, from: Readonly<RetryCounts>): RetryCounts {
  for (const [cause, n] of Object.entries(from)) into[cause] = (into[cause] ?? 0) + n;
  return into;
}

/** "4 requests retried (HTTP 503 UNAVAILABLE ×2, connection reset ×2)", or undefined when none were. */
export function describeRetries(counts: Readonly<RetryCounts>): string | undefined {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  return `${total} request${total === 1 ? '' : 's'} retried (${entries.map(([cause, n]) => `${cause} ×${n}`).join(', ')})`;
}
