// The mutation matrix: every correct profile and every broken variant of the reference server,
// each with the exact status it must give EVERY requirement. A correct profile pins passed /
// not-applicable / unverified per requirement, so a suite bug that turns a check into N/A fails
// npm test. A broken variant fails what its fault breaks (declared on the fault itself, in
// reference-server/faults.ts), plus the collateral it declares here, each group explained.
import { CATALOG } from '../../src/judging/catalog';
import { FAULTS, type FaultName } from '../../reference-server/faults';

export type Expected = 'passed' | 'partial' | 'failed' | 'unverified' | 'not-applicable' | 'not-run';

export interface Variant {
  readonly name: string;
  /** Judged on both doors (the embedded default); otherwise TRANSPORTS=rest, which keeps the REST faults' runs short. */
  readonly bothDoors?: true;
  readonly profile?: 'conformant' | 'unimplemented' | 'slow-cancel' | 'race' | 'google-faithful' | 'generic-lro' | 'rbac-zone' | 'live-zone';
  readonly faults?: readonly FaultName[];
  readonly env?: Readonly<Record<string, string>>;
  /** What the faults break (from faults.ts): each must fail. Empty for a correct profile. */
  readonly breaks: readonly string[];
  /** Every requirement's expected status. */
  readonly expected: Readonly<Record<string, Expected>>;
  /** More the summary must hold (toMatchObject). */
  readonly summary?: Readonly<Record<string, unknown>>;
}

type Overrides = Partial<Record<Expected, readonly string[]>>;

const ids = (pred: (r: (typeof CATALOG)[number]) => boolean) => CATALOG.filter(pred).map((r) => r.id);
const AUTH = ids((r) => r.id.startsWith('cancel.auth.'));

const PARITY = 'cancel.transport.parity';

/** Every requirement at a status, then the overrides, in order. Parity is not applicable on one door. */
function statuses(base: (id: string) => Expected, overrides: Overrides): Record<string, Expected> {
  const map = Object.fromEntries(CATALOG.map((r) => [r.id, r.id === PARITY ? 'not-applicable' : base(r.id)])) as Record<string, Expected>;
  for (const [status, list] of Object.entries(overrides) as [Expected, readonly string[]][]) for (const id of list) map[id] = status;
  return map;
}

// A target that cancels: the unimplemented fallback does not apply; quick operations are cancelled too.
const supported = (o: Overrides = {}) =>
  statuses((id) => (id.startsWith('cancel.unimplemented.') || id === 'cancel.outcome.completed-anyway' ? 'not-applicable' : 'passed'), o);
// A target without cancel: only what does not need a working cancel applies; cross-parent can
// only be checked with GET (a cancel refused for every name proves nothing).
const unimplemented = (o: Overrides = {}) =>
  statuses((id) => (CATALOG.find((r) => r.id === id)!.conditional === 'supported' ? 'not-applicable' : PARTIAL_WITHOUT_CANCEL.includes(id) ? 'partial' : 'passed'), o);
// Without cancel, cross-parent is checked by GET alone, and the refused cancels share their operation with the refusal round (no late look).
const PARTIAL_WITHOUT_CANCEL = ['cancel.security.cross-parent', 'cancel.auth.no-side-effect'];

const UNIMPLEMENTED_ENV = { CANCEL_SUPPORT: 'unimplemented' } as const;
// generic-lro and google-faithful set their own variables (create path, bodies, AUTH_MODE=none, gRPC method
// and protos; a parent with a location): the matrix runs them with nothing more, as a user would.
// AUTH_MODE=none; no :wait route; metadata null; names operations/{id} have no parent to swap;
// malformed names miss fastify's routes (its own 404 JSON), outside the envelope rule.
const generic = (o: Overrides = {}) => supported({
  'not-applicable': [...AUTH, 'cancel.outcome.wait', 'cancel.outcome.metadata-state', 'cancel.security.cross-parent'],
  partial: ['errors.envelope', 'errors.error-info'],
  ...o,
});

