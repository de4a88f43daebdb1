import { expect, test } from '@playwright/test';
import { backoffDelays, pollUntil, roundTripDelay } from '../../src/running/poll';

/** A fake clock: sleeping advances time instantly, so the tests are exact and fast. */
function fakeClock() {
  let now = 0;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms: number) => { slept.push(ms); now += ms; }, slept, advance: (ms: number) => { now += ms; } };
}

test.describe('poller', () => {
  test('backoff grows by the factor and stops at the cap', () => {
    const delays = backoffDelays(100, 2, 500);
    expect(Array.from({ length: 5 }, () => delays.next().value)).toEqual([100, 200, 400, 500, 500]);
  });

  test('returns the first defined value and counts attempts', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await pollUntil(async () => (++calls === 3 ? 'done' : undefined), { deadlineMs: 10_000, initialDelayMs: 100, factor: 2, ...clock });
    expect(result).toEqual({ value: 'done', attempts: 3 });
    expect(clock.slept).toEqual([100, 200]);
  });

  test('gives up at the deadline, never sleeping past it', async () => {
    const clock = fakeClock();
    const result = await pollUntil(async () => undefined, { deadlineMs: 1_000, initialDelayMs: 300, factor: 2, maxDelayMs: 2_000, ...clock });
    expect(result.value).toBeUndefined();
    expect(clock.now()).toBe(1_000);
    expect(clock.slept).toEqual([300, 600, 100]);
  });

  test('tells each attempt how much time is left, with one last look at the deadline', async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    await pollUntil(async (remaining) => { seen.push(remaining); clock.advance(400); return undefined; }, { deadlineMs: 1_000, initialDelayMs: 100, factor: 1, ...clock });
    expect(seen).toEqual([1_000, 500, 0]);
  });

  test('by default the first delay is the first attempt\'s round trip, so a loopback target is polled within milliseconds', async () => {
    const clock = fakeClock();
    let calls = 0;
    // Each attempt takes 3 ms, as a request to a local server does.
    await pollUntil(async () => { clock.advance(3); return ++calls === 4 ? 'done' : undefined; }, { deadlineMs: 10_000, factor: 2, ...clock });
    expect(clock.slept).toEqual([3, 6, 12]);
  });

  test('a slow first attempt (a remote target, a blocking :wait) starts no later than 100 ms, a fast one no sooner than 2 ms', async () => {
    expect([roundTripDelay(0), roundTripDelay(0.4), roundTripDelay(40), roundTripDelay(5_000)]).toEqual([2, 2, 40, 100]);
    const clock = fakeClock();
    let calls = 0;
    await pollUntil(async () => { clock.advance(5_000); return ++calls === 2 ? 'done' : undefined; }, { deadlineMs: 60_000, ...clock });
    expect(clock.slept).toEqual([100]);
  });
});
