// The fastify app: routes for both name shapes, auth before body parsing, envelopes for every error.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authError, authenticate, failureKind, startIssuer, type Issuer } from './auth';
import { ApiError, BODY_LIMIT, invalidArgument, methodNotFound, notFound, renderError, sendError, toApiError, type ErrorStyle, type RpcName } from './errors';
import { FAULTS, mergeHooks, type BodyKind, type FaultName, type Hooks } from './faults';
import { withDefaults, type ReferenceOptions } from './options';
import { PROFILES, type Profile, type ProfileName } from './profiles';
import { BATCH_TRANSLATE_DOCUMENT, WAIT_OPERATION, checkMessage, inputUris, parseBody, parseDuration, targetCount } from './request';
import { OperationStore, isQuick, workloadOf, nextChangeMs, operationJson, phaseAt, requestCancel, responseJson, type Json, type OpRecord } from './store';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rpc method, for ErrorInfo metadata; set on API routes only. */
    rpc?: string;
    auth?: boolean;
    /** For cancel routes: the operation name from the path params (refused-cancel side effects). */
    cancelName?: (params: Params) => string;
  }
}

type Params = Record<string, string>;

const OPS = 'google.longrunning.Operations';
const RPC = {
  get: `${OPS}.GetOperation`,
  list: `${OPS}.ListOperations`,
  delete: `${OPS}.DeleteOperation`,
  cancel: `${OPS}.CancelOperation`,
  wait: `${OPS}.WaitOperation`,
  create: 'google.cloud.translation.v3.TranslationService.BatchTranslateDocument',
} as const;

export const WAIT_CAP_MS = 30_000;
const MAX_NAME_LENGTH = 1024;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** Default verdicts on a cancel body (the request message is empty). */
const CANCEL_BODY: Record<BodyKind, 'accept' | 'reject'> = { zeroLength: 'accept', emptyObject: 'accept', unknownField: 'reject', malformed: 'reject' };

/** A path parameter that stops at ":" so custom verbs route separately. */
const seg = (name: string) => `:${name}(^[^:/]+)`;

/** The two parent shapes: GDC `projects/{p}` and public v3 `projects/{p}/locations/{l}`. */
const SHAPES = [
  { path: `/v3/projects/${seg('project')}`, parent: (p: Params) => `projects/${p.project}`, ids: (p: Params) => [p.project] },
  {
    path: `/v3/projects/${seg('project')}/locations/${seg('location')}`,
    parent: (p: Params) => `projects/${p.project}/locations/${p.location}`,
    ids: (p: Params) => [p.project, p.location],
  },
];
type Shape = (typeof SHAPES)[number];

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.~-]*$/;

/** INVALID_ARGUMENT for odd characters (decoded slashes, unicode, spaces), "..", overlong names. */
function checkName(name: string, ids: string[]): string {
  if (name.length > MAX_NAME_LENGTH || !ids.every((id) => SEGMENT.test(id))) {
    throw invalidArgument(`Invalid resource name "${name.slice(0, 200)}".`, 'INVALID_RESOURCE_NAME', [{ field: 'name', description: 'Malformed resource name' }]);
  }
  return name;
}

const parentOf = (shape: Shape, p: Params) => checkName(shape.parent(p), shape.ids(p));
const operationOf = (shape: Shape, p: Params) => checkName(`${shape.parent(p)}/operations/${p.operation}`, [...shape.ids(p), p.operation]);

const sendJson = (reply: FastifyReply, body: unknown, status = 200) => reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Ctx {
  opts: ReferenceOptions;
  profile: Profile;
  hooks: Hooks;
  store: OperationStore;
  issuer: Issuer;
  /** Aborted on close so that waits and held cancels end at once. */
  closing: AbortSignal;
}

/** The Operation as served: the faithful JSON, then any fault view hooks. */
function present(ctx: Ctx, r: OpRecord): Json {
  const phase = phaseAt(r, ctx.store.now());
  return (ctx.hooks.views ?? []).reduce((op, view) => view(op, { phase, response: () => responseJson(r) }), operationJson(r, phase));
}

const requireOp = (ctx: Ctx, name: string) => ctx.store.get(name) ?? (() => { throw notFound(`Operation "${name}" not found.`); })();

