// The fastify app: the profile's surface (routes.ts), auth before body parsing, envelopes for
// every method error, and what an unrouted request gets.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authError, authenticate, failureKind, startIssuer, type AuthDecision } from './auth';
import { BODY_LIMIT, invalidArgument, methodNotFound, renderError, sendError, toApiError, type ErrorStyle } from './errors';
import { FAULTS, mergeHooks, type AuthFailure, type FaultName } from './faults';
import { frontEnd, projectRbac, type OnRequest } from './front-end';
import type { GrpcDoor } from './grpc/door';
import { httpsServerOptions, withDefaults, type ReferenceOptions } from './options';
import { PROFILES, type ProfileName, type Unmatched } from './profiles';
import {
  CANCEL_BODY,
  ISSUED_ID,
  RPC,
  SEGMENT,
  SURFACES,
  googleNotFoundPage,
  operationOf,
  routePath,
  sideEffectCancel,
  type Ctx,
  type Params,
  type RouteSpec,
  type Shape,
  type Srv,
} from './routes';
import { OperationStore, type Door } from './store';

export { WAIT_CAP_MS } from './routes';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rpc method, for ErrorInfo metadata; set on API routes only. */
    rpc?: string;
  }
}

const CLIENT_ERRORS: Record<string, [string, string]> = {
  HPE_HEADER_OVERFLOW: ['Request header fields too large.', 'HEADERS_TOO_LARGE'],
  ERR_HTTP_REQUEST_TIMEOUT: ['Request timed out.', 'REQUEST_TIMEOUT'],
};

