// The live-zone knobs (REFERENCE_TRANSIENT_*, lags, strict IDs, per-project RBAC), the rbac-zone
// and live-zone profiles, and the faults that only show on a second look, over real HTTP.
import { request } from 'node:http';
import type { FaultName, ReferenceOptions } from '../../reference-server/index';
import { ReferenceConfigError, optionsFromEnv } from '../../reference-server/index';
import { GDC, TRANSLATION_SCOPE, api, created, expect, expectEnvelope, mint, serverFor, state, test, type Api, type Reply } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNKNOWN_ID = '0a1b2c3d-0000-4000-8000-00000000abcd';
const OTHER = 'projects/other';
const HOME = 'projects/conformance';
const SECOND = 'projects/conformance-b';

/** What came back, by kind: a transient answer's name, 'ok', or 'reset' when there was no answer. */
async function kindOf(a: Api, name: string): Promise<string> {
  let r: Reply;
  try {
    r = await a.get(name);
  } catch {
    return 'reset';
  }
  const type = r.headers.get('content-type') ?? '';
  if (r.status === 200) return 'ok';
  if (r.status === 429) return '429';
  if (r.status === 502 && type.startsWith('text/html')) return 'html-502';
  if (r.status === 503 && type.startsWith('text/plain')) return 'proxy-503';
  if (r.status === 503 && r.json?.error?.status === 'UNAVAILABLE') return 'json-503';
  return `unexpected ${r.status}`;
}

async function kindsOf(a: Api, name: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await kindOf(a, name));
  return out;
}

const tally = (kinds: string[]) => kinds.reduce<Record<string, number>>((t, k) => ({ ...t, [k]: (t[k] ?? 0) + 1 }), {});

test.describe('options', () => {
  test('every knob reads from its REFERENCE_* variable', () => {
    expect(
      optionsFromEnv({
        REFERENCE_TRANSIENT_RATE: '0.25',
        REFERENCE_TRANSIENT_KINDS: '429, reset',
        REFERENCE_RETRY_AFTER: '7',
        REFERENCE_TRANSIENT_SEED: '42',
        REFERENCE_LATENCY_JITTER_MS: '30',
        REFERENCE_CONTROLLER_LAG_MS: '300',
        REFERENCE_METADATA_AHEAD_MS: '200',
        REFERENCE_LIST_LAG_MS: '100',
        REFERENCE_STRICT_IDS: 'true',
        REFERENCE_PROJECTS: 'alpha, beta-2',
      }),
    ).toMatchObject({
      transientRate: 0.25,
      transientKinds: ['429', 'reset'],
      retryAfterS: 7,
      transientSeed: 42,
      latencyJitterMs: 30,
      controllerLagMs: 300,
      metadataAheadMs: 200,
      listLagMs: 100,
      strictIds: true,
      projects: ['alpha', 'beta-2'],
    });
    expect(optionsFromEnv({})).not.toHaveProperty('projects');
  });

  test('rbac-zone and live-zone set the knobs; the variables still override them', () => {
    const rbac = { projects: ['conformance', 'conformance-b'], strictIds: true, controllerLagMs: 300, metadataAheadMs: 200, listLagMs: 300 };
    expect(optionsFromEnv({ REFERENCE_PROFILE: 'rbac-zone' })).toMatchObject({ ...rbac, transientRate: 0, latencyJitterMs: 0 });
    expect(optionsFromEnv({ REFERENCE_PROFILE: 'live-zone' })).toMatchObject({
      ...rbac,
      transientRate: 0.1,
      transientKinds: ['json-503', 'proxy-503', 'html-502', '429', 'reset'],
      retryAfterS: 1,
      latencyJitterMs: 30,
    });
    expect(optionsFromEnv({ REFERENCE_PROFILE: 'live-zone', REFERENCE_TRANSIENT_RATE: '0', REFERENCE_PROJECTS: 'x', REFERENCE_STRICT_IDS: 'false' })).toMatchObject({
      transientRate: 0,
      projects: ['x'],
      strictIds: false,
    });
  });

  for (const [variable, value, allowed] of [
    ['REFERENCE_TRANSIENT_RATE', '1.5', 'a number from 0 to 1'],
    ['REFERENCE_TRANSIENT_RATE', '10%', 'a number from 0 to 1'],
    ['REFERENCE_TRANSIENT_KINDS', '503', 'json-503, proxy-503, html-502, 429, reset'],
    ['REFERENCE_RETRY_AFTER', '61', 'an integer from 0 to 60'],
    ['REFERENCE_TRANSIENT_SEED', 'abc', 'an integer'],
    ['REFERENCE_LATENCY_JITTER_MS', '5001', 'an integer from 0 to 5000'],
    ['REFERENCE_CONTROLLER_LAG_MS', '-1', 'an integer'],
    ['REFERENCE_METADATA_AHEAD_MS', '1.5', 'an integer'],
    ['REFERENCE_LIST_LAG_MS', 'soon', 'an integer'],
    ['REFERENCE_STRICT_IDS', 'yes', 'true, false'],
    ['REFERENCE_PROJECTS', 'ok,Not_A_Project', 'project IDs'],
  ]) {
    test(`bad ${variable}=${value}`, () => {
      expect(() => optionsFromEnv({ [variable]: value })).toThrow(ReferenceConfigError);
      expect(() => optionsFromEnv({ [variable]: value })).toThrow(`allowed: ${allowed}`);
      expect(() => optionsFromEnv({ [variable]: value })).toThrow(variable);
    });
  }
});