/** The cancel's effect on a record, shared by the handler and the side-effect faults. */
function applyCancel(ctx: Ctx, r: OpRecord) {
  const now = ctx.store.now();
  const outcome = requestCancel(r, now, {
    delayMs: ctx.hooks.cancelNeverSettles ? Infinity : ctx.opts.cancelDelayMs,
    ignore: !!ctx.profile.quickOpsIgnoreCancel && isQuick(r.work),
  });
  if (outcome === 'finished' && ctx.hooks.overwriteFinished) r.overwrittenMs = now;
  if ((outcome === 'cancelled' || outcome === 'ignored') && ctx.hooks.deleteOnCancel) ctx.store.delete(r.name);
  ctx.store.changed(r.name);
  return outcome;
}

const sideEffectCancel = (ctx: Ctx, name: string) => {
  const r = ctx.store.get(name);
  if (r) applyCancel(ctx, r);
};

function sendCancelled(ctx: Ctx, reply: FastifyReply, r: OpRecord) {
  switch (ctx.hooks.cancelReply) {
    case 'operation':
      return sendJson(reply, present(ctx, r));
    case 'no-content':
      return reply.code(204).send();
    case 'text':
      return reply.code(200).type('text/plain; charset=utf-8').send('{}');
    default:
      return sendJson(reply, {});
  }
}

const UNIMPLEMENTED_MESSAGES: Partial<Record<RpcName, string>> = {
  UNIMPLEMENTED: `Method not implemented: ${RPC.cancel}`,
  NOT_FOUND: 'Method not found.',
  INTERNAL: 'Internal error encountered.',
};

function unimplementedCancel(ctx: Ctx, name: () => string): ApiError {
  const how = ctx.hooks.unimplemented ?? {};
  if (how.sideEffect) sideEffectCancel(ctx, name());
  const rpc = how.rpc ?? 'UNIMPLEMENTED';
  return new ApiError(rpc, UNIMPLEMENTED_MESSAGES[rpc] ?? rpc, { reason: 'METHOD_NOT_IMPLEMENTED', httpStatus: how.httpStatus });
}

const cancelBodyKind = (raw: unknown): BodyKind => {
  const body = parseBody(raw);
  return body.kind === 'object' ? (Object.keys(body.value).length ? 'unknownField' : 'emptyObject') : body.kind;
};

const CANCEL_BODY_ERRORS: Record<BodyKind, [string, string]> = {
  zeroLength: ['Invalid JSON payload received. Unexpected end of string.', 'MALFORMED_JSON'],
  emptyObject: ['Invalid JSON payload received. The request body must be empty.', 'BODY_NOT_EMPTY'],
  unknownField: ['Invalid JSON payload received. Unknown name: Cannot find field.', 'UNKNOWN_FIELD'],
  malformed: ['Invalid JSON payload received. Expected a JSON object.', 'MALFORMED_JSON'],
};

function checkCancelBody(ctx: Ctx, raw: unknown) {
  const kind = cancelBodyKind(raw);
  if ({ ...CANCEL_BODY, ...ctx.hooks.cancelBody }[kind] === 'reject') {
    const [message, reason] = CANCEL_BODY_ERRORS[kind];
    const key = kind === 'unknownField' ? Object.keys((parseBody(raw) as { value: Json }).value)[0] : undefined;
    throw invalidArgument(key ? `Invalid JSON payload received. Unknown name "${key}": Cannot find field.` : message, reason);
  }
}

/** Holds the cancel for the in-flight window of the concurrent-cancel fault. */
async function holdInFlight<T>(ctx: Ctx, inFlight: Set<string>, name: string, signal: AbortSignal, run: () => T): Promise<T> {
  const ms = ctx.hooks.inFlightMs;
  if (!ms) return run();
  if (inFlight.has(name)) throw new ApiError('ABORTED', 'Another cancel of this operation is in progress.', { reason: 'CONCURRENT_CANCEL' });
  inFlight.add(name);
  try {
    await sleep(ms, signal);
    return run();
  } finally {
    inFlight.delete(name);
  }
}

