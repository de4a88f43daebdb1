// The embedded OAuth2 issuer (a mock: any client id and secret are accepted) and the bearer
// token check that every API call passes before its body is read.
import { hash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OAuth2Server } from 'oauth2-mock-server';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { ApiError, GOOGLE_DOMAIN } from './errors';
import type { AuthFailure, Hooks } from './faults';
import { ALLOWED_SCOPES } from './scopes';

export interface Issuer {
  url: string;
  tokenUrl: string;
  jwks: ReturnType<typeof createLocalJWKSet>;
  close(): Promise<void>;
}

type TokenRequest = { body?: Record<string, unknown> };
type MutableToken = { payload: Record<string, unknown> };

/**
 * Client-credentials tokens: aud is the configured audience (or the `aud` form parameter, the
 * mock's own convenience, so tests can mint wrong-audience tokens), scope is exactly the
 * requested string, and a form parameter `expires_in` (seconds, may be negative) sets exp.
 */
export async function startIssuer(audience: string): Promise<Issuer> {
  const server = new OAuth2Server();
  await signingKey(server);
  await server.start(0, '127.0.0.1');
  const port = server.address().port;
  const url = `http://127.0.0.1:${port}`;
  server.issuer.url = url;
  const expiresIn = (req: TokenRequest) => {
    const raw = req.body?.expires_in;
    return typeof raw === 'string' && /^-?\d{1,9}$/.test(raw) ? Number(raw) : undefined;
  };
  server.service.on('beforeTokenSigning', (token: MutableToken, req: TokenRequest) => {
    const { aud, scope } = req.body ?? {};
    token.payload.aud = typeof aud === 'string' && aud ? aud : audience;
    if (typeof scope === 'string') token.payload.scope = scope;
    else delete token.payload.scope;
    const seconds = expiresIn(req);
    if (seconds !== undefined) token.payload.exp = (token.payload.iat as number) + seconds;
  });
  server.service.on('beforeResponse', (response: { body: Record<string, unknown> }, req: TokenRequest) => {
    const seconds = expiresIn(req);
    if (seconds !== undefined && typeof response.body === 'object') response.body.expires_in = seconds;
  });
  // The keys live in this process: a local JWKS needs no fetch and cannot go stale.
  const jwks = createLocalJWKSet({ keys: server.issuer.keys.toJSON() } as Parameters<typeof createLocalJWKSet>[0]);
  return { url, tokenUrl: `${url}/token`, jwks, close: () => server.stop() };
}

/**
 * Where the issuer's RS256 key is kept between servers (npm's cache folder inside node_modules):
 * an RSA key takes 50-400 ms to generate, and a run starts one server, npm test a few hundred.
 */
export const ISSUER_KEY_FILE = join(import.meta.dirname, '../node_modules/.cache/lro-cancel-conformance/reference-issuer-rs256.jwk.json');

/** The kept key, or a new one (kept for the next server) when there is none or it does not load. */
export async function signingKey(server: OAuth2Server, file = ISSUER_KEY_FILE): Promise<void> {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (kept.alg !== 'RS256') throw new Error('not an RS256 key');
    await server.issuer.keys.add(kept);
    return;
  } catch {
    // missing, unreadable or not a private RS256 JWK: a new key
  }
  const key = await server.issuer.keys.generate('RS256');
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Atomic: servers that start at once each read a whole key.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(server.issuer.keys.toJSON(true).find((k) => k.kid === key.kid)), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // a read-only checkout: every server makes its own key
  }
}

export type AuthDecision = { ok: true } | { ok: false; failure: 'missing' | 'invalid' | 'expired' | 'unsupported' | 'forbidden'; description: string };

export interface AuthContext {
  issuer: string;
  audience: string;
  jwks: Issuer['jwks'];
  hooks: Hooks;
  /** Verified tokens by sha256 (see verifyCached); one per server, since the hooks are fixed. */
  cache: Map<string, Verified>;
}

/** What a verified token decides: until when, and whether its scopes allow the method. */
export interface Verified {
  exp?: number;
  scopeOk: boolean;
}

const HUNDRED_YEARS_S = 100 * 365 * 24 * 3600;
/** Enough for every token of a conformance run; the oldest is dropped beyond it. */
export const TOKEN_CACHE_MAX = 256;

const clockTolerance = (ctx: AuthContext) => (ctx.hooks.ignoreExpiry ? HUNDRED_YEARS_S : 0);
/** jose's own test: expired once exp <= now - tolerance, in whole seconds. */
const stillValid = (exp: unknown, ctx: AuthContext) => typeof exp !== 'number' || exp > Math.floor(Date.now() / 1000) - clockTolerance(ctx);

/**
 * RS256 verification is most of a request's cost, so a verified token is remembered (LRU) until
 * its exp. An expired entry is dropped and verified again, which refuses it; failures are never
 * remembered, so a bad token is refused afresh every time.
 */
function cachedVerdict(key: string, ctx: AuthContext): Verified | undefined {
  const hit = ctx.cache.get(key);
  if (!hit) return undefined;
  ctx.cache.delete(key);
  if (!stillValid(hit.exp, ctx)) return undefined;
  ctx.cache.set(key, hit);
  return hit;
}

