// Secrets never leave the process in clear: every token the suite holds is registered
// here, and every piece of evidence passes through redact() on its way out.
// The only tokens left in clear are those the suite made up from nothing secret, so that a replay
// line can send them as they were sent (src/credentials/replay.ts): the one made-up opaque token,
// and JWTs whose protected header carries SELF_MADE_MARK (a forgery signed with the suite's own
// key, an unsigned one). Both are recognised from the text alone, so every process (a worker
// that attaches an exchange another worker made, the reporter) leaves the same ones.

const secrets = new Set<string>();

/** Registers a secret (token, client secret) so redact() removes it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 8) secrets.add(secret);
}

/** The JWS header parameter that marks a JWT the suite made itself, from nothing secret: its value says how. */
export const SELF_MADE_MARK = 'lro-cancel-conformance';
/** The one opaque token the suite makes up (tokens.ts MALFORMED_TOKEN): a literal, no secret. */
export const MADE_UP_TOKEN = 'not-a-valid-access-token';

// A bearer credential (RFC 6750 b64token; real ones are long), not prose ("Bearer challenge")
// nor a challenge's auth-params (realm="…").
const BEARER = /\b(Bearer)\s+(?![A-Za-z_]+=")[A-Za-z0-9\-._~+/]{16,}=*/gi;
// Compact JWS: three base64url parts, the first one a JSON header ("eyJ").
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// A made-up token stands alone: not part of a longer token-like string.
const MADE_UP = new RegExp(`(?<![A-Za-z0-9\\-._~+/])${MADE_UP_TOKEN}(?![A-Za-z0-9\\-._~+/=])`, 'g');
// Stand-ins for the tokens left in clear while the patterns run: characters no token or pattern matches.
const HOLD = /\u0001(\d+)\u0001/g;

/** Whether a compact JWS carries SELF_MADE_MARK in its protected header: made by the suite, carrying no secret. */
export function isSelfMadeJwt(jwt: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.slice(0, jwt.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as Record<string, unknown>)[SELF_MADE_MARK] === 'string';
  } catch {
    return false;
  }
}

export function redact(text: string): string {
  let out = text;
  // Registered secrets first: a self-made token can never keep any part of one in clear.
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  const held: string[] = [];
  const hold = (token: string) => `\u0001${held.push(token) - 1}\u0001`;
  out = out.replace(JWT, (jwt) => (isSelfMadeJwt(jwt) ? hold(jwt) : jwt)).replace(MADE_UP, hold);
  out = out.replace(BEARER, '$1 [REDACTED]').replace(JWT, '[REDACTED-JWT]');
  return held.length ? out.replace(HOLD, (m, i: string) => held[Number(i)] ?? m) : out;
}

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) =>
      name.toLowerCase() === 'authorization' ? [name, value.replace(/^(\S+)\s+.*$/, '$1 [REDACTED]')] : [name, redact(value)],
    ),
  );
}
