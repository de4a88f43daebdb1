import { expect, test } from '@playwright/test';
import { curlLine, transcript, type Exchange } from '../../src/transport/evidence';
import { redact, redactHeaders, registerSecret } from '../../src/credentials/redact';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6Imh0dHBzOi8vd3d3In0.c2lnbmF0dXJlLWJ5dGVz';
const OPAQUE = 'ya29.opaque-canary-token-0123456789';

test.describe('redaction', () => {
  test('registered secrets, bearer values and JWTs are removed from text', () => {
    registerSecret(OPAQUE);
    const out = redact(`token=${OPAQUE} auth: Bearer abc.def-ghi-jkl-mno-pqr and ${JWT} in a body`);
    expect(out).not.toContain(OPAQUE);
    expect(out).not.toContain('abc.def-ghi-jkl-mno-pqr');
    expect(out).not.toContain(JWT);
    expect(out).toContain('Bearer [REDACTED]');
  });

  test('a WWW-Authenticate challenge stays readable', () => {
    const challenge = 'Bearer realm="https://x.test", error="insufficient_scope", scope="a b"';
    expect(redact(challenge)).toBe(challenge);
    expect(redact('Bearer abcdefghijklmnop0123==')).toBe('Bearer [REDACTED]');
    expect(redact('an RFC 6750 Bearer challenge')).toBe('an RFC 6750 Bearer challenge');
  });

  test('the Authorization header keeps only its scheme', () => {
    expect(redactHeaders({ Authorization: `Bearer ${OPAQUE}`, 'x-other': 'fine' })).toEqual({ Authorization: 'Bearer [REDACTED]', 'x-other': 'fine' });
  });

  test('a transcript and its curl line carry no token, and the curl line reads it from $ACCESS_TOKEN', () => {
    registerSecret(JWT);
    const exchange: Exchange = {
      method: 'POST', url: 'http://127.0.0.1:1/v3/projects/p/operations/o:cancel', authLabel: 'cloud-translation only (static)',
      requestHeaders: { authorization: `Bearer ${JWT}`, 'content-type': 'application/json' }, requestBody: '{}',
      status: 401, responseHeaders: { 'www-authenticate': `Bearer realm="x", error="invalid_token"` },
      responseText: `{"error":{"message":"bad token ${JWT}"}}`, json: undefined, durationMs: 3,
    };
    const text = transcript(exchange);
    expect(text).not.toContain(JWT);
    expect(text).toContain('"Authorization: Bearer $ACCESS_TOKEN"');
    expect(curlLine(exchange)).toBe(
      `curl -sS -i -X POST 'http://127.0.0.1:1/v3/projects/p/operations/o:cancel' -H "Authorization: Bearer $ACCESS_TOKEN" -H 'content-type: application/json' --data-raw '{}'`,
    );
  });

  test('curl quoting survives single quotes in bodies', () => {
    const line = curlLine({ method: 'POST', url: 'http://h/x', requestHeaders: {}, requestBody: `{"a":"it's"}` });
    expect(line).toContain(`--data-raw '{"a":"it'\\''s"}'`);
  });
});
