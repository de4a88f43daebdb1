// Profile google-faithful: the public v3 front end as observed (CONTRACT.md, "Facts from targets
// nobody here wrote"): public names, HTML 404 for unrouted requests, BadRequest-only payload
// errors, bare NOT_FOUND, Google's realm, FAILED_PRECONDITION on any finished operation.
import { GDC, PLATFORM_SCOPE, PUBLIC, TRANSLATION_SCOPE, api, created, expect, expectEnvelope, mint, serverFor, state, test, type Reply } from './helpers';

const REALM = 'Bearer realm="https://accounts.google.com/"';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const JSON_TYPE = 'application/json; charset=UTF-8';

const detailTypes = (r: Reply) => (r.json.error.details ?? []).map((d: any) => d['@type']);

test.describe('profile google-faithful', () => {
  const ref = serverFor({ profile: 'google-faithful', cancelDelayMs: 300 });

  test('names are projects/{p}/locations/{l}/operations/{id}, also for a create under projects/{p}', async () => {
    const a = await api(ref());
    const fromPublic = await a.create(PUBLIC);
    expect(fromPublic.headers.get('content-type')).toBe(JSON_TYPE);
    expect(fromPublic.json.name).toMatch(new RegExp(`^${PUBLIC}/operations/[0-9a-f-]{36}$`));
    const fromGdc = (await a.create(GDC)).json.name as string;
    expect(fromGdc).toMatch(/^projects\/p\/locations\/us-central1\/operations\/[0-9a-f-]{36}$/);
    expect((await a.get(fromGdc)).json.name).toBe(fromGdc);
    expect(((await a.list(PUBLIC, '?pageSize=1000')).json.operations as any[]).map((o) => o.name)).toContain(fromGdc);
  });

  test('a request no method serves gets Google\'s HTML 404, with or without a token, and cancels nothing', async () => {
    const a = await api(ref());
    const anonymous = await api(ref(), null);
    const name = await created(a, PUBLIC);
    for (const r of [
      await a.send('GET', `/v3/${name}:cancel`),
      await a.send('PUT', `/v3/${name}:cancel`, { body: '{}' }),
      await a.send('DELETE', `/v3/${name}:cancel`),
      await anonymous.send('GET', `/v3/${name}:cancel`),
      await a.send('POST', `/v3/${name}:explode`),
      await a.send('GET', '/v3/nothing/here'),
    ]) {
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=UTF-8');
      expect(r.text).toContain('<title>Error 404 (Not Found)!!1</title>');
      expect(r.text).toMatch(/The requested URL <code>\/v3\/[^<]+<\/code> was not found on this server/);
    }
    expect(state((await a.get(name)).json)).toBe('RUNNING');
  });

  for (const [label, body, message] of [
    ['unknown field', '{"foo":1}', 'Invalid JSON payload received. Unknown name "foo": Cannot find field.'],
    ['malformed JSON', '{', /^Invalid JSON payload received\./],
    ['array root', '[]', /^Invalid JSON payload received\./],
    ['number root', '42', /^Invalid JSON payload received\./],
  ] as const) {
    test(`payload error (${label}): 400 INVALID_ARGUMENT with BadRequest and no ErrorInfo; operation untouched`, async () => {
      const a = await api(ref());
      const name = await created(a, PUBLIC);
      const r = await a.cancel(name, body);
      expectEnvelope(r, 400, 'INVALID_ARGUMENT');
      expect(r.headers.get('content-type')).toBe(JSON_TYPE);
      expect(r.json.error.message).toMatch(message);
      expect(detailTypes(r)).toEqual([BAD_REQUEST]);
      expect(r.json.error.details[0].fieldViolations[0].description).toBe(r.json.error.message);
      expect(state((await a.get(name)).json)).toBe('RUNNING');
    });
  }

  test('NOT_FOUND carries no details; the ID under another project or location is not found and leaves the operation alone', async () => {
    const a = await api(ref());
    const name = await created(a, PUBLIC);
    const id = name.split('/').pop();
    for (const other of [`projects/other/locations/us-central1/operations/${id}`, `projects/p/locations/europe-west1/operations/${id}`, `projects/p/operations/${id}`]) {
      for (const r of [await a.cancel(other), await a.get(other)]) {
        expectEnvelope(r, 404, 'NOT_FOUND');
        expect(r.json.error).not.toHaveProperty('details');
      }
    }
    expect(state((await a.get(name)).json)).toBe('RUNNING');
    expect((await a.cancel(name)).status).toBe(200);
  });

  test('auth errors: ErrorInfo reasons and RFC 6750 challenges with Google\'s realm', async () => {
    const owner = await api(ref());
    const name = await created(owner, PUBLIC);
    const cases: [string | null, number, string, string, RegExp | string][] = [
      [null, 401, 'UNAUTHENTICATED', 'CREDENTIALS_MISSING', REALM],
      ['not-a-jwt', 401, 'UNAUTHENTICATED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', `${REALM}, error="invalid_token"`],
      [await mint(ref(), TRANSLATION_SCOPE, { expires_in: '-60' }), 401, 'UNAUTHENTICATED', 'ACCESS_TOKEN_EXPIRED', `${REALM}, error="invalid_token"`],
      [await mint(ref(), 'openid'), 403, 'PERMISSION_DENIED', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', `${REALM}, error="insufficient_scope", scope="${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}"`],
    ];
    for (const [token, http, status, reason, challenge] of cases) {
      const r = await (await api(ref(), token)).cancel(name);
      expectEnvelope(r, http, status);
      expect(r.headers.get('content-type')).toBe(JSON_TYPE);
      expect(r.headers.get('www-authenticate')).toBe(challenge);
      expect(r.json.error.details).toEqual([
        { '@type': ERROR_INFO, reason, domain: 'googleapis.com', metadata: { service: 'translate.googleapis.com', method: 'google.longrunning.Operations.CancelOperation' } },
      ]);
    }
    expect(state((await owner.get(name)).json)).toBe('RUNNING');
  });

  test('a long operation cancels: 200 {}, CANCELLING (a repeat is 200 {}), then CANCELLED; cancelling it again is FAILED_PRECONDITION', async () => {
    const a = await api(ref());
    const name = await created(a, PUBLIC);
    const first = await a.cancel(name);
    expect([first.status, first.text, first.headers.get('content-type')]).toEqual([200, '{}', JSON_TYPE]);
    expect(state((await a.get(name)).json)).toBe('CANCELLING');
    expect([(await a.cancel(name)).status]).toEqual([200]);
    const done = (await a.wait(name, '5s')).json;
    expect(done).toMatchObject({ name, done: true, error: { code: 1 }, metadata: { state: 'CANCELLED' } });
    expect(done).not.toHaveProperty('response');
    const again = await a.cancel(name);
    expectEnvelope(again, 400, 'FAILED_PRECONDITION');
    expect(again.json.error).toEqual({ code: 400, message: 'Operation has already finished.', status: 'FAILED_PRECONDITION' });
    expect((await a.get(name)).json).toEqual(done);
  });

  test('a quick operation is done before a cancel can reach it: FAILED_PRECONDITION, result unchanged', async () => {
    const a = await api(ref());
    const name = await created(a, PUBLIC, 'quick');
    // 1 ms of simulated work; this pause only rules out a cancel within the same millisecond.
    await new Promise((r) => setTimeout(r, 5));
    const before = (await a.get(name)).json;
    expect(before).toMatchObject({ done: true, metadata: { state: 'SUCCEEDED' } });
    expectEnvelope(await a.cancel(name), 400, 'FAILED_PRECONDITION');
    expect((await a.get(name)).json).toEqual(before);
  });
});
