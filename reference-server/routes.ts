// The API surfaces (Translation v3 under projects/..., or a generic operations/{id} job API),
// their name shapes and the method handlers. Handlers read the profile and the merged fault
// hooks from `Srv`; nothing here branches on a profile's or a fault's name.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext, Challenge, Issuer } from './auth';
import { ApiError, GOOGLE_JSON_TYPE, invalidArgument, invalidPayload, notFound, permissionDenied, unavailable, type ErrorStyle, type RpcName } from './errors';
import type { BodyKind, Hooks } from './faults';
import type { ReferenceOptions } from './options';
import type { Profile, Surface as SurfaceName } from './profiles';
import { BATCH_TRANSLATE_DOCUMENT, CANCEL_OPERATION, WAIT_OPERATION, checkMessage, inputUris, parseBody, parseDuration, targetCount } from './request';
import {
  JOB_RENDERING,
  TRANSLATION_RENDERING,
  doneAtMs,
  isQuick,
  jobWorkload,
  nextChangeMs,
  operationName,
  phaseAt,
  requestCancel,
  workloadOf,
  type Door,
  type Json,
  type OperationStore,
  type OpRecord,
  type Rendering,
  type Workload,
} from './store';

export type Params = Record<string, string>;

export interface Ctx {
  /** The door this app serves: REST itself, or the gRPC door's calls, transcoded and injected. */
  door: Door;
  opts: ReferenceOptions;
  profile: Profile;
  hooks: Hooks;
  store: OperationStore;
  issuer: Issuer;
  /** Aborted on close so that waits and held cancels end at once. */
  closing: AbortSignal;
}

/** Ctx plus what is derived once from the profile and the faults, so that requests need not. */
export interface Srv extends Ctx {
  surface: Surface;
  style: ErrorStyle;
  /** Undefined when the server checks no token. */
  auth?: AuthContext;
  challenge: Challenge;
  cancelBody: Record<BodyKind, 'accept' | 'reject'>;
  /** What an operation ID must look like (REFERENCE_STRICT_IDS: exactly the IDs this server issues). */
  idPattern: RegExp;
  /** Runs `fn` after `ms` unless the server closes first. */
  later: (ms: number, fn: () => void) => void;
}

const OPS = 'google.longrunning.Operations';
export const RPC = {
  get: `${OPS}.GetOperation`,
  list: `${OPS}.ListOperations`,
  delete: `${OPS}.DeleteOperation`,
  cancel: `${OPS}.CancelOperation`,
  wait: `${OPS}.WaitOperation`,
  create: 'google.cloud.translation.v3.TranslationService.BatchTranslateDocument',
  // fixtures/protos/conformance/jobs/v1/jobs.proto: the generic surface's create, on the gRPC door too.
  runJob: 'conformance.jobs.v1.JobService.RunJob',
} as const;

export const WAIT_CAP_MS = 30_000;
const MAX_NAME_LENGTH = 1024;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
export const DEFAULT_JOB_MS = 60_000;
const MAX_JOB_MS = 24 * 3600 * 1000;
const EMPTY = '{}';

/** Default verdicts on a cancel body (the request message has only `name`). */
export const CANCEL_BODY: Record<BodyKind, 'accept' | 'reject'> = { zeroLength: 'accept', emptyObject: 'accept', unknownField: 'reject', malformed: 'reject' };

// ---------------------------------------------------------------- names

/** A path parameter that stops at ":" so custom verbs route separately. */
const seg = (name: string) => `:${name}(^[^:/]+)`;

export interface Shape {
  /** The route path of the parent. */
  path: string;
  parent: (p: Params) => string;
  /** The path parameters of the parent, checked like the operation ID. */
  keys: readonly string[];
  /** GDC's `projects/{p}`: a profile with a default location files creates under it. */
  locationless?: boolean;
}

/** GDC `projects/{p}` and public v3 `projects/{p}/locations/{l}`. */
const TRANSLATION_SHAPES: Shape[] = [
  { path: `/v3/projects/${seg('project')}`, parent: (p) => `projects/${p.project}`, keys: ['project'], locationless: true },
  {
    path: `/v3/projects/${seg('project')}/locations/${seg('location')}`,
    parent: (p) => `projects/${p.project}/locations/${p.location}`,
    keys: ['project', 'location'],
  },
];
/** `operations/{id}` with no parent. */
const GENERIC_SHAPES: Shape[] = [{ path: '/v3', parent: () => '', keys: [] }];

