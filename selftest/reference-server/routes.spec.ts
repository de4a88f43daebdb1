import { GDC, SHAPES, api, created, expect, expectEnvelope, fixture, serverFor, state, test } from './helpers';

for (const parent of SHAPES) {
  test.describe(`routes for ${parent}`, () => {
    test('create returns a RUNNING operation in proto3 JSON', async ({ ref }) => {
      const a = await api(ref);
      const r = await a.create(parent, fixture('quick') + '\n');
      expect(r.status).toBe(200);
      const op = r.json;
      expect(op.name).toMatch(new RegExp(`^${parent}/operations/[A-Za-z0-9-]+$`));
      expect(op).not.toHaveProperty('done');
      expect(op).not.toHaveProperty('error');
      expect(op).not.toHaveProperty('response');
      expect(op.metadata).toMatchObject({ '@type': 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata', state: 'RUNNING' });
      expect(typeof op.metadata.totalPages).toBe('string');
      expect(new Date(op.metadata.submitTime).toISOString()).toBe(op.metadata.submitTime);
      expect(JSON.stringify(op)).not.toContain('null');
    });

    test('the official client query ($alt=json;enum-encoding=int) is accepted', async ({ ref }) => {
      const a = await api(ref);
      const r = await a.send('POST', `/v3/${parent}:batchTranslateDocument?$alt=json%3Benum-encoding=int`, { body: fixture('quick'), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
    });

    test('the quick fixture succeeds within a second; get, wait, list, delete', async ({ ref }) => {
      const a = await api(ref);
      const name = await created(a, parent, 'quick');
      expect((await a.get(name)).json.name).toBe(name);
      const waited = (await a.wait(name, '5s')).json;
      expect(waited).toMatchObject({ done: true, metadata: { state: 'SUCCEEDED' } });
      expect(waited.response['@type']).toBe('type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentResponse');
      expect(waited.response.translatedPages).toBe(waited.response.totalPages);
      expect(waited).not.toHaveProperty('error');
      const done = (await a.list(parent, '?filter=done%20%3D%20true&pageSize=1000')).json.operations.map((o: any) => o.name);
      expect(done).toContain(name);
      const running = (await a.list(parent, '?filter=done=false&pageSize=1000')).json.operations ?? [];
      expect(running.map((o: any) => o.name)).not.toContain(name);
      // A finished operation's result never changes on cancel.
      expectEnvelope(await a.cancel(name), 400, 'FAILED_PRECONDITION');
      expect((await a.get(name)).json).toEqual(waited);
      const del = await a.remove(name);
      expect([del.status, del.json]).toEqual([200, {}]);
      expectEnvelope(await a.get(name), 404, 'NOT_FOUND');
      expectEnvelope(await a.remove(name), 404, 'NOT_FOUND');
    });

    test('cancel: 200 {} JSON, then CANCELLED with error code 1, still listed, wait returns it', async ({ ref }) => {
      const a = await api(ref);
      const name = await created(a, parent);
      const r = await a.cancel(name);
      expect([r.status, r.text]).toEqual([200, '{}']);
      expect(r.headers.get('content-type')).toContain('application/json');
      const op = await a.until(name, (o) => o.done);
      expect(op).toMatchObject({ name, done: true, error: { code: 1 }, metadata: { state: 'CANCELLED' } });
      expect(op).not.toHaveProperty('response');
      const listed = (await a.list(parent, '?pageSize=1000')).json.operations.map((o: any) => o.name);
      expect(listed).toContain(name);
      const started = Date.now();
      expect((await a.wait(name, '10s')).json).toEqual(op);
      expect(Date.now() - started).toBeLessThan(2000);
      // Idempotent repeat.
      expect((await a.cancel(name)).status).toBe(200);
      expect((await a.get(name)).json).toEqual(op);
    });

    for (const [label, body, headers] of [
      ['zero-length, JSON type', '', { 'content-type': 'application/json' }],
      ['zero-length, no type', undefined, {}],
      ['whitespace', ' \n', { 'content-type': 'application/json' }],
      ['{} as text/plain', '{}', { 'content-type': 'text/plain' }],
      // CancelOperationRequest's own field (transcoders let it override the path): not unknown.
      ['{"name":...}', '{"name":"projects/x/operations/y"}', { 'content-type': 'application/json' }],
    ] as const) {
      test(`cancel body accepted: ${label}`, async ({ ref }) => {
        const a = await api(ref);
        const name = await created(a, parent);
        const r = await a.send('POST', `/v3/${name}:cancel`, { body, headers: { ...headers } });
        expect([r.status, r.text]).toEqual([200, '{}']);
        // The path names the operation, whatever the body's name says.
        expect((await a.get(name)).json.error).toMatchObject({ code: 1 });
      });
    }

    for (const [label, body] of [
      ['unknown field', '{"foo":1}'],
      ['unknown field beside name', '{"name":"x","foo":1}'],
      ['name of the wrong type', '{"name":5}'],
      ['truncated', '{'],
      ['array root', '[]'],
      ['number root', '42'],
      ['not JSON', 'cancel=please'],
    ]) {
      test(`cancel body rejected, operation untouched: ${label}`, async ({ ref }) => {
        const a = await api(ref);
        const name = await created(a, parent);
        const r = await a.cancel(name, body);
        expectEnvelope(r, 400, 'INVALID_ARGUMENT');
        if (label === 'unknown field') expect(r.json.error.message).toContain('Invalid JSON payload received. Unknown name "foo"');
        expect(state((await a.get(name)).json)).toBe('RUNNING');
      });
    }

    test('unknown well-formed name: 404 on get, cancel, wait, delete', async ({ ref }) => {
      const a = await api(ref);
      const name = `${parent}/operations/does-not-exist`;
      for (const r of [await a.get(name), await a.cancel(name), await a.wait(name, '1s'), await a.remove(name)]) expectEnvelope(r, 404, 'NOT_FOUND');
    });

    test('list: pagination with an opaque token, empty list is {}', async ({ ref }) => {
      const a = await api(ref);
      const own = `${parent.replace('projects/p', 'projects/list-' + Math.random().toString(36).slice(2))}`;
      expect((await a.list(own)).json).toEqual({});
      const names = [await created(a, own), await created(a, own), await created(a, own)];
      const first = (await a.list(own, '?pageSize=2')).json;
      expect(first.operations.map((o: any) => o.name)).toEqual(names.slice(0, 2));
      const second = (await a.list(own, `?pageSize=2&pageToken=${first.nextPageToken}`)).json;
      expect(second.operations.map((o: any) => o.name)).toEqual(names.slice(2));
      expect(second).not.toHaveProperty('nextPageToken');
      expectEnvelope(await a.list(own, '?pageToken=garbage'), 400, 'INVALID_ARGUMENT');
      expectEnvelope(await a.list(own, '?filter=name%3Dx'), 400, 'INVALID_ARGUMENT');
    });

    test('wait: a running operation comes back at the timeout; a bad duration is 400', async ({ ref }) => {
      const a = await api(ref);
      const name = await created(a, parent);
      const started = Date.now();
      const r = await a.wait(name, '0.3s');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(r.json).not.toHaveProperty('done');
      expectEnvelope(await a.wait(name, '3.5'), 400, 'INVALID_ARGUMENT');
      expectEnvelope(await a.send('POST', `/v3/${name}:wait`, { body: '{"timeout":"1s","x":1}' }), 400, 'INVALID_ARGUMENT');
    });

    test('wait wakes up as soon as a cancel lands', async ({ ref }) => {
      const a = await api(ref);
      const name = await created(a, parent);
      const waiting = a.wait(name, '20s');
      await new Promise((r) => setTimeout(r, 100));
      await a.cancel(name);
      const started = Date.now();
      expect((await waiting).json).toMatchObject({ done: true, error: { code: 1 } });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    test('create validates the request: missing fields, unknown fields, GDC s3 form', async ({ ref }) => {
      const a = await api(ref);
      const missing = await a.create(parent, '{"sourceLanguageCode":"en"}');
      expectEnvelope(missing, 400, 'INVALID_ARGUMENT');
      const fields = missing.json.error.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest').fieldViolations.map((v: any) => v.field);
      expect(fields).toEqual(expect.arrayContaining(['targetLanguageCodes', 'inputConfigs', 'outputConfig']));
      expect(missing.json.error.details.some((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')).toBe(true);
      const unknown = await a.create(parent, '{"sourceLanguageCode":"en","bogus":1}');
      expectEnvelope(unknown, 400, 'INVALID_ARGUMENT');
      expect(unknown.json.error.message).toContain('Unknown name "bogus"');
      expectEnvelope(await a.create(parent, ''), 400, 'INVALID_ARGUMENT');
      expectEnvelope(await a.create(parent, '{'), 400, 'INVALID_ARGUMENT');
      const s3 = await a.create(
        parent,
        JSON.stringify({ source_language_code: 'en', targetLanguageCodes: ['de'], inputConfigs: [{ s3Source: { inputUri: 's3://b/x.pdf' } }], outputConfig: { s3Destination: { outputUriPrefix: 's3://b/out/' } } }),
      );
      expect(s3.status, s3.text).toBe(200);
    });
  });
}

test.describe('cancel delay and finished-cancel noop', () => {
  const ref = serverFor({ cancelDelayMs: 400, finishedCancel: 'noop' });
  test('CANCELLING in between, CANCELLED after the delay; cancel of a finished op is a 200 no-op', async () => {
    const a = await api(ref());
    const name = await created(a, GDC);
    await a.cancel(name);
    const mid = (await a.get(name)).json;
    expect(state(mid)).toBe('CANCELLING');
    expect(mid).not.toHaveProperty('done');
    expect(mid).not.toHaveProperty('error');
    expect(await a.until(name, (o) => o.done)).toMatchObject({ error: { code: 1 }, metadata: { state: 'CANCELLED' } });
    const quick = await created(a, GDC, 'quick');
    const done = (await a.wait(quick, '5s')).json;
    expect(done.done).toBe(true);
    const r = await a.cancel(quick);
    expect([r.status, r.text]).toEqual([200, '{}']);
    expect((await a.get(quick)).json).toEqual(done);
  });
});

test.describe('metadata counters advance with time', () => {
  test('translatedPages grows and stays below totalPages while running', async ({ ref }) => {
    const a = await api(ref);
    const name = await created(a, GDC);
    await new Promise((r) => setTimeout(r, 1100));
    const op = (await a.get(name)).json;
    expect(Number(op.metadata.translatedPages)).toBeGreaterThan(0);
    expect(Number(op.metadata.translatedPages)).toBeLessThan(Number(op.metadata.totalPages));
  });
});
