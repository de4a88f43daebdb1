// The service-account source: google-auth-library's JWT client signs an assertion with the key
// and trades it for an access token holding exactly the requested scopes. The key's token_uri
// decides where the assertion goes (google-auth-library 10 always posts to Google's endpoint,
// so the request is redirected there and the assertion's audience set to match).
import type { Credentials } from 'google-auth-library';
import type { ServiceAccountKey, Transport } from '../../running/config';
import { GOOGLE_TOKEN_URI } from '../../running/config';
import { redact, registerSecret } from '../redact';
import { NO_TLS_SETTINGS, tlsHint, tokenFetch } from '../../transport/tls';
import { CredentialError, grantedScopes, jwtExpiry, scopeMismatch, type Minted } from './renewable';

const VARIABLE = 'GOOGLE_APPLICATION_CREDENTIALS';

export async function mintServiceAccountToken(key: ServiceAccountKey, scope: string, timeoutMs: number, transport: Transport = NO_TLS_SETTINGS): Promise<Minted> {
  registerSecret(key.privateKey);
  // Loaded on first use: most runs (the embedded target, issuers, commands) never need it, and it is slow to load.
  const { JWT } = await import('google-auth-library');
  const client = new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    ...(key.privateKeyId ? { keyId: key.privateKeyId } : {}),
    scopes: scope.split(' ').filter(Boolean),
    additionalClaims: { aud: key.tokenUri },
  });
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URI) options.url = new URL(key.tokenUri);
      // One bounded attempt: the caller reports a failure instead of retrying for minutes.
      options.retry = false;
      options.retryConfig = { retry: 0 };
      options.timeout = timeoutMs;
      // TARGET_CA_FILE and the proxy variables apply to token_uri too (one transport for every token request).
      options.fetchImplementation = tokenFetch(transport) as unknown as typeof options.fetchImplementation;
      return options;
    },
  });
  let tokens: Credentials;
  try {
    tokens = await client.authorize();
  } catch (error) {
    const e = error as Error & { status?: number; response?: { status?: number } };
    const status = e.response?.status ?? e.status;
    const detail = redact(String(e.message ?? error).split('\n')[0] ?? '').slice(0, 300);
    throw new CredentialError(
      `${VARIABLE}: the service account ${key.clientEmail} got no token for scope "${scope}" from ${key.tokenUri}` +
        `${status ? ` (HTTP ${status})` : ''}: ${detail}.${tlsHint(error, transport) || ' Check the key, that it is not disabled, and that the scope exists.'}`,
    );
  }
  const token = tokens.access_token;
  if (!token) throw new CredentialError(`${VARIABLE}: ${key.tokenUri} answered without an access_token for scope "${scope}".`);
  registerSecret(token);
  const mismatch = scopeMismatch(scope, grantedScopes(tokens.scope, token));
  if (mismatch) throw new CredentialError(`${VARIABLE}: ${key.tokenUri} minted a token for other scopes than asked for the service account ${key.clientEmail}: ${mismatch}, so the scope checks would test the wrong token. Check the key's token_uri.`);
  const exp = typeof tokens.expiry_date === 'number' ? Math.floor(tokens.expiry_date / 1000) : (jwtExpiry(token) ?? Math.floor(Date.now() / 1000) + 3600);
  return { token, exp };
}