function cancelHandler(ctx: Ctx, shape: Shape) {
  const inFlight = new Set<string>();
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.params as Params;
    if (ctx.profile.cancelUnimplemented || ctx.hooks.unimplemented) throw unimplementedCancel(ctx, () => operationOf(shape, p));
    let name: string;
    try {
      name = operationOf(shape, p);
    } catch (e) {
      throw ctx.hooks.malformedNameInternal ? new ApiError('INTERNAL', 'Internal error encountered.', { reason: 'INTERNAL_ERROR' }) : e;
    }
    if (req.method === 'POST') checkCancelBody(ctx, req.body);
    const r = ctx.store.get(name);
    if (!r) {
      if (ctx.hooks.unknownNameOk) return sendJson(reply, {});
      throw notFound(`Operation "${name}" not found.`);
    }
    const outcome = await holdInFlight(ctx, inFlight, name, requestSignal(ctx, reply), () => applyCancel(ctx, r));
    if (outcome === 'already' && ctx.hooks.repeatConflict) throw new ApiError('ABORTED', 'The operation is already being cancelled.', { reason: 'ALREADY_CANCELLED' });
    if (outcome === 'finished' && !ctx.hooks.overwriteFinished && ctx.opts.finishedCancel === 'failed-precondition') {
      throw new ApiError('FAILED_PRECONDITION', 'Operation has already finished.', { reason: 'OPERATION_FINISHED' });
    }
    return sendCancelled(ctx, reply, r);
  };
}

/** Aborts when the client goes away or the server closes. */
function requestSignal(ctx: Ctx, reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => ac.abort());
  return AbortSignal.any([ac.signal, ctx.closing]);
}

/** Resolves at `untilMs`, on a change to the operation, or on abort; leaves no timer behind. */
function nextWake(ctx: Ctx, name: string, untilMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, untilMs - Date.now()));
    const unsubscribe = ctx.store.subscribe(name, finish);
    signal.addEventListener('abort', finish, { once: true });
  });
}

function waitTimeoutMs(raw: unknown): number {
  const body = parseBody(raw);
  if (body.kind === 'malformed') throw invalidArgument(body.message, 'MALFORMED_JSON');
  const value = body.kind === 'object' ? body.value : {};
  const violations = checkMessage(value, WAIT_OPERATION);
  if (violations.length) throw invalidArgument('Request contains an invalid argument.', 'INVALID_REQUEST', violations);
  if (value.timeout === undefined) return WAIT_CAP_MS;
  const ms = parseDuration(String(value.timeout));
  if (ms === undefined) throw invalidArgument(`Invalid value at 'timeout' (type.googleapis.com/google.protobuf.Duration), "${value.timeout}"`, 'INVALID_VALUE', [{ field: 'timeout', description: 'Expected a Duration such as "3.5s"' }]);
  return Math.min(ms, WAIT_CAP_MS);
}

function waitHandler(ctx: Ctx, shape: Shape) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const name = operationOf(shape, req.params as Params);
    const timeoutMs = waitTimeoutMs(req.body);
    const first = requireOp(ctx, name);
    const deadline = Date.now() + timeoutMs;
    const signal = requestSignal(ctx, reply);
    const phase = phaseAt(first, ctx.store.now());
    if (ctx.hooks.waitStale && phase.cancelRequested && !phase.cancelIgnored) {
      await sleep(timeoutMs, signal);
      // The snapshot from just before the cancel: running, no result.
      const stale = { ...first, cancelRequestedMs: undefined, cancelLandsMs: undefined, overwrittenMs: undefined };
      return sendJson(reply, operationJson(stale, phaseAt(stale, first.cancelRequestedMs ?? first.overwrittenMs ?? first.submitMs)));
    }
    for (;;) {
      const r = requireOp(ctx, name);
      const now = ctx.store.now();
      if (phaseAt(r, now).done || now >= deadline || signal.aborted) return sendJson(reply, present(ctx, r));
      await nextWake(ctx, name, Math.min(deadline, nextChangeMs(r, now) ?? deadline), signal);
    }
  };
}

const FILTERS: [RegExp, (done: boolean) => boolean][] = [
  [/^\s*done\s*=\s*true\s*$/i, (done) => done],
  [/^\s*done\s*=\s*false\s*$/i, (done) => !done],
  [/^\s*$/, () => true],
];

