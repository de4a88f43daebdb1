// Results watched to the end (CONTRACT "Live zones": controllers reconcile, done is final). Every
// operation the run judged untouched or final is read again once QUIET_PERIOD has passed
// since the last call to it. The calls were made early (src/scenarios.ts), so the quiet period
// runs beside the other tests; this file runs last.
import { said } from '../src/evidence';
import { cancellationShown } from '../src/judge';
import { isOperation, resultOf, sameResult, type Operation } from '../src/operation';
import type { RefusalRound } from '../src/scenarios';
import { check, covers, evidence, partly, test, unverified } from './fixtures';
import { cancelled } from './observed';

const seconds = (ms: number) => `${ms / 1000} s`;

/** The refusal-round groups: which requirement each judges, and the operation its refused calls aimed at. */
const ROUND_GROUPS: readonly { id: string; what: string; target: (r: RefusalRound) => string }[] = [
  { id: 'cancel.request.unknown-field', what: 'cancels with an unknown field', target: (r) => r.unknownField.target },
  { id: 'cancel.request.malformed-json', what: 'cancels with malformed JSON', target: (r) => r.malformedJson.target },
  { id: 'cancel.request.wrong-method', what: 'GET, PUT and DELETE on :cancel', target: (r) => r.wrongMethod.target },
  { id: 'cancel.security.cross-parent', what: 'calls under other parents', target: (r) => r.crossParent.target },
];

test.describe('results watched after a quiet period', () => {
  test('a refused cancel shows no effect after a quiet period either', covers('cancel.auth.no-side-effect'), async ({ cfg, cancelSupport, scenarios }) => {
    const { target, calls, at } = await scenarios.refusedCancels(cancelSupport === 'supported');
    const accepted = calls.find((c) => !c.after);
    if (accepted) {
      partly(`no late look: the cancel with ${accepted.who} was accepted (${said(accepted.reply)}), so a later cancellation would be its own`);
      return;
    }
    const late = await scenarios.lateLook(target, at);
    await evidence(`the operation ${seconds(cfg.quietPeriodMs)} after the last refused cancel`, [late]);
    const shown = cancellationShown(late);
    await check(`${seconds(cfg.quietPeriodMs)} after the refused cancels (${calls.map((c) => c.who).join(', ')}) the operation shows no cancellation`,
      shown === undefined, () => `${shown}: a refused cancel took effect later`, late);
  });

  for (const group of ROUND_GROUPS) {
    test(`${group.what} show no effect after a quiet period`, covers(group.id), async ({ cfg, scenarios }) => {
      const round = await scenarios.refusalRound();
      const target = group.target(round);
      if (group.id === 'cancel.security.cross-parent' && round.crossParent.calls.length === 0) partly('no call under another parent was made: the names carry no parent to swap');
      const late = await scenarios.lateLook(target, round.at);
      await evidence(`the operation ${seconds(cfg.quietPeriodMs)} after the last refused call`, [late]);
      const shown = cancellationShown(late);
      // Several kinds of refused call may share one operation: a late effect cannot be told apart, so each of them answers for it.
      const sharers = ROUND_GROUPS.filter((g) => g.target(round) === target).map((g) => g.what);
      await check(`${seconds(cfg.quietPeriodMs)} after the ${group.what}, the operation still shows no cancellation`, shown === undefined,
        () => `${shown}; every call aimed at it was refused (${sharers.join('; ')})`, late);
    });
  }

  test('a cancelled operation is final: its result does not change after a quiet period', covers('cancel.outcome.exclusive-result'), async ({ cfg, scenarios }) => {
    const { name, final, at } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const late = await scenarios.lateLook(name, at);
    await evidence(`the cancelled operation ${seconds(cfg.quietPeriodMs)} later`, [late]);
    if (late.status !== 200 || !isOperation(late.json)) unverified(`${seconds(cfg.quietPeriodMs)} later, GET ${said(late)} (cancel.outcome.exists judges a cancelled operation that cannot be read)`);
    await check('the done result is unchanged (done is final)', sameResult(late.json as Operation, final),
      () => `when it settled: ${JSON.stringify(resultOf(final))}; ${seconds(cfg.quietPeriodMs)} later: ${JSON.stringify(resultOf(late.json as Operation))}`, late);
  });

  test('a finished operation that got a cancel is unchanged after a quiet period', covers('cancel.semantics.finished-unchanged'), async ({ cfg, scenarios }) => {
    const { name, finished, after, at } = await scenarios.finishedCancel();
    if (!after) unverified(`the quick operation did not finish on its own within CANCEL_SETTLE_TIMEOUT: the last GET ${said(finished.last)}`);
    const late = await scenarios.lateLook(name, at);
    await evidence(`the finished operation ${seconds(cfg.quietPeriodMs)} after its cancel`, [late]);
    await check('its result is the one it finished with', late.status === 200 && isOperation(late.json) && sameResult(late.json, finished.final!),
      () => `when it finished: ${JSON.stringify(resultOf(finished.final!))}; ${seconds(cfg.quietPeriodMs)} after the cancel, GET ${said(late)}`, late);
  });
});
