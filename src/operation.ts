// Pure reading of google.longrunning.Operation JSON: its outcome and its invariants.

export interface RpcStatus {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
}

export interface Operation {
  readonly name?: unknown;
  readonly metadata?: { readonly '@type'?: unknown; readonly state?: unknown; readonly [k: string]: unknown };
  readonly done?: unknown;
  readonly error?: RpcStatus;
  readonly response?: unknown;
}

export type Outcome = 'running' | 'cancelled' | 'completed' | 'failed';

export const CANCELLED = 1;

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Operation).name === 'string';
}

/**
 * What a client concludes from one observed state. A state that carries a result, or says
 * CANCELLED, has settled even when `done` is missing: that breaks an invariant, and the
 * invariant checks report it, rather than the suite waiting forever.
 */
export function outcomeOf(op: Operation): Outcome {
  const settled = op.done === true || op.error !== undefined || op.response !== undefined || metadataState(op) === 'CANCELLED';
  if (!settled) return 'running';
  if (op.error?.code === CANCELLED || metadataState(op) === 'CANCELLED') return 'cancelled';
  return op.error !== undefined ? 'failed' : 'completed';
}

export const metadataState = (op: Operation): string | undefined =>
  typeof op.metadata?.state === 'string' ? op.metadata.state : undefined;

/** operations.proto: no result while running, exactly one of error/response when done. */
export function invariantViolations(op: Operation, { allowDoneWithoutResult = false } = {}): string[] {
  const problems: string[] = [];
  const hasError = op.error !== undefined;
  const hasResponse = op.response !== undefined;
  if (op.done !== undefined && typeof op.done !== 'boolean') problems.push(`done is ${JSON.stringify(op.done)}, not a boolean`);
  if (op.done !== true && (hasError || hasResponse)) {
    problems.push(`not done (done ${op.done === undefined ? 'absent' : JSON.stringify(op.done)}) but carries ${hasError ? 'error' : 'response'}`);
  }
  if (op.done === true && hasError && hasResponse) problems.push('done with both error and response');
  if (op.done === true && !hasError && !hasResponse && !allowDoneWithoutResult) problems.push('done with neither error nor response');
  return problems;
}

/** `projects/p/operations/x` → `projects/p`; also for the locations shape. */
export function parentOf(name: string): string {
  const at = name.lastIndexOf('/operations/');
  if (at < 0) throw new Error(`"${name}" is not an operation name (no /operations/ segment)`);
  return name.slice(0, at);
}

/** The part of an operation a cancel must never change once it is settled. */
export const resultOf = (op: Operation) => ({ done: op.done, error: op.error, response: op.response, state: metadataState(op) });
