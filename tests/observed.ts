// Reading the shared observed cancellation: the outcome tests judge a cancelled operation, and
// say why when there is none to judge.
import { said } from '../src/transport/evidence';
import type { Observation } from '../src/running/scenarios';
import { evidence, unverified } from './fixtures';

type Cancelled = Extract<Observation, { kind: 'cancelled' }>;

/** Why no cancelled operation could be examined; undefined when there is one. */
function whyNotObserved(obs: Observation, settleSeconds: number): string | undefined {
  const last = obs.attempts.at(-1)!;
  switch (obs.kind) {
    case 'cancelled':
      return undefined;
    case 'refused':
      return `the cancel itself was not accepted (it ${said(last.cancel)}), so no cancelled operation could be examined (see cancel.request.empty-object)`;
    case 'unsettled':
      return `the cancelled operation was not done within CANCEL_SETTLE_TIMEOUT (${settleSeconds} s): best effort allows it, so nobody can tell`;
    case 'vanished':
    case 'unreadable':
      return `after the accepted cancel, GET ${said(last.settlement!.last)}, so the cancelled operation could not be examined (see cancel.outcome.exists)`;
    case 'completed-anyway':
      return `all ${obs.attempts.length} operations completed despite cancellation (valid best effort), so no cancelled operation could be examined${obs.stoppedBy ? `; no further attempt: ${obs.stoppedBy}` : ''}`;
    case 'inconclusive':
      return obs.reason;
  }
}

/** Every exchange of the observation, for the report. */
export const observationExchanges = (obs: Observation) => [
  ...obs.attempts.flatMap((a) => [a.create, a.cancel, a.settlement?.last]),
  ...(obs.kind === 'cancelled' ? [obs.after.get, obs.after.repeat, obs.after.getAfterRepeat] : []),
];

/** The cancelled operation, with its evidence attached; otherwise the test ends unverified with the reason. */
export async function cancelled(obs: Observation, settleSeconds: number): Promise<Cancelled> {
  await evidence('the observed cancellation', observationExchanges(obs));
  const why = whyNotObserved(obs, settleSeconds);
  if (why) unverified(why);
  return obs as Cancelled;
}