test.describe('transient answers', () => {
  const zone = (opts: Partial<ReferenceOptions>) => serverFor({ transientSeed: 7, ...opts });

  test.describe('at rate 0.25 with every kind', () => {
    const ref = zone({ transientRate: 0.25, retryAfterS: 3 });
    test('about a quarter of 200 GETs, every kind, never a create; 429 carries Retry-After', async () => {
      const a = await api(ref());
      const names: string[] = [];
      for (let i = 0; i < 30; i++) names.push(await created(a, GDC));
      expect(new Set(names).size).toBe(30);
      const kinds = await kindsOf(a, names[0], 200);
      const t = tally(kinds);
      expect(Object.keys(t).filter((k) => k.startsWith('unexpected'))).toEqual([]);
      expect(t.ok).toBeGreaterThan(120);
      expect(t.ok).toBeLessThan(180);
      for (const kind of ['json-503', 'proxy-503', 'html-502', '429', 'reset']) expect(t[kind], kind).toBeGreaterThan(0);
      for (;;) {
        const r = await a.get(names[1]).catch(() => undefined);
        if (r?.status !== 429) continue;
        expect(r.headers.get('retry-after')).toBe('3');
        expect(r.json.error).toEqual({ code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED' });
        break;
      }
    });
  });

  test.describe('the same seed twice', () => {
    const first = zone({ transientRate: 0.3, transientKinds: ['json-503', '429'] });
    const second = zone({ transientRate: 0.3, transientKinds: ['json-503', '429'] });
    test('replays the same answers; only the configured kinds', async () => {
      const [a, b] = [await api(first()), await api(second())];
      const [x, y] = [await created(a, GDC), await created(b, GDC)];
      const kinds = await kindsOf(a, x, 60);
      expect(await kindsOf(b, y, 60)).toEqual(kinds);
      expect(Object.keys(tally(kinds)).sort()).toEqual(['429', 'json-503', 'ok']);
    });
  });

  test.describe('reset only', () => {
    const ref = zone({ transientRate: 1, transientKinds: ['reset'] });
    test('the connection ends without an answer; a create still gets through', async () => {
      const a = await api(ref());
      const name = await created(a, GDC);
      await expect(a.get(name)).rejects.toThrow();
      expect(await kindsOf(a, name, 5)).toEqual(Array(5).fill('reset'));
    });
  });

  test('rate 0 (the default) gives none', async ({ ref }) => {
    const a = await api(ref);
    const name = await created(a, GDC);
    expect(new Set(await kindsOf(a, name, 100))).toEqual(new Set(['ok']));
  });

  test.describe('latency jitter', () => {
    const ref = zone({ latencyJitterMs: 60 });
    test('every answer waits 0..N ms', async () => {
      const a = await api(ref());
      const name = await created(a, GDC);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const start = performance.now();
        expect((await a.get(name)).status).toBe(200);
        times.push(performance.now() - start);
      }
      const total = times.reduce((x, y) => x + y);
      expect(total).toBeGreaterThan(200);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(20);
    });
  });
});

test.describe('controller lag and metadata ahead of done', () => {
  const ref = serverFor({ controllerLagMs: 300, metadataAheadMs: 200, cancelDelayMs: 100 });
  test('RUNNING for the lag, then CANCELLING, then metadata CANCELLED without done or error, then done with code 1', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    const start = Date.now();
    const r = await a.cancel(name);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    const seen: { t: number; state?: string; done: boolean; error: boolean }[] = [];
    for (;;) {
      const op = (await a.get(name)).json;
      seen.push({ t: Date.now() - start, state: state(op), done: op.done === true, error: 'error' in op });
      if (op.done) break;
      await sleep(20);
    }
    const first = (s: string) => seen.find((x) => x.state === s)!;
    expect(seen[0]).toMatchObject({ state: 'RUNNING', done: false });
    expect(first('CANCELLING').t).toBeGreaterThanOrEqual(290);
    const ahead = seen.filter((x) => x.state === 'CANCELLED' && !x.done);
    expect(ahead.length).toBeGreaterThan(0);
    expect(ahead.every((x) => !x.error)).toBe(true);
    expect(seen.at(-1)!.t).toBeGreaterThanOrEqual(590);
    expect((await a.get(name)).json).toMatchObject({ done: true, error: { code: 1 }, metadata: { state: 'CANCELLED' } });
  });

  test(':wait returns once done, through the window where only the metadata says CANCELLED', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    const start = Date.now();
    await a.cancel(name);
    const op = (await a.wait(name, '5s')).json;
    expect(op).toMatchObject({ done: true, error: { code: 1 } });
    expect(Date.now() - start).toBeGreaterThanOrEqual(590);
    expect((await a.cancel(name)).status).toBe(200);
  });
});

