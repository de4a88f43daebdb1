// The gRPC door: a call becomes the RPC of google.longrunning.Operations (or the create method)
// through @grpc/grpc-js, its messages (de)serialised by protobufjs from the published protos, and
// its answer normalised for the judge: the gRPC code, its HTTP mapping, the reply as proto3 JSON,
// and the google.rpc.Status of grpc-status-details-bin.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import type { Config } from '../../running/config';
import type { Exchange, GrpcAnswer } from '../evidence';
import { httpStatusForCode, RPC_CODES } from '../../judging/codes';
import { operationsClient, type Auth, type Call, type Counters, type Door, type Recorder } from '../operations-client';
import { authLabel, authorizationOf } from '../rest/operations-client';
import { allTrusted, proxyFor } from '../tls';
import { BASE_PROTO_FILES, defaultProtoSet, fromJson, methodOf, protoRoot, toJson } from './protos';

const OPERATIONS = 'google.longrunning.Operations';
const CODE_NAME = new Map(RPC_CODES.map((c) => [c.number, c.name]));
const STATUS_DETAILS = 'grpc-status-details-bin';

/** The gRPC settings of a run (TARGET_GRPC_ADDRESS and friends, src/running/config.ts). */
export interface GrpcSettings {
  /** host:port */
  readonly address: string;
  readonly plaintext: boolean;
  /** OPERATION_CREATE_GRPC_METHOD: "pkg.Service/Method". */
  readonly createMethod: string;
  /** GRPC_PROTO_PATH: include folders and the files that define the create method. */
  readonly protos: { readonly includeDirs: readonly string[]; readonly files: readonly string[] };
}

/** Loads the published protos before they are needed (the base set: GRPC_PROTO_PATH's files come with the door). */
export const warmUp = () => void protoRoot();

/** A channel to the target; one per worker, like the REST door's request context. */
export function grpcChannel(cfg: Config): grpc.Client {
  const settings = cfg.grpc!;
  applyProxyEnvironment(settings.address);
  return new grpc.Client(settings.address, channelCredentials(cfg), {
    // Retries are the suite's (src/transport/retry.ts): each attempt must show in the evidence.
    'grpc.enable_retries': 0,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  });
}

function channelCredentials(cfg: Config): grpc.ChannelCredentials {
  if (cfg.grpc!.plaintext) return grpc.credentials.createInsecure();
  const t = cfg.transport;
  const roots = Buffer.from(allTrusted(t).join('\n'));
  const client = t.clientCertificate;
  // grpc-js takes no passphrase: the key is decrypted here, in memory.
  const key = client ? Buffer.from(createPrivateKey({ key: readFileSync(client.keyFile), ...(client.passphrase ? { passphrase: client.passphrase } : {}) }).export({ type: 'pkcs8', format: 'pem' })) : null;
  return grpc.credentials.createSsl(roots, key, client ? readFileSync(client.certFile) : null, t.insecure ? { rejectUnauthorized: false } : {});
}

/**
 * grpc-js reads only lower-case proxy variables, at connect time; the suite reads HTTPS_PROXY /
 * NO_PROXY in either case, as curl does, so the channel is told what proxyFor() decided.
 */
function applyProxyEnvironment(address: string): void {
  const proxy = proxyFor(`https://${address}`);
  if (proxy) process.env.grpc_proxy = proxy;
  else if (process.env.https_proxy || process.env.http_proxy || process.env.grpc_proxy) process.env.no_grpc_proxy = [process.env.no_grpc_proxy, address.replace(/:\d+$/, '')].filter(Boolean).join(',');
}

/** The parent a create names: TARGET_PARENT, or the REST create path without its prefix and verb. */
const parentOf = (cfg: Config) => cfg.parent ?? cfg.createPath.slice(cfg.apiPrefix.length + 1).replace(/:[A-Za-z]+$/, '');

/** The collection ListOperations names: the REST list path without its prefix and "/operations". */
const collectionOf = (path: string, cfg: Config) => path.split('?')[0]!.replace(new RegExp(`^${cfg.apiPrefix}/`), '').replace(/(^|\/)operations$/, '');

interface Rpc {
  readonly method: string;
  readonly request: Record<string, unknown>;
}

