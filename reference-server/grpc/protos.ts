// The gRPC door's protos (google-proto-files, and the generic-lro profile's own job service from
// fixtures/protos), parsed once per process, and proto3 JSON ⇄ binary over their reflection
// (protobufjs), so the door's handlers speak the REST door's JSON.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { Json } from '../store';

const PROTO_DIR = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
/** The protos of a third-party LRO server's shape: the generic-lro profile's job service. */
const FIXTURE_PROTO_DIR = fileURLToPath(new URL('../../fixtures/protos/', import.meta.url));
/** Import folders, searched in order. */
const PROTO_DIRS = [PROTO_DIR, FIXTURE_PROTO_DIR];
const PROTO_FILES = [
  'google/longrunning/operations.proto',
  'google/cloud/translate/v3/translation_service.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
  'conformance/jobs/v1/jobs.proto',
];
export const SERVICES = ['google.longrunning.Operations', 'google.cloud.translation.v3.TranslationService', 'conformance.jobs.v1.JobService'] as const;

/** A file in the first import folder that has it (the first folder when none does: the parse then names it). */
const resolveProto = (target: string) => join(PROTO_DIRS.find((dir) => existsSync(join(dir, target))) ?? PROTO_DIR, target);

let root: protobuf.Root | undefined;

/** The parsed protos; every server of the process shares them (the parse costs ~40 ms). */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  // google/api/*.proto only declare options (http rules, signatures, field behaviour): skipping them halves the parse.
  r.resolvePath = (_origin, target) => (target.startsWith('google/api/') ? null : resolveProto(target));
  r.loadSync(PROTO_FILES);
  r.resolveAll();
  return (root = r);
}

/** toObject's options: int64, enums and bytes as proto3 JSON writes them. */
const AS_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String };

type Direction = 'toJson' | 'fromJson';
const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** 0, 3, 6 or 9 fractional digits, as proto3 JSON writes Timestamps and Durations. */
function fraction(nanos: number): string {
  if (!nanos) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}
const nanosOf = (digits = '') => Number(digits.padEnd(9, '0'));

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;
const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/;

function timestampFromJson(v: unknown): Json {
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new TypeError(`${JSON.stringify(v)} is not an RFC 3339 timestamp`);
  return { seconds: String(ms / 1000), nanos: nanosOf(m[2]) };
}
const timestampToJson = (v: unknown): string => {
  const t = v as { seconds?: string; nanos?: number };
  return `${new Date(Number(t.seconds ?? 0) * 1000).toISOString().slice(0, 19)}${fraction(t.nanos ?? 0)}Z`;
};

function durationFromJson(v: unknown): Json {
  const m = typeof v === 'string' ? DURATION.exec(v) : null;
  if (!m) throw new TypeError(`${JSON.stringify(v)} is not a Duration`);
  return { seconds: `${m[1] ?? ''}${m[2]}`, nanos: (m[1] ? -1 : 1) * nanosOf(m[3]) };
}
const durationToJson = (v: unknown): string => {
  const { seconds = '0', nanos = 0 } = v as { seconds?: string; nanos?: number };
  return `${seconds.startsWith('-') || nanos < 0 ? '-' : ''}${seconds.replace('-', '')}${fraction(Math.abs(nanos))}s`;
};

/** Well-known types with their own JSON travel in an Any as {"@type", "value"}. */
const ownJson = (type: protobuf.Type) => type.fullName.startsWith('.google.protobuf.');
const packedType = (r: protobuf.Root, url: string) => r.lookupType(url.slice(url.lastIndexOf('/') + 1));

function anyFromJson(v: unknown, r: protobuf.Root): Json {
  const { '@type': url, ...rest } = isPlain(v) ? v : {};
  if (typeof url !== 'string') throw new TypeError('an Any without "@type"');
  const type = packedType(r, url);
  return { type_url: url, value: encode(type, (ownJson(type) ? rest.value : rest) ?? {}) };
}
function anyToJson(v: unknown, r: protobuf.Root): Json {
  const { type_url: url = '', value = '' } = v as { type_url?: string; value?: string };
  const type = packedType(r, url);
  const json = decode(type, Buffer.from(value, 'base64'));
  return ownJson(type) ? { '@type': url, value: json } : { '@type': url, ...(json as Json) };
}

/** The types whose proto3 JSON is not their fields. */
const SPECIAL: Record<string, Record<Direction, (v: unknown, r: protobuf.Root) => unknown>> = {
  '.google.protobuf.Timestamp': { toJson: timestampToJson, fromJson: timestampFromJson },
  '.google.protobuf.Duration': { toJson: durationToJson, fromJson: durationFromJson },
  '.google.protobuf.Any': { toJson: anyToJson, fromJson: anyFromJson },
};

/**
 * Between proto3 JSON and protobufjs's object form (what fromObject takes and toObject gives):
 * the two differ only in the special types; nulls and unknown members are dropped.
 */
function convert(type: protobuf.Type, value: unknown, dir: Direction): unknown {
  const special = SPECIAL[type.fullName];
  if (special) return special[dir](value, type.root as protobuf.Root);
  if (!isPlain(value)) return value;
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v !== undefined && v !== null) out[field.name] = convertField(field, v, dir);
  }
  return out;
}

function convertField(field: protobuf.Field, v: unknown, dir: Direction): unknown {
  const type = field.resolvedType;
  if (!(type instanceof protobuf.Type)) return v;
  const one = (x: unknown) => convert(type, x, dir);
  if (field.map) return isPlain(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, one(x)])) : v;
  return field.repeated && Array.isArray(v) ? v.map(one) : one(v);
}

/** proto3 JSON → wire bytes; throws on a value its type cannot take (an unknown Any type, a bad timestamp). */
export function encode(type: protobuf.Type, json: unknown): Buffer {
  const bytes = type.encode(type.fromObject(convert(type, json, 'fromJson') as Json)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Wire bytes → proto3 JSON. */
export const decode = (type: protobuf.Type, bytes: Uint8Array): Json => convert(type, type.toObject(type.decode(bytes), AS_OBJECT), 'toJson') as Json;

/** The rpc name the REST routes know a method by: `google.longrunning.Operations.GetOperation`. */
export const rpcOf = (m: protobuf.Method) => m.fullName.slice(1);

/** A service's unary methods (all of these services' methods are). */
export const unaryMethods = (service: protobuf.Service) => service.methodsArray.filter((m) => !m.requestStream && !m.responseStream);

/** grpc-js definitions of a service's unary methods, whose messages are proto3 JSON in the handlers. */
export function serviceDefinition(service: protobuf.Service): ServiceDefinition<UntypedServiceImplementation> {
  const path = service.fullName.slice(1);
  return Object.fromEntries(
    unaryMethods(service).map((m) => {
      const [req, res] = [m.resolvedRequestType!, m.resolvedResponseType!];
      return [
        m.name,
        {
          path: `/${path}/${m.name}`,
          requestStream: false,
          responseStream: false,
          requestSerialize: (json: Json) => encode(req, json),
          requestDeserialize: (bytes: Buffer) => decode(req, bytes),
          responseSerialize: (json: Json) => encode(res, json),
          responseDeserialize: (bytes: Buffer) => decode(res, bytes),
        },
      ];
    }),
  );
}
