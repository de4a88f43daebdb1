// Regression tests for what the fuzzer found: errors raised below the routes (node's HTTP parser,
// URL decoding, overlong names, an Expect header) used to answer with fastify's or node's own
// bodies ({"error":"Bad Request","statusCode":400}, an empty 417) instead of the error envelope,
// and without `Connection: close`, so keep-alive clients then hit ECONNRESET on the next request.
import http from 'node:http';
import { validate } from '../../src/judging/schemas';
import { TRANSLATION_SCOPE, api, expect, mint, test } from '../reference-server/helpers';
import { send, sendRaw, type RawResponse } from './raw-http';

function expectInvalidArgument(r: RawResponse) {
  expect(r.status, r.body.toString()).toBe(400);
  expect(String(r.headers['content-type'])).toContain('application/json');
  const body = JSON.parse(r.body.toString());
  expect(validate('error-envelope', body)).toEqual({ valid: true });
  expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
}

const RAW: [string, string][] = [
  ['unknown method', 'FOO /v3/projects/p/operations/x:cancel HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['garbage request line', 'GARBAGE\r\n\r\n'],
  ['bad content-length', 'POST /v3/projects/p/operations/x:cancel HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'],
  ['raw UTF-8 in the path', `GET /v3/projects/${Buffer.from('é', 'utf8').toString('latin1')}/operations/x HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['header overflow', `GET /v3/projects/p/operations/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ['Expect other than 100-continue', 'POST /v3/projects/p/operations/x:cancel HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}'],
];

for (const [label, bytes] of RAW) {
  test(`protocol error answers with the envelope and closes: ${label}`, async ({ ref }) => {
    const r = await sendRaw(ref.baseUrl, bytes);
    expectInvalidArgument(r);
    expect(r.headers.connection).toBe('close');
  });
}

for (const [label, path] of [
  ['bad percent-encoding', '/v3/projects/%zz/operations/x:cancel'],
  ['name longer than the router allows', `/v3/projects/p/operations/${'a'.repeat(9000)}`],
]) {
  test(`URL error answers with the envelope: ${label}`, async ({ ref }) => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      expectInvalidArgument(await send(agent, ref.baseUrl, { method: 'POST', path, body: '{}', headers: { 'content-type': 'application/json' } }));
    } finally {
      agent.destroy();
    }
  });
}

test('a keep-alive client keeps working after a request the parser refused', async ({ ref }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const token = await mint(ref, TRANSLATION_SCOPE);
  const name = (await (await api(ref, token)).create('projects/p')).json.name as string;
  try {
    for (let i = 0; i < 3; i++) {
      expectInvalidArgument(await send(agent, ref.baseUrl, { method: 'GET', path: '/v3/projects/é/operations/x' }));
      const again = await send(agent, ref.baseUrl, { method: 'GET', path: `/v3/${name}`, headers: { authorization: `Bearer ${token}` } });
      expect(again.status).toBe(200);
    }
  } finally {
    agent.destroy();
  }
});