export const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.~-]*$/;
/** What randomUUID issues: the only operation IDs a strict server accepts. */
export const ISSUED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * INVALID_ARGUMENT for odd characters (decoded slashes, unicode, spaces), "..", overlong names:
 * unless every segment named by `keys` is well formed, `id` (if any) matches `idPattern`, and the name is not overlong.
 */
function checkName(name: string, p: Params, keys: readonly string[], id?: string, idPattern = SEGMENT): string {
  let ok = name.length <= MAX_NAME_LENGTH && (id === undefined || idPattern.test(id));
  for (let i = 0; ok && i < keys.length; i++) ok = SEGMENT.test(p[keys[i]]);
  if (!ok) throw invalidArgument(`Invalid resource name "${name.slice(0, 200)}".`, 'INVALID_RESOURCE_NAME', [{ field: 'name', description: 'Malformed resource name' }]);
  return name;
}

const parentOf = (shape: Shape, p: Params) => checkName(shape.parent(p), p, shape.keys);
export const operationOf = (s: Srv, shape: Shape, p: Params) => checkName(operationName(shape.parent(p), p.operation), p, shape.keys, p.operation, s.idPattern);

const idOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** Whether this door sees the record (grpc-rejects-rest-names: only those it created). */
const visible = (s: Srv, r: OpRecord) => !s.hooks.ownOperationsOnly || r.door === s.door;

/** The record a name resolves to; the cross-parent fault also takes its last segment alone. */
function lookup(s: Srv, name: string): OpRecord | undefined {
  const r = s.store.get(name) ?? (s.hooks.resolveById ? s.store.findById(idOf(name)) : undefined);
  return r && visible(s, r) ? r : undefined;
}

function requireOp(s: Srv, name: string): OpRecord {
  const r = lookup(s, name);
  if (!r) throw notFound(`Operation "${name}" not found.`);
  return r;
}

// ---------------------------------------------------------------- replies and views

const sendJson = (s: Srv, reply: FastifyReply, body: Json | string, status = 200) =>
  reply.code(status).type(s.surface.jsonType).send(typeof body === 'string' ? body : JSON.stringify(body));

/** The Operation as served (as it was at `now`): the surface's JSON, then any fault view hooks. */
function present(s: Srv, r: OpRecord, now = s.store.now()): Json {
  const phase = phaseAt(r, now);
  const op = s.surface.rendering.operation(r, phase);
  const views = s.hooks.views;
  if (!views) return op;
  const ctx = { phase, response: () => s.surface.rendering.response(r), now, doneMs: doneAtMs(r) };
  return views.reduce((o, view) => view(o, ctx), op);
}

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

/** Aborts when the client goes away or the server closes. */
function requestSignal(s: Srv, reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => ac.abort());
  return AbortSignal.any([ac.signal, s.closing]);
}

// ---------------------------------------------------------------- cancel

/** The cancel's effect on a record, shared by the handler and the side-effect faults. */
function applyCancel(s: Srv, r: OpRecord, spill = true) {
  const now = s.store.now();
  const { hooks, opts } = s;
  const outcome = requestCancel(r, now, {
    delayMs: hooks.cancelNeverSettles ? Infinity : opts.cancelDelayMs,
    lagMs: opts.controllerLagMs,
    aheadMs: opts.metadataAheadMs,
    ignore: !!s.profile.quickOpsIgnoreCancel && isQuick(r.work),
    cancelledIsFinished: s.profile.cancelledIsFinished,
  });
  if (outcome === 'finished' && hooks.overwriteFinished) r.overwrittenMs ??= now + hooks.overwriteFinished.afterMs;
  if ((outcome === 'cancelled' || outcome === 'ignored') && hooks.deleteOnCancel) s.store.delete(r.name);
  // One step only: the neighbour's cancel reaches no further.
  const other = spill && outcome === 'cancelled' ? hooks.alsoCancels?.(r, s.store) : undefined;
  if (other && phaseAt(other, now).state === 'RUNNING') applyCancel(s, other, false);
  s.store.changed(r.name);
  return outcome;
}

/** A refused cancel that takes effect anyway (the *-still-cancels faults). */
export function sideEffectCancel(s: Srv, name: string) {
  const r = lookup(s, name);
  if (r) applyCancel(s, r);
}

