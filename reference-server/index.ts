// Public API of the embedded reference server (a stateful mock of the Translation v3 operations API).
export { FAULTS, type Doors, type FaultName } from './faults';
export { PROFILES, type ProfileName } from './profiles';
export { ReferenceConfigError, optionsFromEnv, type ReferenceOptions } from './options';
export { startReferenceServer, type RunningReference } from './server';
export { RPC_CODES, type RpcName } from './errors';
export { ALLOWED_SCOPES, PLATFORM_SCOPE, TRANSLATION_SCOPE } from './scopes';
export { SIMULATION, type Door } from './store';
export { TRANSIENT_KINDS, type TransientKind, type ZoneKnobs } from './zone';
