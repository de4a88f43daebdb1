// Cancel semantics the clients rely on: harmless repeats, no harm to finished operations, sane
// answers for names that do not exist or are not names (all derived from a name the target
// returned), and parallel cancels.
import { rpcStatusOf } from '../src/judging/error-model';
import { said } from '../src/transport/evidence';
import { cancellationShown, noOpCancelAllowed } from '../src/judging/judge';
import { isOperation, outcomeOf, resultOf, sameResult, type Operation } from '../src/judging/operation';
import { settle } from '../src/running/settle';
import { check, checkReply, covers, describeOnEachDoor, evidence, is2xx, test, unverified } from './fixtures';
import { cancelled } from './observed';

const PARALLEL_CANCELS = 5;

describeOnEachDoor('cancel semantics', () => {
  test('a repeated cancel succeeds and the operation stays cancelled', covers('cancel.semantics.idempotent'), async ({ cfg, scenarios }) => {
    const { final, after } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    await checkReply(`a repeat cancel of the cancelled operation is accepted (2xx, or FAILED_PRECONDITION as FINISHED_CANCEL_POLICY=${cfg.finishedCancelPolicy} allows)`,
      after.repeat, (ex) => noOpCancelAllowed(ex, cfg));
    const now = after.getAfterRepeat.json as Operation | undefined;
    await check('the operation stays cancelled, its result unchanged', after.getAfterRepeat.status === 200 && isOperation(now) && sameResult(now, final),
      () => `after the repeat, GET ${said(after.getAfterRepeat)}; before it the result was ${JSON.stringify(resultOf(final))}`, after.getAfterRepeat);
  });

  test('an unknown operation name gets 404 NOT_FOUND (or 403)', covers('cancel.semantics.not-found'), async ({ cfg, scenarios }) => {
    const { unknown } = await scenarios.nameErrors();
    await evidence(unknown.label, [unknown.exchange]);
    await checkReply(`the cancel of ${unknown.label} gets 404 (or 403)`, unknown.exchange, (ex) => ex.status === 404 || ex.status === 403);
    if ([403, 404].includes(unknown.exchange.status)) {
      const expected = unknown.exchange.status === 404 ? 'NOT_FOUND' : 'PERMISSION_DENIED';
      await checkReply(`the ${unknown.exchange.status} says ${expected}`, unknown.exchange, (ex) => rpcStatusOf(ex, cfg) === expected);
    }
  });

  test('a malformed operation name gets 400 or 404, never 5xx', covers('cancel.semantics.malformed-name'), async ({ scenarios }) => {
    const { malformed } = await scenarios.nameErrors();
    await evidence('cancels of malformed names', malformed.map((m) => m.exchange));
    for (const { label, exchange } of malformed) await checkReply(`${label}: 400 or 404`, exchange, (ex) => ex.status === 400 || ex.status === 404);
  });

  test('parallel cancels all succeed and leave one consistent final state', covers('cancel.semantics.concurrent'), async ({ api, cfg, createOperation }) => {
    const name = await createOperation('long');
    const replies = await Promise.all(Array.from({ length: PARALLEL_CANCELS }, () => api.cancel(name)));
    for (const [i, reply] of replies.entries()) {
      await checkReply(`parallel cancel #${i + 1} is accepted (2xx, or FAILED_PRECONDITION once done where FINISHED_CANCEL_POLICY allows)`, reply, (ex) => is2xx(ex) || noOpCancelAllowed(ex, cfg));
    }
    // FAILED_PRECONDITION says "already finished": with no cancel accepted, only true of an operation shown done.
    if (!replies.some(is2xx)) {
      const precondition = replies.find((r) => rpcStatusOf(r, cfg) === 'FAILED_PRECONDITION');
      if (!precondition) return;
      const now = await api.get(name);
      await check('cancels answered FAILED_PRECONDITION ("already finished") concern an operation shown done', now.status === 200 && isOperation(now.json) && outcomeOf(now.json) !== 'running',
        () => `no parallel cancel was accepted, one ${said(precondition)}, yet GET ${said(now)}`, precondition);
      return;
    }
    const settled = await settle(api, name, cfg.settleTimeoutMs);
    if (settled.outcome === 'unsettled') unverified(`the operation was not done within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s)`);
    if (settled.outcome === 'vanished' || settled.outcome === 'unreadable') unverified(`after the cancels, GET ${said(settled.last)}, so no final state could be read (cancel.outcome.exists judges that)`);
    const looks = await Promise.all([api.get(name), api.get(name)]);
    const [a, b] = looks.map((l) => (l.status === 200 && isOperation(l.json) ? l.json : undefined));
    await check('two reads after settling agree', !!a && !!b && sameResult(a, b), `GET ${said(looks[0]!)}; GET ${said(looks[1]!)}`, looks[1]);
    await check('the operation is settled', !!a && outcomeOf(a) !== 'running', `GET ${said(looks[0]!)}`, looks[0]);
  });

  test('cancelling a finished operation changes nothing', covers('cancel.semantics.finished-unchanged'), async ({ cfg, scenarios }) => {
    // Created by the probe and cancelled early, once finished; tests/watched.spec.ts reads it again after a quiet period.
    const { create, finished, cancel, after } = await scenarios.finishedCancel();
    await evidence('the quick operation: its creation, its last GET before the cancel, the cancel and the GET after it', [create, finished.last, cancel, after]);
    if (!cancel || !after) {
      unverified(`the quick operation did not finish on its own within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s): the last GET ${said(finished.last)}`);
    }
    await checkReply(`the cancel of a finished operation answers 2xx or FAILED_PRECONDITION (FINISHED_CANCEL_POLICY=${cfg.finishedCancelPolicy})`, cancel, (ex) => noOpCancelAllowed(ex, cfg));
    const now = after.json;
    await check('the finished result is unchanged', after.status === 200 && isOperation(now) && sameResult(now, finished.final!),
      () => `before the cancel: ${JSON.stringify(resultOf(finished.final!))}; after it, GET ${said(after)}`, after);
  });

  test('a cancel affects only the operation it names', covers('cancel.semantics.only-named'), async ({ cfg, scenarios }) => {
    const obs = await scenarios.observedCancellation();
    const { bystanders } = await cancelled(obs, cfg.settleTimeoutMs / 1000);
    await evidence('the run\'s other operations, read once the cancellation settled', bystanders.map((b) => b.get));
    if (bystanders.length === 0) unverified('when the cancellation settled, the run had no other operation that no cancel had named, so nothing showed whether the cancel reached further');
    for (const { name, get } of bystanders) {
      const shown = cancellationShown(get);
      await check(`${name}, which no cancel named, shows no cancellation`, shown === undefined, () => `${shown} after the cancel of ${obs.attempts.map((a) => a.name).join(', ')}`, get);
    }
  });
});
