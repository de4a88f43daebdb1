// Token sources: static tokens from the config, or a client-credentials issuer that mints
// one token per scope set. Each credential says which source served it.
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { Config } from './config';
import { registerSecret } from './redact';

export const TRANSLATION_SCOPE = 'https://www.googleapis.com/auth/cloud-translation';
export const PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Scope sets that hold neither allowed scope: one unrelated, the rest look-alikes. */
export const INSUFFICIENT_SCOPE_SETS: readonly { label: string; scope: string }[] = [
  { label: 'unrelated scope', scope: 'https://www.googleapis.com/auth/devstorage.read_only' },
  { label: 'look-alike cloud-platform.read-only', scope: 'https://www.googleapis.com/auth/cloud-platform.read-only' },
  { label: 'look-alike cloud-translations', scope: 'https://www.googleapis.com/auth/cloud-translations' },
  { label: 'look-alike http:// scheme', scope: 'http://www.googleapis.com/auth/cloud-translation' },
  { label: 'look-alike trailing slash', scope: 'https://www.googleapis.com/auth/cloud-platform/' },
  { label: 'look-alike bare name', scope: 'cloud-platform' },
];

export interface Credential {
  readonly label: string;
  readonly token: string;
  /** Which source served it, e.g. "static AUTH_TOKEN_TRANSLATION" or "client-credentials". */
  readonly source: string;
}

export interface Unavailable {
  readonly unavailable: string;
}

export type Lookup = Credential | Unavailable;
export const isAvailable = (c: Lookup): c is Credential => 'token' in c;

export interface Tokens {
  /** The suite's everyday credential: both scopes where an issuer can mint it, so one scope's checks stay independent of the other's. */
  everyday(): Promise<Lookup>;
  translation(): Promise<Lookup>;
  platform(): Promise<Lookup>;
  /** Valid tokens holding neither scope; empty when no source can mint them. */
  insufficient(): Promise<Credential[]>;
  expired(): Promise<Lookup>;
}

type Minter = (scope: string, extra?: Record<string, string>) => Promise<string>;

const REFRESH_MARGIN_S = 60;

function expiryOf(token: string, expiresIn: number | undefined): number {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number') return exp;
  } catch {
    // opaque token: fall back to expires_in
  }
  return Math.floor(Date.now() / 1000) + (expiresIn ?? 300);
}

export function clientCredentialsMinter(cc: NonNullable<Config['clientCredentials']>, timeoutMs: number): Minter {
  return async (scope, extra = {}) => {
    let response: Response;
    try {
      response = await fetch(cc.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(cc.clientId)}:${encodeURIComponent(cc.clientSecret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...extra }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Error(`AUTH_TOKEN_URL ${cc.tokenUrl} could not be reached (${(error as Error).message}). Check the URL and that the issuer is up.`);
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new Error(`AUTH_TOKEN_URL ${cc.tokenUrl} refused a client-credentials grant for scope "${scope}" (HTTP ${response.status}). Check AUTH_CLIENT_ID and AUTH_CLIENT_SECRET.`);
    }
    registerSecret(body.access_token);
    return body.access_token;
  };
}

/** Caches each scope set's token until shortly before it expires. */
export function cached(mint: Minter): Minter {
  const cache = new Map<string, { token: string; exp: number }>();
  return async (scope, extra) => {
    if (extra) return mint(scope, extra);
    const hit = cache.get(scope);
    if (hit && hit.exp - REFRESH_MARGIN_S > Date.now() / 1000) return hit.token;
    const token = await mint(scope);
    cache.set(scope, { token, exp: expiryOf(token, undefined) });
    return token;
  };
}

export function createTokens(cfg: Config): Tokens {
  Object.values(cfg.tokens).flat().forEach((t) => registerSecret(t));
  const mint = cfg.clientCredentials ? cached(clientCredentialsMinter(cfg.clientCredentials, cfg.requestTimeoutMs)) : undefined;

  const scoped = async (label: string, staticVar: string, staticToken: string | undefined, scope: string): Promise<Lookup> => {
    if (staticToken) return { label, token: staticToken, source: `static ${staticVar}` };
    if (mint) return { label, token: await mint(scope), source: 'client-credentials' };
    return { unavailable: `no token for the ${label} scope set: set ${staticVar} or the AUTH_TOKEN_URL/AUTH_CLIENT_ID/AUTH_CLIENT_SECRET issuer` };
  };

  const translation = () => scoped('cloud-translation only', 'AUTH_TOKEN_TRANSLATION', cfg.tokens.translation, TRANSLATION_SCOPE);
  const platform = () => scoped('cloud-platform only', 'AUTH_TOKEN_PLATFORM', cfg.tokens.platform, PLATFORM_SCOPE);
  return {
    async everyday() {
      if (mint && !cfg.tokens.translation && !cfg.tokens.platform) {
        return { label: 'cloud-translation + cloud-platform', token: await mint(`${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}`), source: 'client-credentials' };
      }
      const found = [await translation(), await platform()];
      return found.find(isAvailable) ?? { unavailable: `no token that may cancel: ${found.map((f) => ('unavailable' in f ? f.unavailable : '')).join('; ')}` };
    },
    translation,
    platform,
    async insufficient() {
      const fromStatic = cfg.tokens.insufficient.map((token, i) => ({ label: `AUTH_TOKEN_INSUFFICIENT #${i + 1}`, token, source: 'static AUTH_TOKEN_INSUFFICIENT' }));
      const minted = mint
        ? await Promise.all(INSUFFICIENT_SCOPE_SETS.map(async ({ label, scope }) => ({ label, token: await mint(scope), source: 'client-credentials' })))
        : [];
      return [...fromStatic, ...minted];
    },
    async expired() {
      if (cfg.tokens.expired) return { label: 'expired', token: cfg.tokens.expired, source: 'static AUTH_TOKEN_EXPIRED' };
      if (!mint) return { unavailable: 'no expired token: set AUTH_TOKEN_EXPIRED or a client-credentials issuer' };
      // Issuers that honour a negative expires_in (the embedded one does) mint an expired token.
      const token = await mint(TRANSLATION_SCOPE, { expires_in: '-120' });
      if (expiryOf(token, 300) >= Date.now() / 1000) {
        return { unavailable: 'the issuer cannot mint expired tokens: set AUTH_TOKEN_EXPIRED to a token that has expired' };
      }
      return { label: 'expired', token, source: 'client-credentials (expires_in=-120)' };
    },
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens that no issuer signed: a forged signature, a tampered payload, a non-JWT. */
export async function invalidTokens(valid: string): Promise<Credential[]> {
  const source = 'built by the suite';
  const malformed = { label: 'malformed (not a JWT)', token: 'not-a-valid-access-token', source };
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(valid);
    payload = decodeJwt(valid);
  } catch {
    // Opaque tokens: altering characters is the best forgery available.
    const tampered = valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    registerSecret(tampered);
    return [malformed, { label: 'tampered opaque token', token: tampered, source }];
  }
  const { privateKey } = await generateKeyPair('RS256');
  const forged = await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256' }).sign(privateKey);
  const [h, , s] = valid.split('.');
  const tampered = `${h}.${b64url({ ...payload, exp: Math.floor(Date.now() / 1000) + 86_400 })}.${s}`;
  const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
  [forged, tampered, unsigned].forEach(registerSecret);
  return [
    malformed,
    { label: 'forged (signed with a key the issuer never used)', token: forged, source },
    { label: 'tampered payload (signature no longer matches)', token: tampered, source },
    { label: 'unsigned (alg none)', token: unsigned, source },
  ];
}
