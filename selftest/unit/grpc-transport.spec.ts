// The gRPC door's pure parts: proto3 JSON of the published messages, the RPC each call is, the
// normalised answer the judge reads, the grpcurl replay, the per-door table and the TRANSPORTS rules.
import { expect, test } from '@playwright/test';
import { CATALOG } from '../../src/judging/catalog';
import { answerWord, statusWord } from '../../src/judging/codes';
import { applicabilityRows, notOnDoor, REST_ONLY } from '../../src/judging/doors';
import { errorModelProblems } from '../../src/judging/error-model';
import { routeMiss } from '../../src/judging/judge';
import { ConfigError, parseConfig, plannedDoors } from '../../src/running/config';
import { said, transcript, type Exchange, type GrpcAnswer } from '../../src/transport/evidence';
import { Metadata } from '@grpc/grpc-js';
import { localFailure, rpcOf } from '../../src/transport/grpc/operations-client';
import { methodOf, protoRoot, toJson } from '../../src/transport/grpc/protos';
import { transientCause } from '../../src/transport/retry';

const GRPC_TARGET = { TARGET_GRPC_ADDRESS: '127.0.0.1:9', TARGET_GRPC_PLAINTEXT: 'true', TARGET_PARENT: 'projects/p/locations/l', AUTH_MODE: 'none' };

