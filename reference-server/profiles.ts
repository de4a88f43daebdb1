// Server-wide behaviours, chosen with REFERENCE_PROFILE. Each profile is data read at the seams
// (routes, names, auth, error writer, cancel policy); the handlers never branch on its name.
import { TRANSIENT_KINDS, type ZoneKnobs } from './zone';

export type ProfileName = 'conformant' | 'unimplemented' | 'slow-cancel' | 'race' | 'google-faithful' | 'generic-lro' | 'rbac-zone' | 'live-zone';

/** Which API the server exposes: Translation v3 under `projects/...`, or a generic `operations/{id}` job API. */
export type Surface = 'translation' | 'generic';

/**
 * What a request that matches no method gets: the AIP-193 envelope, Google's front-end HTML 404
 * page, or what a plain fastify server answers.
 */
export type Unmatched = 'envelope' | 'google-html' | 'fastify';

export interface Profile {
  description: string;
  surface?: Surface;
  unmatched?: Unmatched;
  /** No bearer token is checked: any token or none is accepted. */
  noAuth?: boolean;
  /** The realm of every challenge; the server's audience when unset. */
  realm?: string;
  /** Challenges carry no error_description, as Google's own. */
  plainChallenge?: boolean;
  /** ErrorInfo on every error, or only on auth errors (Google: payload errors carry BadRequest only, NOT_FOUND nothing). */
  errorInfo?: 'all' | 'auth';
  /** The ErrorInfo domain and metadata.service of non-auth errors. */
  service?: string;
  /** Cancel answers 501 UNIMPLEMENTED and touches nothing. */
  cancelUnimplemented?: boolean;
  /** Default cancel delay when REFERENCE_CANCEL_DELAY_MS is not set. */
  cancelDelayMs?: number;
  /** Default of REFERENCE_FINISHED_CANCEL. */
  finishedCancel?: 'failed-precondition' | 'noop';
  /** A cancelled operation counts as finished: a repeat cancel gets the finished-cancel answer. */
  cancelledIsFinished?: boolean;
  /** Quick operations (see SIMULATION.quickLimitMs) ignore a cancel and finish normally. */
  quickOpsIgnoreCancel?: boolean;
  /** Quick operations take this long instead of their simulated duration. */
  quickDurationMs?: number;
  /** A create under `projects/{p}` makes `projects/{p}/locations/{this}/operations/{id}` (the public v3 name). */
  defaultLocation?: string;
  /** Defaults of the live-zone knobs (REFERENCE_TRANSIENT_RATE, REFERENCE_PROJECTS, ...). */
  zone?: Partial<ZoneKnobs>;
  /**
   * The suite variables this profile implies: how operations are created on it, its auth mode, its
   * parent. The embedded target (src/running/embedded-target.ts) publishes each one the user did not
   * set, so `REFERENCE_PROFILE=<name> npm run conformance` needs nothing else.
   */
  suite?: Readonly<Record<string, string>>;
}

export const GOOGLE_REALM = 'https://accounts.google.com/';

/** A quiet GDC zone: two projects with a role, validated IDs, a controller and a list that lag. */
const RBAC_ZONE: Partial<ZoneKnobs> = {
  projects: ['conformance', 'conformance-b'],
  strictIds: true,
  controllerLagMs: 300,
  metadataAheadMs: 200,
  listLagMs: 300,
};

export const PROFILES: Record<ProfileName, Profile> = {
  conformant: { description: 'Behaves like Google: cancel lands after the cancel delay, the operation ends CANCELLED with error code 1.' },
  unimplemented: {
    description: 'Cancel answers 501 UNIMPLEMENTED and changes nothing; every other method works.',
    cancelUnimplemented: true,
  },
  'slow-cancel': { description: 'Cancellation lands after 3000 ms (unless REFERENCE_CANCEL_DELAY_MS is set); CANCELLING in between.', cancelDelayMs: 3000 },
  race: {
    description: 'Quick operations finish SUCCEEDED despite a cancel (200 {}, best effort); long ones cancel normally.',
    quickOpsIgnoreCancel: true,
  },
  'google-faithful': {
    description:
      'The public v3 front end as observed: names projects/{p}/locations/{l}/operations/{id}, HTML 404 for unrouted requests, ' +
      'BadRequest-only payload errors, bare NOT_FOUND, Google realm, FAILED_PRECONDITION on any finished operation, quick operations done in 1 ms.',
    unmatched: 'google-html',
    realm: GOOGLE_REALM,
    plainChallenge: true,
    errorInfo: 'auth',
    cancelledIsFinished: true,
    quickDurationMs: 1,
    defaultLocation: 'us-central1',
    // The public v3 names carry a location: the suite creates under one, as a Cloud user would.
    suite: { TARGET_PARENT: 'projects/conformance/locations/us-central1' },
  },
  'generic-lro': {
    description:
      'A third-party LRO server: POST /v3/jobs:run, names operations/{id}, metadata null, no :wait, no auth, ' +
      "fastify's own 404 for unrouted requests, cancel of a finished operation is a 200 no-op.",
    surface: 'generic',
    unmatched: 'fastify',
    noAuth: true,
    service: 'jobs.reference.test',
    finishedCancel: 'noop',
    // Its own create method and job bodies, on both doors (its gRPC door through its own proto), and no auth.
    suite: {
      OPERATION_CREATE_PATH: '/v3/jobs:run',
      OPERATION_CREATE_BODY: 'fixtures/generic-job-long.json',
      OPERATION_CREATE_BODY_QUICK: 'fixtures/generic-job-quick.json',
      AUTH_MODE: 'none',
      OPERATION_CREATE_GRPC_METHOD: 'conformance.jobs.v1.JobService/RunJob',
      GRPC_PROTO_PATH: 'fixtures/protos:conformance/jobs/v1/jobs.proto',
    },
  },
  'rbac-zone': {
    description:
      'A quiet GDC zone: roles in projects conformance and conformance-b only (403 PERMISSION_DENIED elsewhere, before any lookup), ' +
      'operation IDs validated (400 for a malformed one), a cancel shows 300 ms after it was accepted, metadata says CANCELLED 200 ms before done, ' +
      'lists lag 300 ms; no transient answers, no jitter.',
    zone: RBAC_ZONE,
  },
  'live-zone': {
    description:
      'A busy GDC zone: everything of rbac-zone, plus 10% of the requests other than creates get a transient answer ' +
      '(JSON 503, Envoy 503, HTML 502, 429 with Retry-After 1, reset connection) and every answer is delayed 0-30 ms.',
    zone: { ...RBAC_ZONE, transientRate: 0.1, transientKinds: TRANSIENT_KINDS, retryAfterS: 1, latencyJitterMs: 30 },
  },
};

// Several loopback round trips long, so a GET right after a cancel still sees CANCELLING, and short,
// because every run waits for it at least three times. slow-cancel covers a target that takes seconds.
export const DEFAULT_CANCEL_DELAY_MS = 25;

export const isProfileName = (s: string): s is ProfileName => Object.hasOwn(PROFILES, s);
