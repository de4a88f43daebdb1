// The gRPC door: google.longrunning.Operations, TranslationService and the generic-lro profile's
// conformance.jobs.v1.JobService (fixtures/protos) on their own port, served by the same methods
// as the REST door. Each call is transcoded to its REST request and injected into a fastify app
// built for this door (same store, auth, profile, zone front end; the faults that exist on gRPC),
// so both doors are one backend by construction.
import { constants as http2, type ServerHttp2Stream } from 'node:http2';
import { Metadata, Server, ServerCredentials, status, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type protobuf from 'protobufjs';
import type { Hooks } from '../faults';
import { RPC_CODES } from '../errors';
import type { ReferenceTls } from '../options';
import type { Json } from '../store';
import { SERVICES, encode, protoRoot, rpcOf, serviceDefinition, unaryMethods } from './protos';
import { TRANSCODING, answerOf, internalError, unimplemented, type Answer, type GrpcError, type RestCall } from './transcoding';

export interface GrpcDoorOptions {
  /** The app built for this door; the door closes it. */
  app: FastifyInstance;
  /** The rpc names the profile's surface routes; the others are UNIMPLEMENTED. */
  serves: ReadonlySet<string>;
  hooks: Hooks;
  port: number;
  /** The REST door's certificate and key; client certificates from `ca` when it requires them. */
  tls?: ReferenceTls;
}

export interface GrpcDoor {
  /** 127.0.0.1:port */
  address: string;
  plaintext: boolean;
  /** Lets calls in flight finish for `graceMs`, then cuts them. */
  close(graceMs: number): Promise<void>;
}

type Call = ServerUnaryCall<Json, Json>;
type Reply = sendUnaryData<Json>;

/** The google.rpc.Status of an error, for the trailer grpc-status-details-bin; undefined if its details do not encode. */
function statusDetails(code: number, err: GrpcError): Buffer | undefined {
  try {
    return encode(protoRoot().lookupType('google.rpc.Status'), { code, message: err.message, details: err.details });
  } catch {
    return undefined;
  }
}

/** Sends an error as its gRPC status (after the grpc-*-as-* faults), details in the trailer. */
function sendError(callback: Reply, hooks: Hooks, err: GrpcError) {
  const { code } = RPC_CODES[hooks.grpcCodes?.[err.rpc] ?? err.rpc];
  const metadata = new Metadata();
  const details = hooks.grpcNoStatusDetails ? undefined : statusDetails(code, err);
  if (details) metadata.set('grpc-status-details-bin', details);
  callback({ code, details: err.message, metadata });
}

const send = (callback: Reply, hooks: Hooks, answer: Answer) => ('ok' in answer ? callback(null, answer.ok) : sendError(callback, hooks, answer.error));

/**
 * A reset connection (zone front end, forged-token-reset) ends the call without a status:
 * RST_STREAM REFUSED_STREAM on its own stream, as a reset REST connection carries one request, and
 * clients see UNAVAILABLE. grpc-js exposes no stream, hence the reach inside; failing that, the status.
 */
function dropCall(call: Call, callback: Reply) {
  const stream = (call as unknown as { call?: { stream?: ServerHttp2Stream } }).call?.stream;
  if (stream && !stream.destroyed) stream.close(http2.NGHTTP2_REFUSED_STREAM);
  else callback({ code: status.UNAVAILABLE, details: 'Connection reset.' });
}

/** light-my-request rejects an injected request whose response was destroyed (a reset) with this code. */
const isReset = (e: unknown) => (e as { code?: string }).code === 'LIGHT_ECONNRESET';

function headersOf(call: Call, rest: RestCall): Record<string, string> {
  const [authorization] = call.metadata.get('authorization');
  return {
    ...(authorization !== undefined ? { authorization: String(authorization) } : {}),
    ...(rest.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
}

function transcoded(o: GrpcDoorOptions, transcode: (req: Json) => RestCall, empty: boolean): handleUnaryCall<Json, Json> {
  return (call, callback) => {
    const rest = transcode(call.request);
    // A call the client gives up (deadline, cancel) stops its request, e.g. a :wait.
    const gone = new AbortController();
    call.once('cancelled', () => gone.abort());
    o.app.inject({ method: rest.method, url: rest.url, payload: rest.body, headers: headersOf(call, rest), signal: gone.signal }).then(
      (res) => {
        const answer = answerOf(rest, res, empty);
        // grpc-cancel-returns-operation: the reply carries the operation's name (serialized as an Operation, see withFaults).
        send(callback, o.hooks, empty && o.hooks.grpcCancelReturnsOperation && 'ok' in answer && typeof call.request.name === 'string' && rest.url.endsWith(':cancel') ? { ok: { name: call.request.name } } : answer);
      },
      (e: unknown) => {
        if (gone.signal.aborted) return; // nobody to answer
        if (isReset(e)) dropCall(call, callback);
        else sendError(callback, o.hooks, internalError('Internal error encountered.'));
      },
    );
  };
}

/** Every unary method of a service: transcoded when the profile serves it, UNIMPLEMENTED otherwise. */
function implementation(o: GrpcDoorOptions, service: protobuf.Service): UntypedServiceImplementation {
  const methods = unaryMethods(service).map((m): [string, handleUnaryCall<Json, Json>] => {
    const rpc = rpcOf(m);
    const transcode = o.serves.has(rpc) ? TRANSCODING[rpc] : undefined;
    if (!transcode) return [m.name, (_call, callback) => sendError(callback, o.hooks, unimplemented(rpc))];
    return [m.name, transcoded(o, transcode, m.resolvedResponseType!.fullName === '.google.protobuf.Empty')];
  });
  return Object.fromEntries(methods);
}

const credentialsOf = (tls: ReferenceTls | undefined) =>
  tls
    ? ServerCredentials.createSsl(tls.ca ? Buffer.from(tls.ca) : null, [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }], !!tls.requestClientCert)
    : ServerCredentials.createInsecure();

function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(cut);
      resolve();
    });
  });
}

/** grpc-cancel-returns-operation: CancelOperation's reply is serialized as an Operation, so it has bytes where Empty has none. */
function withFaults(definition: ServiceDefinition<UntypedServiceImplementation>, hooks: Hooks): ServiceDefinition<UntypedServiceImplementation> {
  const cancel = definition.CancelOperation;
  if (!hooks.grpcCancelReturnsOperation || !cancel) return definition;
  const operation = protoRoot().lookupType('google.longrunning.Operation');
  return { ...definition, CancelOperation: { ...cancel, responseSerialize: (json: Json) => encode(operation, json) } };
}

export async function openGrpcDoor(o: GrpcDoorOptions): Promise<GrpcDoor> {
  const server = new Server();
  for (const service of SERVICES.map((name) => protoRoot().lookupService(name))) server.addService(withFaults(serviceDefinition(service), o.hooks), implementation(o, service));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${o.port}`, credentialsOf(o.tls), (e, bound) => (e ? reject(e) : resolve(bound))),
    );
  } catch (e) {
    server.forceShutdown();
    await o.app.close();
    throw e;
  }
  return {
    address: `127.0.0.1:${port}`,
    plaintext: !o.tls,
    async close(graceMs) {
      await shutdown(server, graceMs);
      await o.app.close();
    },
  };
}