/** node's parser refused the request (bad method, framing, bytes): an envelope, then close. */
function writeClientError(err: Error & { code?: string }, socket: Duplex, style: ErrorStyle | undefined) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [message, reason] = CLIENT_ERRORS[err.code ?? ''] ?? ['Malformed HTTP request.', 'MALFORMED_REQUEST'];
  const r = renderError(invalidArgument(message, reason), undefined, style);
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}\r\nContent-Type: ${r.contentType}\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\nConnection: close\r\n${headers}\r\n${r.body}`);
  }
  socket.destroy();
}

const noRouteSchemas = () => () => {
  throw new Error('reference server: routes carry no fastify schema (request.ts checks the messages)');
};

/** Runs `fn` after `ms` unless `closing` aborts first; the timers never hold the process open. */
function scheduler(closing: AbortSignal): Srv['later'] {
  const timers = new Set<NodeJS.Timeout>();
  closing.addEventListener('abort', () => timers.forEach(clearTimeout), { once: true });
  return (ms, fn) => {
    if (closing.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms).unref();
    timers.add(timer);
  };
}

/** What the profile and the faults decide once, before any request. */
function derive(ctx: Ctx): Srv {
  const { profile, hooks, opts, issuer } = ctx;
  const surface = SURFACES[profile.surface ?? 'translation'];
  return {
    ...ctx,
    surface,
    style: { errorInfo: profile.errorInfo, service: profile.service, jsonType: surface.jsonType, ...hooks.errorStyle },
    auth: profile.noAuth || hooks.authOff ? undefined : { issuer: issuer.url, audience: opts.audience, jwks: issuer.jwks, hooks, cache: new Map() },
    challenge: { realm: profile.realm ?? opts.audience, plain: profile.plainChallenge },
    cancelBody: { ...CANCEL_BODY, ...hooks.cancelBody },
    idPattern: opts.strictIds ? ISSUED_ID : SEGMENT,
    later: scheduler(ctx.closing),
  };
}

/** A refused cancel that takes effect anyway (the *-still-cancels and refused-cancel-lands-later faults). */
function cancelDespite(s: Srv, name: () => string, failure: AuthFailure) {
  for (const { on, afterMs } of s.hooks.cancelDespite ?? []) {
    if (on !== failure) continue;
    let target: string;
    try {
      target = name();
    } catch {
      return; // a malformed name has nothing to cancel
    }
    if (afterMs) s.later(afterMs, () => sideEffectCancel(s, target));
    else sideEffectCancel(s, target);
  }
}

/** Failures whose connection the forged-token-reset fault destroys: a token was sent and is bad. */
const BAD_TOKEN: ReadonlySet<string> = new Set(['invalid', 'expired', 'unsupported']);

/**
 * The onRequest hook of one route: auth runs before the body is read, so an unauthenticated caller
 * never learns about body errors. Callback-style, so that a remembered token costs no promise.
 */
function authHook(s: Srv, auth: NonNullable<Srv['auth']>, cancelName: ((p: Params) => string) | undefined) {
  const refusal = (req: FastifyRequest, reply: FastifyReply, decision: AuthDecision): Error | undefined => {
    if (decision.ok) return undefined;
    if (s.hooks.resetOnBadToken && BAD_TOKEN.has(decision.failure)) {
      reply.hijack();
      req.raw.socket.destroy();
      return undefined;
    }
    if (cancelName) cancelDespite(s, () => cancelName(req.params as Params), failureKind(decision.failure));
    return authError(decision, s.challenge, s.hooks);
  };
  return (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const decision = authenticate(req.headers.authorization, auth);
    if (!(decision instanceof Promise)) return done(refusal(req, reply, decision));
    decision.then((d) => done(refusal(req, reply, d)), done);
  };
}

/**
 * An injected request (the gRPC door's) has a socket without destroy(), which the front end and
 * forged-token-reset call: here it ends the response, which the door reads as a dropped call.
 */
const resettableSocket: OnRequest = (req, reply, done) => {
  const socket: { destroy?: unknown } = req.raw.socket;
  if (typeof socket.destroy !== 'function') socket.destroy = () => reply.raw.destroy();
  done();
};

/** The not-found handler per profile; undefined keeps fastify's own (`{"message":"Route ... not found",...}`). */
const UNMATCHED: Record<Unmatched, ((s: Srv) => (req: FastifyRequest, reply: FastifyReply) => unknown) | undefined> = {
  envelope: (s) => (_req, reply) => sendError(reply, methodNotFound(), undefined, s.style),
  'google-html': () => (req, reply) => reply.code(404).type('text/html; charset=UTF-8').send(googleNotFoundPage(req.url)),
  fastify: undefined,
};

function routeOf(s: Srv, shape: Shape, route: RouteSpec) {
  const cancelsHere = !route.wrongMethod || !!s.hooks.wrongMethodCancels;
  const auth = cancelsHere ? s.auth : undefined;
  const projects = cancelsHere ? s.opts.projects : undefined;
  // The token first (401/403 for the scope), then the caller's role in the project.
  const onRequest = [
    ...(auth ? [authHook(s, auth, route.cancel ? (p: Params) => operationOf(s, shape, p) : undefined)] : []),
    ...(projects ? [projectRbac(projects)] : []),
  ];
  return {
    method: route.method,
    url: routePath(shape.path, route.suffix),
    config: { rpc: route.rpc ?? (cancelsHere ? RPC.cancel : undefined) },
    ...(onRequest.length ? { onRequest } : {}),
    handler: route.handler(s, shape),
  };
}

export function buildApp(ctx: Ctx): FastifyInstance {
  const s = derive(ctx);
  const style = s.style;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 8192 },
    logger: false,
    // Errors raised before routing (bad percent-encoding, overlong names, broken HTTP) get the envelope too.
    frameworkErrors: (err, _req, reply) =>
      sendError(reply, err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? invalidArgument('Resource name too long.', 'INVALID_RESOURCE_NAME') : invalidArgument('Malformed URL.', 'MALFORMED_URL'), undefined, style),
    clientErrorHandler: (err, socket) => writeClientError(err, socket, style),
    // No route has a fastify schema (request.ts checks messages against the proto's fields), so
    // fastify's Ajv and fast-json-stringify compilers are never loaded: ~80 ms of every start.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
    // HTTPS (and mTLS) for the TLS self-tests; plain HTTP otherwise. The gRPC door's app never listens.
    ...(ctx.opts.tls && ctx.door === 'rest' ? { https: httpsServerOptions(ctx.opts.tls) } : {}),
  });
  app.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const r = renderError(invalidArgument(`Unsupported Expect header "${String(req.headers.expect).slice(0, 100)}".`, 'UNSUPPORTED_EXPECTATION'), undefined, style);
    res.writeHead(r.status, { ...r.headers, 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body), connection: 'close' }).end(r.body);
  });

  // Every body is read as text; handlers parse it, so empty and odd bodies get Google's answers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => sendError(reply, toApiError(err), req.routeOptions.config?.rpc, style));
  if (ctx.door === 'grpc') app.addHook('onRequest', resettableSocket);
  // The zone's front end answers before auth and routing see the request.
  const front = frontEnd(s.opts);
  if (front) app.addHook('onRequest', front);
  const unmatched = UNMATCHED[s.profile.unmatched ?? 'envelope'];
  if (unmatched) app.setNotFoundHandler(unmatched(s));

  for (const shape of s.surface.shapes) {
    for (const route of s.surface.routes) app.route(routeOf(s, shape, route));
  }
  return app;
}

/** How long close() lets in-flight requests (waits ended by the close) answer before it cuts connections. */
const CLOSE_GRACE_MS = 1000;

export interface RunningReference {
  baseUrl: string;
  issuerUrl: string;
  tokenUrl: string;
  audience: string;
  profile: ProfileName;
  faults: FaultName[];
  /** REFERENCE_PROJECTS: the projects the caller has a role in, the default one first; undefined: every project. */
  projects?: readonly string[];
  /** The gRPC door, `127.0.0.1:port`; undefined when it is off (REFERENCE_GRPC=false). */
  grpcAddress?: string;
  /** The gRPC door speaks plaintext (h2c): the REST door is HTTP. Otherwise TLS with the REST door's certificate. */
  grpcPlaintext?: boolean;
  /** The suite variables its profile implies (Profile.suite): create path and bodies, AUTH_MODE, parent; empty for most profiles. */
  suite: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The rpc names a surface routes: what its gRPC door serves. */
const servedRpcs = (ctx: Ctx) => new Set(SURFACES[ctx.profile.surface ?? 'translation'].routes.flatMap((r) => r.rpc ?? []));

/**
 * The gRPC door over its own app: same store, issuer and profile, the faults that exist on gRPC.
 * Imported on demand: grpc-js and the protos cost ~100 ms of the first start, which REFERENCE_GRPC=false spares.
 */
async function openGrpc(ctx: Ctx): Promise<GrpcDoor> {
  const { opts } = ctx;
  const { openGrpcDoor } = await import('./grpc/door');
  return openGrpcDoor({ app: buildApp(ctx), serves: servedRpcs(ctx), hooks: ctx.hooks, port: opts.grpcPort, ...(opts.tls ? { tls: opts.tls } : {}) });
}

export async function startReferenceServer(partial: Partial<ReferenceOptions> = {}): Promise<RunningReference> {
  const opts = withDefaults(partial);
  opts.faults.forEach((f) => {
    if (!Object.hasOwn(FAULTS, f)) throw new Error(`unknown fault ${f}`);
  });
  const closing = new AbortController();
  const issuer = await startIssuer(opts.audience);
  const shared = { opts, profile: PROFILES[opts.profile], store: new OperationStore(opts.maxOperations), issuer, closing: closing.signal };
  const ctxOf = (door: Door): Ctx => ({ ...shared, door, hooks: mergeHooks(opts.faults, door) });
  const app = buildApp(ctxOf('rest'));
  let grpc: GrpcDoor | undefined;
  try {
    await app.listen({ port: opts.port, host: '127.0.0.1' });
    if (opts.grpc) grpc = await openGrpc(ctxOf('grpc'));
  } catch (e) {
    await app.close();
    await issuer.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    baseUrl: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    issuerUrl: issuer.url,
    tokenUrl: issuer.tokenUrl,
    audience: opts.audience,
    profile: opts.profile,
    faults: [...opts.faults],
    ...(opts.projects ? { projects: [...opts.projects] } : {}),
    ...(grpc ? { grpcAddress: grpc.address, grpcPlaintext: grpc.plaintext } : {}),
    suite: { ...PROFILES[opts.profile].suite },
    async close() {
      closing.abort();
      // Node counts a connection on which nothing was sent yet as busy (undici leaves one after an
      // aborted request), and would hold close for headersTimeout (60 s): cut what is left after a grace.
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      await Promise.all([app.close(), grpc?.close(CLOSE_GRACE_MS)]);
      clearTimeout(cut);
      await issuer.close();
    },
  };
}
