// The faults that break auth, the cancelled outcome and tenant isolation, each against what a
// correct profile answers to the same requests, and the token cache (expired tokens re-refused).
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import type { FaultName, ProfileName } from '../../reference-server/index';
import { PUBLIC, TRANSLATION_SCOPE, api, created, expect, expectEnvelope, mint, serverFor, state, test } from './helpers';

const setup = (faults: FaultName[], profile: ProfileName = 'conformant') => serverFor({ profile, faults });

/** Every kind of bad credential the suite sends: none, garbage, another key, expired, no scope. */
async function badCredentials(ref: () => any): Promise<Record<string, string | null>> {
  const { privateKey } = await generateKeyPair('RS256');
  const forged = await new SignJWT(decodeJwt(await mint(ref(), TRANSLATION_SCOPE))).setProtectedHeader({ alg: 'RS256', kid: 'forged' }).sign(privateKey);
  return {
    missing: null,
    garbage: 'not-a-jwt',
    forged,
    expired: await mint(ref(), TRANSLATION_SCOPE, { expires_in: '-60' }),
    insufficient: await mint(ref(), 'openid'),
  };
}

/** Cancels a fresh long operation and returns it settled. */
async function cancelledOp(ref: () => any, parent = PUBLIC) {
  const a = await api(ref());
  const name = await created(a, parent);
  expect((await a.cancel(name)).status).toBe(200);
  return { a, name, op: await a.until(name, (o) => o?.done) };
}

test.describe('fault accepts-every-call', () => {
  const ref = setup(['accepts-every-call']);
  test('every bad credential cancels', async () => {
    const owner = await api(ref());
    for (const [label, token] of Object.entries(await badCredentials(ref))) {
      const name = await created(owner, PUBLIC);
      expect((await (await api(ref(), token)).cancel(name)).status, label).toBe(200);
      expect((await owner.until(name, (o) => o.done)).error.code, label).toBe(1);
    }
  });
});

