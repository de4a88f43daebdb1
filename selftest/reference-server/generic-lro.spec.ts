// Profile generic-lro: a third-party LRO server (CONTRACT.md, "Facts from targets nobody here
// wrote"): operations/{id} names, metadata null, no :wait, no auth, fastify's own 404 for
// unrouted requests, AIP-193 envelopes for the methods' own errors, finished cancel a no-op.
import { api, createdJob, expect, expectEnvelope, jobFixture, serverFor, test } from './helpers';

const FASTIFY_404 = (method: string, url: string) => ({ message: `Route ${method}:${url} not found`, error: 'Not Found', statusCode: 404 });

test.describe('profile generic-lro', () => {
  const ref = serverFor({ profile: 'generic-lro', cancelDelayMs: 200 });

  test('POST /v3/jobs:run starts operations/{id} with metadata null, no token needed', async () => {
    const a = await api(ref(), null);
    const r = await a.send('POST', '/v3/jobs:run', { body: jobFixture('long'), headers: { 'content-type': 'application/json' } });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ name: expect.stringMatching(/^operations\/[0-9a-f-]{36}$/), metadata: null, done: false });
    expect(r.text).toContain('"metadata":null');
    expect((await a.get(r.json.name)).json).toEqual(r.json);
    expect(JSON.stringify((await a.get(r.json.name)).json)).not.toContain('Translation');
  });

  test('no auth: any token, a garbage one or none is accepted by every method', async () => {
    const name = await createdJob(await api(ref(), null));
    for (const token of [null, 'garbage', 'a.b.c']) {
      const a = await api(ref(), token);
      expect((await a.get(name)).status).toBe(200);
      expect((await a.send('GET', '/v3/operations')).status).toBe(200);
    }
    expect((await (await api(ref(), 'garbage')).cancel(name)).status).toBe(200);
  });

  test('cancel: 200 {}, then done with error {code: 1} and metadata null; a repeat is 200 {}', async () => {
    const a = await api(ref(), null);
    const name = await createdJob(a);
    const r = await a.cancel(name);
    expect([r.status, r.text]).toEqual([200, '{}']);
    const op = await a.until(name, (o) => o.done);
    expect(op).toEqual({ name, metadata: null, done: true, error: { code: 1, message: expect.any(String) } });
    expect([(await a.cancel(name)).status, (await a.get(name)).json]).toEqual([200, op]);
  });

  test('the quick fixture finishes in ~300 ms with a response; cancelling it then is a 200 no-op', async () => {
    const a = await api(ref(), null);
    const name = await createdJob(a, 'quick');
    const started = Date.now();
    const done = await a.until(name, (o) => o.done, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(done).toEqual({ name, metadata: null, done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} } });
    expect([(await a.cancel(name)).status, (await a.get(name)).json]).toEqual([200, done]);
  });

  test('durationMs sets the duration; a bad one, an unknown field of cancel or malformed JSON is 400 INVALID_ARGUMENT', async () => {
    const a = await api(ref(), null);
    const instant = await a.send('POST', '/v3/jobs:run', { body: '{"durationMs":0,"anything":"goes"}' });
    expect(instant.json).toMatchObject({ done: true, response: {} });
    for (const body of ['{"durationMs":-1}', '{"durationMs":"soon"}', '{', '[]']) expectEnvelope(await a.send('POST', '/v3/jobs:run', { body }), 400, 'INVALID_ARGUMENT');
    const name = await createdJob(a);
    for (const body of ['{"foo":1}', '{', '42']) expectEnvelope(await a.cancel(name, body), 400, 'INVALID_ARGUMENT');
    expect((await a.get(name)).json.done).toBe(false);
  });

  test('method errors use the envelope: unknown operation 404, malformed name 400', async () => {
    const a = await api(ref(), null);
    for (const r of [await a.get('operations/does-not-exist'), await a.cancel('operations/does-not-exist'), await a.remove('operations/does-not-exist')]) {
      expectEnvelope(r, 404, 'NOT_FOUND');
    }
    for (const id of ['..', '%E2%98%83', 'a%20b']) expectEnvelope(await a.cancel(`operations/${id}`), 400, 'INVALID_ARGUMENT');
  });

  test('no :wait, and wrong verbs on :cancel: fastify\'s own 404 JSON; nothing is cancelled', async () => {
    const a = await api(ref(), null);
    const name = await createdJob(a);
    for (const [method, path] of [
      ['POST', `/v3/${name}:wait`],
      ['GET', `/v3/${name}:cancel`],
      ['PUT', `/v3/${name}:cancel`],
      ['DELETE', `/v3/${name}:cancel`],
      ['POST', '/v3/projects/p:batchTranslateDocument'],
    ]) {
      const r = await a.send(method, path, { body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      expect([r.status, r.json]).toEqual([404, FASTIFY_404(method, path)]);
    }
    expect((await a.get(name)).json.done).toBe(false);
  });

  test('list: GET /v3/operations pages with pageSize and pageToken; delete removes', async () => {
    const a = await api(ref(), null);
    const names = [await createdJob(a), await createdJob(a), await createdJob(a)];
    const all: string[] = [];
    let token = '';
    do {
      const page = (await a.send('GET', `/v3/operations?pageSize=2${token ? `&pageToken=${token}` : ''}`)).json;
      expect(page.operations.length).toBeLessThanOrEqual(2);
      all.push(...page.operations.map((o: any) => o.name));
      token = page.nextPageToken ?? '';
    } while (token);
    expect(all).toEqual(expect.arrayContaining(names));
    expect((await a.remove(names[0])).json).toEqual({});
    expectEnvelope(await a.get(names[0]), 404, 'NOT_FOUND');
  });
});

test.describe('outcome faults under generic-lro', () => {
  test.describe('cancelled-as-failed', () => {
    const ref = serverFor({ profile: 'generic-lro', faults: ['cancelled-as-failed'] });
    test('a cancelled job ends with error.code 2, metadata still null', async () => {
      const a = await api(ref(), null);
      const name = await createdJob(a);
      await a.cancel(name);
      expect(await a.until(name, (o) => o.done)).toEqual({ name, metadata: null, done: true, error: { code: 2, message: expect.any(String) } });
    });
  });

  test.describe('get-fails-after-cancel', () => {
    const ref = serverFor({ profile: 'generic-lro', faults: ['get-fails-after-cancel'] });
    test('GET of a cancelled job is 500 INTERNAL', async () => {
      const a = await api(ref(), null);
      const name = await createdJob(a);
      expect((await a.get(name)).status).toBe(200);
      await a.cancel(name);
      expectEnvelope(await a.get(name), 500, 'INTERNAL');
    });
  });
});
