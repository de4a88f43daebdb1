// fast-check generators of hostile requests against the reference server's API surface.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import type { RawRequest } from './raw-http';

/** What the generators may aim at: names the server holds, and the tokens of its issuer. */
export interface Targets {
  /** Done operations (cancelled or finished): safe for every verb, :wait answers at once. */
  done: string[];
  /** Running operations: never the target of :wait (it could hold for 30 s). */
  running: string[];
  tokens: Record<TokenKind, string>;
}

export type TokenKind = 'translation' | 'platform' | 'insufficient' | 'noScope' | 'expired' | 'wrongAudience' | 'forged';

export type FuzzCase = { kind: 'http'; req: RawRequest } | { kind: 'raw'; bytes: string; label: string };

const QUICK_BODY = JSON.stringify({
  sourceLanguageCode: 'en',
  targetLanguageCodes: ['de'],
  inputConfigs: [{ gcsSource: { inputUri: 'gs://fuzz/one.pdf' } }],
  outputConfig: { gcsDestination: { outputUriPrefix: 'gs://fuzz/out/' } },
});

const goodSegment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.~-]{0,24}$/);
/** Raw code points go out as UTF-8 bytes; bytes node refuses in a request line are percent-encoded. */
const rawText = (s: string) => s.replace(/[\u0000-\u0020\u007f]/g, (c) => encodeURIComponent(c));

const oddSegment = fc.oneof(
  fc.constantFrom('..', '.', '%2E%2E', '%2e', '%2F', 'a%2Fb', '%2f..%2f', '..%2F..%2Fetc', '%252F', '%00', '%', '%zz', '%C3%A9', '%E2%80%AE', '%FF%FE', '~', '-', '_x', '', ' ', '%20', 'a:b', 'op:cancel', '*', '{name}', '$', "'", '"'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(rawText),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).map(rawText),
  fc.integer({ min: 900, max: 9000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 300, max: 1200 }).map((n) => 'é'.repeat(n)),
);
const segment = fc.oneof({ weight: 3, arbitrary: goodSegment }, { weight: 2, arbitrary: oddSegment }, { weight: 1, arbitrary: fc.uuid() });

const parent = fc.oneof(
  fc.tuple(segment).map(([p]) => `projects/${p}`),
  fc.tuple(segment, segment).map(([p, l]) => `projects/${p}/locations/${l}`),
  fc.constantFrom('projects/fuzz', 'projects/fuzz/locations/us-central1', 'projects', 'projects/', 'projects//locations/x', 'locations/x', 'projects/a/b/c'),
);

function operationName(t: Targets, withRunning: boolean) {
  const held = withRunning ? [...t.done, ...t.running] : t.done;
  const mutate = (name: string, how: number) =>
    [
      name,
      `${name}/`,
      name.replace('/operations/', '/operations//'),
      name.replace('/operations/', '/Operations/'),
      name.replace('/operations/', '/operations/../operations/'),
      name.replace(/\//g, '%2F'),
      name.replace('projects/', 'projects/%2E%2E/'),
      `${name}%00`,
      name.toUpperCase(),
      name.slice(0, -1),
    ][how];
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...held) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...held), fc.integer({ min: 0, max: 9 })).map(([n, i]) => mutate(n, i)) },
    { weight: 3, arbitrary: fc.tuple(parent, segment).map(([p, o]) => `${p}/operations/${o}`) },
  );
}

const query = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  fc.constantFrom('?pageSize=1', '?pageSize=-1', '?pageSize=abc', '?pageSize=99999999999999999999', '?page_size=0', '?pageToken=xyz', '?pageToken=YWZ0ZXI6MQ',
    '?filter=done%3Dtrue', '?filter=done%3Dmaybe', '?filter=%00', '?alt=json', '?$alt=json;enum-encoding=int', '?a=1&a=2', '?', '?&&', '?pageSize=1&pageSize=2', '?__proto__=x'),
  fc.webQueryParameters().map((q) => `?${q}`),
);

