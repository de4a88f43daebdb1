// Request body rules for POST {name}:cancel — "The request body must be empty."
// `{}` (Node client) MUST work; zero bytes (Python client) SHOULD; anything else SHOULD be a 400
// that leaves the operation as it was.
import { rpcStatusOf } from '../src/judging/error-model';
import { said } from '../src/transport/evidence';
import { cancellationShown } from '../src/judging/judge';
import { check, checkReply, covers, describeOnEachDoor, evidence, is2xx, restOnly, test } from './fixtures';

describeOnEachDoor('cancel request body', () => {
  test('a {} JSON body, as the Node client sends it, is accepted', covers('cancel.request.empty-object'), async ({ scenarios }) => {
    const { cancel } = await scenarios.cancelSubject();
    await evidence('the first cancel of a running operation, with {}', [cancel]);
    await checkReply('a cancel with {} and a JSON content type is accepted (2xx)', cancel, is2xx);
  });

  test('a zero-length body, as the Python client sends it, is accepted', covers('cancel.request.zero-length'), async ({ api, createOperation }) => {
    const name = await createOperation('long');
    const cancel = await api.cancel(name, { body: '', contentType: 'application/json' });
    await checkReply('a cancel with a zero-length body is accepted (2xx)', cancel, is2xx);
  });

  for (const [id, group, what] of [
    ['cancel.request.unknown-field', 'unknownField', 'an unknown field'],
    ['cancel.request.malformed-json', 'malformedJson', 'malformed JSON or a non-object root'],
  ] as const) {
    test(`${what} gets 400 INVALID_ARGUMENT and leaves the operation untouched`, covers(id), async ({ cfg, scenarios }) => {
      const { before, cases, after } = restOnly((await scenarios.refusalRound())[group], `cancels with ${what}`);
      await evidence(`cancels with ${what}, and the operation before and after`, [before, ...cases.map((c) => c.exchange), after]);
      for (const { label, exchange } of cases) {
        await checkReply(`${label} gets HTTP 400`, exchange, (ex) => ex.status === 400);
        if (exchange.status === 400) await checkReply(`${label}: status INVALID_ARGUMENT`, exchange, (ex) => rpcStatusOf(ex, cfg) === 'INVALID_ARGUMENT');
      }
      await check(`the operation is untouched after the cancels with ${what}`, cancellationShown(after) === undefined, () => cancellationShown(after)!, after);
    });
  }

  test('GET, PUT and DELETE on :cancel are refused with 404 or 405 and do not cancel', covers('cancel.request.wrong-method'), async ({ scenarios }) => {
    const { before, calls } = restOnly((await scenarios.refusalRound()).wrongMethod, 'GET, PUT and DELETE on :cancel');
    await evidence('GET, PUT and DELETE on :cancel, and the operation before and after each', [before, ...calls.flatMap((c) => [c.reply, c.after])]);
    for (const { method, reply, after } of calls) {
      // A route miss may be HTML (Google's front end): only the status counts here.
      await check(`${method} on :cancel is refused with 404 or 405`, [404, 405].includes(reply.status), () => `the target ${said(reply)}`, reply);
      await check(`${method} on :cancel left the operation untouched`, cancellationShown(after) === undefined, () => cancellationShown(after)!, after);
    }
  });
});
