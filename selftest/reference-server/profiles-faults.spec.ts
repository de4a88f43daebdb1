import type { FaultName, ProfileName } from '../../reference-server/index';
import { GDC, PUBLIC, api, created, expect, expectEnvelope, mint, serverFor, state, test } from './helpers';

const setup = (profile: ProfileName, faults: FaultName[] = [], extra = {}) => serverFor({ profile, faults, ...extra });

test.describe('profile unimplemented', () => {
  const ref = setup('unimplemented');
  test('cancel answers 501 and touches nothing; auth first; the rest works', async () => {
    const a = await api(ref());
    const name = await created(a, PUBLIC);
    const r = await a.cancel(name);
    expectEnvelope(r, 501, 'UNIMPLEMENTED');
    expect(r.json.error.message).toBe('Method not implemented: google.longrunning.Operations.CancelOperation');
    expect(r.json.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.ErrorInfo');
    expect(state((await a.get(name)).json)).toBe('RUNNING');
    expectEnvelope(await (await api(ref(), null)).cancel(name), 401, 'UNAUTHENTICATED');
    expect((await a.remove(name)).status).toBe(200);
  });
});

test.describe('profile slow-cancel', () => {
  const ref = setup('slow-cancel', [], { cancelDelayMs: undefined });
  test('stays CANCELLING for the 3000 ms delay', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    await a.cancel(name);
    expect(state((await a.wait(name, '1s')).json)).toBe('CANCELLING');
  });
});

test.describe('profile race', () => {
  const ref = setup('race');
  test('a quick operation finishes SUCCEEDED despite a cancel; a long one cancels', async () => {
    const a = await api(ref());
    const quick = await created(a, GDC, 'quick');
    expect((await a.cancel(quick)).status).toBe(200);
    const done = (await a.wait(quick, '5s')).json;
    expect(done).toMatchObject({ done: true, metadata: { state: 'SUCCEEDED' } });
    expect(done).toHaveProperty('response');
    const long = await created(a, GDC);
    await a.cancel(long);
    expect(await a.until(long, (o) => o.done)).toMatchObject({ error: { code: 1 } });
  });
});

/** Cancels a fresh long operation and returns the settled view. */
async function cancelled(ref: () => any, parent = GDC) {
  const a = await api(ref());
  const name = await created(a, parent);
  const reply = await a.cancel(name);
  return { a, name, reply, op: await a.until(name, (o) => o?.done || o?.error) };
}

test.describe('fault cancelled-code-string', () => {
  const ref = setup('conformant', ['cancelled-code-string']);
  test('error.code is "CANCELLED"', async () => expect((await cancelled(ref)).op.error.code).toBe('CANCELLED'));
});

test.describe('fault cancelled-without-done', () => {
  const ref = setup('conformant', ['cancelled-without-done']);
  test('no done, error present', async () => {
    const { a, name } = await cancelled(ref);
    await new Promise((r) => setTimeout(r, 50));
    const op = (await a.get(name)).json;
    expect(op).not.toHaveProperty('done');
    expect(op.error.code).toBe(1);
  });
});

test.describe('fault cancel-deletes-operation', () => {
  const ref = setup('conformant', ['cancel-deletes-operation']);
  test('GET after cancel is 404', async () => {
    const { a, name, reply } = await cancelled(ref);
    expect(reply.status).toBe(200);
    expectEnvelope(await a.get(name), 404, 'NOT_FOUND');
  });
});

test.describe('faults on the cancel reply', () => {
  for (const [fault, check] of [
    ['cancel-returns-204', (r: any) => expect([r.status, r.text]).toEqual([204, ''])],
    ['cancel-returns-text', (r: any) => expect([r.status, r.text, r.headers.get('content-type')]).toEqual([200, '{}', 'text/plain; charset=utf-8'])],
    ['cancel-returns-operation', (r: any) => expect(r.json.name).toContain('/operations/')],
  ] as const) {
    test.describe(fault, () => {
      const ref = setup('conformant', [fault]);
      test('reply shape', async () => check((await cancelled(ref)).reply));
    });
  }
});

