// Cancel semantics the clients rely on: idempotent retries, no harm to finished operations,
// sane answers for names that do not exist or are not names, and parallel cancels.
import { fixtureJson } from '../src/fixture-files';
import { rpcStatusOf } from '../src/error-model';
import type { Exchange } from '../src/evidence';
import { outcomeOf, resultOf, type Operation } from '../src/operation';
import { settle } from '../src/settle';
import type { Config } from '../src/config';
import { covers, expect, is2xx, test, unverified } from './fixtures';

const PARALLEL_CANCELS = 5;

/** A cancel that changes nothing may answer 2xx or 400 FAILED_PRECONDITION, as FINISHED_CANCEL_POLICY allows. */
function expectNoOpCancelAccepted(ex: Exchange, cfg: Config, what: string) {
  const precondition = ex.status === 400 && rpcStatusOf(ex, cfg) === 'FAILED_PRECONDITION';
  const allowed = { either: is2xx(ex) || precondition, ok: is2xx(ex), 'failed-precondition': precondition }[cfg.finishedCancelPolicy];
  expect(allowed, `${what} answered HTTP ${ex.status} ${ex.responseText.slice(0, 200)} (FINISHED_CANCEL_POLICY=${cfg.finishedCancelPolicy})`).toBe(true);
}

const missingName = (cfg: Config) => `${cfg.parent}/operations/conformance-missing-${Date.now().toString(36)}`;

test.describe('cancel semantics', () => {
  test('a repeated cancel succeeds and the operation stays cancelled', covers('cancel.semantics.idempotent'),
    async ({ api, cfg, runningOperation }) => {
      const first = await api.cancel(runningOperation);
      expect(is2xx(first), `first cancel answered HTTP ${first.status}`).toBe(true);
      const second = await api.cancel(runningOperation);
      expect(is2xx(second), `an immediate second cancel answered HTTP ${second.status} ${second.responseText.slice(0, 200)}`).toBe(true);
      const settled = await settle(api, runningOperation, cfg.settleTimeoutMs);
      if (settled.outcome === 'unsettled') unverified('the operation was not done within CANCEL_SETTLE_TIMEOUT');
      const before = resultOf(settled.final!);
      const third = await api.cancel(runningOperation);
      expectNoOpCancelAccepted(third, cfg, 'a cancel after the operation settled');
      const after = await api.get(runningOperation);
      expect(resultOf(after.json as Operation), 'the settled result must not change').toEqual(before);
    });

  test('cancelling a finished operation changes nothing', covers('cancel.semantics.finished-unchanged'),
    async ({ api, cfg, createOperation }) => {
      const name = await createOperation('quick');
      const finished = await settle(api, name, cfg.settleTimeoutMs);
      if (finished.outcome === 'unsettled') unverified(`the quick operation did not finish within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s)`);
      const before = resultOf(finished.final!);
      const cancel = await api.cancel(name);
      expectNoOpCancelAccepted(cancel, cfg, 'cancel of a finished operation');
      const after = await api.get(name);
      expect(after.status).toBe(200);
      expect(resultOf(after.json as Operation), 'the finished result must not change').toEqual(before);
    });

  test('an unknown operation name gets 404 NOT_FOUND (or 403)', covers('cancel.semantics.not-found'), async ({ api, cfg }) => {
    const cancel = await api.cancel(missingName(cfg));
    expect([404, 403], `answered HTTP ${cancel.status} ${cancel.responseText.slice(0, 200)}`).toContain(cancel.status);
    expect(rpcStatusOf(cancel, cfg)).toBe(cancel.status === 404 ? 'NOT_FOUND' : 'PERMISSION_DENIED');
  });

  test('a malformed operation name gets 400 or 404, never 5xx', covers('cancel.semantics.malformed-name'), async ({ api, cfg }) => {
    const { names } = fixtureJson<{ names: { label: string; name: string }[] }>('malformed-names.json');
    for (const { label, name } of names) {
      const path = name.replace('{parent}', cfg.parent).replace('{long}', 'x'.repeat(5000));
      const cancel = await api.send(`${cfg.apiPrefix}/${path}:cancel`, { method: 'POST', body: '{}' });
      expect.soft([400, 404], `${label}: answered HTTP ${cancel.status}`).toContain(cancel.status);
    }
  });

  test('parallel cancels all succeed and leave one consistent final state', covers('cancel.semantics.concurrent'),
    async ({ api, cfg, runningOperation }) => {
      const replies = await Promise.all(Array.from({ length: PARALLEL_CANCELS }, () => api.cancel(runningOperation)));
      expect(replies.map((r) => r.status).filter((s) => s < 200 || s >= 300), `statuses: ${replies.map((r) => r.status).join(', ')}`).toEqual([]);
      const settled = await settle(api, runningOperation, cfg.settleTimeoutMs);
      if (settled.outcome === 'unsettled') unverified('the operation was not done within CANCEL_SETTLE_TIMEOUT');
      const looks = await Promise.all([api.get(runningOperation), api.get(runningOperation)]);
      const results = looks.map((l) => resultOf(l.json as Operation));
      expect(results[0], 'two reads after settling must agree').toEqual(results[1]);
      expect(outcomeOf(looks[0]!.json as Operation)).not.toBe('running');
    });
});