function parseFilter(filter: unknown): (done: boolean) => boolean {
  const hit = FILTERS.find(([re]) => re.test(String(filter ?? '')));
  if (!hit) throw invalidArgument(`Invalid filter "${String(filter)}": supported are done=true and done=false.`, 'INVALID_FILTER', [{ field: 'filter', description: 'Unsupported filter' }]);
  return hit[1];
}

const encodeToken = (seq: number) => Buffer.from(`after:${seq}`).toString('base64url');
function decodeToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const m = /^after:(\d+)$/.exec(Buffer.from(String(token), 'base64url').toString());
  if (!m) throw invalidArgument('Invalid page token.', 'INVALID_PAGE_TOKEN', [{ field: 'page_token', description: 'Not a token from this server' }]);
  return Number(m[1]);
}

function pageSizeOf(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(String(raw))) throw invalidArgument(`Invalid value at 'page_size' (TYPE_INT32), "${String(raw)}"`, 'INVALID_VALUE', [{ field: 'page_size', description: 'Expected a non-negative integer' }]);
  return Math.min(Number(raw) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

function listHandler(ctx: Ctx, shape: Shape) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const parent = parentOf(shape, req.params as Params);
    const q = req.query as Record<string, unknown>;
    const keep = parseFilter(q.filter);
    const after = decodeToken(q.pageToken ?? q.page_token);
    const size = pageSizeOf(q.pageSize ?? q.page_size);
    const now = ctx.store.now();
    const matching = ctx.store.list(parent).filter((r) => {
      const phase = phaseAt(r, now);
      return r.seq > after && keep(phase.done) && !ctx.hooks.hideFromList?.(phase);
    });
    const page = matching.slice(0, size);
    return sendJson(reply, {
      ...(page.length ? { operations: page.map((r) => present(ctx, r)) } : {}),
      ...(matching.length > size ? { nextPageToken: encodeToken(page[page.length - 1].seq) } : {}),
    });
  };
}

function createHandler(ctx: Ctx, shape: Shape) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const parent = parentOf(shape, req.params as Params);
    const body = parseBody(req.body);
    if (body.kind === 'malformed') throw invalidArgument(body.message, 'MALFORMED_JSON');
    const value = body.kind === 'object' ? body.value : {};
    const violations = checkMessage(value, BATCH_TRANSLATE_DOCUMENT);
    if (violations.length) throw invalidArgument('Request contains an invalid argument.', 'INVALID_REQUEST', violations);
    const r = ctx.store.create(parent, randomUUID(), workloadFor(value));
    if (!r) {
      throw new ApiError('RESOURCE_EXHAUSTED', `The reference server holds at most ${ctx.opts.maxOperations} operations and none has finished.`, { reason: 'OPERATIONS_LIMIT' });
    }
    return sendJson(reply, present(ctx, r));
  };
}

const workloadFor = (body: Json) => workloadOf(inputUris(body), targetCount(body));

/** Wrong methods on `{name}:cancel`: 404 like Google's front end, unless a fault makes them cancel. */
function wrongMethodHandler(ctx: Ctx, shape: Shape) {
  const cancel = cancelHandler(ctx, shape);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!ctx.hooks.wrongMethodCancels) throw methodNotFound();
    return cancel(req, reply);
  };
}

type Handler = (ctx: Ctx, shape: Shape) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Appended to the shape's parent path. */
  suffix: string;
  rpc?: string;
  handler: Handler;
  cancel?: boolean;
}

const getHandler: Handler = (ctx, shape) => async (req, reply) => sendJson(reply, present(ctx, requireOp(ctx, operationOf(shape, req.params as Params))));
const deleteHandler: Handler = (ctx, shape) => async (req, reply) => {
  const name = operationOf(shape, req.params as Params);
  requireOp(ctx, name);
  ctx.store.delete(name);
  return sendJson(reply, {});
};

const OP = `/operations/${seg('operation')}`;
const ROUTES: RouteSpec[] = [
  { method: 'POST', suffix: ':batchTranslateDocument', rpc: RPC.create, handler: createHandler },
  { method: 'GET', suffix: '/operations', rpc: RPC.list, handler: listHandler },
  { method: 'GET', suffix: OP, rpc: RPC.get, handler: getHandler },
  { method: 'DELETE', suffix: OP, rpc: RPC.delete, handler: deleteHandler },
  { method: 'POST', suffix: `${OP}:wait`, rpc: RPC.wait, handler: waitHandler },
  { method: 'POST', suffix: `${OP}:cancel`, rpc: RPC.cancel, handler: cancelHandler, cancel: true },
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) => ({ method, suffix: `${OP}:cancel`, handler: wrongMethodHandler, cancel: true, wrongMethod: true })),
];

