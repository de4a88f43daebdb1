// Deliberate deviations, chosen with REFERENCE_FAULTS, so the conformance suite can be shown to
// catch them. Each fault is a few declarative hooks at a seam of the server; the handlers read
// the merged hooks and never fork per fault.
import type { ErrorStyle, RpcName } from './errors';
import { CANCELLED_MESSAGE, type Door, type Json, type OperationStore, type OpRecord, type Phase } from './store';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE } from './scopes';

export type AuthFailure = 'unauthenticated' | 'forbidden';
export type BodyKind = 'zeroLength' | 'emptyObject' | 'unknownField' | 'malformed';

export interface ViewContext {
  phase: Phase;
  response: () => Json;
  /** The instant the view is for, and when the operation became done (undefined: never). */
  now: number;
  doneMs: number | undefined;
}
/** Rewrites the serialized Operation. */
export type ViewHook = (op: Json, ctx: ViewContext) => Json;

export interface Hooks {
  // -- auth decision --
  scopesIgnored?: boolean;
  /** Replaces the exact per-item compare against an allowed scope. */
  scopeMatch?: (item: string, allowed: string) => boolean;
  /** Allowed scopes that are nevertheless refused. */
  scopeDenied?: string[];
  acceptMissingToken?: boolean;
  ignoreExpiry?: boolean;
  skipSignature?: boolean;
  swapAuthStatus?: boolean;
  /** A cancel refused for these reasons still takes effect, `afterMs` later. */
  cancelDespite?: readonly { on: AuthFailure; afterMs: number }[];
  /** No token is checked at all. */
  authOff?: boolean;
  /** A bad bearer token (not a missing one, not a scope refusal) gets its connection destroyed. */
  resetOnBadToken?: boolean;
  // -- cancel body parsing: overrides of the default verdicts --
  cancelBody?: Partial<Record<BodyKind, 'accept' | 'reject'>>;
  // -- cancel handler --
  wrongMethodCancels?: boolean;
  deleteOnCancel?: boolean;
  cancelNeverSettles?: boolean;
  cancelReply?: 'operation' | 'no-content' | 'text';
  /** A cancel of a finished operation overwrites its result `afterMs` later; 'ok' answers 200 {}, 'correct' as without the fault. */
  overwriteFinished?: { afterMs: number; reply: 'ok' | 'correct' };
  /** A cancel refused for its body, its verb or a name under another parent is applied this much later, to the operation with that ID. */
  refusedCancelsLandAfterMs?: number;
  /** An accepted cancel also cancels the operation this returns, if it is still running. */
  alsoCancels?: (r: OpRecord, store: OperationStore) => OpRecord | undefined;
  repeatConflict?: boolean;
  /** Each cancel is held this long; a concurrent one for the same operation gets ABORTED. */
  inFlightMs?: number;
  unknownNameOk?: boolean;
  malformedNameInternal?: boolean;
  /** Implies an unimplemented cancel, answered differently. */
  unimplemented?: { rpc?: RpcName; httpStatus?: number; sideEffect?: boolean };
  // -- operation lookup, view / list / wait --
  /** Finds an operation by its last segment under any parent. */
  resolveById?: boolean;
  /** GET of an operation that had an accepted cancel answers this error. */
  getAfterCancel?: 'INTERNAL' | 'PERMISSION_DENIED' | 'UNAVAILABLE';
  views?: ViewHook[];
  hideFromList?: (phase: Phase) => boolean;
  waitStale?: boolean;
  /** :wait never answers: it is held until the client goes away or the server closes. */
  waitHangs?: boolean;
  // -- error writer --
  errorStyle?: ErrorStyle;
  // -- the gRPC door --
  /** A cancel of an existing operation answers {} and changes nothing. */
  cancelIgnored?: boolean;
  /** Operations created through the other door are not found (nor listed). */
  ownOperationsOnly?: boolean;
  /** The gRPC door sends these codes as others. */
  grpcCodes?: Partial<Record<RpcName, RpcName>>;
  /** The gRPC door's errors carry no grpc-status-details-bin trailer. */
  grpcNoStatusDetails?: boolean;
  /** The gRPC door's CancelOperation replies with the Operation's bytes where google.protobuf.Empty is due. */
  grpcCancelReturnsOperation?: boolean;
}

