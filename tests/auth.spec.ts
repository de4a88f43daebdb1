// OAuth for cancel — "Requires one of the following OAuth scopes: cloud-translation, cloud-platform."
// Refusals follow RFC 6750 section 3 and AIP-193; a refused cancel has no effect.
import { errorInfosOf, rpcStatusOf } from '../src/error-model';
import type { Exchange } from '../src/evidence';
import { invalidTokens, isAvailable, type Lookup } from '../src/tokens';
import { covers, expect, is2xx, notRun, test } from './fixtures';

/** Accepted: 2xx where cancel is supported; where it is not, anything but 401/403 (the status is judged elsewhere). */
function expectAccepted(ex: Exchange, support: 'supported' | 'unimplemented', who: string) {
  const ok = support === 'supported' ? is2xx(ex) : ex.status !== 401 && ex.status !== 403;
  expect(ok, `${who}: cancel answered HTTP ${ex.status} ${ex.responseText.slice(0, 200)}`).toBe(true);
}

const usable = (lookup: Lookup) => (isAvailable(lookup) ? lookup : notRun(lookup.unavailable));

test.describe('cancel authorization', () => {
  for (const [id, scopeSet] of [['cancel.auth.translation-scope', 'translation'], ['cancel.auth.platform-scope', 'platform']] as const) {
    test(`a token holding only the ${scopeSet === 'translation' ? 'cloud-translation' : 'cloud-platform'} scope may cancel`, covers(id),
      async ({ api, tokens, cancelSupport, runningOperation }) => {
        const credential = usable(await tokens[scopeSet]());
        const cancel = await api.cancel(runningOperation, { auth: credential });
        expectAccepted(cancel, cancelSupport, credential.label);
      });
  }

  test('every token holding neither scope gets 403 PERMISSION_DENIED', covers('cancel.auth.insufficient-scope'),
    async ({ api, cfg, tokens, runningOperation }) => {
      const insufficient = await tokens.insufficient();
      if (insufficient.length === 0) notRun('no token holding neither scope could be had: set AUTH_TOKEN_INSUFFICIENT, AUTH_TOKEN_COMMAND_INSUFFICIENT, GOOGLE_APPLICATION_CREDENTIALS or a client-credentials issuer (a source that failed is named in the console)');
      for (const credential of insufficient) {
        const cancel = await api.cancel(runningOperation, { auth: credential });
        expect.soft(cancel.status, `${credential.label}`).toBe(403);
        expect.soft(rpcStatusOf(cancel, cfg), `${credential.label}: rpc status`).toBe('PERMISSION_DENIED');
      }
    });

  test('a cancel without credentials gets 401 UNAUTHENTICATED', covers('cancel.auth.missing'), async ({ api, cfg, runningOperation }) => {
    const cancel = await api.cancel(runningOperation, { auth: 'none' });
    expect(cancel.status).toBe(401);
    expect(rpcStatusOf(cancel, cfg)).toBe('UNAUTHENTICATED');
  });

  test('a malformed, forged, tampered or expired token gets 401 UNAUTHENTICATED', covers('cancel.auth.invalid'),
    async ({ api, cfg, tokens, credential, runningOperation }) => {
      const expired = await tokens.expired();
      const bad = [...(await invalidTokens(credential.token)), ...(isAvailable(expired) ? [expired] : [])];
      if (!isAvailable(expired)) test.info().annotations.push({ type: 'note', description: `expired token not checked: ${expired.unavailable}` });
      for (const credential of bad) {
        const cancel = await api.cancel(runningOperation, { auth: credential });
        expect.soft(cancel.status, credential.label).toBe(401);
        expect.soft(rpcStatusOf(cancel, cfg), `${credential.label}: rpc status`).toBe('UNAUTHENTICATED');
      }
    });

  test('401 and 403 carry an RFC 6750 Bearer challenge and the matching ErrorInfo reason', covers('cancel.auth.challenge'),
    async ({ api, tokens, credential, runningOperation }) => {
      const [malformed] = await invalidTokens(credential.token);
      const [insufficient] = await tokens.insufficient();
      const cases = [
        { who: 'no credentials', auth: 'none' as const, error: undefined, reason: 'CREDENTIALS_MISSING' },
        { who: 'a malformed token', auth: malformed!, error: 'invalid_token', reason: undefined },
        ...(insufficient ? [{ who: insufficient.label, auth: insufficient, error: 'insufficient_scope', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }] : []),
      ];
      for (const c of cases) {
        const cancel = await api.cancel(runningOperation, { auth: c.auth });
        const challenge = cancel.responseHeaders['www-authenticate'] ?? '';
        expect.soft(challenge, `${c.who}: WWW-Authenticate`).toMatch(/^Bearer\b/i);
        if (c.error) expect.soft(challenge, `${c.who}: error attribute`).toContain(`error="${c.error}"`);
        else expect.soft(challenge, `${c.who}: RFC 6750 3.1 — no error code when credentials are missing`).not.toMatch(/error=/);
        // The ErrorInfo itself is errors.error-info's concern; here only its reason, where present.
        const reasons = errorInfosOf(cancel).map((info) => info.reason);
        if (c.reason && reasons.length > 0) expect.soft(reasons, `${c.who}: ErrorInfo reason`).toContain(c.reason);
      }
    });

  test('a refused cancel leaves the operation running and still cancellable', covers('cancel.auth.no-side-effect'),
    async ({ api, tokens, credential, cancelSupport, runningOperation, expectUntouched }) => {
      const [malformed] = await invalidTokens(credential.token);
      const [insufficient] = await tokens.insufficient();
      const refusals = [
        { who: 'no credentials', auth: 'none' as const },
        { who: 'a malformed token', auth: malformed! },
        ...(insufficient ? [{ who: insufficient.label, auth: insufficient }] : []),
      ];
      for (const { who, auth } of refusals) {
        const refused = await api.cancel(runningOperation, { auth });
        if (is2xx(refused)) break; // accepted: the auth tests report that; the state says nothing more
        await expectUntouched(runningOperation, `a cancel refused for ${who}`);
      }
      if (cancelSupport === 'supported') {
        const cancel = await api.cancel(runningOperation);
        expect(is2xx(cancel), `after the refusals a valid cancel answered HTTP ${cancel.status}`).toBe(true);
      }
    });
});
