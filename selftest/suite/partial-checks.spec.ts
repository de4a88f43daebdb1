// Item 11: with no token holding neither scope (and no expired one), the requirements that need
// one are not passed silently: insufficient-scope is not-run, and the checks that covered only
// the 401 cases say, in their reason and in the summary, which part they did not check.
import { expect, test } from '@playwright/test';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, startReferenceServer, type RunningReference } from '../../reference-server/index';
import { runConformance } from '../matrix/run-conformance';

async function mint(reference: RunningReference, scope: string): Promise<string> {
  const response = await fetch(reference.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('selftest:selftest').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

for (const fault of ['', 'no-challenge-on-403', 'no-www-authenticate']) {
  test(`static scope tokens only${fault ? `, fault ${fault}` : ''}: the 403 parts are reported unchecked, never passed silently`, async () => {
    test.setTimeout(120_000);
    const reference = await startReferenceServer({ faults: fault ? [fault as never] : [] });
    try {
      const run = await runConformance({
        TARGET_BASE_URL: reference.baseUrl,
        TARGET_PARENT: 'projects/conformance',
        AUTH_TOKEN_TRANSLATION: await mint(reference, TRANSLATION_SCOPE),
        AUTH_TOKEN_PLATFORM: await mint(reference, PLATFORM_SCOPE),
      });
      const byId = new Map((run.summary?.requirements ?? []).map((r) => [r.id, r]));
      const status = (id: string) => byId.get(id)?.status;
      expect(run.summary, run.output.slice(-2000)).toBeDefined();
      expect(status('cancel.auth.insufficient-scope')).toBe('not-run');
      expect(byId.get('cancel.auth.insufficient-scope')?.reason).toMatch(/no token holding neither scope/);
      for (const id of ['errors.envelope', 'errors.error-info', 'cancel.auth.invalid']) {
        expect([status(id), byId.get(id)?.partial], id).toEqual(['passed', true]);
      }
      expect(byId.get('errors.envelope')?.reason).toMatch(/^checked in part: .*no 403 was provoked/);
      expect(byId.get('cancel.auth.invalid')?.reason).toMatch(/^checked in part: no expired token was checked/);
      const challenge = byId.get('cancel.auth.challenge');
      if (fault === 'no-www-authenticate') {
        // What can be checked still is: the 401s have no challenge.
        expect(challenge?.status).toBe('failed');
      } else {
        // A missing challenge on 403 cannot be seen without a 403: the reason says so.
        expect([challenge?.status, challenge?.partial]).toEqual(['passed', true]);
        expect(challenge?.reason).toMatch(/403 was not checked/);
      }
      // insufficient-scope (MUST) was not run: incomplete, whatever else failed.
      expect(run.summary?.verdict).toBe('incomplete');
      expect(run.exitCode).toBe(2);
    } finally {
      await reference.close();
    }
  });
}