function sendCancelled(s: Srv, reply: FastifyReply, r: OpRecord) {
  switch (s.hooks.cancelReply) {
    case 'operation':
      return sendJson(s, reply, present(s, r));
    case 'no-content':
      return reply.code(204).send();
    case 'text':
      return reply.code(200).type('text/plain; charset=utf-8').send(EMPTY);
    default:
      return sendJson(s, reply, EMPTY);
  }
}

const UNIMPLEMENTED_MESSAGES: Partial<Record<RpcName, string>> = {
  UNIMPLEMENTED: `Method not implemented: ${RPC.cancel}`,
  NOT_FOUND: 'Method not found.',
  INTERNAL: 'Internal error encountered.',
};

function unimplementedCancel(s: Srv, name: () => string): ApiError {
  const how = s.hooks.unimplemented ?? {};
  if (how.sideEffect) sideEffectCancel(s, name());
  const rpc = how.rpc ?? 'UNIMPLEMENTED';
  return new ApiError(rpc, UNIMPLEMENTED_MESSAGES[rpc] ?? rpc, { reason: 'METHOD_NOT_IMPLEMENTED', httpStatus: how.httpStatus });
}

const CANCEL_BODY_ERRORS: Record<'zeroLength' | 'emptyObject', [string, string]> = {
  zeroLength: ['Invalid JSON payload received. Unexpected end of string.', 'MALFORMED_JSON'],
  emptyObject: ['Invalid JSON payload received. The request body must be empty.', 'BODY_NOT_EMPTY'],
};

const notName = (key: string) => key !== 'name';

/** Classifies the body, then applies the verdict; `name` is CancelOperationRequest's one field. */
function checkCancelBody(s: Srv, raw: unknown) {
  const body = parseBody(raw);
  const kind: BodyKind = body.kind !== 'object' ? body.kind : Object.keys(body.value).some(notName) ? 'unknownField' : 'emptyObject';
  if (s.cancelBody[kind] === 'accept') {
    // A `name` of the wrong type is still a parse error.
    if (body.kind === 'object' && kind === 'emptyObject' && 'name' in body.value) checkMessage(body.value, CANCEL_OPERATION);
    return;
  }
  if (body.kind === 'malformed') throw invalidPayload(body.message, 'MALFORMED_JSON');
  if (body.kind === 'object' && kind === 'unknownField') checkMessage(body.value, CANCEL_OPERATION);
  const [message, reason] = CANCEL_BODY_ERRORS[kind === 'zeroLength' ? 'zeroLength' : 'emptyObject'];
  throw invalidPayload(message, reason);
}

/** Holds the cancel for the in-flight window of the concurrent-cancel fault. */
async function holdInFlight<T>(s: Srv, inFlight: Set<string>, name: string, signal: AbortSignal, run: () => T): Promise<T> {
  if (inFlight.has(name)) throw new ApiError('ABORTED', 'Another cancel of this operation is in progress.', { reason: 'CONCURRENT_CANCEL' });
  inFlight.add(name);
  try {
    await sleep(s.hooks.inFlightMs!, signal);
    return run();
  } finally {
    inFlight.delete(name);
  }
}

const internalError = () => new ApiError('INTERNAL', 'Internal error encountered.', { reason: 'INTERNAL_ERROR' });

/** The reply to a cancel once its effect is known. */
function answerCancel(s: Srv, reply: FastifyReply, r: OpRecord, outcome: ReturnType<typeof applyCancel>): void {
  if (outcome === 'already' && s.hooks.repeatConflict) throw new ApiError('ABORTED', 'The operation is already being cancelled.', { reason: 'ALREADY_CANCELLED' });
  if (outcome === 'finished' && s.hooks.overwriteFinished?.reply !== 'ok' && s.opts.finishedCancel === 'failed-precondition') {
    throw new ApiError('FAILED_PRECONDITION', 'Operation has already finished.', { reason: 'OPERATION_FINISHED' });
  }
  sendCancelled(s, reply, r);
}

/**
 * A refused cancel that a controller applies anyway, later (refusedCancelsLandAfterMs): to the
 * operation with the name's ID, under whatever parent it lives.
 */
