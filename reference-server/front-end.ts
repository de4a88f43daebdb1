// What stands in front of the methods on a live zone: a load balancer that sometimes answers for
// them (transient errors, resets), latency, and the per-project RBAC checked after the token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GOOGLE_JSON_TYPE, UNAVAILABLE_MESSAGE, permissionDenied } from './errors';
import { RPC } from './routes';
import type { TransientKind, ZoneKnobs } from './zone';

export type OnRequest = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void;

/** mulberry32: a tiny seeded PRNG, so that a seed replays the same transient answers and delays. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A front end's own answer, or 'reset': the connection is destroyed without one. */
type Canned = { status: number; contentType: string; body: string; headers?: Record<string, string> } | 'reset';

/** A bare AIP-193 envelope: the front end knows no method, so no ErrorInfo. */
const envelope = (code: number, status: string, message: string) => JSON.stringify({ error: { code, message, status } });

export const transientAnswers = (retryAfterS: number): Record<TransientKind, Canned> => ({
  'json-503': { status: 503, contentType: GOOGLE_JSON_TYPE, body: envelope(503, 'UNAVAILABLE', UNAVAILABLE_MESSAGE) },
  'proxy-503': { status: 503, contentType: 'text/plain', body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination' },
  'html-502': { status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>' },
  '429': {
    status: 429,
    contentType: GOOGLE_JSON_TYPE,
    body: envelope(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'),
    headers: { 'retry-after': String(retryAfterS) },
  },
  reset: 'reset',
});

// A create is not idempotent and no client retries it: a transient answer there would fail every
// correct client, so the modelled zone spares creates and fails only what clients retry.
const SPARED: ReadonlySet<string | undefined> = new Set([RPC.create, RPC.runJob]);

function answer(req: FastifyRequest, reply: FastifyReply, canned: Canned) {
  if (canned === 'reset') {
    reply.hijack();
    req.raw.socket.destroy();
    return;
  }
  reply.code(canned.status).headers(canned.headers ?? {}).type(canned.contentType).send(canned.body);
}

/**
 * The app's onRequest hook: before auth and the method, a share of the requests gets a transient
 * answer, and every answer waits 0..jitter ms. Undefined when neither is asked for, so the hot
 * path has no hook at all.
 */
export function frontEnd(z: ZoneKnobs): OnRequest | undefined {
  const { transientKinds: kinds, latencyJitterMs: jitter } = z;
  const rate = kinds.length ? z.transientRate : 0;
  if (rate === 0 && jitter === 0) return undefined;
  const random = mulberry32(z.transientSeed);
  const answers = transientAnswers(z.retryAfterS);
  return (req, reply, done) => {
    const hit = rate > 0 && !SPARED.has(req.routeOptions.config?.rpc) && random() < rate;
    const canned = hit ? answers[kinds[Math.floor(random() * kinds.length)]] : undefined;
    const go = () => (canned ? answer(req, reply, canned) : done());
    const delayMs = jitter ? Math.floor(random() * (jitter + 1)) : 0;
    if (delayMs) setTimeout(go, delayMs);
    else go();
  };
}

/** Per-project RBAC as on GDC: a caller naming a project it has no role in gets 403 before any lookup. */
export function projectRbac(projects: readonly string[]): OnRequest {
  const allowed: ReadonlySet<string> = new Set(projects);
  return (req, _reply, done) => {
    const project = (req.params as Record<string, string | undefined>).project;
    if (project === undefined || allowed.has(project)) return done();
    done(permissionDenied(`Permission denied on resource project ${project} (or it may not exist).`, { resource: `projects/${project}` }));
  };
}