/** The RPC a call is, with its request as proto3 JSON. */
export function rpcOf(call: Call, cfg: Config, createRequest: protobuf.Type): Rpc {
  switch (call.rpc) {
    case 'create': {
      const body = (call.kind === 'long' ? cfg.createBody : cfg.createBodyQuick) as Record<string, unknown>;
      // The REST body leaves the parent to the path; the gRPC request carries it, where the message has one.
      const withParent = createRequest.fields.parent && body.parent === undefined ? { parent: parentOf(cfg), ...body } : body;
      return { method: cfg.grpc!.createMethod, request: withParent };
    }
    case 'get':
      return { method: `${OPERATIONS}/GetOperation`, request: { name: call.name } };
    case 'list': {
      const { pageSize, pageToken, filter } = call.query;
      return { method: `${OPERATIONS}/ListOperations`, request: { name: collectionOf(call.path, cfg), ...(filter ? { filter } : {}), ...(pageSize ? { pageSize: Number(pageSize) } : {}), ...(pageToken ? { pageToken } : {}) } };
    }
    case 'wait':
      return { method: `${OPERATIONS}/WaitOperation`, request: { name: call.name, timeout: { seconds: call.timeoutSeconds } } };
    case 'cancel':
      if (call.http) throw new Error('a cancel with an HTTP method or body of its own has no gRPC counterpart: the requirement that sends it applies to REST only');
      return { method: `${OPERATIONS}/CancelOperation`, request: { name: call.name } };
    case 'delete':
      return { method: `${OPERATIONS}/DeleteOperation`, request: { name: call.name } };
  }
}

/** The trailers (and initial metadata) as text headers; binary ones by size, the details decoded elsewhere. */
const metadataHeaders = (md: grpc.Metadata | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(md?.getMap() ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? `(${v.length} bytes)` : String(v)]));

function decodeStatusDetails(root: protobuf.Root, md: grpc.Metadata | undefined): GrpcAnswer['statusDetails'] {
  const raw = md?.get(STATUS_DETAILS)[0];
  if (raw === undefined) return undefined;
  try {
    const type = root.lookupType('google.rpc.Status');
    const json = toJson(type, type.decode(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'base64'))) as { code?: number; message?: string; details?: unknown[] };
    // An Any of a type the loaded protos do not know stays typed: its type URL, its bytes in base64.
    const details = (json.details ?? []).map((d) => {
      const any = d as { '@type'?: string; typeUrl?: string; value?: string };
      return any['@type'] || !any.typeUrl ? d : { '@type': any.typeUrl, value: any.value };
    });
    return { code: json.code ?? 0, ...(json.message !== undefined ? { message: json.message } : {}), details };
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}

// What grpc-js itself says when no status came: the connection failed, dropped or was refused, or the deadline passed.
const NEVER_CONNECTED = /ECONNREFUSED|No connection established|ENOTFOUND|EAI_AGAIN/;
const DROPPED = /Connection dropped|RST_STREAM|Stream refused|ECONNRESET|EPIPE|socket hang up/i;
const DEADLINE = /^Deadline exceeded/;

/**
 * A status grpc-js made up itself (no trailers came, and its own words): like the REST door's "no
 * HTTP answer", a transport error, not the method's answer. A server's own UNAVAILABLE, trailers or
 * not, is an answer (transient, retried; when retries run out, unverified as a REST 503 is).
 */
export function localFailure(error: Pick<grpc.ServiceError, 'code' | 'details' | 'metadata'>, timeoutMs: number): string | undefined {
  if (Object.keys(error.metadata?.getMap() ?? {}).length > 0) return undefined;
  if (error.code === grpc.status.DEADLINE_EXCEEDED && DEADLINE.test(error.details)) return `timed out after ${timeoutMs} ms (${error.details})`;
  if (error.code !== grpc.status.UNAVAILABLE) return undefined;
  if (NEVER_CONNECTED.test(error.details)) return error.details;
  return DROPPED.test(error.details) ? `connection reset: ${error.details}` : undefined;
}

