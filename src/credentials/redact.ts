// Secrets never leave the process in clear: every token the suite holds is registered
// here, and every piece of evidence passes through redact() on its way out.

const secrets = new Set<string>();

/** Registers a secret (token, client secret) so redact() removes it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 8) secrets.add(secret);
}

// A bearer credential (RFC 6750 b64token; real ones are long), not prose ("Bearer challenge")
// nor a challenge's auth-params (realm="…").
const BEARER = /\b(Bearer)\s+(?![A-Za-z_]+=")[A-Za-z0-9\-._~+/]{16,}=*/gi;
// Compact JWS: three base64url parts, the first one a JSON header ("eyJ").
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out.replace(BEARER, '$1 [REDACTED]').replace(JWT, '[REDACTED-JWT]');
}

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) =>
      name.toLowerCase() === 'authorization' ? [name, value.replace(/^(\S+)\s+.*$/, '$1 [REDACTED]')] : [name, redact(value)],
    ),
  );
}