test.describe('list lag', () => {
  const ref = serverFor({ listLagMs: 300 });
  test('a new operation is listed only after the lag; the listed phase is the one of lag ms ago', async () => {
    const a = await api(ref());
    const parent = 'projects/list-lag';
    const name = await created(a, parent);
    expect((await a.list(parent)).json.operations).toBeUndefined();
    await sleep(350);
    expect((await a.list(parent)).json.operations).toEqual([expect.objectContaining({ name, metadata: expect.objectContaining({ state: 'RUNNING' }) })]);
    await a.cancel(name);
    expect((await a.get(name)).json).toMatchObject({ done: true, error: { code: 1 } });
    const stale = (await a.list(parent)).json.operations[0];
    expect(state(stale)).toBe('RUNNING');
    expect(stale).not.toHaveProperty('done');
    await sleep(350);
    expect((await a.list(parent)).json.operations[0]).toMatchObject({ done: true, error: { code: 1 } });
  });
});

test.describe('strict IDs', () => {
  const ref = serverFor({ strictIds: true });
  test('a malformed ID is 400 INVALID_RESOURCE_NAME, a well-formed unknown one 404, on get, cancel, wait and delete', async () => {
    const a = await api(ref());
    const calls = [(n: string) => a.get(n), (n: string) => a.cancel(n), (n: string) => a.wait(n, '1s'), (n: string) => a.remove(n)];
    for (const call of calls) {
      for (const id of ['not-a-uuid', UNKNOWN_ID.toUpperCase(), `${UNKNOWN_ID}0`, 'x'.repeat(36)]) {
        const r = await call(`${GDC}/operations/${id}`);
        expectEnvelope(r, 400, 'INVALID_ARGUMENT');
        expect(r.json.error.details).toContainEqual(expect.objectContaining({ reason: 'INVALID_RESOURCE_NAME' }));
      }
      expectEnvelope(await call(`${GDC}/operations/${UNKNOWN_ID}`), 404, 'NOT_FOUND');
    }
    const name = await created(a, GDC);
    expect((await a.get(name)).status).toBe(200);
    expect((await a.cancel(name)).status).toBe(200);
  });
});