test.describe('fault forged-token-reset', () => {
  const ref = setup(['forged-token-reset']);
  test('garbage, forged and expired tokens get no HTTP answer; missing and insufficient still get 401 and 403', async () => {
    const owner = await api(ref());
    const name = await created(owner, PUBLIC);
    const bad = await badCredentials(ref);
    for (const label of ['garbage', 'forged', 'expired']) {
      await expect(fetch(`${ref().baseUrl}/v3/${name}:cancel`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${bad[label]}` } }), label).rejects.toThrow();
    }
    expectEnvelope(await (await api(ref(), null)).cancel(name), 401, 'UNAUTHENTICATED');
    expectEnvelope(await (await api(ref(), bad.insufficient)).cancel(name), 403, 'PERMISSION_DENIED');
    expect(state((await owner.get(name)).json)).toBe('RUNNING');
  });
});

test.describe('fault no-challenge-on-403', () => {
  const ref = setup(['no-challenge-on-403']);
  test('403 has no WWW-Authenticate, 401 still has one', async () => {
    const name = `${PUBLIC}/operations/x`;
    expect((await (await api(ref(), await mint(ref(), 'openid'))).cancel(name)).headers.get('www-authenticate')).toBeNull();
    expect((await (await api(ref(), null)).cancel(name)).headers.get('www-authenticate')).toBe(`Bearer realm="${ref().audience}"`);
  });
});

for (const [fault, code, metadataState] of [
  ['cancelled-as-failed', 2, 'FAILED'],
  ['cancelled-as-499', 499, undefined],
] as const) {
  test.describe(`fault ${fault}`, () => {
    const ref = setup([fault]);
    test(`a cancelled operation ends with error.code ${code} and no CANCELLED anywhere`, async () => {
      const { a, name, op } = await cancelledOp(ref);
      expect(op).toMatchObject({ done: true, error: { code } });
      expect(op).not.toHaveProperty('response');
      expect(op.metadata.state).toBe(metadataState);
      expect(JSON.stringify(op)).not.toContain('CANCELLED');
      expect(JSON.stringify((await a.list(PUBLIC, '?pageSize=1000')).json.operations.find((o: any) => o.name === name))).not.toContain('CANCELLED');
    });
  });
}

for (const [fault, http, status] of [
  ['get-fails-after-cancel', 500, 'INTERNAL'],
  ['get-forbidden-after-cancel', 403, 'PERMISSION_DENIED'],
] as const) {
  test.describe(`fault ${fault}`, () => {
    const ref = setup([fault]);
    test(`GET answers ${http} ${status} once a cancel was accepted, and only then`, async () => {
      const a = await api(ref());
      const name = await created(a, PUBLIC);
      const untouched = await created(a, PUBLIC);
      expect((await a.get(name)).status).toBe(200);
      expect((await a.cancel(name)).status).toBe(200);
      expectEnvelope(await a.get(name), http, status);
      expect((await a.get(untouched)).status).toBe(200);
    });
  });
}

/** The caller's operation ID under other parents (what cancel.security.cross-parent sends). */
const OTHER_PARENTS = ['projects/other/locations/us-central1', 'projects/p/locations/elsewhere', 'projects/other'];
const under = (parent: string, name: string) => `${parent}/operations/${name.split('/').pop()}`;

test.describe('fault cross-parent-resolves', () => {
  const ref = setup(['cross-parent-resolves']);
  test('get and cancel under another parent reach the caller\'s operation', async () => {
    const a = await api(ref());
    for (const parent of OTHER_PARENTS) {
      const name = await created(a, PUBLIC);
      const foreign = under(parent, name);
      expect((await a.get(foreign)).json.name).toBe(name);
      expect((await a.cancel(foreign)).status).toBe(200);
      expect((await a.until(name, (o) => o.done)).error.code).toBe(1);
    }
  });
});

for (const profile of ['conformant', 'google-faithful'] as const) {
  test.describe(`profile ${profile} and another parent`, () => {
    const ref = setup([], profile);
    test('the ID under another project or location is 404 and the operation stays untouched', async () => {
      const a = await api(ref());
      const name = await created(a, PUBLIC);
      for (const parent of OTHER_PARENTS) {
        expectEnvelope(await a.cancel(under(parent, name)), 404, 'NOT_FOUND');
        expectEnvelope(await a.get(under(parent, name)), 404, 'NOT_FOUND');
      }
      expect(state((await a.get(name)).json)).toBe('RUNNING');
    });
  });
}

test.describe('token cache', () => {
  const ref = setup([]);
  test('a cached token is refused as soon as it expires', async () => {
    const owner = await api(ref());
    const name = await created(owner, PUBLIC);
    // exp is 2 s after iat (whole seconds), so the token is valid for at least one more second.
    const a = await api(ref(), await mint(ref(), TRANSLATION_SCOPE, { expires_in: '2' }));
    expect((await a.get(name)).status).toBe(200);
    expect((await a.get(name)).status).toBe(200);
    let r = await a.get(name);
    for (const end = Date.now() + 4000; r.status === 200 && Date.now() < end; ) {
      await new Promise((done) => setTimeout(done, 50));
      r = await a.get(name);
    }
    expectEnvelope(r, 401, 'UNAUTHENTICATED');
    expect(r.json.error.details[0].reason).toBe('ACCESS_TOKEN_EXPIRED');
    expectEnvelope(await a.get(name), 401, 'UNAUTHENTICATED');
  });

  test('a tampered copy of a cached token is verified, not served from the cache', async () => {
    const token = await mint(ref(), TRANSLATION_SCOPE);
    const owner = await api(ref(), token);
    const name = await created(owner, PUBLIC);
    expect((await owner.get(name)).status).toBe(200);
    const [head, payload, sig] = token.split('.');
    const tampered = `${head}.${payload}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expectEnvelope(await (await api(ref(), tampered)).get(name), 401, 'UNAUTHENTICATED');
    expect((await owner.get(name)).status).toBe(200);
  });
});
