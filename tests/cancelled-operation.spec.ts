// What a cancelled operation looks like — "On successful cancellation, the operation is not
// deleted; instead, it becomes an operation with an Operation.error value with a
// google.rpc.Status.code of 1, corresponding to Code.CANCELLED." All judged on one observed cancellation.
import { said } from '../src/transport/evidence';
import { routeAbsent } from '../src/judging/judge';
import { listPathFor } from '../src/judging/names';
import { LIST_ABSENT, WAIT_ABSENT } from '../src/judging/reasons';
import { hasResponse, invariantViolations, isOperation, metadataState, metadataType, resultOf, type Operation } from '../src/judging/operation';
import { formatIssues, validate } from '../src/judging/schemas';
import { check, checkReply, covers, describeOnEachDoor, evidence, notApplicable, partly, test, unverified } from './fixtures';
import { cancelled, observationExchanges } from './observed';

const LIST_PAGE_LIMIT = 20;
/** Pauses before listing again when the cancelled operation is not listed yet. */
const LIST_LAG_PAUSES_MS = [250, 500, 1000];
const TRANSLATION_METADATA = 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata';

describeOnEachDoor('a cancelled operation', () => {
  test('still answers GET 200 with the same name', covers('cancel.outcome.exists'), async ({ cfg, scenarios }) => {
    const obs = await scenarios.observedCancellation();
    if (obs.kind === 'vanished' || obs.kind === 'unreadable') {
      await evidence('the observed cancellation', observationExchanges(obs));
      const last = obs.attempts.at(-1)!.settlement!.last;
      return checkReply('after an accepted cancel, GET still answers 200 with the Operation', last, () => false);
    }
    const { name, after } = await cancelled(obs, cfg.settleTimeoutMs / 1000);
    await checkReply('GET of the cancelled operation answers 200', after.get, (ex) => ex.status === 200);
    const got = (after.get.json as Operation | undefined)?.name;
    await check('it has the same name', got === name, `GET returned the name ${JSON.stringify(got)}, not ${name}`, after.get);
  });

  test('is done with error.code 1 as a number and no response', covers('cancel.outcome.error-code'), async ({ cfg, scenarios }) => {
    const { final, attributedBy, after } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const why = attributedBy ? ` (${attributedBy})` : '';
    await check('it is done', final.done === true, `done is ${JSON.stringify(final.done)}${why}`, after.get);
    const status = validate('status', final.error);
    await check('its error is a google.rpc.Status', final.error !== undefined && final.error !== null && status.valid,
      () => `error is ${JSON.stringify(final.error)}${status.valid ? '' : `: ${formatIssues('status', status.errors)}`}`, after.get);
    await check('error.code is the number 1 (CANCELLED)', final.error?.code === 1, `error.code is ${JSON.stringify(final.error?.code)}${why}`, after.get);
    await check('it carries no response', !hasResponse(final), () => `it also carries a response: ${JSON.stringify(final.response)?.slice(0, 200)}`, after.get);
  });

  test('every state observed while cancelling obeys the Operation invariants', covers('cancel.outcome.exclusive-result'), async ({ cfg, scenarios }) => {
    const { settlement, after } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const states = [...settlement.states, ...(isOperation(after.get.json) ? [after.get.json] : [])];
    await test.info().attach(`the ${states.length} observed states, in order`, { body: JSON.stringify(states, null, 2), contentType: 'application/json' });
    const problems = states.flatMap((op, i) => invariantViolations(op, cfg).map((p) => `state #${i + 1}: ${p}`));
    await check(`all ${states.length} observed states obey the invariants`, problems.length === 0, problems.join('; '), after.get);
  });

  test('is still listed', covers('cancel.outcome.listed'), async ({ api, cfg, scenarios }) => {
    if (cfg.listSupport === 'absent') notApplicable(LIST_ABSENT);
    const { name } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const path = listPathFor(name, cfg);
    if (!path) notApplicable(`no list path can be derived from the name ${name}: set TARGET_LIST_PATH`);
    // A list may lag behind GET for a moment (CONTRACT "Live zones"): a listing that ends without it is tried again, a few times.
    for (const [round, pause] of [0, ...LIST_LAG_PAUSES_MS].entries()) {
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
      const last = round === LIST_LAG_PAUSES_MS.length;
      let pageSize: Record<string, string> = { pageSize: '100' };
      let pageToken: string | undefined;
      for (let page = 1; page <= LIST_PAGE_LIMIT; page++) {
        let list = await api.list(path, { ...pageSize, ...(pageToken ? { pageToken } : {}) });
        // page_size is optional: a server that refuses the suite's choice is asked with its own default.
        if (page === 1 && list.status === 400 && !routeAbsent(list, cfg)) {
          pageSize = {};
          list = await api.list(path);
        }
        if (page === 1 && routeAbsent(list, cfg) && cfg.listSupport === 'auto') notApplicable(`GET ${path} ${said(list)}: the target does not list operations there (declare LIST_SUPPORT=supported to make this a failure)`);
        const body = list.json as { operations?: unknown; nextPageToken?: unknown } | undefined;
        const ok = list.status === 200 && typeof body === 'object' && body !== null && (body.operations === undefined || Array.isArray(body.operations));
        await checkReply(`page ${page} of the list is a ListOperationsResponse`, list, () => ok);
        if (!ok) return;
        // Judge only the operation under test: the parent may hold operations of any kind.
        const found = (body!.operations as unknown[] | undefined)?.find((op) => isOperation(op) && op.name === name) as Operation | undefined;
        if (found) {
          // ALLOW_DONE_WITHOUT_RESULT relaxes only the result rule: the rest of the Operation is still checked.
          const problems = cfg.allowDoneWithoutResult ? invariantViolations(found, cfg) : (() => { const r = validate('operation', found); return r.valid ? [] : [formatIssues('operation', r.errors)]; })();
          return check('the listed entry is a well-formed Operation', problems.length === 0, problems.join('; '), list);
        }
        pageToken = typeof body!.nextPageToken === 'string' && body!.nextPageToken ? body!.nextPageToken : undefined;
        if (!pageToken) {
          if (last) return check(`${name} is in the list`, false, `the list ended after ${page} page(s) without it, ${LIST_LAG_PAUSES_MS.length + 1} times over ${LIST_LAG_PAUSES_MS.reduce((a, b) => a + b, 0)} ms`, list);
          break;
        }
        if (page === LIST_PAGE_LIMIT) unverified(`${name} was not in the first ${LIST_PAGE_LIMIT} pages of 100, and the list goes on: the page budget ran out before the list ended`);
      }
    }
  });

  test(':wait returns the cancelled operation at once', covers('cancel.outcome.wait'), async ({ api, cfg, scenarios }) => {
    if (cfg.waitSupport === 'absent') notApplicable(WAIT_ABSENT);
    const { name, final } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const timeoutSeconds = 4;
    const waited = await api.wait(name, timeoutSeconds);
    if (routeAbsent(waited, cfg) && cfg.waitSupport === 'auto') notApplicable(`:wait ${said(waited)}: the target has no WaitOperation route (declare WAIT_SUPPORT=supported to make this a failure)`);
    await checkReply(':wait answers 200', waited, (ex) => ex.status === 200);
    const got = isOperation(waited.json) ? resultOf(waited.json) : undefined;
    await check(':wait returns what GET returns for the cancelled operation', JSON.stringify(got) === JSON.stringify(resultOf(final)),
      `:wait returned ${JSON.stringify(got)}, GET ${JSON.stringify(resultOf(final))}`, waited);
    await check(':wait on a done operation returns at once', waited.durationMs < timeoutSeconds * 1000 * 0.75,
      `it took ${waited.durationMs} ms of its ${timeoutSeconds} s timeout`, waited);
  });

  test('has Translation metadata in state CANCELLED', covers('cancel.outcome.metadata-state'), async ({ cfg, scenarios }) => {
    const { final, settlement, after } = await cancelled(await scenarios.observedCancellation(), cfg.settleTimeoutMs / 1000);
    const type = metadataType(final);
    if (type !== TRANSLATION_METADATA) {
      notApplicable(`the operation's metadata is ${type ? `a ${type}` : final.metadata === null ? 'null' : 'absent'}, not BatchTranslateDocumentMetadata: OPERATION_CREATE_PATH creates another kind of operation`);
    }
    const result = validate('batch-translate-document-metadata', final.metadata);
    await check('the metadata is a well-formed BatchTranslateDocumentMetadata', result.valid, () => (result.valid ? '' : formatIssues('batch-translate-document-metadata', result.errors)), after.get);
    const seen = settlement.states.map((s) => metadataState(s) ?? '(none)');
    await check('its state is CANCELLED', metadataState(final) === 'CANCELLED', `states seen: ${seen.join(' → ')}`, after.get);
    if (!seen.includes('CANCELLING')) partly(`CANCELLING was never seen (states seen: ${seen.join(' → ')}): the cancel may have landed between two reads, so only the end state was checked`);
  });
});