// Everything judged on the one observed cancellation.
const OBSERVED = ['cancel.outcome.exists', 'cancel.semantics.only-named', 'cancel.outcome.error-code', 'cancel.outcome.exclusive-result',
  'cancel.outcome.listed', 'cancel.outcome.wait', 'cancel.outcome.metadata-state', 'cancel.semantics.idempotent'];
// What cannot be judged once GET no longer reads the cancelled operation (exists fails instead).
const UNREADABLE_AFTER_CANCEL = [...OBSERVED.filter((id) => id !== 'cancel.outcome.exists'), 'cancel.semantics.concurrent'];
// Checks that read the rpc status name of a refusal.
const READS_RPC_STATUS = ['cancel.request.unknown-field', 'cancel.request.malformed-json', 'cancel.auth.insufficient-scope',
  'cancel.auth.missing', 'cancel.auth.invalid', 'cancel.semantics.not-found', 'cancel.semantics.finished-unchanged'];

// The late faults act 1 s after the call: a quiet period that outlasts it (the matrix's default is 0.5 s).
const LATE = { QUIET_PERIOD: '1.5' } as const;
// The refusal groups that share their operation with the cross-parent calls: an accepted call there leaves them no late look.
const SHARE_CROSS_TARGET = ['cancel.request.unknown-field', 'cancel.request.malformed-json', 'cancel.request.wrong-method'];

// Their controller acts 300 ms after a cancel: the quick operation (250 ms) completes first, so completed-anyway is exercised.
const zone = (o: Overrides = {}) => supported({ ...o, partial: ['cancel.outcome.metadata-state', ...(o.partial ?? [])], passed: ['cancel.outcome.completed-anyway', ...(o.passed ?? [])] });

/** On both doors, the doors agree: parity passes (or what `o` says). */
const bothDoors = (expected: Record<string, Expected>, parity: Expected = 'passed') => ({ bothDoors: true as const, expected: { ...expected, [PARITY]: expected[PARITY] === 'not-applicable' ? parity : expected[PARITY]! } });

// Every correct profile is judged on both doors: CONFORMANT on each, and the doors agree.
export const CORRECT_PROFILES: readonly Variant[] = [
  { name: 'conformant', profile: 'conformant', breaks: [], ...bothDoors(supported()) },
  { name: 'slow-cancel', profile: 'slow-cancel', breaks: [], ...bothDoors(supported()) },
  // Quick operations win against their cancel: completed-anyway is exercised.
  { name: 'race', profile: 'race', breaks: [], ...bothDoors(supported({ passed: ['cancel.outcome.completed-anyway'] })) },
  // No cancel settles on either door, so parity compares the refusals and the names only.
  { name: 'unimplemented (CANCEL_SUPPORT=auto)', profile: 'unimplemented', breaks: [], ...bothDoors(unimplemented(), 'partial') },
  {
    name: 'google-faithful', profile: 'google-faithful', breaks: [],
    // Quick operations finish before their cancel (400 FAILED_PRECONDITION): their result is judged.
    // Malformed names that match no route get Google's HTML 404, outside the envelope rule.
    ...bothDoors(supported({ passed: ['cancel.outcome.completed-anyway'], partial: ['errors.envelope'] })),
  },
  // AUTH_MODE=none comes from the profile: no token source is used, not even by the teardown.
  { name: 'generic-lro', profile: 'generic-lro', breaks: [], ...bothDoors(generic()), summary: { tokenSources: Object.fromEntries(['everyday', 'translation', 'platform', 'insufficient', 'expired'].map((k) => [k, 'none'])) } },
  // A GDC zone: per-project roles (the embedded target publishes the second project as TARGET_OTHER_PARENT),
  // strict IDs, a controller that acts 300 ms late and writes CANCELLED 200 ms ahead of done (so
  // CANCELLING never shows), a list 300 ms behind.
  { name: 'rbac-zone', profile: 'rbac-zone', breaks: [], ...bothDoors(zone()) },
  // The same zone on a bad minute: one request in ten answered 503 (JSON or a proxy's text), 502 HTML, 429 or a reset; jitter.
  { name: 'live-zone', profile: 'live-zone', breaks: [], ...bothDoors(zone()) },
];