test.describe('proto3 JSON of the published messages', () => {
  test('an Operation decodes with its metadata Any typed, int64 as strings and Timestamps in RFC 3339', () => {
    const root = protoRoot();
    const type = root.lookupType('google.longrunning.Operation');
    const metadata = root.lookupType('google.cloud.translation.v3.BatchTranslateDocumentMetadata');
    const bytes = type.encode(type.fromObject({
      name: 'projects/p/locations/l/operations/x', done: true, error: { code: 1, message: 'cancelled' },
      metadata: { type_url: 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata',
        value: metadata.encode(metadata.fromObject({ state: 'CANCELLED', totalPages: 3, submitTime: { seconds: 1_765_000_000, nanos: 120_000_000 } })).finish() },
    })).finish();
    expect(toJson(type, type.decode(bytes))).toEqual({
      name: 'projects/p/locations/l/operations/x', done: true, error: { code: 1, message: 'cancelled' },
      metadata: { '@type': 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata', state: 'CANCELLED', totalPages: '3', submitTime: '2025-12-06T05:46:40.12Z' },
    });
  });

  test('a method is found by its full name, and a missing one says so', () => {
    expect(methodOf(protoRoot(), 'google.longrunning.Operations/CancelOperation').response.fullName).toBe('.google.protobuf.Empty');
    expect(() => methodOf(protoRoot(), 'google.longrunning.Operations/Nope')).toThrow(/no method google.longrunning.Operations\/Nope/);
  });
});

test.describe('the RPC of each call', () => {
  const cfg = parseConfig(GRPC_TARGET);
  const createRequest = methodOf(protoRoot(), cfg.grpc!.createMethod).request;

  test('the create carries the parent the REST path would, the list names the collection, :wait its Duration', () => {
    expect(rpcOf({ rpc: 'create', kind: 'long' }, cfg, createRequest).request.parent).toBe('projects/p/locations/l');
    expect(rpcOf({ rpc: 'list', path: '/v3/projects/p/locations/l/operations', query: { pageSize: '100' } }, cfg, createRequest))
      .toEqual({ method: 'google.longrunning.Operations/ListOperations', request: { name: 'projects/p/locations/l', pageSize: 100 } });
    const wait = methodOf(protoRoot(), 'google.longrunning.Operations/WaitOperation').request;
    expect(toJson(wait, wait.fromObject(rpcOf({ rpc: 'wait', name: 'n', timeoutSeconds: 4 }, cfg, createRequest).request))).toEqual({ name: 'n', timeout: '4s' });
    expect(rpcOf({ rpc: 'cancel', name: 'n' }, cfg, createRequest)).toEqual({ method: 'google.longrunning.Operations/CancelOperation', request: { name: 'n' } });
  });

  test('a REST-only cancel (its own HTTP method or body) is refused, never sent as something else', () => {
    expect(() => rpcOf({ rpc: 'cancel', name: 'n', http: { body: '' } }, cfg, createRequest)).toThrow(/no gRPC counterpart/);
  });
});

const grpcAnswer = (over: Partial<GrpcAnswer> = {}): GrpcAnswer => ({
  method: 'google.longrunning.Operations/CancelOperation', address: '127.0.0.1:9', plaintext: true,
  importPaths: ['/abs/node_modules/google-proto-files'], protoFiles: ['google/longrunning/operations.proto'], ...over,
});
const exchange = (status: number, grpc: GrpcAnswer, json?: unknown): Exchange => ({
  method: 'CancelOperation', url: 'grpc://127.0.0.1:9/google.longrunning.Operations/CancelOperation', authLabel: 'everyday',
  requestHeaders: { authorization: 'Bearer secret-token-value-1234567890' }, requestBody: '{"name":"projects/p/operations/x"}',
  status, responseHeaders: { 'content-type': 'application/grpc' }, responseText: '', json, durationMs: 3, grpc,
});

test.describe('the normalised answer', () => {
  const denied = grpcAnswer({ code: 7, codeName: 'PERMISSION_DENIED', message: 'no', statusDetails: { code: 7, message: 'no', details: [] } });

  test('errors.envelope over gRPC: the details hold a google.rpc.Status with the same code', () => {
    expect(errorModelProblems(exchange(403, denied), { allowBareStatus: false })).toEqual([]);
    expect(errorModelProblems(exchange(403, { ...denied, statusDetails: { code: 13, details: [] } }), { allowBareStatus: false })[0]).toMatch(/has code 13, but the gRPC status is PERMISSION_DENIED \(7\)/);
    expect(errorModelProblems(exchange(403, { ...denied, statusDetails: undefined }), { allowBareStatus: false })[0]).toMatch(/no grpc-status-details-bin/);
    // gRPC has no routes to miss: a NOT_FOUND without details is the method's answer, judged.
    expect(routeMiss(exchange(404, { ...denied, code: 5, codeName: 'NOT_FOUND', statusDetails: undefined }), { allowBareStatus: false })).toBe(false);
  });

  test('grpc-js\'s own statuses are transport errors; a server\'s UNAVAILABLE, even without trailers, is its answer', () => {
    const none = new Metadata();
    expect(localFailure({ code: 14, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:9', metadata: none }, 1000)).toMatch(/^No connection established/);
    expect(localFailure({ code: 14, details: 'Stream refused by server', metadata: none }, 1000)).toBe('connection reset: Stream refused by server');
    expect(localFailure({ code: 4, details: 'Deadline exceeded after 1.001s', metadata: none }, 1000)).toBe('timed out after 1000 ms (Deadline exceeded after 1.001s)');
    expect(localFailure({ code: 14, details: 'The service is currently unavailable.', metadata: none }, 1000)).toBeUndefined();
    expect(localFailure({ code: 4, details: 'upstream request timeout', metadata: none }, 1000)).toBeUndefined();
    const trailers = new Metadata();
    trailers.set('x-zone', 'a');
    expect(localFailure({ code: 14, details: 'Connection dropped', metadata: trailers }, 1000)).toBeUndefined();
  });

  test('the words of each door, and what is transient over gRPC', () => {
    expect(statusWord(exchange(401, denied), 401)).toBe('UNAUTHENTICATED (16)');
    expect(statusWord({}, 401)).toBe('HTTP 401');
    expect(answerWord(exchange(403, denied))).toBe('PERMISSION_DENIED (7)');
    expect(said(exchange(403, denied))).toBe('answered gRPC PERMISSION_DENIED (7) "no"');
    expect(transientCause({ status: 503, responseHeaders: {}, json: undefined, grpc: { codeName: 'UNAVAILABLE' } })).toBe('gRPC UNAVAILABLE');
    expect(transientCause({ status: 403, responseHeaders: {}, json: undefined, grpc: { codeName: 'PERMISSION_DENIED' } })).toBeUndefined();
  });

  test('the transcript replays with grpcurl, the token left in $ACCESS_TOKEN', () => {
    const text = transcript(exchange(403, { ...denied, plaintext: false, tls: { caFile: '/zone/ca.pem' } }));
    const replay = text.split('\n').at(-1)!;
    expect(replay).toBe(`grpcurl -H "authorization: Bearer $ACCESS_TOKEN" -cacert '/zone/ca.pem' -import-path '/abs/node_modules/google-proto-files' -proto google/longrunning/operations.proto -d '{"name":"projects/p/operations/x"}' 127.0.0.1:9 google.longrunning.Operations/CancelOperation`);
    expect(text).toContain('gRPC PERMISSION_DENIED (7) "no"');
    expect(text).not.toContain('secret-token-value');
  });
});

test.describe('one catalog, judged per door', () => {
  test('the REST-only rules are not applicable over gRPC, with their reason; parity needs both doors', () => {
    expect(Object.keys(REST_ONLY).sort()).toEqual(['cancel.auth.challenge', 'cancel.request.malformed-json', 'cancel.request.unknown-field', 'cancel.request.wrong-method', 'cancel.request.zero-length', 'cancel.response.json']);
    for (const id of Object.keys(REST_ONLY)) {
      expect(notOnDoor(id, 'grpc', ['rest', 'grpc'])).toBe(REST_ONLY[id]);
      expect(notOnDoor(id, 'rest', ['rest', 'grpc'])).toBeUndefined();
    }
    expect(notOnDoor('cancel.transport.parity', 'grpc', ['rest', 'grpc'])).toBeUndefined();
    expect(notOnDoor('cancel.transport.parity', 'rest', ['rest', 'grpc'])).toMatch(/once for both doors/);
    expect(notOnDoor('cancel.transport.parity', 'rest', ['rest'])).toMatch(/only rest/);
    expect(applicabilityRows().map((r) => r.id)).toEqual(CATALOG.map((r) => r.id));
  });

  test('TRANSPORTS: every configured door by default; a door without its address is one clear error', () => {
    expect(parseConfig(GRPC_TARGET).doors).toEqual(['grpc']);
    expect(parseConfig({ ...GRPC_TARGET, TARGET_BASE_URL: 'http://127.0.0.1:9' }).doors).toEqual(['rest', 'grpc']);
    expect(plannedDoors({})).toEqual(['rest', 'grpc']);
    expect(plannedDoors({ REFERENCE_GRPC: 'false' })).toEqual(['rest']);
    expect(() => parseConfig({ ...GRPC_TARGET, TRANSPORTS: 'rest' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...GRPC_TARGET, TRANSPORTS: 'rest' })).toThrow(/TRANSPORTS: names rest, but TARGET_BASE_URL is not set/);
    expect(() => parseConfig({ ...GRPC_TARGET, TARGET_GRPC_ADDRESS: 'grpc://host' })).toThrow(/TARGET_GRPC_ADDRESS: "grpc:\/\/host" is not host:port/);
    expect(() => parseConfig({ ...GRPC_TARGET, OPERATION_CREATE_GRPC_METHOD: 'acme.jobs.v1.Jobs/Run' })).toThrow(/GRPC_PROTO_PATH: names no .proto file/);
  });
});
