// Results watched to the end (CONTRACT "Live zones": controllers reconcile, done is final). Every
// operation the run judged untouched or final is read again once QUIET_PERIOD has passed
// since the last call to it, and once more by the teardown at the end of the run. The calls were
// made early (src/running/scenarios.ts), so the quiet period runs beside the other tests; this file runs last.
import { said } from '../src/transport/evidence';
import { cancellationShown } from '../src/judging/judge';
import { recordWatch, type WatchExpectation } from '../src/running/ledger';
import { isOperation, resultKey, resultOf, sameResult, type Operation } from '../src/judging/operation';
import type { Exchange } from '../src/transport/evidence';
import type { RefusalRound } from '../src/running/scenarios';
import type { DoorName } from '../src/transport/operations-client';
import { DOOR_ANNOTATION } from '../src/judging/verdict';
import { check, covers, describeOnEachDoor, evidence, notApplicable, partly, restOnly, test, unverified } from './fixtures';
import { cancelled } from './observed';

const seconds = (ms: number) => `${ms / 1000} s`;

/** What held after the quiet period is read once more by the teardown, at the end of the run (src/running/teardown.ts); a change fails `requirement`. */
const watchToTheEnd = (name: string, requirement: string, held: boolean, expect: WatchExpectation) => held && recordWatch({ name, requirement, expect, door: (test.info().annotations.find((a) => a.type === DOOR_ANNOTATION)?.description ?? 'rest') as DoorName });

/** The refusal-round groups: which requirement each judges, and the operation its refused calls aimed at. */
// The REST-only groups are absent from a gRPC door's round (src/judging/doors.ts): their tests are not applicable there.
const ROUND_GROUPS: readonly { id: string; what: string; target: (r: RefusalRound) => string | undefined; replies: (r: RefusalRound) => readonly Exchange[] }[] = [
  { id: 'cancel.request.unknown-field', what: 'cancels with an unknown field', target: (r) => r.unknownField?.target, replies: (r) => r.unknownField?.cases.map((c) => c.exchange) ?? [] },
  { id: 'cancel.request.malformed-json', what: 'cancels with malformed JSON', target: (r) => r.malformedJson?.target, replies: (r) => r.malformedJson?.cases.map((c) => c.exchange) ?? [] },
  { id: 'cancel.request.wrong-method', what: 'GET, PUT and DELETE on :cancel', target: (r) => r.wrongMethod?.target, replies: (r) => r.wrongMethod?.calls.map((c) => c.reply) ?? [] },
  { id: 'cancel.security.cross-parent', what: 'calls under other parents', target: (r) => r.crossParent.target, replies: (r) => r.crossParent.calls.map((c) => c.cancel) },
];
const accepted = (ex: Exchange) => ex.status >= 200 && ex.status < 300;