const OP_SUFFIXES = ['', '', ':cancel', ':cancel', ':cancel', ':cancel', ':cancel', ':wait', ':wait', ':CANCEL', ':cancel:cancel', ':', '::cancel', ':cancel/', '/cancel', ':cancel%3A', '%3Acancel', ':undelete'];
const PARENT_SUFFIXES = ['/operations', ':batchTranslateDocument', '/operations/', ':cancel', ''];
const PREFIXES = ['/v3/', '/v3/', '/v3/', '/v3/', '/v2/', '//v3/', '/V3/', '/v3//', '/', '/v3/v3/'];

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('POST') },
  { weight: 5, arbitrary: fc.constant('GET') },
  { weight: 2, arbitrary: fc.constant('DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'SEARCH', 'PROPFIND', 'MKCOL') },
);

/** The method a route expects, most of the time; any method otherwise. */
const RIGHT_METHOD: Record<string, string[]> = { '': ['GET', 'DELETE'], ':cancel': ['POST'], ':wait': ['POST'], '/operations': ['GET'], ':batchTranslateDocument': ['POST'] };
const methodFor = (suffix: string) => {
  const right = RIGHT_METHOD[suffix];
  return right ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...right) }, { weight: 1, arbitrary: method }) : method;
};

function target(t: Targets): fc.Arbitrary<{ method: string; path: string }> {
  const prefix = fc.oneof({ weight: 6, arbitrary: fc.constant('/v3/') }, { weight: 1, arbitrary: fc.constantFrom(...PREFIXES) });
  const onOperation = fc.constantFrom(...OP_SUFFIXES).chain((suffix) =>
    fc.record({ method: methodFor(suffix), path: fc.tuple(prefix, operationName(t, suffix !== ':wait'), fc.constant(suffix), query).map((parts) => parts.join('')) }),
  );
  const onParent = fc.constantFrom(...PARENT_SUFFIXES).chain((suffix) =>
    fc.record({ method: methodFor(suffix), path: fc.tuple(prefix, parent, fc.constant(suffix), query).map((parts) => parts.join('')) }),
  );
  const anywhere = fc.record({ method, path: fc.webPath().map((p) => p || '/') });
  return fc.oneof({ weight: 6, arbitrary: onOperation }, { weight: 2, arbitrary: onParent }, { weight: 1, arbitrary: anywhere });
}

