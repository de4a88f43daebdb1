// OAuth for cancel — "Requires one of the following OAuth scopes: cloud-translation, cloud-platform."
// Refusals follow RFC 6750 section 3; a refused cancel has no effect. A target that refuses
// nothing proves nothing by accepting a scoped token.
import { statusWord } from '../src/judging/codes';
import { errorInfosOf, rpcStatusOf } from '../src/judging/error-model';
import { said } from '../src/transport/evidence';
import { cancellationShown, challengeProblems, isRefusal, noOpCancelAllowed } from '../src/judging/judge';
import type { AuthRefusals } from '../src/running/scenarios';
import { isAvailable, type Lookup } from '../src/credentials/tokens';
import { NO_403_CHALLENGE, NO_INSUFFICIENT_REFUSAL, NO_INSUFFICIENT_TOKEN, noExpiredToken } from '../src/judging/reasons';
import { check, checkReply, covers, describeOnEachDoor, evidence, is2xx, notRun, partly, test, unverified } from './fixtures';

const usable = (lookup: Lookup) => (isAvailable(lookup) ? lookup : notRun(lookup.unavailable));

/** Whether the target refused any call that carried a token: otherwise accepting a token proves nothing. */
const refusesTokens = (r: AuthRefusals) => [...r.invalid, ...r.insufficient].some(({ exchange }) => isRefusal(exchange) || exchange.status === 0);

