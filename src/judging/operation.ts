// Pure reading of google.longrunning.Operation JSON: its outcome and its invariants.

export interface RpcStatus {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
}

/** proto3 JSON may write an unset field as null: null reads as absent everywhere below. */
export interface Operation {
  readonly name?: unknown;
  readonly metadata?: { readonly '@type'?: unknown; readonly state?: unknown; readonly [k: string]: unknown } | null;
  readonly done?: unknown;
  readonly error?: RpcStatus | null;
  readonly response?: unknown;
}

const present = (v: unknown) => v !== undefined && v !== null;
export const hasError = (op: Operation): op is Operation & { error: RpcStatus } => present(op.error);
export const hasResponse = (op: Operation) => present(op.response);
const isDone = (op: Operation) => op.done === true;

export type Outcome = 'running' | 'cancelled' | 'completed' | 'failed';

export const CANCELLED = 1;

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Operation).name === 'string';
}

/**
 * What a client concludes from one observed state. A state that carries a result has settled
 * even when `done` is missing: that breaks an invariant, and the invariant checks report it,
 * rather than the suite waiting forever. Metadata that says CANCELLED without `done` or a result
 * has not: a controller writes the state one reconcile ahead of `done` (CONTRACT "Live zones").
 */
export function outcomeOf(op: Operation): Outcome {
  const settled = isDone(op) || hasError(op) || hasResponse(op);
  if (!settled) return 'running';
  if (op.error?.code === CANCELLED || metadataState(op) === 'CANCELLED') return 'cancelled';
  return hasError(op) ? 'failed' : 'completed';
}

export const metadataState = (op: Operation): string | undefined =>
  typeof op.metadata?.state === 'string' ? op.metadata.state : undefined;

/** operations.proto: no result while running, exactly one of error/response when done. */
export function invariantViolations(op: Operation, { allowDoneWithoutResult = false } = {}): string[] {
  const problems: string[] = [];
  const error = hasError(op);
  const response = hasResponse(op);
  if (present(op.done) && typeof op.done !== 'boolean') problems.push(`done is ${JSON.stringify(op.done)}, not a boolean`);
  if (!isDone(op) && (error || response)) {
    problems.push(`not done (done ${present(op.done) ? JSON.stringify(op.done) : 'absent'}) but carries ${error ? 'error' : 'response'}`);
  }
  if (isDone(op) && error && response) problems.push('done with both error and response');
  if (isDone(op) && !error && !response && !allowDoneWithoutResult) problems.push('done with neither error nor response');
  return problems;
}

/** The part of an operation a cancel must never change once it is settled. */
export const resultOf = (op: Operation) => ({ done: isDone(op), error: op.error ?? undefined, response: op.response ?? undefined, state: metadataState(op) });

/** JSON with every object's keys sorted: two results compare equal whatever order the server wrote. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;

/** The result (done, error, response, state) as one string, whatever the key order the server wrote. */
export const resultKey = (op: Operation) => JSON.stringify(canonical(resultOf(op)));

/** Whether two operations carry the same result, deeply, whatever the key order. */
export const sameResult = (a: Operation, b: Operation) => resultKey(a) === resultKey(b);

/** The metadata's packed type, or undefined when there is none (absent or null). */
export const metadataType = (op: Operation): string | undefined =>
  typeof op.metadata?.['@type'] === 'string' ? op.metadata['@type'] : undefined;
