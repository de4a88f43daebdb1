// Best effort — "The server makes a best effort to cancel the operation, but success is not
// guaranteed. Clients can check whether the operation completed despite cancellation."
// Completing anyway is valid; it must still be a well-formed, honest result.
import { invariantViolations, metadataState } from '../src/operation';
import { formatIssues, validate } from '../src/schemas';
import { covers, expect, notApplicable, test, unverified } from './fixtures';

test.describe('best-effort cancellation', () => {
  test('an operation that completes despite a cancel reports a well-formed result', covers('cancel.outcome.completed-anyway'),
    async ({ cfg, cancelAndSettle }) => {
      // A quick operation is the one most likely to beat its cancel.
      const { cancel, settlement } = await cancelAndSettle('quick');
      expect(settlement, `the cancel was refused: HTTP ${cancel.status}`).toBeDefined();
      const { outcome, final } = settlement!;
      if (outcome === 'unsettled') unverified(`the operation was not done within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s)`);
      expect(outcome, 'GET answered 404: the operation vanished after the cancel').not.toBe('vanished');
      if (outcome === 'cancelled') notApplicable('the target cancelled the operation, so no result completed despite cancellation (the cancelled-operation tests judge that result)');
      expect(invariantViolations(final!, cfg), 'the settled state').toEqual([]);
      const state = metadataState(final!);
      if (outcome === 'completed') {
        const response = validate('operation', final);
        expect(response.valid, response.valid ? '' : formatIssues('operation', response.errors)).toBe(true);
        expect(final!.response, 'a completed operation carries its response').toBeDefined();
        if (state !== undefined) expect(state, 'metadata of an operation that completed anyway').toBe('SUCCEEDED');
      } else if (state !== undefined) {
        expect(['FAILED', 'SUCCEEDED'], 'metadata of an operation that failed anyway').toContain(state);
      }
    });
});