describeOnEachDoor('cancel authorization', () => {
  for (const [id, scopeSet, scope] of [
    ['cancel.auth.translation-scope', 'translation', 'cloud-translation'],
    ['cancel.auth.platform-scope', 'platform', 'cloud-platform'],
  ] as const) {
    test(`a token holding only the ${scope} scope may cancel`, covers(id), async ({ cfg, door, tokens, cancelSupport, scenarios, api }) => {
      const credential = usable(await tokens[scopeSet]());
      const refusals = await scenarios.authRefusals();
      if (!refusesTokens(refusals)) {
        const tokenCalls = [...refusals.invalid, ...refusals.insufficient];
        await evidence('cancels with malformed, forged, expired and insufficient tokens', tokenCalls.map((i) => i.exchange));
        unverified(`the target refused no token at all (${tokenCalls.length} malformed, forged, expired or insufficient ones were accepted, e.g. ${tokenCalls[0]?.label}: it ${tokenCalls[0] ? said(tokenCalls[0].exchange) : 'was not sent'}), so accepting a ${scope}-only token proves nothing`);
      }
      if (cancelSupport !== 'supported') {
        // Nothing can be cancelled: the observed operation takes the call, which must not be refused.
        const cancel = await api.cancel((await scenarios.cancelSubject()).name, { auth: credential, mustAnswer: true });
        return checkReply(`a cancel with a ${scope}-only token is not refused`, cancel, (ex) => !isRefusal(ex) && ex.status !== 0);
      }
      // A running operation, cancelled with the token through every door at once: a successful
      // cancel is the strongest proof of acceptance, and one billed job serves both doors.
      const shared = await scenarios.sharedCancel(`${scopeSet}-scope`, 'long', credential);
      const cancel = shared.cancels[door]!;
      await evidence(`the operation, and its cancel with a ${scope}-only token`, [shared.create, cancel]);
      // The other door's cancel may have finished it first: a refusal for its state shows the token passed authorization.
      const doneFirst = !is2xx(cancel) && noOpCancelAllowed(cancel, cfg) && rpcStatusOf(cancel, cfg) === 'FAILED_PRECONDITION';
      if (doneFirst) partly(`the operation was done when this door's cancel came (it ${said(cancel)}): FAILED_PRECONDITION shows the token passed authorization, not that the cancel took effect`);
      await checkReply(`a cancel with a ${scope}-only token is accepted`, cancel, (ex) => is2xx(ex) || doneFirst);
    });
  }

  test('every token holding neither scope gets 403 PERMISSION_DENIED', covers('cancel.auth.insufficient-scope'), async ({ cfg, scenarios }) => {
    const { insufficient } = await scenarios.authRefusals();
    if (insufficient.length === 0) notRun(NO_INSUFFICIENT_TOKEN);
    await evidence('cancels with tokens holding neither scope', insufficient.map((i) => i.exchange));
    for (const { label, exchange } of insufficient) {
      await checkReply(`${label}: ${statusWord(exchange, 403)}`, exchange, (ex) => ex.status === 403);
      if (exchange.status === 403) await checkReply(`${label}: status PERMISSION_DENIED`, exchange, (ex) => rpcStatusOf(ex, cfg) === 'PERMISSION_DENIED');
    }
  });

  test('a cancel without credentials gets 401 UNAUTHENTICATED', covers('cancel.auth.missing'), async ({ cfg, scenarios }) => {
    const { none } = await scenarios.authRefusals();
    await evidence('the cancel without credentials', [none]);
    await checkReply(`a cancel without credentials gets ${statusWord(none, 401)}`, none, (ex) => ex.status === 401);
    if (none.status === 401) await checkReply('the refusal says UNAUTHENTICATED', none, (ex) => rpcStatusOf(ex, cfg) === 'UNAUTHENTICATED');
  });

  test('a malformed, forged, tampered or expired token gets 401 UNAUTHENTICATED', covers('cancel.auth.invalid'), async ({ cfg, scenarios }) => {
    const { invalid, expiredUnavailable } = await scenarios.authRefusals();
    if (expiredUnavailable) partly(noExpiredToken(expiredUnavailable));
    await evidence('cancels with invalid tokens', invalid.map((i) => i.exchange));
    for (const { label, exchange } of invalid) {
      // The contract demands an answer: a dropped connection is this requirement's failure.
      await checkReply(`${label}: ${statusWord(exchange, 401)}`, exchange, (ex) => ex.status === 401);
      if (exchange.status === 401) await checkReply(`${label}: status UNAUTHENTICATED`, exchange, (ex) => rpcStatusOf(ex, cfg) === 'UNAUTHENTICATED');
    }
  });

  test('401 and 403 carry an RFC 6750 Bearer challenge and the matching ErrorInfo reason', covers('cancel.auth.challenge'), async ({ scenarios }) => {
    const refusals = await scenarios.authRefusals();
    const cases = [
      { who: 'no credentials', exchange: refusals.none, code: undefined, reason: 'CREDENTIALS_MISSING' },
      ...refusals.invalid.slice(0, 1).map((i) => ({ who: i.label, exchange: i.exchange, code: 'invalid_token' as const, reason: undefined })),
      ...refusals.insufficient.slice(0, 1).map((i) => ({ who: i.label, exchange: i.exchange, code: 'insufficient_scope' as const, reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' })),
    ];
    await evidence('the refusals whose challenge is checked', cases.map((c) => c.exchange));
    // Only a refusal carries a challenge: a call that was not refused is auth.missing's or invalid's failure, not this one's.
    const refused = cases.filter((c) => isRefusal(c.exchange));
    const skipped = cases.filter((c) => !isRefusal(c.exchange)).map((c) => `the cancel with ${c.who} was not refused (it ${said(c.exchange)})`);
    if (refused.length === 0) unverified(`nothing was refused, so there was no challenge to check: ${skipped.join('; ')}`);
    if (skipped.length) partly(skipped.join('; '));
    if (refusals.insufficient.length === 0) partly(NO_403_CHALLENGE);
    for (const c of refused) {
      // What the challenge must say follows from the situation (RFC 6750 3.1), not from the status the target chose.
      const problems = challengeProblems(c.exchange, c.code);
      await check(`${c.who}: the ${c.exchange.status} carries a Bearer challenge${c.code ? ` with error="${c.code}"` : ' without an error code'}`, problems.length === 0, problems.join('; '), c.exchange);
      // Whether an ErrorInfo is there at all is errors.error-info's concern; here only its reason, where present.
      const reasons = errorInfosOf(c.exchange).map((info) => info.reason);
      if (c.reason && reasons.length > 0) await check(`${c.who}: ErrorInfo reason ${c.reason}`, reasons.includes(c.reason), `the ErrorInfo reasons are ${JSON.stringify(reasons)}`, c.exchange);
    }
  });

  test('a refused cancel leaves the operation running', covers('cancel.auth.no-side-effect'), async ({ cancelSupport, scenarios }) => {
    // Made early, with their own operation: the quiet period before the late look (tests/watched.spec.ts) runs beside the other tests.
    const { calls } = await scenarios.refusedCancels(cancelSupport === 'supported');
    await evidence('the refused cancels, each followed by a GET', calls.flatMap((c) => [c.reply, c.after]));
    const refused = calls.filter((c) => c.after);
    const accepted = calls.filter((c) => !c.after).map((c) => `the cancel with ${c.who} was accepted (${said(c.reply)})`);
    if (refused.length === 0) unverified(`no cancel was refused (${accepted.join('; ')}), so there was no refused cancel whose effect could be checked`);
    for (const { who, after } of refused) {
      await check(`the cancel refused for ${who} left the operation untouched`, cancellationShown(after!) === undefined, () => cancellationShown(after!)!, after);
    }
    if (accepted.length) partly(`${accepted.join('; ')}; the refusals after it were not checked`);
    else if (refused.length < 3) partly(NO_INSUFFICIENT_REFUSAL);
  });
});