function landLater(s: Srv, name: string) {
  const ms = s.hooks.refusedCancelsLandAfterMs;
  if (ms === undefined) return;
  const id = idOf(name);
  s.later(ms, () => {
    const r = s.store.findById(id);
    if (r) applyCancel(s, r);
  });
}

/** Synchronous unless a fault holds the cancel in flight: the hot path makes no promise. */
function cancelHandler(s: Srv, shape: Shape) {
  const inFlight = new Set<string>();
  return (req: FastifyRequest, reply: FastifyReply): void | Promise<void> => {
    const p = req.params as Params;
    if (s.profile.cancelUnimplemented || s.hooks.unimplemented) throw unimplementedCancel(s, () => operationOf(s, shape, p));
    let name: string;
    try {
      name = operationOf(s, shape, p);
    } catch (e) {
      throw s.hooks.malformedNameInternal ? internalError() : e;
    }
    if (req.method === 'POST') {
      try {
        checkCancelBody(s, req.body);
      } catch (e) {
        landLater(s, name);
        throw e;
      }
    }
    const r = lookup(s, name);
    if (!r) {
      if (s.hooks.unknownNameOk) return void sendJson(s, reply, EMPTY);
      landLater(s, name);
      throw notFound(`Operation "${name}" not found.`);
    }
    if (s.hooks.cancelIgnored) return void sendJson(s, reply, EMPTY);
    if (!s.hooks.inFlightMs) return answerCancel(s, reply, r, applyCancel(s, r));
    return holdInFlight(s, inFlight, name, requestSignal(s, reply), () => applyCancel(s, r)).then((outcome) => answerCancel(s, reply, r, outcome));
  };
}

// ---------------------------------------------------------------- get, delete, wait, list, create

const AFTER_CANCEL: Record<NonNullable<Hooks['getAfterCancel']>, () => ApiError> = {
  INTERNAL: internalError,
  PERMISSION_DENIED: () => permissionDenied('Permission denied on the operation (or it may not exist).', { permission: 'operations.get' }),
  UNAVAILABLE: unavailable,
};

const getHandler: Handler = (s, shape) => (req, reply) => {
  const r = requireOp(s, operationOf(s, shape, req.params as Params));
  const after = s.hooks.getAfterCancel;
  if (after && phaseAt(r, s.store.now()).cancelRequested) throw AFTER_CANCEL[after]();
  sendJson(s, reply, present(s, r));
};

const deleteHandler: Handler = (s, shape) => async (req, reply) => {
  const r = requireOp(s, operationOf(s, shape, req.params as Params));
  s.store.delete(r.name);
  return sendJson(s, reply, EMPTY);
};

/** Holds the request without an answer; once the client goes or the server closes, drops the connection. */
async function abandonOnAbort(reply: FastifyReply, signal: AbortSignal): Promise<void> {
  reply.hijack();
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  reply.raw.destroy();
}

/** Resolves at `untilMs`, on a change to the operation, or on abort; leaves no timer behind. */
function nextWake(s: Srv, name: string, untilMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, untilMs - Date.now()));
    const unsubscribe = s.store.subscribe(name, finish);
    signal.addEventListener('abort', finish, { once: true });
  });
}

function waitTimeoutMs(raw: unknown): number {
  const body = parseBody(raw);
  if (body.kind === 'malformed') throw invalidPayload(body.message, 'MALFORMED_JSON');
  const value = body.kind === 'object' ? body.value : {};
  const violations = checkMessage(value, WAIT_OPERATION);
  if (violations.length) throw invalidArgument('Request contains an invalid argument.', 'INVALID_REQUEST', violations);
  if (value.timeout === undefined) return WAIT_CAP_MS;
  const ms = parseDuration(String(value.timeout));
  if (ms === undefined) {
    throw invalidArgument(`Invalid value at 'timeout' (type.googleapis.com/google.protobuf.Duration), "${value.timeout}"`, 'INVALID_VALUE', [
      { field: 'timeout', description: 'Expected a Duration such as "3.5s"' },
    ]);
  }
  return Math.min(ms, WAIT_CAP_MS);
}

