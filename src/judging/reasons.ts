// Why a requirement is not judged, or judged only in part, when the reason follows from the
// configuration alone: the tests (tests/fixtures.ts requirementGate, the specs' notRun/partly) and
// the readiness of npm run preflight / npm run config (src/running/readiness.ts) say the same words.
import type { Config } from '../running/config';
import type { DoorName } from '../transport/operations-client';
import { requirement } from './catalog';
import { notOnDoor } from './doors';
import { DOOR_LABEL } from './verdict';

export const AUTH_MODE_NONE = 'declared by AUTH_MODE=none: the target authenticates nobody, so there is no credential to accept or refuse';
export const scopeChecksDeclared = (reason: string) => `declared by SCOPE_CHECKS=not-applicable: ${reason}`;
export const LIST_ABSENT = 'declared by LIST_SUPPORT=absent: the target does not list operations';
export const WAIT_ABSENT = 'declared by WAIT_SUPPORT=absent: the target has no WaitOperation';

export const NO_INSUFFICIENT_TOKEN = 'no token holding neither scope could be had (set AUTH_TOKEN_INSUFFICIENT, AUTH_TOKEN_COMMAND_INSUFFICIENT, GOOGLE_APPLICATION_CREDENTIALS or a client-credentials issuer)';
/** errors.envelope / errors.error-info, checked in part. */
export const NO_403_PROVOKED = 'no 403 was provoked: no token holding neither scope could be had';
export const NO_403_CHALLENGE = `403 was not checked: ${NO_INSUFFICIENT_TOKEN}`;
export const NO_INSUFFICIENT_REFUSAL = 'no insufficient-scope refusal was checked: no token holding neither scope could be had';
export const NO_AUTH_REFUSAL = 'no auth refusal was checked: AUTH_MODE=none';
export const noExpiredToken = (unavailable: string) => `no expired token was checked: ${unavailable}`;

const AUTH_REQUIREMENT = /^cancel\.auth\./;
export const SCOPE_REQUIREMENTS: ReadonlySet<string> = new Set(['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.auth.insufficient-scope']);

/** Whether the target's cancel is implemented on a door, and who said so (the probe, or CANCEL_SUPPORT). */
export interface CancelSupportFound {
  readonly support: 'supported' | 'unimplemented';
  readonly source: string;
}

/**
 * Why requirement `id` is not applicable on `door`, before any request: the door does not have it,
 * the target's cancel support rules it out, or the configuration declares it away. `cancel`
 * undefined: not known yet (the run's probe finds it), so that rule is left out.
 */
export function gateReason(id: string, door: DoorName, cfg: Pick<Config, 'doors' | 'authMode' | 'scopeChecksNotApplicable'>, cancel?: CancelSupportFound): string | undefined {
  const req = requirement(id);
  const elsewhere = notOnDoor(id, door, cfg.doors);
  if (elsewhere) return `on the ${DOOR_LABEL[door]} door: ${elsewhere}`;
  if (cancel && req.conditional && req.conditional !== cancel.support) {
    return `the target's cancel is ${cancel.support} (${cancel.source}); this applies only when it is ${req.conditional}`;
  }
  if (cfg.authMode === 'none' && AUTH_REQUIREMENT.test(id)) return AUTH_MODE_NONE;
  if (cfg.scopeChecksNotApplicable && SCOPE_REQUIREMENTS.has(id)) return scopeChecksDeclared(cfg.scopeChecksNotApplicable);
  return undefined;
}
