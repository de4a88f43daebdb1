// The messages of the gRPC door, loaded with protobufjs from google-proto-files (and GRPC_PROTO_PATH
// for other services), and their proto3 JSON form: the judge reads both doors' bodies as JSON.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const GOOGLE_PROTOS = dirname(require.resolve('google-proto-files/package.json'));
/** Parsed protos, kept as protobufjs JSON: reading it back takes a fifth of parsing the .proto files, in every process of a run. */
const CACHE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/lro-cancel-conformance/protos', import.meta.url));
const versionOf = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;

/** The files every run loads: the operations service, Translation's create method, the error model. */
export const BASE_PROTO_FILES = [
  'google/longrunning/operations.proto',
  'google/cloud/translate/v3/translation_service.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
] as const;

export interface ProtoSet {
  /** Import paths (-import-path for grpcurl), google-proto-files first. */
  readonly includeDirs: readonly string[];
  /** Files loaded beyond the base ones (GRPC_PROTO_PATH). */
  readonly extraFiles: readonly string[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

// proto3 JSON: a Timestamp is an RFC 3339 string and a Duration "1.5s". protobufjs leaves both as
// {seconds, nanos} unless told; its wrappers are the documented hook (applied when a type is first
// used). Only the reading side: the requests the suite builds carry their Durations as objects.
// `this` is the type with its generated converters: fromObject stays theirs.
const generatedFromObject = { fromObject(this: protobuf.Type, object: { [k: string]: unknown }) { return this.fromObject(object); } };
protobuf.wrappers['.google.protobuf.Timestamp'] = {
  ...generatedFromObject,
  toObject(message: protobuf.Message & { seconds?: unknown; nanos?: unknown }) {
    const seconds = Number(message.seconds ?? 0);
    const nanos = Number(message.nanos ?? 0);
    const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
    return `${iso}${nanos ? `.${pad(nanos, 9).replace(/0+$/, '')}` : ''}Z` as unknown as { [k: string]: unknown };
  },
};
protobuf.wrappers['.google.protobuf.Duration'] = {
  ...generatedFromObject,
  toObject(message: protobuf.Message & { seconds?: unknown; nanos?: unknown }) {
    const nanos = Number(message.nanos ?? 0);
    return `${Number(message.seconds ?? 0)}${nanos ? `.${pad(nanos, 9).replace(/0+$/, '')}` : ''}s` as unknown as { [k: string]: unknown };
  },
};

const roots = new Map<string, protobuf.Root>();

/** One Root per proto set and process: parsing the Translation protos takes ~100 ms, reading them back from the cache ~20 ms. */
export function protoRoot(set: ProtoSet = { includeDirs: [GOOGLE_PROTOS], extraFiles: [] }): protobuf.Root {
  const key = JSON.stringify(set);
  const cached = roots.get(key);
  if (cached) return cached;
  const root = readCached(set) ?? parseAndKeep(set);
  roots.set(key, root);
  return root;
}

/** The cache file of a set: the library and protos versions, the set, and the extra files' contents (their own imports are not hashed). */
function cacheFile(set: ProtoSet): string {
  const hash = createHash('sha256').update(JSON.stringify([versionOf('protobufjs'), versionOf('google-proto-files'), set]));
  for (const file of set.extraFiles) {
    const path = [...set.includeDirs, process.cwd()].map((dir) => join(dir, file)).find(existsSync);
    if (path) hash.update(readFileSync(path));
  }
  return join(CACHE_DIR, `${hash.digest('hex').slice(0, 24)}.json`);
}

function readCached(set: ProtoSet): protobuf.Root | undefined {
  try {
    const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(cacheFile(set), 'utf8')) as protobuf.INamespace);
    root.resolveAll();
    return root;
  } catch {
    return undefined;
  }
}

function parseAndKeep(set: ProtoSet): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target) && existsSync(target)) return target;
    for (const dir of [...set.includeDirs, dirname(origin)]) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync([...BASE_PROTO_FILES, ...set.extraFiles], { keepCase: false });
  root.resolveAll();
  try {
    // Written whole under another name, then renamed: a process reading it never sees half a file.
    const file = cacheFile(set);
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(root.toJSON()));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // A read-only tree (an unpacked bundle on a locked runner) parses every time.
  }
  return root;
}

export const defaultProtoSet = (extra?: { includeDirs: readonly string[]; files: readonly string[] }): ProtoSet => ({
  includeDirs: [GOOGLE_PROTOS, ...(extra?.includeDirs ?? [])],
  extraFiles: extra?.files ?? [],
});

/** proto3 JSON of a message: lowerCamelCase names, Any with "@type", int64 as strings, defaults left out. */
export const toJson = (type: protobuf.Type, message: protobuf.Message): Record<string, unknown> =>
  type.toObject(message, { longs: String, enums: String, bytes: String, json: true, defaults: false }) as Record<string, unknown>;

/** The message for proto3 JSON (protobufjs ignores members the type does not have, as Google's parsers do not: the server judges). */
export const fromJson = (type: protobuf.Type, json: unknown): protobuf.Message => type.fromObject(json as Record<string, unknown>);

/** A method of a service in the root, by its full name "pkg.Service/Method". */
export function methodOf(root: protobuf.Root, fullName: string): { path: string; request: protobuf.Type; response: protobuf.Type } {
  const [service, method] = fullName.replace(/^\//, '').split('/');
  const found = service && method ? root.lookup(service) : null;
  const rpc = found instanceof protobuf.Service ? found.methods[method!] : undefined;
  if (!rpc) throw new Error(`no method ${fullName} in the loaded protos`);
  rpc.resolve();
  return { path: `/${service}/${method}`, request: rpc.resolvedRequestType!, response: rpc.resolvedResponseType! };
}
