// Bounded polling: exponential backoff under a hard deadline. No fixed sleeps.

export interface PollOptions {
  readonly deadlineMs: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly factor?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function* backoffDelays(initialMs: number, factor: number, maxMs: number): Generator<number> {
  for (let delay = initialMs; ; delay = Math.min(maxMs, delay * factor)) yield delay;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it returns a value other than undefined or the deadline passes.
 * `attempt` receives the time left, so it may block (e.g. :wait) for at most that long.
 */
export async function pollUntil<T>(
  attempt: (remainingMs: number) => Promise<T | undefined>,
  { deadlineMs, initialDelayMs = 100, maxDelayMs = 2_000, factor = 1.6, now = Date.now, sleep = realSleep }: PollOptions,
): Promise<{ value: T; attempts: number } | { value: undefined; attempts: number }> {
  const end = now() + deadlineMs;
  const delays = backoffDelays(initialDelayMs, factor, maxDelayMs);
  for (let attempts = 1; ; attempts++) {
    const value = await attempt(Math.max(0, end - now()));
    if (value !== undefined) return { value, attempts };
    const remaining = end - now();
    if (remaining <= 0) return { value: undefined, attempts };
    await sleep(Math.min(delays.next().value as number, remaining));
  }
}
