// Response body of a successful cancel — "If successful, the response body is empty."
// MUST: 2xx with nothing or exactly {}. SHOULD: 200 {} as JSON, which the Node client needs.
// Both are judged on the first cancel of the observed cancellation.
import { said } from '../src/transport/evidence';
import { formatIssues, validate } from '../src/judging/schemas';
import { check, checkReply, covers, describeOnEachDoor, evidence, is2xx, test, unverified } from './fixtures';

describeOnEachDoor('cancel response body', () => {
  test('a successful cancel answers 2xx with an empty body or exactly {}', covers('cancel.response.empty'), async ({ scenarios }) => {
    const { cancel } = await scenarios.cancelSubject();
    await evidence('the first cancel of a running operation', [cancel]);
    await checkReply('the cancel succeeds (2xx)', cancel, is2xx);
    if (!is2xx(cancel)) return;
    // Over gRPC the reply is google.protobuf.Empty: anything on the wire is a field Empty does not have.
    if (cancel.grpc) return check('the reply is an empty google.protobuf.Empty (zero bytes)', cancel.grpc.replyBytes === 0, `the reply message has ${cancel.grpc.replyBytes} bytes`, cancel);
    if (cancel.responseText.trim() === '') return;
    const result = validate('empty', cancel.json);
    await check('the body is empty or exactly {}', result.valid, () => `the target ${said(cancel)}${result.valid ? '' : `\n${formatIssues('empty', result.errors)}`}`, cancel);
  });

  test('a successful cancel answers 200 {} with a JSON content type', covers('cancel.response.json'), async ({ scenarios }) => {
    const { cancel } = await scenarios.cancelSubject();
    await evidence('the first cancel of a running operation', [cancel]);
    if (!is2xx(cancel)) unverified(`the cancel did not succeed (it ${said(cancel)}): cancel.response.empty judges that`);
    const type = cancel.responseHeaders['content-type'];
    await check('the status is 200', cancel.status === 200, `the status is ${cancel.status}`, cancel);
    await check('the body is {}', cancel.responseText.trim() !== '' && JSON.stringify(cancel.json) === '{}',
      cancel.responseText.trim() === '' ? 'the body is empty (zero-length), which the Node client rejects' : `the body is ${JSON.stringify(cancel.responseText.slice(0, 200))}`, cancel);
    await check('the content type is JSON', /^application\/json\b/i.test(type ?? ''), `expected a JSON content type, got ${type ?? 'none'}`, cancel);
  });
});
