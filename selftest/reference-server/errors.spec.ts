import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DEFAULT_CANCEL_DELAY_MS } from '../../reference-server/profiles';
import { FAULTS, PROFILES, RPC_CODES, ReferenceConfigError, optionsFromEnv } from '../../reference-server/index';
import { GDC, PUBLIC, api, created, expect, expectEnvelope, serverFor, test } from './helpers';

test('the rpc code table matches google/rpc/code.proto', () => {
  const file = createRequire(import.meta.url).resolve('google-proto-files/google/rpc/code.proto');
  const proto = readFileSync(file, 'utf8');
  const entries = [...proto.matchAll(/((?:\s*\/\/.*\n)+)\s*([A-Z_]+) = (\d+);/g)].map(([, comment, name, num]) => ({
    name,
    code: Number(num),
    http: Number(/HTTP Mapping: (\d+)/.exec(comment)?.[1] ?? 200),
  }));
  expect(entries).toHaveLength(17);
  expect(Object.fromEntries(entries.map((e) => [e.name, { code: e.code, http: e.http }]))).toEqual(RPC_CODES);
});

test.describe('error envelopes, never 5xx', () => {
  test('unknown routes and wrong methods are 404 NOT_FOUND', async ({ ref }) => {
    const a = await api(ref);
    const name = await created(a, PUBLIC);
    for (const r of [
      await a.send('GET', '/'),
      await a.send('GET', '/v3/nothing'),
      await a.send('POST', `/v3/${name}:explode`),
      await a.send('PATCH', `/v3/${name}`),
      await a.send('GET', `/v3/${name}:cancel`),
      await a.send('PUT', `/v3/${name}:cancel`, { body: '{}' }),
      await a.send('DELETE', `/v3/${name}:cancel`),
      await a.send('POST', `/v3/${GDC}/operationz/abc:cancel`),
    ]) {
      expectEnvelope(r, 404, 'NOT_FOUND');
    }
    expect((await a.get(name)).json.metadata.state).toBe('RUNNING');
  });

  test('odd names are 400 or 404', async ({ ref }) => {
    const a = await api(ref);
    for (const id of ['abc%2Fdef', '..', '%E2%98%83-snowman', 'a'.repeat(5000), 'a%20b', '']) {
      for (const parent of [GDC, PUBLIC]) {
        const r = await a.send('POST', `/v3/${parent}/operations/${id}:cancel`, { body: '{}', headers: { 'content-type': 'application/json' } });
        expect([400, 404], `${id.slice(0, 20)}: ${r.text.slice(0, 200)}`).toContain(r.status);
        expect(r.json.error.status).toMatch(/INVALID_ARGUMENT|NOT_FOUND/);
        expect((await a.get(`${parent}/operations/${id}`)).status).toBeLessThan(500);
      }
    }
  });

  test('oversized body is a 400 envelope', async ({ ref }) => {
    const r = await (await api(ref)).create(GDC, JSON.stringify({ sourceLanguageCode: 'x'.repeat(1024 * 1024 + 10) }));
    expectEnvelope(r, 400, 'INVALID_ARGUMENT');
    expect(r.json.error.message).toContain('Request payload size exceeds the limit');
  });

  test('odd media types are parsed as JSON or answered 400', async ({ ref }) => {
    const a = await api(ref);
    const r = await a.send('POST', `/v3/${GDC}:batchTranslateDocument`, { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectEnvelope(r, 400, 'INVALID_ARGUMENT');
  });
});

test.describe('bounded store', () => {
  const ref = serverFor({ maxOperations: 2 });
  test('evicts the oldest finished operation; 429 when none has finished', async () => {
    const a = await api(ref());
    const quick = await created(a, GDC, 'quick');
    await a.wait(quick, '5s');
    const long1 = await created(a, GDC);
    const long2 = await created(a, GDC);
    expectEnvelope(await a.get(quick), 404, 'NOT_FOUND');
    expect((await a.get(long1)).status).toBe(200);
    expectEnvelope(await a.create(GDC), 429, 'RESOURCE_EXHAUSTED');
    await a.cancel(long2);
    await a.until(long2, (o) => o.done);
    expect((await a.create(GDC)).status).toBe(200);
    expectEnvelope(await a.get(long2), 404, 'NOT_FOUND');
  });
});

test.describe('optionsFromEnv', () => {
  test('defaults', () => {
    expect(optionsFromEnv({})).toEqual({
      port: 0,
      profile: 'conformant',
      faults: [],
      cancelDelayMs: DEFAULT_CANCEL_DELAY_MS,
      finishedCancel: 'failed-precondition',
      maxOperations: 100000,
      audience: 'https://translation.reference.test',
      transientRate: 0,
      transientKinds: ['json-503', 'proxy-503', 'html-502', '429', 'reset'],
      retryAfterS: 1,
      transientSeed: 1,
      latencyJitterMs: 0,
      controllerLagMs: 0,
      metadataAheadMs: 0,
      listLagMs: 0,
      strictIds: false,
      grpc: true,
      grpcPort: 0,
    });
    expect(optionsFromEnv({ REFERENCE_PROFILE: 'slow-cancel' }).cancelDelayMs).toBe(3000);
    expect(optionsFromEnv({ REFERENCE_PROFILE: 'slow-cancel', REFERENCE_CANCEL_DELAY_MS: '0' }).cancelDelayMs).toBe(0);
    expect(optionsFromEnv({ REFERENCE_FAULTS: ' no-error-info, wait-stale ,', REFERENCE_FINISHED_CANCEL: 'noop', REFERENCE_PORT: '8080' })).toMatchObject({
      faults: ['no-error-info', 'wait-stale'],
      finishedCancel: 'noop',
      port: 8080,
    });
  });

  test('every profile and fault name is accepted', () => {
    for (const profile of Object.keys(PROFILES)) expect(optionsFromEnv({ REFERENCE_PROFILE: profile }).profile).toBe(profile);
    expect(Object.keys(FAULTS)).toHaveLength(64);
    for (const fault of Object.keys(FAULTS)) expect(optionsFromEnv({ REFERENCE_FAULTS: fault }).faults).toEqual([fault]);
    expect(optionsFromEnv({ REFERENCE_FAULTS: Object.keys(FAULTS).join(',') }).faults).toHaveLength(64);
  });

  for (const [variable, value, allowed] of [
    ['REFERENCE_PROFILE', 'fast', 'conformant'],
    ['REFERENCE_FAULTS', 'no-error-info,bogus', 'cancel-deletes-operation'],
    ['REFERENCE_PORT', '70000', 'integer'],
    ['REFERENCE_CANCEL_DELAY_MS', '-1', 'integer'],
    ['REFERENCE_FINISHED_CANCEL', 'ignore', 'failed-precondition, noop'],
    ['REFERENCE_MAX_OPERATIONS', '0', 'integer'],
  ]) {
    test(`bad ${variable}`, () => {
      expect(() => optionsFromEnv({ [variable]: value })).toThrow(ReferenceConfigError);
      expect(() => optionsFromEnv({ [variable]: value })).toThrow(new RegExp(`${variable}.*${value === 'no-error-info,bogus' ? 'bogus' : value}.*${allowed}`));
    });
  }
});