function authorization(t: Targets) {
  const token = fc.constantFrom(...(Object.keys(t.tokens) as TokenKind[])).map((k) => t.tokens[k]);
  return fc.oneof(
    { weight: 12, arbitrary: token.map((v) => `Bearer ${v}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer a b', 'Basic YW55OnNlY3JldA==', 'bearer', 'Token abc', 'Bearer x.y.z', 'Bearer é', 'Bearer \u2603', `Bearer ${'a'.repeat(9000)}`, 'Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6Imh0dHBzOi8vd3d3Lmdvb2dsZWFwaXMuY29tL2F1dGgvY2xvdWQtcGxhdGZvcm0ifQ.'),
    token.map((v) => `bearer ${v}`),
    token.map((v) => `Bearer  ${v}  `),
    token.map((v) => `Bearer ${v}, Bearer ${v}`),
    token.map((v) => `Bearer ${v.slice(0, -5)}`),
    fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `Bearer ${s.replace(/[\u0000-\u001f\u007f]/g, '')}`),
  );
}

const contentType = fc.constantFrom(
  undefined, undefined, 'application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/octet-stream', '*/*', ';;;', 'application/grpc',
  'application/x-protobuf', 'json', 'application/json; charset="', 'application/merge-patch+json', 'é/é',
);

const extraHeaders = fc.record(
  {
    'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown'),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/grpc', ''),
    'x-http-method-override': fc.constantFrom('DELETE', 'GET', 'CANCEL'),
    'x-goog-user-project': fc.constantFrom('p', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', 'é'),
  },
  { requiredKeys: [] },
);

/** Built when sent, so generated cases stay small. */
const BIG = (n: number) => () => JSON.stringify({ foo: 'x'.repeat(n) });
const body = fc.oneof(
  { weight: 6, arbitrary: fc.constant('{}') },
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant(QUICK_BODY) },
  { weight: 2, arbitrary: fc.constantFrom('0s', '0.05s', '0.1s', '1e3s', '-1s', 'abc', '999999999999s', '0.0000000001s', '', '1.5').map((timeout) => JSON.stringify({ timeout })) },
  { weight: 3, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 }).map((o) => JSON.stringify(o)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 2 }).map((s) => s.slice(0, Math.max(1, s.length - 1))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\ufeff{}', '{}garbage', '{"a":1,}', 'null', '[]', '"{}"', '{} {}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{"constructor":{}}', '{"toString":{}}', '{"hasOwnProperty":1}', '{"inputConfigs":[{"valueOf":{}}]}', '{"timeout":null}', '{"timeout":{"seconds":1}}',
      '{"sourceLanguageCode":"en","targetLanguageCodes":"de"}', '{"inputConfigs":[{"gcsSource":{},"s3Source":{}}]}', '{"models":{"de":1}}', 'true', '0', '1e999', '"\\ud800"',
      '{"a":"\\u0000"}', `${'['.repeat(20000)}${']'.repeat(20000)}`, '{"a":'.repeat(5000), `{"k":"${'é'.repeat(5000)}"}`,
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom(gzipSync('{}'), gzipSync(QUICK_BODY), Buffer.from('{"k":"é"}', 'latin1'), Buffer.from('{}', 'utf16le')) },
  { weight: 1, arbitrary: fc.constantFrom(900_000, 1_048_000, 1_100_000, 2_500_000).map(BIG) },
);


export function httpCase(t: Targets): fc.Arbitrary<FuzzCase> {
  return fc
    .record({ to: target(t), auth: authorization(t), contentType, extra: extraHeaders, body, chunked: fc.boolean() })
    .map(({ to: { method, path }, auth, contentType, extra, body, chunked }) => {
      const headers: Record<string, string> = { ...extra };
      if (auth !== undefined) headers.authorization = auth;
      if (contentType !== undefined) headers['content-type'] = contentType;
      // A body on GET/HEAD/DELETE is legal HTTP but unusual: keep it sometimes.
      const withBody = ['POST', 'PUT', 'PATCH'].includes(method) || chunked;
      return { kind: 'http' as const, req: { method, path, headers, body: withBody ? body : undefined, chunked: chunked && body !== undefined } };
    });
}

/** Requests node:http will not write: bad methods, framing and request lines. */
export function rawCase(t: Targets): fc.Arbitrary<FuzzCase> {
  const name = t.done[0];
  const auth = `Authorization: Bearer ${t.tokens.translation}\r\n`;
  const close = 'Connection: close\r\n';
  const cases: [string, string][] = [
    ['unknown method', `FOO /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}\r\n`],
    ['lower-case method', `post /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Length: 2\r\n\r\n{}`],
    ['bad content-length', `POST /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Length: abc\r\n\r\n{}`],
    ['negative content-length', `POST /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Length: -1\r\n\r\n{}`],
    ['CL and TE', `POST /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`],
    ['bad chunk', `POST /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
    ['garbage line', 'GARBAGE\r\n\r\n'],
    ['http/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['header overflow', `GET /v3/${name} HTTP/1.1\r\nHost: x\r\n${auth}${close}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['overlong url', `GET /v3/projects/${'a'.repeat(20_000)}/operations/x HTTP/1.1\r\nHost: x\r\n${auth}${close}\r\n`],
    ['http/1.0 without host', `POST /v3/${name}:cancel HTTP/1.0\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`],
    ['absolute-form target', `POST http://127.0.0.1/v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`],
    ['bare LF', `GET /v3/${name} HTTP/1.1\nHost: x\n${auth.replace('\r', '')}Connection: close\n\n`],
    ['bad header name', `GET /v3/${name} HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n${auth}${close}\r\n`],
    ['space in target', `GET /v3/projects/p q/operations/x HTTP/1.1\r\nHost: x\r\n${auth}${close}\r\n`],
    ['raw utf-8 in header', `GET /v3/${name} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${Buffer.from('☃', 'utf8').toString('latin1')}\r\n${close}\r\n`],
    ['HTTP/9', `GET /v3/${name} HTTP/9.9\r\nHost: x\r\n${close}\r\n`],
    ['odd expect', `POST /v3/${name}:cancel HTTP/1.1\r\nHost: x\r\n${auth}${close}Expect: teapot\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`],
  ];
  return fc.constantFrom(...cases).map(([label, bytes]) => ({ kind: 'raw' as const, label, bytes }));
}

export const fuzzCase = (t: Targets) => fc.oneof({ weight: 49, arbitrary: httpCase(t) }, { weight: 1, arbitrary: rawCase(t) });
