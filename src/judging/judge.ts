// Small pure readings the specs share: is this reply a refusal, an accepted no-op, an untouched operation.
import type { Config } from '../running/config';
import { said, type Exchange } from '../transport/evidence';
import { errorModelProblems, rpcStatusOf } from './error-model';
import { CANCELLED, isOperation, metadataState, outcomeOf, type Operation } from './operation';

export const is2xx = (ex: Exchange) => ex.status >= 200 && ex.status < 300;

export const isRefusal = (ex: Exchange) => ex.status === 401 || ex.status === 403;

/** A cancel that changes nothing (repeat, finished operation): 2xx or 400 FAILED_PRECONDITION, as FINISHED_CANCEL_POLICY allows. */
export function noOpCancelAllowed(ex: Exchange, cfg: Pick<Config, 'finishedCancelPolicy' | 'allowBareStatus'>): boolean {
  const precondition = ex.status === 400 && rpcStatusOf(ex, cfg) === 'FAILED_PRECONDITION';
  return { either: is2xx(ex) || precondition, ok: is2xx(ex), 'failed-precondition': precondition }[cfg.finishedCancelPolicy];
}

/**
 * Why a GET shows a cancellation the caller did not get (CANCELLING, CANCELLED, error.code 1, or
 * the operation gone); undefined when it shows none. A normal completion is not a side effect.
 */
export function cancellationShown(get: Exchange): string | undefined {
  if (get.status === 404) return `the operation is gone: GET ${said(get)}`;
  if (get.status !== 200 || !isOperation(get.json)) return `GET of the operation ${said(get)}`;
  const op = get.json as Operation;
  const state = metadataState(op);
  if (op.error?.code === CANCELLED) return `it shows a cancellation: ${JSON.stringify({ done: op.done, error: op.error, state })}`;
  if (state === 'CANCELLING' || state === 'CANCELLED') return `its metadata state is ${state}`;
  return undefined;
}

/** Why a GET shows the operation is not a clean subject (a cancellation shown, or no longer running); undefined when it runs untouched. */
export function touched(get: Exchange): string | undefined {
  const shown = cancellationShown(get);
  if (shown) return shown;
  const op = get.json as Operation;
  return outcomeOf(op) !== 'running' ? `the operation is no longer running: ${JSON.stringify({ done: op.done, error: op.error ?? undefined, state: metadataState(op) })}` : undefined;
}

/**
 * A route that does not exist for this target: a 404/405/501 answer to :wait or list, or a 400
 * that is not the method's own Status envelope (a 400 in the envelope is the method's answer).
 */
export const routeAbsent = (ex: Exchange, cfg: Pick<Config, 'allowBareStatus'>) =>
  [404, 405, 501].includes(ex.status) || (ex.status === 400 && errorModelProblems(ex, cfg).length > 0);

/**
 * A 404/405 that is not a Status envelope (Google's HTML page, a framework's own JSON): the front
 * end found no route. It is not the method's error, so errors.envelope does not judge it.
 */
export const routeMiss = (ex: Exchange, cfg: Pick<Config, 'allowBareStatus'>) =>
  // gRPC has no routes to miss: an unknown method is UNIMPLEMENTED, and NOT_FOUND is the method's own answer.
  !ex.grpc && (ex.status === 404 || ex.status === 405) && errorModelProblems(ex, cfg).length > 0;

/** Why the details of an error reply are not well formed (each must be a typed Any); empty when they are. */
export function detailsProblems(ex: Exchange): string[] {
  const details = (ex.json as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (details === undefined) return [];
  if (!Array.isArray(details)) return [`details is ${JSON.stringify(details).slice(0, 120)}, not a list`];
  return details.filter((d) => typeof (d as { '@type'?: unknown })?.['@type'] !== 'string').map((d) => `detail ${JSON.stringify(d).slice(0, 120)} has no @type`);
}

/** RFC 6750 section 3: what is wrong with the challenge of a refusal; empty when it is right. */
export function challengeProblems(ex: Exchange, errorCode: 'invalid_token' | 'insufficient_scope' | undefined): string[] {
  const challenge = ex.responseHeaders['www-authenticate'] ?? '';
  if (!/^Bearer\b/i.test(challenge)) return [challenge ? `WWW-Authenticate is ${JSON.stringify(challenge)}, not a Bearer challenge` : 'the reply has no WWW-Authenticate header'];
  if (errorCode && !challenge.includes(`error="${errorCode}"`)) return [`the challenge ${JSON.stringify(challenge)} does not say error="${errorCode}"`];
  if (!errorCode && /\berror=/.test(challenge)) return [`the challenge ${JSON.stringify(challenge)} carries an error code, which RFC 6750 3.1 says a request without credentials should not get`];
  return [];
}