async function verifyAndRemember(token: string, key: string, ctx: AuthContext): Promise<Verified> {
  const payload = await verifyToken(token, ctx);
  const entry = { exp: typeof payload.exp === 'number' ? payload.exp : undefined, scopeOk: scopeAllowed(payload.scope, ctx.hooks) };
  ctx.cache.set(key, entry);
  if (ctx.cache.size > TOKEN_CACHE_MAX) ctx.cache.delete(ctx.cache.keys().next().value!);
  return entry;
}

/** Signature, iss, aud and exp; the forged-token fault only decodes, the expired-token fault ignores exp. */
async function verifyToken(token: string, ctx: AuthContext): Promise<JWTPayload> {
  if (!ctx.hooks.skipSignature) {
    return (await jwtVerify(token, ctx.jwks, { issuer: ctx.issuer, audience: ctx.audience, algorithms: ['RS256'], clockTolerance: clockTolerance(ctx) })).payload;
  }
  const payload = decodeJwt(token);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.iss !== ctx.issuer || !audiences.includes(ctx.audience)) throw new Error('claim mismatch');
  if (!stillValid(payload.exp, ctx)) throw Object.assign(new Error('expired'), { code: 'ERR_JWT_EXPIRED' });
  return payload;
}

export function scopeAllowed(claim: unknown, hooks: Hooks): boolean {
  if (hooks.scopesIgnored) return true;
  const items = typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
  const allowed = ALLOWED_SCOPES.filter((s) => !hooks.scopeDenied?.includes(s));
  const match = hooks.scopeMatch ?? ((item: string, scope: string) => item === scope);
  return items.some((item) => allowed.some((scope) => match(item, scope)));
}

const ALLOWED: AuthDecision = { ok: true };
const FORBIDDEN: AuthDecision = { ok: false, failure: 'forbidden', description: 'insufficient scopes' };

/** `Bearer <token>`, the scheme in any case, surrounding whitespace allowed. */
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

const verdictOf = (v: Verified): AuthDecision => (v.scopeOk ? ALLOWED : FORBIDDEN);

function refusedToken(e: unknown): AuthDecision {
  const expired = (e as { code?: string }).code === 'ERR_JWT_EXPIRED';
  return { ok: false, failure: expired ? 'expired' : 'invalid', description: expired ? 'The access token expired' : 'The access token is invalid' };
}

/**
 * The decision on an Authorization header: at once (no promise) when the header is missing or
 * odd or the token is remembered, since that is every request but a token's first; otherwise a
 * promise of the signature check.
 */
export function authenticate(header: string | undefined, ctx: AuthContext): AuthDecision | Promise<AuthDecision> {
  if (!header?.trim()) return ctx.hooks.acceptMissingToken ? ALLOWED : { ok: false, failure: 'missing', description: 'no credentials' };
  const token = BEARER.exec(header)?.[1];
  if (!token) return { ok: false, failure: 'unsupported', description: 'Expected a Bearer token' };
  const key = hash('sha256', token, 'base64url');
  const known = cachedVerdict(key, ctx);
  return known ? verdictOf(known) : verifyAndRemember(token, key, ctx).then(verdictOf, refusedToken);
}

export const failureKind = (failure: Exclude<AuthDecision, { ok: true }>['failure']): AuthFailure =>
  failure === 'forbidden' ? 'forbidden' : 'unauthenticated';

const REASONS = { missing: 'CREDENTIALS_MISSING', expired: 'ACCESS_TOKEN_EXPIRED', invalid: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', unsupported: 'ACCESS_TOKEN_TYPE_UNSUPPORTED' } as const;

/** The RFC 6750 challenge's realm; `plain` leaves out error_description, as Google does. */
export interface Challenge {
  realm: string;
  plain?: boolean;
}

/** The 401/403 envelope and RFC 6750 challenge; the auth-status-swapped fault answers with the other one. */
export function authError(decision: Exclude<AuthDecision, { ok: true }>, challenge: Challenge, hooks: Hooks): ApiError {
  const realm = `Bearer realm="${challenge.realm}"`;
  const asForbidden = (decision.failure === 'forbidden') !== !!hooks.swapAuthStatus;
  if (asForbidden) {
    return new ApiError('PERMISSION_DENIED', 'Request had insufficient authentication scopes.', {
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: GOOGLE_DOMAIN,
      headers: { 'www-authenticate': `${realm}, error="insufficient_scope", scope="${ALLOWED_SCOPES.join(' ')}"` },
    });
  }
  const failure = decision.failure === 'forbidden' ? 'invalid' : decision.failure;
  const missing = failure === 'missing';
  return new ApiError(
    'UNAUTHENTICATED',
    missing
      ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.'
      : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    {
      reason: REASONS[failure],
      domain: GOOGLE_DOMAIN,
      headers: {
        'www-authenticate': missing ? realm : `${realm}, error="invalid_token"${challenge.plain ? '' : `, error_description="${decision.description}"`}`,
      },
    },
  );
}
