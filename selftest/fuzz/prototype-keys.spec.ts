// Regression test for a fuzz finding: a request member named like an Object.prototype member
// ("constructor", "toString", ...) was looked up on the message schema's prototype and crashed
// the field check: POST :batchTranslateDocument or :wait with {"constructor":{}} answered 500.
import { GDC, PUBLIC, api, created, expect, expectEnvelope, test } from '../reference-server/helpers';

const BODIES = ['{"constructor":{}}', '{"constructor":{"prototype":{}}}', '{"toString":{}}', '{"hasOwnProperty":1}', '{"__proto__":{}}', '{"valueOf":[]}'];

for (const parent of [GDC, PUBLIC]) {
  test(`prototype member names are unknown fields (${parent})`, async ({ ref }) => {
    const a = await api(ref);
    const name = await created(a, parent, 'quick');
    for (const body of BODIES) {
      const create = await a.create(parent, body);
      expectEnvelope(create, 400, 'INVALID_ARGUMENT');
      const wait = await a.send('POST', `/v3/${name}:wait`, { body, headers: { 'content-type': 'application/json' } });
      expectEnvelope(wait, 400, 'INVALID_ARGUMENT');
      const nested = await a.create(parent, JSON.stringify({ sourceLanguageCode: 'en', targetLanguageCodes: ['de'], inputConfigs: [JSON.parse(body)], outputConfig: { gcsDestination: { outputUriPrefix: 'gs://x/' } } }));
      expectEnvelope(nested, 400, 'INVALID_ARGUMENT');
    }
    expect((await a.get(name)).status).toBe(200);
  });
}
