// The mutation matrix: every broken variant of the reference server, with the requirements it
// targets (`breaks`) and those that must fail with it because they stand on the same
// behaviour (`alsoFails`, each group explained). Correct profiles must produce no failure.

export interface Variant {
  readonly name: string;
  readonly profile?: 'conformant' | 'unimplemented' | 'slow-cancel' | 'race';
  readonly faults?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly breaks: readonly string[];
  readonly alsoFails?: readonly string[];
  /** Requirements the variant leaves unverified rather than failed (a target that never settles). */
  readonly unverified?: readonly string[];
}

const UNIMPLEMENTED = { profile: 'unimplemented', env: { CANCEL_SUPPORT: 'unimplemented' } } as const;
const fault = (name: string, v: Omit<Variant, 'name' | 'faults'>): Variant => ({ name, faults: [name], ...v });

// Everything that examines a cancelled operation goes through one observed cancellation.
const OBSERVED_CANCELLATION = ['cancel.outcome.exists', 'cancel.outcome.error-code', 'cancel.outcome.exclusive-result',
  'cancel.outcome.listed', 'cancel.outcome.wait', 'cancel.outcome.metadata-state'];
// Checks whose reading of a refusal relies on the envelope's rpc status.
const READS_RPC_STATUS = ['cancel.request.unknown-field', 'cancel.request.malformed-json', 'cancel.auth.insufficient-scope',
  'cancel.auth.missing', 'cancel.auth.invalid', 'cancel.semantics.not-found', 'cancel.semantics.finished-unchanged'];

export const CORRECT_PROFILES: readonly Variant[] = [
  { name: 'conformant', profile: 'conformant', breaks: [] },
  { name: 'unimplemented (CANCEL_SUPPORT=auto)', profile: 'unimplemented', breaks: [] },
  { name: 'slow-cancel', profile: 'slow-cancel', breaks: [] },
  { name: 'race', profile: 'race', breaks: [] },
];

