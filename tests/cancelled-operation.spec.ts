// What a cancelled operation looks like — "On successful cancellation, the operation is not
// deleted; instead, it becomes an operation with an Operation.error value with a
// google.rpc.Status.code of 1, corresponding to Code.CANCELLED."
import { invariantViolations, isOperation, metadataState, resultOf, type Operation } from '../src/operation';
import { formatIssues, validate } from '../src/schemas';
import { covers, expect, notApplicable, test } from './fixtures';

const LIST_PAGE_LIMIT = 20;

test.describe('a cancelled operation', () => {
  test('still answers GET 200 with the same name', covers('cancel.outcome.exists'), async ({ api, observeCancellation }) => {
    const { name } = await observeCancellation();
    const again = await api.get(name);
    expect(again.status, `GET after the cancel settled`).toBe(200);
    expect((again.json as Operation).name).toBe(name);
  });

  test('is done with error.code 1 as a number and no response', covers('cancel.outcome.error-code'), async ({ observeCancellation }) => {
    const { final } = await observeCancellation();
    expect(final.done, 'done').toBe(true);
    const status = validate('status', final.error);
    expect(status.valid, status.valid ? '' : formatIssues('status', status.errors)).toBe(true);
    expect(final.error?.code, `error is ${JSON.stringify(final.error)}`).toBe(1);
    expect(final.response, 'a cancelled operation carries no response').toBeUndefined();
  });

  test('every state observed while cancelling obeys the Operation invariants', covers('cancel.outcome.exclusive-result'),
    async ({ api, cfg, observeCancellation }) => {
      const { name, settlement } = await observeCancellation();
      const final = await api.get(name);
      const states = [...settlement.states, ...(isOperation(final.json) ? [final.json] : [])];
      const problems = states.flatMap((op, i) => invariantViolations(op, cfg).map((p) => `state #${i + 1}: ${p}`));
      expect(problems, `${states.length} observed states`).toEqual([]);
    });

  test('is still listed under its parent', covers('cancel.outcome.listed'), async ({ api, cfg, observeCancellation }) => {
    const { name } = await observeCancellation();
    let pageToken: string | undefined;
    for (let page = 1; page <= LIST_PAGE_LIMIT; page++) {
      const list = await api.list(name, { pageSize: '100', ...(pageToken ? { pageToken } : {}) });
      if (page === 1 && [404, 405, 501].includes(list.status)) notApplicable(`list answered HTTP ${list.status}: the target does not list operations`);
      expect(list.status, 'list').toBe(200);
      // The schema holds every listed operation to the strict done/result rule.
      const result = cfg.allowDoneWithoutResult ? ({ valid: true } as const) : validate('list-operations-response', list.json);
      expect(result.valid, result.valid ? '' : formatIssues('list-operations-response', result.errors)).toBe(true);
      const body = list.json as { operations?: Operation[]; nextPageToken?: string };
      if (body.operations?.some((op) => op.name === name)) return;
      pageToken = body.nextPageToken;
      if (!pageToken) break;
    }
    throw new Error(`${name} is not in the list of its parent (searched up to ${LIST_PAGE_LIMIT} pages of 100)`);
  });

  test(':wait returns the cancelled operation at once', covers('cancel.outcome.wait'), async ({ api, observeCancellation }) => {
    const { name, final } = await observeCancellation();
    const timeoutSeconds = 4;
    const waited = await api.wait(name, timeoutSeconds);
    if ([404, 405, 501].includes(waited.status)) notApplicable(`:wait answered HTTP ${waited.status}: the target has no WaitOperation`);
    expect(waited.status).toBe(200);
    const op = waited.json as Operation;
    expect(resultOf(op), ':wait must return what GET returns for the cancelled operation').toEqual(resultOf(final));
    expect(waited.durationMs, `:wait on a done operation took ${waited.durationMs} ms of its ${timeoutSeconds} s timeout`).toBeLessThan(timeoutSeconds * 1000 * 0.75);
  });

  test('has Translation metadata in state CANCELLED', covers('cancel.outcome.metadata-state'), async ({ observeCancellation }) => {
    const { final, settlement } = await observeCancellation();
    const result = validate('batch-translate-document-metadata', final.metadata);
    expect(result.valid, result.valid ? '' : formatIssues('batch-translate-document-metadata', result.errors)).toBe(true);
    expect(metadataState(final), `states seen: ${settlement.states.map(metadataState).join(' → ')}`).toBe('CANCELLED');
  });
});