export function grpcDoor(channel: grpc.Client, cfg: Config): Door {
  const settings = cfg.grpc!;
  const root = protoRoot(defaultProtoSet(settings.protos));
  const createMethod = methodOf(root, settings.createMethod);
  const t = cfg.transport;
  const answerBase = {
    address: settings.address,
    plaintext: settings.plaintext,
    importPaths: defaultProtoSet(settings.protos).includeDirs,
    ...(settings.plaintext ? {} : { tls: { ...(t.caFile ? { caFile: t.caFile } : {}), ...(t.clientCertificate ? { certFile: t.clientCertificate.certFile, keyFile: t.clientCertificate.keyFile } : {}), ...(t.insecure ? { insecure: true } : {}) } }),
  };
  const protoFilesFor = (method: string) =>
    method.startsWith(`${OPERATIONS}/`) ? [BASE_PROTO_FILES[0]] : settings.protos.files.length ? settings.protos.files : [BASE_PROTO_FILES[1]];

  return {
    name: 'grpc',
    addressVariable: 'TARGET_GRPC_ADDRESS',
    title: (call) => {
      const { method, request } = rpcOf(call, cfg, createMethod.request);
      const rpcName = method.split('/')[1]!;
      return typeof request.name === 'string' ? `${rpcName} ${request.name}` : typeof request.parent === 'string' ? `${rpcName} ${request.parent}` : rpcName;
    },
    async attempt(call, auth: Auth, timeoutMs, token): Promise<Exchange> {
      const rpc = rpcOf(call, cfg, createMethod.request);
      const { path, request: requestType, response: responseType } = methodOf(root, rpc.method);
      const metadata = new grpc.Metadata();
      const headers: Record<string, string> = Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const authorization = authorizationOf(auth, token);
      if (authorization) headers.authorization = authorization;
      for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
      const requestJson = toJson(requestType, fromJson(requestType, rpc.request));
      const grpcBase = { ...answerBase, method: rpc.method, protoFiles: protoFilesFor(rpc.method) };
      const base = { method: rpc.method.split('/')[1]!, url: `grpc://${settings.address}${path}`, authLabel: authLabel(auth), requestHeaders: headers, requestBody: JSON.stringify(requestJson) };
      const started = Date.now();
      let replyBytes: number | undefined;
      let initial: grpc.Metadata | undefined;
      let trailers: grpc.Metadata | undefined;
      const outcome = await new Promise<{ error: grpc.ServiceError | null; reply?: protobuf.Message }>((resolve) => {
        const unary = channel.makeUnaryRequest(
          path,
          (value: protobuf.Message) => Buffer.from(requestType.encode(value).finish()),
          (bytes: Buffer) => {
            replyBytes = bytes.length;
            return responseType.decode(bytes);
          },
          fromJson(requestType, rpc.request),
          metadata,
          { deadline: Date.now() + timeoutMs },
          (error, reply) => resolve({ error, ...(reply ? { reply } : {}) }),
        );
        unary.on('metadata', (md) => (initial = md));
        // Emitted right after the callback, before the awaiting code resumes.
        unary.on('status', (s) => (trailers = s.metadata));
      });
      const durationMs = Date.now() - started;
      const responseHeaders = { 'content-type': 'application/grpc', ...metadataHeaders(initial), ...metadataHeaders(trailers ?? outcome.error?.metadata) };
      if (!outcome.error) {
        const json = toJson(responseType, outcome.reply!);
        return { ...base, status: 200, responseHeaders, responseText: replyBytes ? JSON.stringify(json, null, 2) : '', json, durationMs, grpc: { ...grpcBase, code: 0, codeName: 'OK', ...(replyBytes !== undefined ? { replyBytes } : {}) } };
      }
      const error = outcome.error;
      const failure = localFailure(error, timeoutMs);
      if (failure) return { ...base, status: 0, responseHeaders: {}, responseText: '', json: undefined, durationMs, transportError: failure, grpc: grpcBase };
      const codeName = CODE_NAME.get(error.code) ?? `code ${error.code}`;
      const statusDetails = decodeStatusDetails(root, error.metadata);
      const details = statusDetails && 'details' in statusDetails && statusDetails.details.length ? { details: statusDetails.details } : {};
      const http = httpStatusForCode(codeName) ?? 500;
      const json = { error: { code: http, message: error.details, status: codeName, ...details } };
      return {
        ...base, status: http, responseHeaders, responseText: JSON.stringify(json, null, 2), json, durationMs,
        grpc: { ...grpcBase, code: error.code, codeName, message: error.details, ...(statusDetails ? { statusDetails } : {}) },
      };
    },
    close: () => channel.close(),
  };
}

/** The operations client over gRPC. */
export const createGrpcOperationsClient = (
  channel: grpc.Client,
  cfg: Config,
  deps: { defaultAuth: Auth; record: Recorder; counters: Counters },
) => operationsClient(grpcDoor(channel, cfg), cfg, deps);