const waitHandler: Handler = (s, shape) => async (req, reply) => {
  const name = operationOf(s, shape, req.params as Params);
  const timeoutMs = waitTimeoutMs(req.body);
  const first = requireOp(s, name);
  const deadline = Date.now() + timeoutMs;
  const signal = requestSignal(s, reply);
  if (s.hooks.waitHangs) return abandonOnAbort(reply, signal);
  const phase = phaseAt(first, s.store.now());
  if (s.hooks.waitStale && phase.cancelRequested && !phase.cancelIgnored) {
    await sleep(timeoutMs, signal);
    // The snapshot from just before the cancel: running, no result.
    const stale = { ...first, cancelRequestedMs: undefined, cancelLandsMs: undefined, overwrittenMs: undefined };
    return sendJson(s, reply, s.surface.rendering.operation(stale, phaseAt(stale, first.cancelRequestedMs ?? first.overwrittenMs ?? first.submitMs)));
  }
  for (;;) {
    const r = requireOp(s, name);
    const now = s.store.now();
    if (phaseAt(r, now).done || now >= deadline || signal.aborted) return sendJson(s, reply, present(s, r));
    await nextWake(s, name, Math.min(deadline, nextChangeMs(r, now) ?? deadline), signal);
  }
};

const FILTERS: [RegExp, (done: boolean) => boolean][] = [
  [/^\s*done\s*=\s*true\s*$/i, (done) => done],
  [/^\s*done\s*=\s*false\s*$/i, (done) => !done],
  [/^\s*$/, () => true],
];

function parseFilter(filter: unknown): (done: boolean) => boolean {
  const hit = FILTERS.find(([re]) => re.test(String(filter ?? '')));
  if (!hit) {
    throw invalidArgument(`Invalid filter "${String(filter)}": supported are done=true and done=false.`, 'INVALID_FILTER', [{ field: 'filter', description: 'Unsupported filter' }]);
  }
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
  if (!/^\d+$/.test(String(raw))) {
    throw invalidArgument(`Invalid value at 'page_size' (TYPE_INT32), "${String(raw)}"`, 'INVALID_VALUE', [{ field: 'page_size', description: 'Expected a non-negative integer' }]);
  }
  return Math.min(Number(raw) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

const listHandler: Handler = (s, shape) => async (req, reply) => {
  const parent = parentOf(shape, req.params as Params);
  const q = req.query as Record<string, unknown>;
  const keep = parseFilter(q.filter);
  const after = decodeToken(q.pageToken ?? q.page_token);
  const size = pageSizeOf(q.pageSize ?? q.page_size);
  // A lagging list (REFERENCE_LIST_LAG_MS) shows the store as it was: nothing newer, older phases.
  const asOf = s.store.now() - s.opts.listLagMs;
  const matching = s.store.list(parent, after, (r) => {
    const phase = phaseAt(r, asOf);
    return r.submitMs <= asOf && keep(phase.done) && !s.hooks.hideFromList?.(phase) && visible(s, r);
  }, size + 1);
  const page = matching.slice(0, size);
  return sendJson(s, reply, {
    ...(page.length ? { operations: page.map((r) => present(s, r, asOf)) } : {}),
    ...(matching.length > size ? { nextPageToken: encodeToken(page[page.length - 1].seq) } : {}),
  });
};

/** BatchTranslateDocumentRequest, checked, as a simulated workload. */
function translationWorkload(body: Json): Workload {
  const violations = checkMessage(body, BATCH_TRANSLATE_DOCUMENT);
  if (violations.length) throw invalidArgument('Request contains an invalid argument.', 'INVALID_REQUEST', violations);
  return workloadOf(inputUris(body), targetCount(body));
}

/** Any object; `durationMs` (a non-negative integer, or its string) sets how long the job runs. */
function jobWorkloadOf(body: Json): Workload {
  const raw = body.durationMs;
  if (raw === undefined || raw === null) return jobWorkload(DEFAULT_JOB_MS);
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,12}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_JOB_MS) {
    throw invalidArgument(`Invalid value at 'durationMs', ${JSON.stringify(raw).slice(0, 100)}`, 'INVALID_VALUE', [
      { field: 'durationMs', description: `Expected an integer number of milliseconds from 0 to ${MAX_JOB_MS}` },
    ]);
  }
  return jobWorkload(ms);
}

/** The profile may shorten quick operations (Google's finish before a cancel can reach them). */
const quickened = (s: Srv, w: Workload): Workload => (s.profile.quickDurationMs !== undefined && isQuick(w) ? { ...w, durationMs: s.profile.quickDurationMs } : w);