describeOnEachDoor('results watched after a quiet period', () => {
  test('a refused cancel shows no effect after a quiet period either', covers('cancel.auth.no-side-effect'), async ({ cfg, cancelSupport, scenarios }) => {
    const { target, calls, at } = await scenarios.refusedCancels(cancelSupport === 'supported');
    const acceptedCall = calls.find((c) => !c.after);
    if (acceptedCall) {
      partly(`no late look: the cancel with ${acceptedCall.who} was accepted (${said(acceptedCall.reply)}), so a later cancellation would be its own`);
      return;
    }
    // Where cancel is unimplemented the refusals share a running refusal target, at which the refusal round aims its calls later.
    if (cancelSupport !== 'supported') {
      partly('no late look: cancel is not implemented, so the refused cancels shared their operation with later calls of the refusal round');
      return;
    }
    const late = await scenarios.lateLook(target, at);
    await evidence(`the operation ${seconds(cfg.quietPeriodMs)} after the last refused cancel`, [late]);
    const shown = cancellationShown(late);
    await check(`${seconds(cfg.quietPeriodMs)} after the refused cancels (${calls.map((c) => c.who).join(', ')}) the operation shows no cancellation`,
      shown === undefined, () => `${shown}: a refused cancel took effect later`, late);
    watchToTheEnd(target, 'cancel.auth.no-side-effect', shown === undefined, { cancellation: 'none' });
  });

  for (const group of ROUND_GROUPS) {
    test(`${group.what} show no effect after a quiet period`, covers(group.id), async ({ cfg, scenarios }) => {
      const round = await scenarios.refusalRound();
      const target = restOnly(group.target(round), group.what);
      if (group.id === 'cancel.security.cross-parent' && round.crossParent.calls.length === 0) notApplicable(`the target's operation names (${target}) carry no project or location to swap`);
      // A call that was accepted (its own requirement's failure) explains a later cancellation: nothing left to watch for the others.
      const acceptedBy = ROUND_GROUPS.filter((g) => g.target(round) === target && g.replies(round).some(accepted)).map((g) => g.what);
      if (acceptedBy.length) {
        partly(`no late look: ${acceptedBy.join(' and ')}, aimed at the same operation, got a 2xx answer, so a later cancellation could be theirs`);
        return;
      }
      const late = await scenarios.lateLook(target, round.at);
      await evidence(`the operation ${seconds(cfg.quietPeriodMs)} after the last refused call`, [late]);
      const shown = cancellationShown(late);
      // Several kinds of refused call may share one operation: a late effect cannot be told apart, so each of them answers for it.
      const sharers = ROUND_GROUPS.filter((g) => g.target(round) === target).map((g) => g.what);
      await check(`${seconds(cfg.quietPeriodMs)} after the ${group.what}, the operation still shows no cancellation`, shown === undefined,
        () => `${shown}; every call aimed at it was refused (${sharers.join('; ')})`, late);
      watchToTheEnd(target, group.id, shown === undefined, { cancellation: 'none' });
    });
  }

  test('a cancelled operation is final: its result does not change after a quiet period', covers('cancel.outcome.exclusive-result'), async ({ cfg, scenarios }) => {
    const { name, final, at } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const late = await scenarios.lateLook(name, at);
    await evidence(`the cancelled operation ${seconds(cfg.quietPeriodMs)} later`, [late]);
    if (late.status !== 200 || !isOperation(late.json)) unverified(`${seconds(cfg.quietPeriodMs)} later, GET ${said(late)} (cancel.outcome.exists judges a cancelled operation that cannot be read)`);
    const unchanged = sameResult(late.json as Operation, final);
    await check('the done result is unchanged (done is final)', unchanged,
      () => `when it settled: ${JSON.stringify(resultOf(final))}; ${seconds(cfg.quietPeriodMs)} later: ${JSON.stringify(resultOf(late.json as Operation))}`, late);
    watchToTheEnd(name, 'cancel.outcome.exclusive-result', unchanged, { result: resultKey(final) });
  });

  test('a finished operation that got a cancel is unchanged after a quiet period', covers('cancel.semantics.finished-unchanged'), async ({ cfg, scenarios }) => {
    const { name, finished, after, at } = await scenarios.finishedCancel();
    if (!after) unverified(`the quick operation did not finish on its own within CANCEL_SETTLE_TIMEOUT: the last GET ${said(finished.last)}`);
    const late = await scenarios.lateLook(name, at);
    await evidence(`the finished operation ${seconds(cfg.quietPeriodMs)} after its cancel`, [late]);
    const unchanged = late.status === 200 && isOperation(late.json) && sameResult(late.json, finished.final!);
    await check('its result is the one it finished with', unchanged,
      () => `when it finished: ${JSON.stringify(resultOf(finished.final!))}; ${seconds(cfg.quietPeriodMs)} after the cancel, GET ${said(late)}`, late);
    watchToTheEnd(name, 'cancel.semantics.finished-unchanged', unchanged, { result: resultKey(finished.final!) });
  });
});