/** find-my-way needs "::" for a literal ":" after a parameter. */
const routePath = (base: string, suffix: string) => base + suffix.replace(/:(?=[a-z]+$)/, '::');

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

export function buildApp(ctx: Ctx): FastifyInstance {
  const style = ctx.hooks.errorStyle;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 8192 },
    logger: false,
    // Errors raised before routing (bad percent-encoding, overlong names, broken HTTP) get the envelope too.
    frameworkErrors: (err, _req, reply) =>
      sendError(reply, err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? invalidArgument('Resource name too long.', 'INVALID_RESOURCE_NAME') : invalidArgument('Malformed URL.', 'MALFORMED_URL'), undefined, style),
    clientErrorHandler: (err, socket) => writeClientError(err, socket, style),
  });
  app.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const r = renderError(invalidArgument(`Unsupported Expect header "${String(req.headers.expect).slice(0, 100)}".`, 'UNSUPPORTED_EXPECTATION'), undefined, style);
    res.writeHead(r.status, { ...r.headers, 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body), connection: 'close' }).end(r.body);
  });
  const issuer = ctx.issuer;

  // Every body is read as text; handlers parse it, so empty and odd bodies get Google's answers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // Auth runs before the body is read, so an unauthenticated caller never learns about body errors.
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config;
    if (!config.auth) return;
    const decision = await authenticate(req.headers.authorization, { issuer: issuer.url, audience: ctx.opts.audience, jwks: issuer.jwks, hooks: ctx.hooks });
    if (decision.ok) return;
    if (config.cancelName && ctx.hooks.cancelDespite?.includes(failureKind(decision.failure))) {
      try {
        sideEffectCancel(ctx, config.cancelName(req.params as Params));
      } catch {
        // a malformed name has nothing to cancel
      }
    }
    throw authError(decision, ctx.opts.audience, ctx.hooks);
  });

  app.setErrorHandler((err, req, reply) => sendError(reply, toApiError(err), req.routeOptions.config?.rpc, style));
  app.setNotFoundHandler((_req, reply) => sendError(reply, methodNotFound(), undefined, style));

  for (const shape of SHAPES) {
    for (const route of ROUTES) {
      const wrong = 'wrongMethod' in route;
      app.route({
        method: route.method,
        url: routePath(shape.path, route.suffix),
        config: {
          rpc: route.rpc ?? (wrong && ctx.hooks.wrongMethodCancels ? RPC.cancel : undefined),
          auth: !wrong || !!ctx.hooks.wrongMethodCancels,
          cancelName: route.cancel ? (p: Params) => operationOf(shape, p) : undefined,
        },
        handler: route.handler(ctx, shape),
      });
    }
  }
  return app;
}

export interface RunningReference {
  baseUrl: string;
  issuerUrl: string;
  tokenUrl: string;
  audience: string;
  profile: ProfileName;
  faults: FaultName[];
  close(): Promise<void>;
}

export async function startReferenceServer(partial: Partial<ReferenceOptions> = {}): Promise<RunningReference> {
  const opts = withDefaults(partial);
  opts.faults.forEach((f) => {
    if (!Object.hasOwn(FAULTS, f)) throw new Error(`unknown fault ${f}`);
  });
  const closing = new AbortController();
  const issuer = await startIssuer(opts.audience);
  const ctx: Ctx = { opts, profile: PROFILES[opts.profile], hooks: mergeHooks(opts.faults), store: new OperationStore(opts.maxOperations), issuer, closing: closing.signal };
  const app = buildApp(ctx);
  try {
    await app.listen({ port: opts.port, host: '127.0.0.1' });
  } catch (e) {
    await issuer.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    issuerUrl: issuer.url,
    tokenUrl: issuer.tokenUrl,
    audience: opts.audience,
    profile: opts.profile,
    faults: [...opts.faults],
    async close() {
      closing.abort();
      await app.close();
      await issuer.close();
    },
  };
}
