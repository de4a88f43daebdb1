// Bounded polling: exponential backoff under a hard deadline. No fixed sleeps.
// By default the first delay is the first attempt's own round trip (a few ms on loopback, the
// network's latency on a remote target), so a local target is not kept waiting 100 ms per look
// and a remote one is not asked more often than it can answer.

export interface PollOptions {
  readonly deadlineMs: number;
  /** The first delay; 'round-trip' (the default): how long the first attempt took, within the bounds below. */
  readonly initialDelayMs?: number | 'round-trip';
  /** Bounds of a round-trip first delay. */
  readonly minInitialDelayMs?: number;
  readonly maxInitialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly factor?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function* backoffDelays(initialMs: number, factor: number, maxMs: number): Generator<number> {
  for (let delay = initialMs; ; delay = Math.min(maxMs, delay * factor)) yield delay;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The first delay for an attempt that took `roundTripMs`. */
export const roundTripDelay = (roundTripMs: number, minMs = 2, maxMs = 100) => Math.min(maxMs, Math.max(minMs, roundTripMs));

/**
 * Calls `attempt` until it returns a value other than undefined or the deadline passes.
 * `attempt` receives the time left, so it may block (e.g. :wait) for at most that long.
 */
export async function pollUntil<T>(
  attempt: (remainingMs: number) => Promise<T | undefined>,
  { deadlineMs, initialDelayMs = 'round-trip', minInitialDelayMs = 2, maxInitialDelayMs = 100, maxDelayMs = 2_000, factor = 1.6, now = Date.now, sleep = realSleep }: PollOptions,
): Promise<{ value: T; attempts: number } | { value: undefined; attempts: number }> {
  const end = now() + deadlineMs;
  let delays: Generator<number> | undefined;
  for (let attempts = 1; ; attempts++) {
    const started = now();
    const value = await attempt(Math.max(0, end - started));
    if (value !== undefined) return { value, attempts };
    const remaining = end - now();
    if (remaining <= 0) return { value: undefined, attempts };
    delays ??= backoffDelays(initialDelayMs === 'round-trip' ? roundTripDelay(now() - started, minInitialDelayMs, maxInitialDelayMs) : initialDelayMs, factor, maxDelayMs);
    await sleep(Math.min(delays.next().value as number, remaining));
  }
}