/** Applies to a cancelled operation once it is done (metadata may say CANCELLED a moment earlier). */
const whenCancelled =
  (fn: (op: Json, ctx: ViewContext) => Json): ViewHook =>
  (op, ctx) =>
    ctx.phase.state === 'CANCELLED' && ctx.phase.done ? fn(op, ctx) : op;

const withoutKeys = (op: Json, ...keys: string[]) => Object.fromEntries(Object.entries(op).filter(([k]) => !keys.includes(k)));
/** Rewrites an object-valued metadata; a null or absent one (generic servers) stays as it is. */
const withMetadata = (op: Json, fn: (m: Json) => Json): Json =>
  typeof op.metadata === 'object' && op.metadata !== null ? { ...op, metadata: fn(op.metadata as Json) } : op;
/** A cancelled operation shows this error code (and, optionally, rewritten metadata). */
const cancelledCode = (code: unknown, metadata: (m: Json) => Json = (m) => m): ViewHook =>
  whenCancelled((op) => ({ ...withMetadata(op, metadata), error: { code, message: CANCELLED_MESSAGE } }));

/**
 * Where a fault exists: a mistake in the backend (the store, the auth decision, the status of an
 * error) shows on both doors; one in the JSON, the HTTP framing or the challenge header is REST's alone.
 */
export type Doors = Door | 'both';

/** A named deviation: what it does, on which door, the requirement IDs it is meant to break, its hooks. */
export interface Fault {
  description: string;
  doors: Doors;
  breaks: readonly string[];
  hooks: Hooks;
}

export type FaultName = keyof typeof FAULT_TABLE;

/** How long the delayed faults wait: past a check that reads once, within one that keeps polling. */
const LATER_MS = 1000;
/**
 * A done result that changes: soon enough that every later read of the run sees it (the first test
 * comes ≥ 0.5 s after the observed cancellation settles), late enough that the reads straight after
 * settling do not.
 */
const RESULT_CHANGES_AFTER_MS = 300;

