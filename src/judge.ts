// Small pure readings the specs share: is this reply a refusal, an accepted no-op, an untouched operation.
import type { Config } from './config';
import { said, type Exchange } from './evidence';
import { rpcStatusOf } from './error-model';
import { isOperation, metadataState, outcomeOf, type Operation } from './operation';
import { is2xx } from './scenarios';

export const isRefusal = (ex: Exchange) => ex.status === 401 || ex.status === 403;

/** A cancel that changes nothing (repeat, finished operation): 2xx or 400 FAILED_PRECONDITION, as FINISHED_CANCEL_POLICY allows. */
export function noOpCancelAllowed(ex: Exchange, cfg: Pick<Config, 'finishedCancelPolicy' | 'allowBareStatus'>): boolean {
  const precondition = ex.status === 400 && rpcStatusOf(ex, cfg) === 'FAILED_PRECONDITION';
  return { either: is2xx(ex) || precondition, ok: is2xx(ex), 'failed-precondition': precondition }[cfg.finishedCancelPolicy];
}

/** Why a GET shows the operation was touched (not running, or showing a cancellation); undefined when untouched. */
export function touched(get: Exchange): string | undefined {
  if (get.status !== 200 || !isOperation(get.json)) return `GET of the operation ${said(get)}`;
  const op = get.json as Operation;
  if (outcomeOf(op) !== 'running') return `the operation is no longer running: ${JSON.stringify({ done: op.done, error: op.error ?? undefined, state: metadataState(op) })}`;
  const state = metadataState(op);
  if (state === 'CANCELLING' || state === 'CANCELLED') return `its metadata state is ${state}`;
  return undefined;
}

/** A route that does not exist for this target: a 400/404/405/501 answer to :wait or list. */
export const routeAbsent = (ex: Exchange) => [400, 404, 405, 501].includes(ex.status);