test.describe('per-project RBAC', () => {
  const ref = serverFor({ projects: ['conformance', 'conformance-b'] });
  test('a project without a role: 403 IAM_PERMISSION_DENIED before any lookup, on every method; auth comes first', async () => {
    expect(ref().projects).toEqual(['conformance', 'conformance-b']);
    const a = await api(ref());
    const unknown = `${OTHER}/operations/${UNKNOWN_ID}`;
    for (const r of [
      await a.create(OTHER),
      await a.list(OTHER),
      await a.get(unknown),
      await a.cancel(unknown),
      await a.wait(unknown, '1s'),
      await a.remove(unknown),
      await a.get(`${OTHER}/operations/malformed`),
      await a.create(`${OTHER}/locations/us-central1`),
    ]) {
      expectEnvelope(r, 403, 'PERMISSION_DENIED');
      expect(r.json.error.details).toContainEqual(expect.objectContaining({ reason: 'IAM_PERMISSION_DENIED', domain: 'googleapis.com' }));
    }
    expectEnvelope(await (await api(ref(), null)).get(unknown), 401, 'UNAUTHENTICATED');
    const narrow = await api(ref(), await mint(ref(), 'https://www.googleapis.com/auth/userinfo.email'));
    const scope = await narrow.get(unknown);
    expectEnvelope(scope, 403, 'PERMISSION_DENIED');
    expect(scope.json.error.details).toContainEqual(expect.objectContaining({ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }));
  });

  test('both listed projects work', async () => {
    const a = await api(ref());
    for (const parent of [HOME, SECOND]) {
      const name = await created(a, parent);
      expect((await a.cancel(name)).status).toBe(200);
      expect((await a.list(parent)).json.operations).toContainEqual(expect.objectContaining({ name }));
      expectEnvelope(await a.get(`${parent}/operations/${UNKNOWN_ID}`), 404, 'NOT_FOUND');
    }
  });
});

test.describe('profile rbac-zone with cross-parent-resolves', () => {
  const ref = serverFor({ profile: 'rbac-zone', faults: ['cross-parent-resolves'] });
  test('the ID resolves under the other allowed project; an unlisted project is still 403', async () => {
    expect(ref().projects).toEqual(['conformance', 'conformance-b']);
    const a = await api(ref());
    const name = await created(a, HOME);
    const id = name.split('/').at(-1);
    expect((await a.get(`${SECOND}/operations/${id}`)).json.name).toBe(name);
    expectEnvelope(await a.get(`${OTHER}/operations/${id}`), 403, 'PERMISSION_DENIED');
  });
});

// ---------------------------------------------------------------- faults

const withFault = (fault: FaultName) => serverFor({ faults: [fault] });

