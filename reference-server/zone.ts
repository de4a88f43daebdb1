// The behaviours of a live GDC zone ("knobs"): a busy front end, controllers that reconcile
// late, lists that lag, validated IDs, per-project RBAC. Profiles set their defaults, REFERENCE_*
// variables override them; all are correct behaviour a client must live with.

/** What the front end answers instead of the method (see TRANSIENT_ANSWERS in front-end.ts). */
export const TRANSIENT_KINDS = ['json-503', 'proxy-503', 'html-502', '429', 'reset'] as const;
export type TransientKind = (typeof TRANSIENT_KINDS)[number];

export interface ZoneKnobs {
  /** Share (0..1) of requests other than creates that get a transient answer. */
  transientRate: number;
  transientKinds: readonly TransientKind[];
  /** The Retry-After of a 429, in seconds. */
  retryAfterS: number;
  /** Seeds the PRNG that picks transient answers and jitter, so runs repeat. */
  transientSeed: number;
  /** Every answer is delayed by a uniform 0..N ms. */
  latencyJitterMs: number;
  /** An accepted cancel shows no change for this long. */
  controllerLagMs: number;
  /** Metadata says CANCELLED this long before `done`. */
  metadataAheadMs: number;
  /** ListOperations shows the store as it was this long ago. */
  listLagMs: number;
  /** Operation IDs must look like the ones this server issues, or get 400. */
  strictIds: boolean;
  /** The projects the caller has a role in (the first is the default one); undefined: every project. */
  projects?: readonly string[];
}

export const ZONE_DEFAULTS: ZoneKnobs = {
  transientRate: 0,
  transientKinds: TRANSIENT_KINDS,
  retryAfterS: 1,
  transientSeed: 1,
  latencyJitterMs: 0,
  controllerLagMs: 0,
  metadataAheadMs: 0,
  listLagMs: 0,
  strictIds: false,
};

const ZONE_KEYS = [
  'transientRate',
  'transientKinds',
  'retryAfterS',
  'transientSeed',
  'latencyJitterMs',
  'controllerLagMs',
  'metadataAheadMs',
  'listLagMs',
  'strictIds',
  'projects',
] as const satisfies readonly (keyof ZoneKnobs)[];

/** Each knob: the explicit option, else the profile's, else the default. */
export const zoneKnobs = (explicit: Partial<ZoneKnobs>, profile: Partial<ZoneKnobs> = {}): ZoneKnobs =>
  Object.fromEntries(ZONE_KEYS.map((k) => [k, explicit[k] ?? profile[k] ?? ZONE_DEFAULTS[k]]).filter(([, v]) => v !== undefined)) as ZoneKnobs;
