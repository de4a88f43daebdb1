// Best effort — "The server makes a best effort to cancel the operation, but success is not
// guaranteed. Clients can check whether the operation completed despite cancellation."
// Completing anyway is valid; it must still be a well-formed, honest result.
import { rpcStatusOf } from '../src/judging/error-model';
import { said } from '../src/transport/evidence';
import { noOpCancelAllowed } from '../src/judging/judge';
import { hasResponse, invariantViolations, isOperation, metadataState, outcomeOf, type Operation } from '../src/judging/operation';
import { settle } from '../src/running/settle';
import { formatIssues, validate } from '../src/judging/schemas';
import { check, covers, describeOnEachDoor, evidence, is2xx, notApplicable, test, unverified } from './fixtures';

describeOnEachDoor('best-effort cancellation', () => {
  test('an operation that completes despite a cancel reports a well-formed result', covers('cancel.outcome.completed-anyway'),
    async ({ api, cfg, door, scenarios }) => {
      // A quick operation is the one most likely to beat its cancel; every door cancels it at once, each judged on its own reply.
      const { name, create, cancels } = await scenarios.sharedCancel('quick-race', 'quick');
      const cancel = cancels[door]!;
      await evidence('the quick operation, and its cancel', [create, cancel]);
      let final: Operation;
      if (is2xx(cancel)) {
        const settled = await settle(api, name, cfg.settleTimeoutMs);
        await evidence('the last GET', [settled.last]);
        if (settled.outcome === 'unsettled') unverified(`the operation was not done within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s)`);
        if (settled.outcome === 'vanished' || settled.outcome === 'unreadable') unverified(`after the cancel, GET ${said(settled.last)} (cancel.outcome.exists judges that)`);
        if (settled.outcome === 'cancelled') notApplicable('the target cancelled the operation, so no result completed despite cancellation (the cancelled-operation tests judge that result)');
        final = settled.final!;
        // An error after an accepted cancel may be the cancellation, mis-coded: the uncancelled control tells.
        if (settled.outcome === 'failed') {
          const control = await scenarios.consultControl(final);
          if ('inconclusive' in control) unverified(control.inconclusive);
          notApplicable(`the quick operation ended with an error after the accepted cancel, and ${control.attributedBy}: it did not complete despite cancellation (cancel.outcome.error-code judges a cancellation's error)`);
        }
      } else if (noOpCancelAllowed(cancel, cfg) && rpcStatusOf(cancel, cfg) === 'FAILED_PRECONDITION') {
        // It finished before the cancel landed: FINISHED_CANCEL_POLICY allows the refusal; its result must still be well formed.
        const get = await api.get(name);
        if (get.status !== 200 || !isOperation(get.json)) unverified(`the cancel found the operation finished, but GET ${said(get)}`);
        final = get.json as Operation;
        await check('an operation refused as already finished is done', outcomeOf(final) !== 'running', `it is still running: ${JSON.stringify(final).slice(0, 200)}`, get);
      } else {
        unverified(`the cancel of the quick operation was not accepted (it ${said(cancel)}), so nothing completed despite it`);
      }
      const problems = invariantViolations(final, cfg);
      await check('the finished state obeys the Operation invariants', problems.length === 0, problems.join('; '));
      const state = metadataState(final);
      if (hasResponse(final)) {
        const result = validate('operation', final);
        await check('the completed operation is well formed', result.valid, () => (result.valid ? '' : formatIssues('operation', result.errors)));
        if (state !== undefined) await check('its metadata says SUCCEEDED', state === 'SUCCEEDED', `metadata state ${state}`);
      } else if (state !== undefined) {
        await check('the metadata of an operation that failed anyway says FAILED or SUCCEEDED', ['FAILED', 'SUCCEEDED'].includes(state), `metadata state ${state}`);
      }
    });
});