function createParentOf(s: Srv, shape: Shape, p: Params): string {
  const parent = parentOf(shape, p);
  return shape.locationless && s.profile.defaultLocation ? `${parent}/locations/${s.profile.defaultLocation}` : parent;
}

const createHandler: Handler = (s, shape) => async (req, reply) => {
  const parent = createParentOf(s, shape, req.params as Params);
  const body = parseBody(req.body);
  if (body.kind === 'malformed') throw invalidPayload(body.message, 'MALFORMED_JSON');
  const work = quickened(s, s.surface.workload(body.kind === 'object' ? body.value : {}));
  const r = s.store.create(parent, randomUUID(), work, s.door);
  if (!r) {
    throw new ApiError('RESOURCE_EXHAUSTED', `The reference server holds at most ${s.opts.maxOperations} operations and none has finished.`, { reason: 'OPERATIONS_LIMIT' });
  }
  return sendJson(s, reply, present(s, r));
};

/** Wrong methods on `{name}:cancel`: whatever an unrouted request gets, unless a fault makes them cancel. */
const wrongMethodHandler: Handler = (s, shape) => {
  const cancel = cancelHandler(s, shape);
  return async (req, reply) => {
    if (s.hooks.wrongMethodCancels) return cancel(req, reply);
    if (s.hooks.refusedCancelsLandAfterMs !== undefined) {
      try {
        landLater(s, operationOf(s, shape, req.params as Params));
      } catch {
        // a malformed name has nothing to cancel
      }
    }
    return reply.callNotFound();
  };
};

// ---------------------------------------------------------------- the surfaces

/** A sync handler sends and returns nothing (fastify would send a returned value again). */
export type Handler = (s: Srv, shape: Shape) => (req: FastifyRequest, reply: FastifyReply) => void | Promise<unknown>;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Appended to the shape's parent path. */
  suffix: string;
  rpc?: string;
  handler: Handler;
  cancel?: boolean;
  /** A verb no method serves on `:cancel`. */
  wrongMethod?: boolean;
}

export interface Surface {
  shapes: readonly Shape[];
  routes: readonly RouteSpec[];
  rendering: Rendering;
  jsonType: string;
  /** Reads a create body into the new operation's workload; throws INVALID_ARGUMENT. */
  workload: (body: Json) => Workload;
}

const OP = `/operations/${seg('operation')}`;
const OPERATION_ROUTES: RouteSpec[] = [
  { method: 'GET', suffix: '/operations', rpc: RPC.list, handler: listHandler },
  { method: 'GET', suffix: OP, rpc: RPC.get, handler: getHandler },
  { method: 'DELETE', suffix: OP, rpc: RPC.delete, handler: deleteHandler },
  { method: 'POST', suffix: `${OP}:cancel`, rpc: RPC.cancel, handler: cancelHandler, cancel: true },
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) => ({ method, suffix: `${OP}:cancel`, handler: wrongMethodHandler, cancel: true, wrongMethod: true })),
];

export const SURFACES: Record<SurfaceName, Surface> = {
  translation: {
    shapes: TRANSLATION_SHAPES,
    routes: [
      { method: 'POST', suffix: ':batchTranslateDocument', rpc: RPC.create, handler: createHandler },
      { method: 'POST', suffix: `${OP}:wait`, rpc: RPC.wait, handler: waitHandler },
      ...OPERATION_ROUTES,
    ],
    rendering: TRANSLATION_RENDERING,
    jsonType: GOOGLE_JSON_TYPE,
    workload: translationWorkload,
  },
  // No :wait, as many job servers.
  generic: {
    shapes: GENERIC_SHAPES,
    routes: [{ method: 'POST', suffix: '/jobs:run', rpc: RPC.runJob, handler: createHandler }, ...OPERATION_ROUTES],
    rendering: JOB_RENDERING,
    jsonType: 'application/json; charset=utf-8',
    workload: jobWorkloadOf,
  },
};

/** find-my-way needs "::" for a literal ":" after a parameter or in a static path. */
export const routePath = (base: string, suffix: string) => base + suffix.replace(/:(?=[a-z]+$)/i, '::');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page Google's front end serves for a URL no method serves (trimmed: no styles, no logo). */
export const googleNotFoundPage = (url: string) =>
  `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n` +
  `  <title>Error 404 (Not Found)!!1</title>\n  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n` +
  `  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${escapeHtml(url.split('?')[0].slice(0, 2000))}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`;
