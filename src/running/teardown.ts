// Leave nothing running. When a run ends (passed, failed or interrupted), every operation in the
// ledger that the run neither deleted nor saw done is looked at: one still running is cancelled,
// watched until it is done (within CANCEL_SETTLE_TIMEOUT), then deleted where the target supports
// DELETE. What it found goes back into the ledger, for the summary's
// operationsLeftRunning. Runs in the global setup's teardown (while the embedded server is still
// up) and, after a run that never got there, in `npm run conformance` itself.
import { request } from '@playwright/test';
import { config, type Config } from './config';
import { ledgerFile, pendingOperations, readLedger, recordLate, recordSweepDone, recordSwept, unansweredWarning, type SweepOutcome, type Watch, type WatchExpectation } from './ledger';
import { said, type Exchange } from '../transport/evidence';
import { cancellationShown } from '../judging/judge';
import { isOperation, outcomeOf, resultKey } from '../judging/operation';
import { newCounters, operationsClient, type DoorName, type OperationsClient } from '../transport/operations-client';
import { openDoors } from '../transport/open-doors';
import { redact } from '../credentials/redact';
import { settle } from './settle';
import { createTokens, isAvailable, type Lookup, type Tokens } from '../credentials/tokens';

export interface SweepResult {
  readonly outcomes: ReadonlyMap<string, SweepOutcome>;
  readonly requests: number;
}

const is2xx = (status: number) => status >= 200 && status < 300;
const stopped = (json: unknown) => isOperation(json) && outcomeOf(json) !== 'running';

/** One operation: [what it is now, what the teardown did]. Never throws. */
async function sweepOne(api: OperationsClient, name: string, settleMs: number): Promise<[SweepOutcome, string]> {
  try {
    const now = await api.get(name);
    if (now.status === 404) return ['gone', 'GET answered 404'];
    if (now.status !== 200 || !isOperation(now.json)) return ['unknown', `GET answered ${now.status}`];
    if (stopped(now.json)) return ['done', 'already done'];
    let cancel = await api.cancel(name);
    // A target that refuses the Node client's {} may still take the Python client's empty body.
    if (cancel.status === 400) cancel = await api.cancel(name, { body: undefined });
    if (!is2xx(cancel.status)) {
      // It may have finished between the GET and the cancel: a cancel of a finished operation may be FAILED_PRECONDITION.
      const after = await api.get(name);
      if (after.status === 404) return ['gone', `the cancel answered ${cancel.status}; then GET answered 404`];
      if (after.status === 200 && stopped(after.json)) return ['done', `finished on its own (the cancel answered ${cancel.status})`];
      // Deleting a running operation would only hide it: it stays, and is reported.
      return ['running', `the cancel answered ${cancel.status}`];
    }
    // The suite's own settling: :wait where it works (one request), GET as the truth.
    const { outcome } = await settle(api, name, settleMs);
    if (outcome === 'unsettled') return ['running', `cancelled, but not done within CANCEL_SETTLE_TIMEOUT (${settleMs / 1000} s)`];
    if (outcome === 'unreadable') return ['unknown', 'cancelled, then GET kept failing'];
    if (outcome === 'vanished') return ['gone', 'cancelled; then GET answered 404'];
    return ['done', `cancelled; DELETE answered ${(await api.remove(name)).status}`];
  } catch (error) {
    return ['unknown', redact((error as Error).message.split('\n')[0] ?? 'unknown error')];
  }
}

/** Why `get` shows the watched expectation broken; undefined when it holds. */
function broken(get: Exchange, expect: WatchExpectation): string | undefined {
  if ('cancellation' in expect) return cancellationShown(get);
  if (get.status !== 200 || !isOperation(get.json)) return `GET ${said(get)}, where it was done with ${expect.result}`;
  const now = resultKey(get.json);
  return now === expect.result ? undefined : `its result changed after done: it was ${expect.result}, now ${now}`;
}

