// A plain gRPC client for the reference server's gRPC door, built from google-proto-files (and the
// generic-lro profile's job service, fixtures/protos) with @grpc/grpc-js and proto-loader (none of
// the server's code): calls as promises of an outcome, Anys and grpc-status-details-bin decoded with protobufjs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { RunningReference } from '../../reference-server/index';
import { TRANSLATION_SCOPE, expect, fixture, mint, test as base } from './helpers';

export { grpc };

const PROTO_DIR = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
const OPERATIONS_PROTO = 'google/longrunning/operations.proto';
const TRANSLATION_PROTO = 'google/cloud/translate/v3/translation_service.proto';
/** A third-party LRO server's own protos, in the shape OPERATION_CREATE_GRPC_METHOD + GRPC_PROTO_PATH take. */
const FIXTURE_PROTO_DIR = fileURLToPath(new URL('../../fixtures/protos/', import.meta.url));
const JOBS_PROTO = 'conformance/jobs/v1/jobs.proto';

// camelCase fields, so the fixtures' proto3 JSON bodies go in as they are.
const packages = grpc.loadPackageDefinition(
  protoLoader.loadSync([OPERATIONS_PROTO, TRANSLATION_PROTO, JOBS_PROTO], {
    includeDirs: [PROTO_DIR, FIXTURE_PROTO_DIR],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  }),
) as unknown as {
  google: { longrunning: Record<string, grpc.ServiceClientConstructor>; cloud: { translation: { v3: Record<string, grpc.ServiceClientConstructor> } } };
  conformance: { jobs: { v1: Record<string, grpc.ServiceClientConstructor> } };
};
const SERVICES = {
  operations: packages.google.longrunning.Operations,
  translation: packages.google.cloud.translation.v3.TranslationService,
  jobs: packages.conformance.jobs.v1.JobService,
};

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync([TRANSLATION_PROTO, 'google/rpc/status.proto', 'google/rpc/error_details.proto']);

export const METADATA_TYPE = 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata';
const AS_OBJECT = { longs: String, enums: String };

type AnyMessage = { type_url?: string; value?: Uint8Array } | null | undefined;

/** An Any as {"@type", ...its fields}; undefined when unset. */
export function unpack(any: AnyMessage): any {
  if (!any?.type_url) return undefined;
  const type = root.lookupType(any.type_url.slice(any.type_url.lastIndexOf('/') + 1));
  return { '@type': any.type_url, ...type.toObject(type.decode(any.value ?? new Uint8Array()), AS_OBJECT) };
}

/** A Timestamp message as the RFC 3339 string the REST door writes (millisecond precision). */
export const rfc3339 = (t: { seconds?: string; nanos?: number }) => new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();

/** The google.rpc.Status of grpc-status-details-bin, its details unpacked. */
function richStatus(metadata: grpc.Metadata | undefined) {
  const [bin] = metadata?.get('grpc-status-details-bin') ?? [];
  if (!bin) return undefined;
  const Status = root.lookupType('google.rpc.Status');
  const s = Status.toObject(Status.decode(bin as Buffer), AS_OBJECT) as { code?: number; message?: string; details?: AnyMessage[] };
  return { code: s.code, message: s.message, details: (s.details ?? []).map(unpack) };
}

/** A call's end: code 0 and the reply, or a status with its message and rich details. */
export interface Outcome {
  code: number;
  value?: any;
  message?: string;
  status?: ReturnType<typeof richStatus>;
}

const METHODS = {
  batchTranslateDocument: 'translation',
  translateText: 'translation',
  getOperation: 'operations',
  listOperations: 'operations',
  cancelOperation: 'operations',
  deleteOperation: 'operations',
  waitOperation: 'operations',
  runJob: 'jobs',
} as const;
export type Method = keyof typeof METHODS;

export interface CallInit {
  /** A bearer token; null sends no authorization. The door's own token by default. */
  token?: string | null;
  deadlineMs?: number;
}

export interface GrpcDoor {
  token: string;
  call(method: Method, request: object, init?: CallInit): Promise<Outcome>;
  /** BatchTranslateDocument with a fixture body; expects an operation back. */
  create(parent: string, which?: 'quick' | 'long'): Promise<any>;
  /** Polls GetOperation until the predicate holds or the deadline passes; returns the last Operation. */
  until(name: string, predicate: (op: any) => boolean, deadlineMs?: number): Promise<any>;
  close(): void;
}

export async function openDoor(ref: RunningReference, credentials = grpc.credentials.createInsecure(), token?: string): Promise<GrpcDoor> {
  expect(ref.grpcAddress, 'the gRPC door is open').toBeDefined();
  const bearer = token ?? (await mint(ref, TRANSLATION_SCOPE));
  // The test certificates name localhost too: SNI with a name, as grpc-js would otherwise send the IP (node warns).
  const options = { 'grpc.ssl_target_name_override': 'localhost' };
  const clients = {
    operations: new SERVICES.operations(ref.grpcAddress!, credentials, options),
    translation: new SERVICES.translation(ref.grpcAddress!, credentials, options),
    jobs: new SERVICES.jobs(ref.grpcAddress!, credentials, options),
  };
  const call: GrpcDoor['call'] = (method, request, init = {}) => {
    const metadata = new grpc.Metadata();
    const auth = init.token !== undefined ? init.token : bearer;
    if (auth !== null) metadata.set('authorization', `Bearer ${auth}`);
    const options = init.deadlineMs ? { deadline: Date.now() + init.deadlineMs } : {};
    const client = clients[METHODS[method]] as unknown as Record<string, (...args: unknown[]) => void>;
    return new Promise((resolve) =>
      client[method](request, metadata, options, (err: grpc.ServiceError | null, value: unknown) =>
        resolve(err ? { code: err.code, message: err.details, status: richStatus(err.metadata) } : { code: 0, value }),
      ),
    );
  };
  const door: GrpcDoor = {
    token: bearer,
    call,
    async create(parent, which = 'long') {
      const r = await call('batchTranslateDocument', { parent, ...JSON.parse(fixture(which)) });
      expect(r, 'BatchTranslateDocument').toMatchObject({ code: 0 });
      return r.value;
    },
    async until(name, predicate, deadlineMs = 5000) {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const op = (await call('getOperation', { name })).value;
        if (predicate(op) || Date.now() > end) return op;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => Object.values(clients).forEach((c) => c.close()),
  };
  return door;
}

/** `connect(ref)`: a gRPC door client, closed after the test. */
export const test = base.extend<{ connect: (ref: RunningReference, credentials?: grpc.ChannelCredentials) => Promise<GrpcDoor> }>({
  connect: async ({}, use) => {
    const opened: GrpcDoor[] = [];
    await use(async (ref, credentials) => {
      const door = await openDoor(ref, credentials);
      opened.push(door);
      return door;
    });
    opened.forEach((d) => d.close());
  },
});

/** A status's ErrorInfo, if it has one. */
export const errorInfo = (o: Outcome) => o.status?.details.find((d: any) => d?.['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');

export { expect };