test.describe('fault refused-cancel-lands-later', () => {
  const ref = withFault('refused-cancel-lands-later');
  test('a 401 and a 403 cancel change nothing at first, and cancel 1000 ms later', async () => {
    const a = await api(ref());
    const [x, y] = [await created(a, GDC), await created(a, GDC)];
    expectEnvelope(await (await api(ref(), null)).cancel(x), 401, 'UNAUTHENTICATED');
    expectEnvelope(await (await api(ref(), await mint(ref(), 'https://www.googleapis.com/auth/userinfo.email'))).cancel(y), 403, 'PERMISSION_DENIED');
    for (const n of [x, y]) expect(state((await a.get(n)).json)).toBe('RUNNING');
    await sleep(1100);
    for (const n of [x, y]) expect((await a.get(n)).json).toMatchObject({ done: true, error: { code: 1 } });
  });
});

test.describe('fault cancel-reaches-previous', () => {
  const ref = withFault('cancel-reaches-previous');
  test('cancelling one operation also cancels the one created just before it under the same parent', async () => {
    const a = await api(ref());
    const parent = 'projects/neighbours';
    const [first, second, third] = [await created(a, parent), await created(a, parent), await created(a, parent)];
    const elsewhere = await created(a, GDC);
    expect((await a.cancel(third)).status).toBe(200);
    expect((await a.get(second)).json).toMatchObject({ done: true, error: { code: 1 } });
    expect(state((await a.get(first)).json)).toBe('RUNNING');
    expect(state((await a.get(elsewhere)).json)).toBe('RUNNING');
  });
});

test.describe('fault cancelled-result-changes', () => {
  const ref = withFault('cancelled-result-changes');
  test('code 1 at first, code 13 from 300 ms after done', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    await a.cancel(name);
    expect((await a.get(name)).json).toMatchObject({ done: true, error: { code: 1 } });
    await sleep(350);
    expect((await a.get(name)).json).toMatchObject({ done: true, error: { code: 13, message: 'Internal error encountered.' } });
  });
});

test.describe('fault finished-overwritten-later', () => {
  const ref = withFault('finished-overwritten-later');
  test('the cancel of a succeeded operation answers 400 as usual; a second later its result is a cancellation', async () => {
    const a = await api(ref());
    const name = await created(a, GDC, 'quick');
    expect((await a.wait(name, '3s')).json).toMatchObject({ done: true, metadata: { state: 'SUCCEEDED' } });
    expectEnvelope(await a.cancel(name), 400, 'FAILED_PRECONDITION');
    expect((await a.get(name)).json).toHaveProperty('response');
    await sleep(1050);
    const op = (await a.get(name)).json;
    expect(op).toMatchObject({ done: true, error: { code: 1 }, metadata: { state: 'CANCELLED' } });
    expect(op).not.toHaveProperty('response');
  });
});

test.describe('fault wait-hangs', () => {
  const ref = withFault('wait-hangs');
  test(':wait never answers; the server lets go when the client does', async () => {
    const a = await api(ref());
    const name = await created(a, GDC, 'quick');
    const token = await mint(ref(), TRANSLATION_SCOPE);
    // Its own connection (no pool), so the client's giving up ends exactly this request.
    const answered = await new Promise<boolean>((resolve) => {
      const req = request(`${ref().baseUrl}/v3/${name}:wait`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
      req.on('response', () => resolve(true));
      req.on('error', () => resolve(false));
      req.setTimeout(1300, () => {
        req.destroy();
        resolve(false);
      });
      req.end('{"timeout":"1s"}');
    });
    expect(answered).toBe(false);
    expect((await a.get(name)).json).toMatchObject({ done: true });
  });
});

test.describe('fault get-unavailable-after-cancel', () => {
  const ref = withFault('get-unavailable-after-cancel');
  test('after an accepted cancel every GET of that operation is 503 UNAVAILABLE; others are served', async () => {
    const a = await api(ref());
    const [name, other] = [await created(a, GDC), await created(a, GDC)];
    expect((await a.cancel(name)).status).toBe(200);
    for (let i = 0; i < 3; i++) expectEnvelope(await a.get(name), 503, 'UNAVAILABLE');
    expect((await a.get(other)).status).toBe(200);
  });
});
