// After a 2xx cancel: watch the operation until it is done or the settle budget runs out.
// GET is the truth (CONTRACT: clients learn the outcome from GetOperation); :wait is only
// used to block cheaply, and dropped as soon as it misbehaves.
import type { Exchange } from '../transport/evidence';
import { isOperation, outcomeOf, type Operation } from '../judging/operation';
import type { OperationsClient } from '../transport/rest/operations-client';
import { pollUntil } from './poll';
import { storable } from './shared';

export interface Settlement {
  /**
   * `vanished`: GET answered 404. `unreadable`: GET kept answering something else than 200 with an
   * Operation (5xx, 403, garbage) — both mean the cancelled operation cannot be read.
   */
  readonly outcome: 'cancelled' | 'completed' | 'failed' | 'unsettled' | 'vanished' | 'unreadable';
  /** Every Operation the target returned while settling (GET and :wait), in order. */
  readonly states: readonly Operation[];
  readonly final?: Operation;
  /** The last GET, without credentials. */
  readonly last: Exchange;
  readonly usedWait: boolean;
}

const WAIT_CHUNK_S = 5;
/** Once :wait has answered "not done" for an operation GET then showed done, it blocks for nothing: this process stops using it. */
let waitStale = false;
/** Transient answers are retried by the client (src/transport/retry.ts); this many other unreadable answers in a row settle it. */
const UNREADABLE_IN_A_ROW = 3;
const NOT_FOUND_IN_A_ROW = 2;

export async function settle(api: OperationsClient, name: string, budgetMs: number): Promise<Settlement> {
  const states: Operation[] = [];
  let waitUsable = !waitStale;
  let usedWait = false;
  let unreadable = 0;
  let notFound = 0;
  let last: Exchange | undefined;

  // GET first (it shows CANCELLING while the cancel is under way), then :wait to block cheaply while
  // it runs; a :wait that says done is confirmed by a GET at once.
  const lookOnce = async (waitedRunning: boolean): Promise<Settlement['outcome'] | 'running' | undefined> => {
    last = await api.get(name);
    if (waitedRunning && last.status === 200 && isOperation(last.json) && outcomeOf(last.json) !== 'running') waitStale = true;
    if (waitStale) waitUsable = false;
    // A 404 straight after a cancel may be an index catching up: only a second one in a row is "vanished".
    if (last.status === 404) return ++notFound >= NOT_FOUND_IN_A_ROW ? 'vanished' : undefined;
    notFound = 0;
    if (last.status !== 200 || !isOperation(last.json)) return ++unreadable >= UNREADABLE_IN_A_ROW ? 'unreadable' : undefined;
    unreadable = 0;
    states.push(last.json);
    return outcomeOf(last.json);
  };
  let waitedRunning = false;
  const result = await pollUntil<Settlement['outcome']>(async (remainingMs) => {
    const seen = await lookOnce(waitedRunning);
    if (seen !== 'running') return seen;
    waitedRunning = false;
    if (!waitUsable || remainingMs < 1000) return undefined;
    const waited = await api.wait(name, Math.min(WAIT_CHUNK_S, Math.floor(remainingMs / 1000)));
    if (waited.status === 200 && isOperation(waited.json)) {
      usedWait = true;
      states.push(waited.json);
      waitedRunning = outcomeOf(waited.json) === 'running';
    } else {
      waitUsable = false;
      // A :wait that hung until its request timed out would hang again: this process stops using it.
      if (waited.status === 0) waitStale = true;
    }
    // GET is the truth, at once after the :wait, whatever it said (the budget may be spent by now).
    const confirmed = await lookOnce(waitedRunning);
    return confirmed === 'running' ? undefined : confirmed;
  }, { deadlineMs: budgetMs });

  const outcome = result.value ?? (notFound > 0 ? 'vanished' : unreadable > 0 ? 'unreadable' : 'unsettled');
  return { outcome, states, final: states.at(-1), last: storable(last!), usedWait };
}

/** A settlement as shared scenarios keep it: its last GET without credentials. */
export const storableSettlement = (s: Settlement): Settlement => ({ ...s, last: storable(s.last) });