for (const [fault, scope, status] of [
  ['lookalike-scope-accepted', 'https://www.googleapis.com/auth/cloud-platform.read-only', 200],
  ['platform-scope-rejected', 'https://www.googleapis.com/auth/cloud-platform', 403],
] as const) {
  test.describe(`fault ${fault}`, () => {
    const ref = setup('conformant', [fault]);
    test(`${scope} gets ${status}`, async () => {
      const owner = await api(ref());
      const name = await created(owner, GDC);
      expect((await (await api(ref(), await mint(ref(), scope))).cancel(name)).status).toBe(status);
    });
  });
}

test.describe('fault forbidden-still-cancels', () => {
  const ref = setup('conformant', ['forbidden-still-cancels']);
  test('403 but cancelled', async () => {
    const owner = await api(ref());
    const name = await created(owner, GDC);
    expectEnvelope(await (await api(ref(), await mint(ref(), 'openid'))).cancel(name), 403, 'PERMISSION_DENIED');
    expect((await owner.until(name, (o) => o.done)).error.code).toBe(1);
  });
});

test.describe('fault auth-status-swapped + error-code-is-rpc', () => {
  const ref = setup('conformant', ['auth-status-swapped', 'error-code-is-rpc']);
  test('missing token answers 403 with rpc code 7', async () => {
    const r = await (await api(ref(), null)).cancel(`${GDC}/operations/x`);
    expect([r.status, r.json.error.code, r.json.error.status]).toEqual([403, 7, 'PERMISSION_DENIED']);
  });
});

test.describe('fault error-without-envelope + no-www-authenticate', () => {
  const ref = setup('conformant', ['error-without-envelope', 'no-www-authenticate']);
  test('plain text errors without challenge', async () => {
    const r = await (await api(ref(), null)).get(`${GDC}/operations/x`);
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/^Error: /);
    expect(r.headers.get('www-authenticate')).toBeNull();
  });
});

test.describe('fault unimplemented-side-effect', () => {
  const ref = setup('unimplemented', ['unimplemented-side-effect']);
  test('501 yet cancelled', async () => {
    const { reply, op } = await cancelled(ref);
    expectEnvelope(reply, 501, 'UNIMPLEMENTED');
    expect(op.error.code).toBe(1);
  });
});

test.describe('fault wrong-method-cancels + malformed-name-500', () => {
  const ref = setup('conformant', ['wrong-method-cancels', 'malformed-name-500']);
  test('GET on :cancel cancels; a malformed name is 500', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    expect((await a.send('GET', `/v3/${name}:cancel`)).status).toBe(200);
    expect((await a.until(name, (o) => o.done)).error.code).toBe(1);
    expectEnvelope(await a.cancel(`${GDC}/operations/..`), 500, 'INTERNAL');
  });
});

test.describe('fault finished-overwritten', () => {
  const ref = setup('conformant', ['finished-overwritten']);
  test('a succeeded operation becomes CANCELLED', async () => {
    const a = await api(ref());
    const name = await created(a, GDC, 'quick');
    await a.wait(name, '5s');
    expect((await a.cancel(name)).status).toBe(200);
    expect((await a.get(name)).json).toMatchObject({ error: { code: 1 }, metadata: { state: 'CANCELLED' } });
  });
});

test.describe('fault concurrent-cancel-conflict', () => {
  const ref = setup('conformant', ['concurrent-cancel-conflict']);
  test('parallel cancels: one 200, one 409; a later repeat is fine', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    const statuses = (await Promise.all([a.cancel(name), a.cancel(name)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect((await a.cancel(name)).status).toBe(200);
  });
});

test.describe('fault wait-stale + cancelled-not-listed', () => {
  const ref = setup('conformant', ['wait-stale', 'cancelled-not-listed']);
  test('wait returns a stale RUNNING snapshot; list omits the cancelled op', async () => {
    const { a, name } = await cancelled(ref, PUBLIC);
    const r = (await a.wait(name, '0.2s')).json;
    expect(r).not.toHaveProperty('done');
    expect(state(r)).toBe('RUNNING');
    expect(((await a.list(PUBLIC, '?pageSize=1000')).json.operations ?? []).map((o: any) => o.name)).not.toContain(name);
  });
});
