// Request body rules for POST {name}:cancel — "The request body must be empty."
// `{}` (Node client) MUST work; zero bytes (Python client) SHOULD; anything else SHOULD be a 400.
import { rpcStatusOf } from '../src/error-model';
import { fixtureJson } from '../src/fixture-files';
import { covers, expect, is2xx, test } from './fixtures';

type BadBody = { label: string; body: string };
const bad = fixtureJson<{ unknownField: BadBody[]; malformedJson: BadBody[] }>('bad-cancel-bodies.json');

test.describe('cancel request body', () => {
  test('a {} JSON body, as the Node client sends it, is accepted', covers('cancel.request.empty-object'), async ({ api, runningOperation }) => {
    const cancel = await api.cancel(runningOperation, { body: '{}', contentType: 'application/json' });
    expect(is2xx(cancel), `cancel with {} answered HTTP ${cancel.status}: ${cancel.responseText.slice(0, 200)}`).toBe(true);
  });

  test('a zero-length body, as the Python client sends it, is accepted', covers('cancel.request.zero-length'), async ({ api, runningOperation }) => {
    const cancel = await api.cancel(runningOperation, { body: '', contentType: 'application/json' });
    expect(is2xx(cancel), `cancel with a zero-length body answered HTTP ${cancel.status}: ${cancel.responseText.slice(0, 200)}`).toBe(true);
  });

  for (const [id, cases] of [['cancel.request.unknown-field', bad.unknownField], ['cancel.request.malformed-json', bad.malformedJson]] as const) {
    test(`${id === 'cancel.request.unknown-field' ? 'an unknown field' : 'malformed JSON or a non-object root'} gets 400 INVALID_ARGUMENT and leaves the operation untouched`, covers(id),
      async ({ api, cfg, runningOperation, expectUntouched }) => {
        for (const { label, body } of cases) {
          const cancel = await api.cancel(runningOperation, { body });
          expect.soft(cancel.status, `${label}: ${body}`).toBe(400);
          expect.soft(rpcStatusOf(cancel, cfg), `${label}: rpc status`).toBe('INVALID_ARGUMENT');
          await expectUntouched(runningOperation, `a cancel with ${label}`);
        }
      });
  }

  test('GET, PUT and DELETE on :cancel are refused with 404 or 405 and do not cancel', covers('cancel.request.wrong-method'), async ({ api, runningOperation, expectUntouched }) => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const reply = await api.cancel(runningOperation, { method, body: method === 'PUT' ? '{}' : undefined });
      expect.soft([404, 405], `${method} …:cancel answered HTTP ${reply.status}`).toContain(reply.status);
      await expectUntouched(runningOperation, `${method} on :cancel`);
    }
  });
});