/**
 * Results watched to the end (CONTRACT "Live zones"): each operation a watched test found as it
 * must stay is read once more; a change is recorded against that test's requirement, which the
 * summary then fails. A read that gets no answer judges nothing: the tests' own looks stand.
 */
async function lookOnceMore(apis: ReadonlyMap<DoorName, OperationsClient>, watches: readonly Watch[]): Promise<void> {
  // Each watched operation is read through the door whose test watched it: a door may show it its own way.
  const looks = [...new Set(watches.map((w) => `${w.door ?? 'rest'} ${w.name}`))].map((key) => key.split(' ') as [DoorName, string]);
  await Promise.all(looks.map(async ([door, name]) => {
    const api = apis.get(door);
    const get = await api?.get(name).catch(() => undefined);
    if (!get) return;
    for (const w of watches.filter((x) => x.name === name && (x.door ?? 'rest') === door)) {
      const why = broken(get, w.expect);
      if (why) recordLate({ name, requirement: w.requirement, door, detail: redact(`read once more at the end of the run${door === 'grpc' ? ' (GetOperation)' : ''}, ${name}: ${why}`) });
    }
  }));
}

/**
 * Sweeps the ledger this process has open (CONFORMANCE_LEDGER): cancels what is still running.
 * Returns undefined when there is none; records every outcome and the requests it sent.
 */
export async function sweepLedger({ cfg = config(), tokens }: { cfg?: Config; tokens?: Tokens } = {}): Promise<SweepResult | undefined> {
  const state = readLedger(ledgerFile());
  if (!state) return undefined;
  const pending = pendingOperations(state);
  const watches = state.watches;
  const outcomes = new Map<string, SweepOutcome>();
  /** Names left running, by why. */
  const left = new Map<string, string[]>();
  const counters = newCounters();
  if ((pending.length > 0 || watches.length > 0) && cfg.doors.length > 0) {
    // AUTH_MODE=none: the target authenticates nobody, so the sweep needs no token and sends none.
    const auth: Lookup | 'none' = cfg.authMode === 'none' ? 'none' : await (tokens ?? createTokens(cfg)).everyday().catch((e: Error) => ({ unavailable: e.message }));
    const missing = auth !== 'none' && !isAvailable(auth) ? auth.unavailable : undefined;
    // Same client certificate, proxy and TLS settings as the tests (README "TLS").
    const opened = await openDoors(cfg, request);
    try {
      const apis = new Map([...opened.doors].map(([name, door]) => [name, operationsClient(door, cfg, { defaultAuth: auth !== 'none' && isAvailable(auth) ? auth : 'none', record: (_title, run) => run(), counters })]));
      // Any door cancels: REST where there is one.
      const api = [...apis.values()][0]!;
      // Before anything is cancelled: the last look at what the watched tests found as it must stay.
      if (missing === undefined) await lookOnceMore(apis, watches);
      await Promise.all(pending.map(async (name) => {
        const [outcome, detail] = missing === undefined ? await sweepOne(api, name, cfg.settleTimeoutMs) : (['unknown', missing] as const);
        outcomes.set(name, outcome);
        if (outcome === 'running' || outcome === 'unknown') left.set(detail, [...(left.get(detail) ?? []), name]);
        recordSwept(name, outcome, detail);
      }));
    } finally {
      await opened.close();
    }
    const count = [...left.values()].flat().length;
    if (pending.length > 0) console.log(redact(`lro-cancel-conformance: teardown: ${pending.length} operation(s) the run had not cleaned up; ` +
      (count === 0 ? 'none is left running' : `${count} left running: ${[...left].map(([why, names]) => `${why}: ${names.join(', ')}`).join('; ')}`)));
  }
  const unanswered = unansweredWarning(state, cfg.parent);
  if (unanswered) console.warn(redact(`lro-cancel-conformance: teardown: WARNING: ${unanswered}`));
  recordSweepDone(counters.requests);
  return { outcomes, requests: counters.requests };
}
