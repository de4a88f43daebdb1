// The embedded OAuth2 issuer (a mock: any client id and secret are accepted) and the bearer
// token check that every API call passes before its body is read.
import { OAuth2Server } from 'oauth2-mock-server';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { ApiError } from './errors';
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
  await server.issuer.keys.generate('RS256');
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

export type AuthDecision = { ok: true } | { ok: false; failure: 'missing' | 'invalid' | 'expired' | 'unsupported' | 'forbidden'; description: string };

export interface AuthContext {
  issuer: string;
  audience: string;
  jwks: Issuer['jwks'];
  hooks: Hooks;
}

const HUNDRED_YEARS_S = 100 * 365 * 24 * 3600;

/** Signature, iss, aud and exp; the forged-token fault only decodes, the expired-token fault ignores exp. */
async function verifyToken(token: string, ctx: AuthContext): Promise<JWTPayload> {
  const clockTolerance = ctx.hooks.ignoreExpiry ? HUNDRED_YEARS_S : 0;
  if (!ctx.hooks.skipSignature) {
    return (await jwtVerify(token, ctx.jwks, { issuer: ctx.issuer, audience: ctx.audience, algorithms: ['RS256'], clockTolerance })).payload;
  }
  const payload = decodeJwt(token);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.iss !== ctx.issuer || !audiences.includes(ctx.audience)) throw new Error('claim mismatch');
  if (typeof payload.exp === 'number' && payload.exp + clockTolerance <= Date.now() / 1000) throw Object.assign(new Error('expired'), { code: 'ERR_JWT_EXPIRED' });
  return payload;
}

export function scopeAllowed(claim: unknown, hooks: Hooks): boolean {
  if (hooks.scopesIgnored) return true;
  const items = typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
  const allowed = ALLOWED_SCOPES.filter((s) => !hooks.scopeDenied?.includes(s));
  const match = hooks.scopeMatch ?? ((item: string, scope: string) => item === scope);
  return items.some((item) => allowed.some((scope) => match(item, scope)));
}

export async function authenticate(header: string | undefined, ctx: AuthContext): Promise<AuthDecision> {
  if (!header?.trim()) return ctx.hooks.acceptMissingToken ? { ok: true } : { ok: false, failure: 'missing', description: 'no credentials' };
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== 'bearer' || !token || rest.length) return { ok: false, failure: 'unsupported', description: 'Expected a Bearer token' };
  let payload: JWTPayload;
  try {
    payload = await verifyToken(token, ctx);
  } catch (e) {
    const expired = (e as { code?: string }).code === 'ERR_JWT_EXPIRED';
    return { ok: false, failure: expired ? 'expired' : 'invalid', description: expired ? 'The access token expired' : 'The access token is invalid' };
  }
  return scopeAllowed(payload.scope, ctx.hooks) ? { ok: true } : { ok: false, failure: 'forbidden', description: 'insufficient scopes' };
}

export const failureKind = (failure: Exclude<AuthDecision, { ok: true }>['failure']): AuthFailure =>
  failure === 'forbidden' ? 'forbidden' : 'unauthenticated';

const GOOGLE_DOMAIN = 'googleapis.com';
const REASONS = { missing: 'CREDENTIALS_MISSING', expired: 'ACCESS_TOKEN_EXPIRED', invalid: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', unsupported: 'ACCESS_TOKEN_TYPE_UNSUPPORTED' } as const;

/** The 401/403 envelope and RFC 6750 challenge; the auth-status-swapped fault answers with the other one. */
export function authError(decision: Exclude<AuthDecision, { ok: true }>, audience: string, hooks: Hooks): ApiError {
  const realm = `Bearer realm="${audience}"`;
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
      headers: { 'www-authenticate': missing ? realm : `${realm}, error="invalid_token", error_description="${decision.description}"` },
    },
  );
}