export const BROKEN_VARIANTS: readonly Variant[] = [
  fault('cancel-deletes-operation', {
    breaks: ['cancel.outcome.exists'],
    // A deleted operation cannot be examined, re-cancelled or watched completing.
    alsoFails: [...OBSERVED_CANCELLATION, 'cancel.outcome.completed-anyway', 'cancel.semantics.idempotent', 'cancel.semantics.concurrent'],
  }),
  fault('cancelled-code-unknown', { breaks: ['cancel.outcome.error-code'] }),
  fault('cancelled-code-http-499', { breaks: ['cancel.outcome.error-code'] }),
  // The list carries the same malformed operation, so its ListOperationsResponse fails its schema too.
  fault('cancelled-code-string', { breaks: ['cancel.outcome.error-code'], alsoFails: ['cancel.outcome.listed'] }),
  fault('cancelled-with-response', { breaks: ['cancel.outcome.exclusive-result', 'cancel.outcome.error-code'], alsoFails: ['cancel.outcome.listed'] }),
  fault('cancelled-without-done', { breaks: ['cancel.outcome.exclusive-result', 'cancel.outcome.error-code'], alsoFails: ['cancel.outcome.listed'] }),
  fault('cancel-returns-operation', { breaks: ['cancel.response.empty', 'cancel.response.json'] }),
  fault('cancel-returns-204', { breaks: ['cancel.response.json'] }),
  fault('cancel-returns-text', { breaks: ['cancel.response.json'] }),
  fault('zero-length-rejected', { breaks: ['cancel.request.zero-length'] }),
  fault('empty-object-rejected', {
    breaks: ['cancel.request.empty-object'],
    // Every other cancel the suite sends is the Node client's `{}`, the unknown-name probe included.
    alsoFails: ['cancel.semantics.not-found', 'cancel.response.empty', 'cancel.response.json', 'cancel.auth.translation-scope', 'cancel.auth.platform-scope',
      'cancel.auth.no-side-effect', ...OBSERVED_CANCELLATION, 'cancel.outcome.completed-anyway', 'cancel.semantics.idempotent',
      'cancel.semantics.finished-unchanged', 'cancel.semantics.concurrent'],
  }),
  fault('unknown-fields-accepted', { breaks: ['cancel.request.unknown-field'] }),
  fault('malformed-json-accepted', { breaks: ['cancel.request.malformed-json'] }),
  fault('wrong-method-cancels', { breaks: ['cancel.request.wrong-method'] }),
  // The 403 the challenge check expects is not there either.
  fault('scopes-ignored', { breaks: ['cancel.auth.insufficient-scope'], alsoFails: ['cancel.auth.challenge'] }),
  fault('lookalike-scope-accepted', { breaks: ['cancel.auth.insufficient-scope'] }),
  fault('translation-scope-rejected', { breaks: ['cancel.auth.translation-scope'] }),
  fault('platform-scope-rejected', { breaks: ['cancel.auth.platform-scope'] }),
  fault('forbidden-still-cancels', { breaks: ['cancel.auth.no-side-effect'] }),
  fault('unauthenticated-still-cancels', { breaks: ['cancel.auth.no-side-effect'] }),
  fault('auth-status-swapped', { breaks: ['cancel.auth.missing', 'cancel.auth.invalid', 'cancel.auth.insufficient-scope', 'cancel.auth.challenge'] }),
  fault('missing-token-accepted', { breaks: ['cancel.auth.missing'], alsoFails: ['cancel.auth.challenge'] }),
  fault('expired-token-accepted', { breaks: ['cancel.auth.invalid'] }),
  fault('forged-token-accepted', { breaks: ['cancel.auth.invalid'] }),
  fault('no-www-authenticate', { breaks: ['cancel.auth.challenge'] }),
  fault('no-error-info', { breaks: ['errors.error-info'] }),
  fault('error-without-envelope', { breaks: ['errors.envelope', 'errors.error-info'], alsoFails: READS_RPC_STATUS }),
  fault('error-code-is-rpc', { breaks: ['errors.envelope'] }),
  fault('unimplemented-as-404', { ...UNIMPLEMENTED, breaks: ['cancel.unimplemented.status'] }),
  fault('unimplemented-as-500', { ...UNIMPLEMENTED, breaks: ['cancel.unimplemented.status'] }),
  fault('unimplemented-as-200', { ...UNIMPLEMENTED, breaks: ['cancel.unimplemented.status'] }),
  fault('unimplemented-side-effect', { ...UNIMPLEMENTED, breaks: ['cancel.unimplemented.no-side-effect'] }),
  fault('finished-overwritten', { breaks: ['cancel.semantics.finished-unchanged'] }),
  fault('unknown-name-ok', { breaks: ['cancel.semantics.not-found'] }),
  fault('malformed-name-500', { breaks: ['cancel.semantics.malformed-name'] }),
  fault('cancelled-not-listed', { breaks: ['cancel.outcome.listed'] }),
  fault('wait-stale', { breaks: ['cancel.outcome.wait'] }),
  fault('metadata-state-stuck', { breaks: ['cancel.outcome.metadata-state'] }),
  // Parallel cancels are repeats too.
  fault('repeat-cancel-conflict', { breaks: ['cancel.semantics.idempotent'], alsoFails: ['cancel.semantics.concurrent'] }),
  fault('concurrent-cancel-conflict', { breaks: ['cancel.semantics.concurrent'] }),
  fault('race-result-malformed', { profile: 'race', breaks: ['cancel.outcome.completed-anyway'] }),
  fault('cancel-never-settles', {
    env: { CANCEL_SETTLE_TIMEOUT: '2' },
    breaks: [],
    unverified: [...OBSERVED_CANCELLATION, 'cancel.outcome.completed-anyway', 'cancel.semantics.idempotent', 'cancel.semantics.concurrent'],
  }),
];
