// Before a run against a real target: without any source of a token every requirement would
// end "not run" (exit 2), which reads like a target problem. It is a configuration error.
import { ConfigError, type Config } from '../running/config';
import { tokenSourceNames } from './tokens';

export const TOKEN_VARIABLES = [
  'AUTH_TOKEN_COMMAND (a command printing a token, e.g. gdcloud auth print-identity-token --audiences=<TARGET_BASE_URL>; TARGET_PRESET=gdc sets it)',
  'AUTH_TOKEN_TRANSLATION or AUTH_TOKEN_PLATFORM (static tokens), or AUTH_TOKEN_COMMAND_TRANSLATION / AUTH_TOKEN_COMMAND_PLATFORM',
  'GOOGLE_APPLICATION_CREDENTIALS (a service-account JSON key)',
  'AUTH_TOKEN_URL + AUTH_CLIENT_ID + AUTH_CLIENT_SECRET (an OAuth client-credentials issuer)',
] as const;

/** Throws a ConfigError when a real target is set, auth is on, and nothing can supply the everyday token. */
export function requireCredentials(cfg: Config): void {
  if ((cfg.baseUrl === undefined && cfg.grpc === undefined) || cfg.authMode === 'none') return;
  if (tokenSourceNames(cfg).everyday !== 'none') return;
  throw new ConfigError(
    cfg.baseUrl ? 'TARGET_BASE_URL' : 'TARGET_GRPC_ADDRESS',
    `is ${cfg.baseUrl ?? cfg.grpc!.address} but no variable supplies a token, so no requirement could be checked`,
    `Set one of: ${TOKEN_VARIABLES.join('; ')}. ` +
      'A target whose tokens carry no OAuth scopes (GDC identity tokens) also needs SCOPE_CHECKS=not-applicable with SCOPE_CHECKS_REASON; ' +
      'a target that authenticates nobody (a local emulator) needs AUTH_MODE=none instead of a token.',
  );
}
