// One cached token of one source: served until shortly before it expires, then minted again.
// A failure is remembered, so a broken or hanging source costs its time once per process.
import { decodeJwt } from 'jose/jwt/decode';
import { registerSecret } from '../redact';

/** A token source could not give a token: the message names the variable to fix, never the token. */
export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

export interface Minted {
  readonly token: string;
  /** Expiry, epoch seconds; Infinity when unknown and unbounded (static opaque tokens). */
  readonly exp: number;
}

/** JWT `exp` when the token is a JWT that has one. */
export function jwtExpiry(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The scopes a minted token was granted: the token response's `scope` (RFC 6749 5.1), else the
 * JWT's `scope` (space-separated) or `scp` (a list) claim; undefined when neither says.
 */
export function grantedScopes(responseScope: unknown, token: string): string[] | undefined {
  const split = (v: unknown) => (typeof v === 'string' ? v.split(' ').filter(Boolean) : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const fromResponse = split(responseScope);
  if (fromResponse) return fromResponse;
  try {
    const claims = decodeJwt(token);
    return split(claims.scope) ?? split(claims.scp);
  } catch {
    return undefined;
  }
}

/**
 * A token minted for other scopes than asked would make the scope checks test the wrong token: that
 * is the setup's mistake, not the target's. Why the grant differs from `requested`; undefined when it
 * matches or does not say.
 */
export function scopeMismatch(requested: string, granted: readonly string[] | undefined): string | undefined {
  if (!granted) return undefined;
  const want = [...new Set(requested.split(' ').filter(Boolean))].sort();
  const got = [...new Set(granted)].sort();
  return want.join(' ') === got.join(' ') ? undefined : `it was asked for "${want.join(' ')}" and granted "${got.join(' ')}"`;
}

const MAX_MARGIN_S = 60;
const now = () => Date.now() / 1000;

export class Renewable {
  private cachedToken?: { token: string; exp: number; margin: number };
  private inFlight?: Promise<string>;
  private failure?: CredentialError;

  /** `seed`: a token another process of the run minted (tokens.ts CONFORMANCE_TOKEN_SEED), used until it nears expiry. */
  constructor(private readonly mint: () => Promise<Minted>, seed?: Minted) {
    if (seed && seed.exp > now()) {
      registerSecret(seed.token);
      this.cachedToken = { ...seed, margin: Math.min(MAX_MARGIN_S, (seed.exp - now()) / 4) };
    }
  }

  /** The token held now, if any (for handing it to another process). */
  current(): Minted | undefined {
    return this.cachedToken && { token: this.cachedToken.token, exp: this.cachedToken.exp };
  }

  /**
   * The current token, minted again when it is within the margin of its expiry (60 s, or a quarter
   * of its lifetime for short-lived tokens). `rejected`: the target refused that token as expired,
   * so mint a new one unless another caller already did.
   */
  async token(rejected?: string): Promise<string> {
    if (this.failure) throw this.failure;
    const hit = this.cachedToken;
    const fresh = hit && hit.exp - hit.margin > now();
    if (hit && (rejected === undefined ? fresh : hit.token !== rejected && fresh)) return hit.token;
    this.inFlight ??= this.mintOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async mintOnce(): Promise<string> {
    const started = now();
    try {
      const { token, exp } = await this.mint();
      registerSecret(token);
      const lifetime = Math.max(0, exp - started);
      this.cachedToken = { token, exp, margin: Math.min(MAX_MARGIN_S, lifetime / 4) };
      return token;
    } catch (error) {
      this.failure = error instanceof CredentialError ? error : new CredentialError((error as Error).message);
      throw this.failure;
    }
  }
}