interface BrokenSpec {
  readonly profile?: Variant['profile'];
  readonly bothDoors?: true;
  readonly env?: Readonly<Record<string, string>>;
  /** Also named in the variant's name, after the fault. */
  readonly label?: string;
  readonly base?: (o: Overrides) => Record<string, Expected>;
  /** Statuses besides the fault's own `breaks` (which fail). */
  readonly also?: Overrides;
}

function broken(fault: FaultName, { profile, env, label, base = supported, also = {}, bothDoors: both }: BrokenSpec = {}): Variant {
  const breaks = FAULTS[fault].breaks;
  // A fault of the gRPC door is judged on both doors: it must fail there, and parity with REST.
  const doors = both || FAULTS[fault].doors === 'grpc';
  const expected = base({ ...also, failed: [...breaks, ...(also.failed ?? [])] });
  return {
    name: label ? `${fault} (${label})` : fault,
    faults: [fault],
    ...(profile ? { profile } : {}),
    ...(env ? { env } : {}),
    breaks,
    ...(doors ? bothDoors(expected) : { expected }),
  };
}

const onUnimplemented = { profile: 'unimplemented', env: UNIMPLEMENTED_ENV, base: unimplemented } as const;

export const BROKEN_VARIANTS: readonly Variant[] = [
  // A deleted operation cannot be examined; the shared observation says so instead of failing each.
  // The first of the parallel cancels deletes it: the others get 404.
  broken('cancel-deletes-operation', { also: { unverified: [...UNREADABLE_AFTER_CANCEL.filter((id) => id !== 'cancel.semantics.concurrent'), 'cancel.outcome.completed-anyway'], failed: ['cancel.semantics.concurrent'] } }),
  broken('cancelled-code-unknown'),
  broken('cancelled-code-http-499'),
  // The listed entry of the operation under test is the same malformed Operation.
  broken('cancelled-code-string', { also: { failed: ['cancel.outcome.listed'] } }),
  broken('cancelled-with-response', { also: { failed: ['cancel.outcome.listed'] } }),
  broken('cancelled-without-done', { also: { failed: ['cancel.outcome.listed'] } }),
  // The classic mistake: no CANCELLED anywhere; the control operation attributes the error to the cancel.
  // The quick operation ends the same way; the control shows that error is the cancellation's, not a completion despite it.
  broken('cancelled-as-failed', { also: { failed: ['cancel.outcome.metadata-state'] } }),
  broken('cancelled-as-499', { also: { failed: ['cancel.outcome.metadata-state'] } }),
  broken('get-fails-after-cancel', { also: { unverified: [...UNREADABLE_AFTER_CANCEL, 'cancel.outcome.completed-anyway'] } }),
  broken('get-forbidden-after-cancel', { also: { unverified: [...UNREADABLE_AFTER_CANCEL, 'cancel.outcome.completed-anyway'] } }),
  broken('cancel-returns-operation'),
  broken('cancel-returns-204'),
  broken('cancel-returns-text'),
  broken('zero-length-rejected'),
  // Every cancel the suite sends is the Node client's {}: nothing is ever cancelled.
  broken('empty-object-rejected', {
    also: {
      failed: ['cancel.response.empty', 'cancel.auth.translation-scope', 'cancel.auth.platform-scope',
        'cancel.semantics.finished-unchanged', 'cancel.semantics.concurrent', 'cancel.semantics.not-found'],
      unverified: [...OBSERVED, 'cancel.response.json', 'cancel.outcome.completed-anyway'],
      // Cancels under another parent are refused for their body: only GET shows the isolation.
      partial: ['cancel.security.cross-parent'],
    },
  }),
  broken('unknown-fields-accepted'),
  // An accepted call cancels the operation the earlier refusal groups shared: they get no late look.
  broken('malformed-json-accepted', { also: { partial: ['cancel.request.unknown-field'] } }),
  broken('wrong-method-cancels', { also: { partial: ['cancel.request.unknown-field', 'cancel.request.malformed-json'] } }),
  // The insufficient-scope cancels are accepted: no 403 challenge, and no-side-effect stops at that cancel.
  broken('scopes-ignored', { also: { partial: ['cancel.auth.challenge', 'cancel.auth.no-side-effect'] } }),
  broken('lookalike-scope-accepted'),
  broken('translation-scope-rejected'),
  broken('platform-scope-rejected'),
  broken('forbidden-still-cancels'),
  broken('unauthenticated-still-cancels'),
  broken('auth-status-swapped'),
  // The first refusal no-side-effect tries (no credentials) is accepted and cancels its operation.
  broken('missing-token-accepted', { also: { partial: ['cancel.auth.challenge'], unverified: ['cancel.auth.no-side-effect'] } }),
  broken('expired-token-accepted'),
  broken('forged-token-accepted'),
  // Item 15: a dropped connection where a 401 was due fails auth.invalid, and no longer stops the run.
  // A reset is transient: each is retried; two attempts show "no answer after every attempt" as well as eight.
  broken('forged-token-reset', { env: { RETRY_MAX_ATTEMPTS: '2' }, also: { partial: ['cancel.auth.challenge'] } }),
  // Items 8 and 10: a target that refuses nothing; acceptance proves nothing, and nothing was refused.
  broken('accepts-every-call', {
    also: {
      unverified: ['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.auth.challenge', 'cancel.auth.no-side-effect'],
      partial: ['errors.error-info'],
    },
  }),
  broken('no-www-authenticate'),
  broken('no-challenge-on-403'),
  broken('no-error-info'),
  broken('error-without-envelope', { also: { failed: READS_RPC_STATUS } }),
  broken('error-code-is-rpc'),
  broken('unimplemented-as-404', onUnimplemented),
  broken('unimplemented-as-500', onUnimplemented),
  // Its 200 makes a cancel look accepted, and the operation then never settles: no need to wait 6 s for that.
  // Its 200 to the cancels under other parents leaves wrong-method (same operation) no late look.
  broken('unimplemented-as-200', { ...onUnimplemented, env: { ...UNIMPLEMENTED_ENV, CANCEL_SETTLE_TIMEOUT: '2' }, also: { partial: ['cancel.request.wrong-method'] } }),
  broken('unimplemented-side-effect', onUnimplemented),
  broken('finished-overwritten'),
  // A name under another parent is an unknown name too: it gets the same 200.
  broken('unknown-name-ok', { also: { failed: ['cancel.security.cross-parent'], partial: SHARE_CROSS_TARGET } }),
  broken('malformed-name-500'),
  // Item 9: on a target whose names are operations/{id}, made-up names are derived from those.
  broken('unknown-name-ok', { profile: 'generic-lro', label: 'generic-lro', base: generic }),
  broken('malformed-name-500', { profile: 'generic-lro', label: 'generic-lro', base: generic }),
  // Item 14: operations resolved by their ID alone.
  broken('cross-parent-resolves', { also: { partial: SHARE_CROSS_TARGET } }),
  broken('cancelled-not-listed'),
  // Its :wait answers only at its timeout: a short settle budget keeps each of those waits short.
  broken('wait-stale', { env: { CANCEL_SETTLE_TIMEOUT: '2' } }),
  broken('metadata-state-stuck'),
  // Parallel cancels are repeats of each other.
  broken('repeat-cancel-conflict', { also: { failed: ['cancel.semantics.concurrent'] } }),
  // Its 300 ms hold outlasts the quick operation (250 ms): that one completes despite its cancel.
  broken('concurrent-cancel-conflict', { also: { passed: ['cancel.outcome.completed-anyway'] } }),
  broken('race-result-malformed', { profile: 'race', also: {} }),
  // Cancel answers 200 {} and never settles: the cancellation requirements are unverified, never passed.
  // Live zones (issue 22): late side effects, results that change after done, a :wait that hangs.
  broken('refused-cancel-lands-later', { env: LATE }),
  // Every refusal group shares one operation: the late cancellation fails each, as it should.
  broken('refused-calls-land-later', { env: LATE }),
  // Each cancel also reaches the operation created before it: the one whose refused cancels came first is cancelled by the next test's cancel.
  broken('cancel-reaches-previous', { also: { failed: ['cancel.auth.no-side-effect'] } }),
  // :wait (a later test) returns the changed result too.
  broken('cancelled-result-changes', { also: { failed: ['cancel.outcome.wait'] } }),
  broken('finished-overwritten-later', { env: LATE }),
  // Its :wait answers never: a short request timeout, and a settle budget under 1 s in which settling never uses :wait
  // (with 1 s exactly, a first look in the same millisecond still did, and hung), keep the hangs to the :wait test's own.
  broken('wait-hangs', { env: { REQUEST_TIMEOUT: '1', CANCEL_SETTLE_TIMEOUT: '0.9' } }),
  // Operations are found by ID under any project the caller has a role in: only TARGET_OTHER_PARENT shows it.
  broken('cross-parent-resolves', { profile: 'rbac-zone', label: 'rbac-zone', base: zone, also: { partial: SHARE_CROSS_TARGET } }),
  // The front end keeps answering 503 for the cancelled operation: what depends on reading it is unverified, never failed.
  broken('get-unavailable-after-cancel', {
    env: { RETRY_MAX_SECONDS: '1' },
    also: { unverified: [...OBSERVED, 'cancel.semantics.concurrent', 'cancel.outcome.completed-anyway'] },
  }),
  broken('cancel-never-settles', {
    env: { CANCEL_SETTLE_TIMEOUT: '2' },
    also: { unverified: [...OBSERVED, 'cancel.semantics.concurrent', 'cancel.outcome.completed-anyway'] },
  }),
  // Issue 23: the gRPC door's own faults, each caught on that door, and by parity with REST.
  broken('grpc-cancelled-code-unknown'),
  broken('grpc-unimplemented-as-unknown', onUnimplemented),
  // INTERNAL is no refusal: a scope-only token's acceptance proves nothing on that door.
  // No refusal there carries the ErrorInfo auth refusals must: error-info checks the other details only.
  broken('grpc-auth-as-internal', { also: { unverified: ['cancel.auth.translation-scope', 'cancel.auth.platform-scope'], partial: ['errors.error-info'] } }),
  // Over gRPC alone a cancel that does nothing is best effort (the observation never settles: unverified); beside REST it is a divergence.
  broken('grpc-cancel-ignored', { env: { CANCEL_SETTLE_TIMEOUT: '2' }, also: { unverified: [...OBSERVED, 'cancel.semantics.concurrent'] } }),
  // The operations the doors share are created by REST: over gRPC they are unknown, so the scope cancels and the bystander reads fail there,
  // and the quick operation's race has no accepted gRPC cancel.
  broken('grpc-rejects-rest-names', { also: { failed: ['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.semantics.only-named'], unverified: ['cancel.outcome.completed-anyway'] } }),
  // No Status in the trailer: the gRPC form of the envelope rule fails, and auth refusals lose their ErrorInfo.
  broken('grpc-no-status-details'),
  // Bytes where Empty is due: the gRPC form of cancel.response.empty.
  broken('grpc-cancel-returns-operation'),
  // A store fault shows on both doors: caught on each (cancel.outcome.error-code), the doors agreeing.
  broken('cancelled-code-unknown', { bothDoors: true, label: 'both doors' }),
];