const FAULT_TABLE = {
  'cancel-deletes-operation': {
    description: 'A successful cancel removes the operation (later GET is 404).',
    doors: 'both',
    breaks: ['cancel.outcome.exists'],
    hooks: { deleteOnCancel: true },
  },
  'cancelled-code-unknown': {
    description: 'A cancelled operation shows error.code 2.',
    doors: 'both',
    breaks: ['cancel.outcome.error-code'],
    hooks: { views: [cancelledCode(2)] },
  },
  'cancelled-code-http-499': {
    description: 'A cancelled operation shows error.code 499.',
    doors: 'both',
    breaks: ['cancel.outcome.error-code'],
    hooks: { views: [cancelledCode(499)] },
  },
  'cancelled-code-string': {
    description: 'A cancelled operation shows error.code "CANCELLED".',
    doors: 'rest',
    breaks: ['cancel.outcome.error-code'],
    hooks: { views: [cancelledCode('CANCELLED')] },
  },
  'cancelled-with-response': {
    description: 'A cancelled operation has both error{code:1} and a response.',
    doors: 'rest',
    breaks: ['cancel.outcome.exclusive-result', 'cancel.outcome.error-code'],
    hooks: { views: [whenCancelled((op, ctx) => ({ ...op, response: ctx.response() }))] },
  },
  'cancelled-without-done': {
    description: "A cancelled operation's JSON omits done.",
    doors: 'rest',
    breaks: ['cancel.outcome.exclusive-result', 'cancel.outcome.error-code'],
    hooks: { views: [whenCancelled((op) => withoutKeys(op, 'done'))] },
  },
  'cancel-returns-operation': {
    description: 'Cancel answers 200 with the Operation instead of {}.',
    doors: 'rest',
    breaks: ['cancel.response.empty', 'cancel.response.json'],
    hooks: { cancelReply: 'operation' },
  },
  'cancel-returns-204': {
    description: 'Cancel answers 204 with no body.',
    doors: 'rest',
    breaks: ['cancel.response.json'],
    hooks: { cancelReply: 'no-content' },
  },
  'cancel-returns-text': {
    description: 'Cancel answers 200 {} as text/plain.',
    doors: 'rest',
    breaks: ['cancel.response.json'],
    hooks: { cancelReply: 'text' },
  },
  'zero-length-rejected': {
    description: 'A zero-length cancel body gets 400 ({} still accepted).',
    doors: 'rest',
    breaks: ['cancel.request.zero-length'],
    hooks: { cancelBody: { zeroLength: 'reject' } },
  },
  'empty-object-rejected': {
    description: 'A {} cancel body gets 400 (zero-length still accepted).',
    doors: 'rest',
    breaks: ['cancel.request.empty-object'],
    hooks: { cancelBody: { emptyObject: 'reject' } },
  },
  'unknown-fields-accepted': {
    description: 'Unknown fields in the cancel body are ignored.',
    doors: 'rest',
    breaks: ['cancel.request.unknown-field'],
    hooks: { cancelBody: { unknownField: 'accept' } },
  },
  'malformed-json-accepted': {
    description: 'A malformed or non-object cancel body is taken as {}.',
    doors: 'rest',
    breaks: ['cancel.request.malformed-json'],
    hooks: { cancelBody: { malformed: 'accept' } },
  },
  'wrong-method-cancels': {
    description: 'GET, PUT and DELETE on {name}:cancel cancel and answer 200 {}.',
    doors: 'rest',
    breaks: ['cancel.request.wrong-method'],
    hooks: { wrongMethodCancels: true },
  },
  'scopes-ignored': {
    description: 'Any valid token is allowed whatever its scopes.',
    doors: 'both',
    breaks: ['cancel.auth.insufficient-scope'],
    hooks: { scopesIgnored: true },
  },
  'lookalike-scope-accepted': {
    description: 'A scope item is allowed if it starts with an allowed scope (cloud-platform.read-only passes).',
    doors: 'both',
    breaks: ['cancel.auth.insufficient-scope'],
    hooks: { scopeMatch: (item: string, allowed: string) => item.startsWith(allowed) },
  },
  'translation-scope-rejected': {
    description: 'The cloud-translation scope alone gets 403.',
    doors: 'both',
    breaks: ['cancel.auth.translation-scope'],
    hooks: { scopeDenied: [TRANSLATION_SCOPE] },
  },
  'platform-scope-rejected': {
    description: 'The cloud-platform scope alone gets 403.',
    doors: 'both',
    breaks: ['cancel.auth.platform-scope'],
    hooks: { scopeDenied: [PLATFORM_SCOPE] },
  },
  'forbidden-still-cancels': {
    description: 'An insufficient-scope cancel answers 403 but takes effect.',
    doors: 'both',
    breaks: ['cancel.auth.no-side-effect'],
    hooks: { cancelDespite: [{ on: 'forbidden', afterMs: 0 }] },
  },
  'unauthenticated-still-cancels': {
    description: 'A 401 cancel still cancels the named operation.',
    doors: 'both',
    breaks: ['cancel.auth.no-side-effect'],
    hooks: { cancelDespite: [{ on: 'unauthenticated', afterMs: 0 }] },
  },
  'auth-status-swapped': {
    description: 'Every 401 answers 403 PERMISSION_DENIED and every 403 answers 401 UNAUTHENTICATED.',
    doors: 'both',
    breaks: ['cancel.auth.missing', 'cancel.auth.invalid', 'cancel.auth.insufficient-scope', 'cancel.auth.challenge'],
    hooks: { swapAuthStatus: true },
  },
  'missing-token-accepted': {
    description: 'A request without Authorization is allowed.',
    doors: 'both',
    breaks: ['cancel.auth.missing'],
    hooks: { acceptMissingToken: true },
  },
  'expired-token-accepted': {
    description: 'Token expiry is not checked.',
    doors: 'both',
    breaks: ['cancel.auth.invalid'],
    hooks: { ignoreExpiry: true },
  },
  'forged-token-accepted': {
    description: 'Token signatures are not verified (iss, aud, exp and scope still are).',
    doors: 'both',
    breaks: ['cancel.auth.invalid'],
    hooks: { skipSignature: true },
  },
  'no-www-authenticate': {
    description: '401 and 403 carry no WWW-Authenticate header.',
    doors: 'rest',
    breaks: ['cancel.auth.challenge'],
    hooks: { errorStyle: { omitChallenge: true } },
  },
  'no-error-info': {
    description: 'Error envelopes carry no ErrorInfo.',
    doors: 'both',
    breaks: ['errors.error-info'],
    hooks: { errorStyle: { omitErrorInfo: true } },
  },
  'error-without-envelope': {
    description: 'Every error body is text/plain "Error: <message>".',
    doors: 'rest',
    breaks: ['errors.envelope', 'errors.error-info'],
    hooks: { errorStyle: { plainText: true } },
  },
  'error-code-is-rpc': {
    description: "The envelope's code is the rpc number instead of the HTTP status.",
    doors: 'rest',
    breaks: ['errors.envelope'],
    hooks: { errorStyle: { rpcCodeInBody: true } },
  },
  'unimplemented-as-404': {
    description: 'An unimplemented cancel answers 404 NOT_FOUND instead of 501.',
    doors: 'both',
    breaks: ['cancel.unimplemented.status'],
    hooks: { unimplemented: { rpc: 'NOT_FOUND' } },
  },
  'unimplemented-as-500': {
    description: 'An unimplemented cancel answers 500 INTERNAL.',
    doors: 'both',
    breaks: ['cancel.unimplemented.status'],
    hooks: { unimplemented: { rpc: 'INTERNAL' } },
  },
  'unimplemented-as-200': {
    description: 'An unimplemented cancel answers HTTP 200 with the UNIMPLEMENTED envelope.',
    doors: 'rest',
    breaks: ['cancel.unimplemented.status'],
    hooks: { unimplemented: { httpStatus: 200 } },
  },
  'unimplemented-side-effect': {
    description: 'Cancel answers 501 UNIMPLEMENTED but cancels anyway.',
    doors: 'both',
    breaks: ['cancel.unimplemented.no-side-effect'],
    hooks: { unimplemented: { sideEffect: true } },
  },
  'finished-overwritten': {
    description: 'Cancelling a succeeded operation answers 200 {} and overwrites its result with error{code:1}.',
    doors: 'both',
    breaks: ['cancel.semantics.finished-unchanged'],
    hooks: { overwriteFinished: { afterMs: 0, reply: 'ok' } },
  },
  'unknown-name-ok': {
    description: 'Cancel of a well-formed unknown name answers 200 {}.',
    doors: 'both',
    breaks: ['cancel.semantics.not-found'],
    hooks: { unknownNameOk: true },
  },
  'malformed-name-500': {
    description: 'Cancel of a malformed name answers 500 INTERNAL.',
    doors: 'both',
    breaks: ['cancel.semantics.malformed-name'],
    hooks: { malformedNameInternal: true },
  },
  'cancelled-not-listed': {
    description: 'List omits cancelled operations.',
    doors: 'both',
    breaks: ['cancel.outcome.listed'],
    hooks: { hideFromList: (p: Phase) => p.state === 'CANCELLED' },
  },
  'wait-stale': {
    description: ':wait on a cancelled or cancelling operation returns a stale RUNNING snapshot after the timeout.',
    doors: 'both',
    breaks: ['cancel.outcome.wait'],
    hooks: { waitStale: true },
  },
  'metadata-state-stuck': {
    description: 'Metadata state stays RUNNING after a cancel.',
    doors: 'both',
    breaks: ['cancel.outcome.metadata-state'],
    hooks: {
      views: [
        (op: Json, { phase }: ViewContext) =>
          phase.state === 'CANCELLING' || phase.state === 'CANCELLED' ? { ...op, metadata: { ...(op.metadata as Json), state: 'RUNNING' } } : op,
      ],
    },
  },
  'repeat-cancel-conflict': {
    description: 'A cancel of a cancelling or cancelled operation answers 409 ABORTED.',
    doors: 'both',
    breaks: ['cancel.semantics.idempotent'],
    hooks: { repeatConflict: true },
  },
  'concurrent-cancel-conflict': {
    description: 'A cancel is in flight for 300 ms; a concurrent one gets 409 ABORTED.',
    doors: 'both',
    breaks: ['cancel.semantics.concurrent'],
    hooks: { inFlightMs: 300 },
  },
  'cancel-never-settles': {
    description: 'Cancel answers 200 {} but the operation stays CANCELLING forever.',
    doors: 'both',
    breaks: [],
    hooks: { cancelNeverSettles: true },
  },
  'race-result-malformed': {
    description: '(with profile race) an operation that completes despite a cancel is done with neither response nor error.',
    doors: 'both',
    breaks: ['cancel.outcome.completed-anyway'],
    hooks: { views: [(op: Json, { phase }: ViewContext) => (phase.cancelIgnored && phase.done ? withoutKeys(op, 'response', 'error') : op)] },
  },
  'accepts-every-call': {
    description: 'Auth is off: no token, a forged or expired one, or any scope is accepted.',
    doors: 'both',
    breaks: ['cancel.auth.missing', 'cancel.auth.invalid', 'cancel.auth.insufficient-scope'],
    hooks: { authOff: true },
  },
  'cancelled-as-failed': {
    description: 'A cancelled operation ends done with error.code 2 (UNKNOWN) and metadata state FAILED.',
    doors: 'both',
    breaks: ['cancel.outcome.error-code'],
    hooks: { views: [cancelledCode(2, (m) => ({ ...m, state: 'FAILED' }))] },
  },
  'cancelled-as-499': {
    description: 'A cancelled operation ends done with error.code 499 and metadata without a state.',
    doors: 'both',
    breaks: ['cancel.outcome.error-code'],
    hooks: { views: [cancelledCode(499, (m) => withoutKeys(m, 'state'))] },
  },
  'get-fails-after-cancel': {
    description: 'After an accepted cancel, GET of that operation answers 500 INTERNAL.',
    doors: 'both',
    breaks: ['cancel.outcome.exists'],
    hooks: { getAfterCancel: 'INTERNAL' },
  },
  'get-forbidden-after-cancel': {
    description: 'After an accepted cancel, GET of that operation answers 403 PERMISSION_DENIED.',
    doors: 'both',
    breaks: ['cancel.outcome.exists'],
    hooks: { getAfterCancel: 'PERMISSION_DENIED' },
  },
  'cross-parent-resolves': {
    description: 'Operations are found by their last segment alone, whatever project or location the name gives.',
    doors: 'both',
    breaks: ['cancel.security.cross-parent'],
    hooks: { resolveById: true },
  },
  'forged-token-reset': {
    description: 'A request with an invalid, forged or expired bearer token has its connection destroyed (no HTTP answer).',
    doors: 'both',
    breaks: ['cancel.auth.invalid'],
    hooks: { resetOnBadToken: true },
  },
  'no-challenge-on-403': {
    description: '403 replies carry no WWW-Authenticate (401 replies still do).',
    doors: 'rest',
    breaks: ['cancel.auth.challenge'],
    hooks: { errorStyle: { omitChallengeOn403: true } },
  },
  'refused-cancel-lands-later': {
    description: 'A cancel refused for its credentials (401 or 403) takes effect 1000 ms later.',
    doors: 'both',
    breaks: ['cancel.auth.no-side-effect'],
    hooks: { cancelDespite: [{ on: 'unauthenticated', afterMs: LATER_MS }, { on: 'forbidden', afterMs: LATER_MS }] },
  },
  'refused-calls-land-later': {
    description: 'A cancel refused for its body (400), its verb (GET, PUT, DELETE: 404) or a name under another parent (404) is applied 1000 ms later to the operation with that ID.',
    doors: 'both',
    breaks: ['cancel.request.unknown-field', 'cancel.request.malformed-json', 'cancel.request.wrong-method', 'cancel.security.cross-parent'],
    hooks: { refusedCancelsLandAfterMs: LATER_MS },
  },
  'cancel-reaches-previous': {
    description: 'An accepted cancel also cancels the operation created just before the named one under the same parent, if it is still running.',
    doors: 'both',
    breaks: ['cancel.semantics.only-named'],
    hooks: { alsoCancels: (r: OpRecord, store: OperationStore) => store.previousSibling(r) },
  },
  'cancelled-result-changes': {
    description: '300 ms after a cancelled operation is done, its error becomes {code: 13, "Internal error encountered."}.',
    doors: 'both',
    breaks: ['cancel.outcome.exclusive-result'],
    hooks: {
      views: [whenCancelled((op, { now, doneMs }) => (doneMs !== undefined && now - doneMs >= RESULT_CHANGES_AFTER_MS ? { ...op, error: { code: 13, message: 'Internal error encountered.' } } : op))],
    },
  },
  'finished-overwritten-later': {
    description: 'Cancelling a succeeded operation answers as the server would without the fault, but 1000 ms later its result is overwritten with error{code:1}.',
    doors: 'both',
    breaks: ['cancel.semantics.finished-unchanged'],
    hooks: { overwriteFinished: { afterMs: LATER_MS, reply: 'correct' } },
  },
  'wait-hangs': {
    description: ':wait never answers (held until the client goes away or the server closes).',
    doors: 'both',
    breaks: ['cancel.outcome.wait'],
    hooks: { waitHangs: true },
  },
  'get-unavailable-after-cancel': {
    description: 'After an accepted cancel, every GET of that operation answers 503 UNAVAILABLE (a zone whose front end keeps failing).',
    doors: 'both',
    breaks: [],
    hooks: { getAfterCancel: 'UNAVAILABLE' },
  },
  'grpc-cancelled-code-unknown': {
    description: 'Over gRPC a cancelled operation shows error.code 2 (UNKNOWN); REST shows 1.',
    doors: 'grpc',
    breaks: ['cancel.outcome.error-code', 'cancel.transport.parity'],
    hooks: { views: [cancelledCode(2)] },
  },
  'grpc-unimplemented-as-unknown': {
    description: 'Every gRPC UNIMPLEMENTED (a cancel the profile lacks, a method it does not serve) is sent as UNKNOWN (2); REST still answers 501.',
    doors: 'grpc',
    breaks: ['cancel.unimplemented.status', 'cancel.transport.parity'],
    hooks: { grpcCodes: { UNIMPLEMENTED: 'UNKNOWN' } },
  },
  'grpc-auth-as-internal': {
    description: 'gRPC auth refusals (UNAUTHENTICATED, PERMISSION_DENIED) are sent as INTERNAL (13); REST still answers 401 and 403.',
    doors: 'grpc',
    breaks: ['cancel.auth.missing', 'cancel.auth.invalid', 'cancel.auth.insufficient-scope', 'cancel.transport.parity'],
    hooks: { grpcCodes: { UNAUTHENTICATED: 'INTERNAL', PERMISSION_DENIED: 'INTERNAL' } },
  },
  'grpc-cancel-ignored': {
    description: 'gRPC CancelOperation answers Empty and changes nothing; a REST cancel still cancels.',
    doors: 'grpc',
    // Over one door alone a no-op cancel is best effort; beside a door whose cancels take effect it is a divergence.
    breaks: ['cancel.transport.parity'],
    hooks: { cancelIgnored: true },
  },
  'grpc-no-status-details': {
    description: 'gRPC errors carry their code and message but no grpc-status-details-bin trailer: no google.rpc.Status, so no ErrorInfo either.',
    doors: 'grpc',
    breaks: ['errors.envelope', 'errors.error-info'],
    hooks: { grpcNoStatusDetails: true },
  },
  'grpc-cancel-returns-operation': {
    description: 'gRPC CancelOperation replies with an Operation\'s bytes (its name) where google.protobuf.Empty, zero bytes, is due; REST still answers {}.',
    doors: 'grpc',
    breaks: ['cancel.response.empty'],
    hooks: { grpcCancelReturnsOperation: true },
  },
  'grpc-rejects-rest-names': {
    description: 'The gRPC door knows only the operations it created: a name the REST door returned is NOT_FOUND over gRPC (and not listed).',
    doors: 'grpc',
    breaks: ['cancel.transport.parity'],
    hooks: { ownOperationsOnly: true },
  },
} satisfies Record<string, Fault>;

export const FAULTS: Record<FaultName, Fault> = FAULT_TABLE;

export const isFaultName = (s: string): s is FaultName => Object.hasOwn(FAULTS, s);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const onDoor = (fault: Fault, door: Door) => fault.doors === 'both' || fault.doors === door;

/** Merges the hooks of the faults that exist on `door`: lists concatenate, objects merge, flags OR. */
export function mergeHooks(faults: readonly FaultName[], door: Door): Hooks {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of faults.filter((f) => onDoor(FAULTS[f], door)).flatMap((f) => Object.entries(FAULTS[f].hooks))) {
    const prev = merged[key];
    merged[key] = Array.isArray(prev) && Array.isArray(value) ? [...prev, ...value] : isPlainObject(prev) && isPlainObject(value) ? { ...prev, ...value } : value;
  }
  return merged as Hooks;
}
