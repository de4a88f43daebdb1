// The fallback — "If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED."
// Applies only to targets without cancel (found by the probe, or CANCEL_SUPPORT=unimplemented).
import { rpcStatusOf } from '../src/error-model';
import type { Operation } from '../src/operation';
import { covers, expect, test } from './fixtures';

test.describe('cancel on a target that does not implement it', () => {
  test('cancel answers HTTP 501 with status UNIMPLEMENTED', covers('cancel.unimplemented.status'), async ({ api, cfg, runningOperation }) => {
    const cancel = await api.cancel(runningOperation);
    expect(cancel.status, `cancel answered ${cancel.responseText.slice(0, 200)}`).toBe(501);
    expect(rpcStatusOf(cancel, cfg)).toBe('UNIMPLEMENTED');
  });

  test('an UNIMPLEMENTED cancel leaves the operation unaffected', covers('cancel.unimplemented.no-side-effect'),
    async ({ api, runningOperation, expectUntouched }) => {
      await api.cancel(runningOperation);
      await expectUntouched(runningOperation, 'an unimplemented cancel');
      // A cancellation that lands late would show within a short wait.
      const later = await api.wait(runningOperation, 1);
      if (later.status === 200) {
        const op = later.json as Operation;
        expect(op.done, 'a second look, one :wait later, must still find it running').not.toBe(true);
        expect(['CANCELLING', 'CANCELLED']).not.toContain(op.metadata?.state);
      }
    });
});
