// Golden replies of Google's own front ends (fixtures/google-errors, from CONTRACT.md's sources)
// through the suite's error model, schemas and judgements: the suite must accept what Google does.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { errorInfosOf, errorModelProblems, rpcStatusOf } from '../../src/judging/error-model';
import type { Exchange } from '../../src/transport/evidence';
import { challengeProblems, detailsProblems, isRefusal, routeMiss } from '../../src/judging/judge';
import { validate } from '../../src/judging/schemas';

interface Golden { status: number; headers: Record<string, string>; body?: unknown; text?: string }
const DIR = new URL('../../fixtures/google-errors/', import.meta.url);
const golden = (name: string): Exchange => {
  const g = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Golden;
  const text = g.text ?? JSON.stringify(g.body);
  return { method: 'POST', url: 'https://translate.googleapis.com/v3/projects/p/locations/us-central1/operations/op-1:cancel', authLabel: 'golden',
    requestHeaders: {}, requestBody: '{}', status: g.status, responseHeaders: g.headers, responseText: text, json: g.body, durationMs: 1 };
};
const cfg = { allowBareStatus: false };

test.describe("Google's own error replies", () => {
  test('every golden file is covered here', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    expect(files).toEqual(['400-unknown-field', '401-credentials-missing', '401-invalid-token', '403-insufficient-scope', '404-html-route-miss', '404-not-found']);
  });

  for (const [name, status, rpc, reason, errorCode] of [
    ['401-credentials-missing', 401, 'UNAUTHENTICATED', 'CREDENTIALS_MISSING', undefined],
    ['401-invalid-token', 401, 'UNAUTHENTICATED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'invalid_token'],
    ['403-insufficient-scope', 403, 'PERMISSION_DENIED', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'insufficient_scope'],
  ] as const) {
    test(`${name}: a conforming envelope, refusal, challenge and ErrorInfo`, () => {
      const ex = golden(name);
      expect(errorModelProblems(ex, cfg)).toEqual([]);
      expect(isRefusal(ex) && ex.status === status).toBe(true);
      expect(rpcStatusOf(ex, cfg)).toBe(rpc);
      expect(challengeProblems(ex, errorCode)).toEqual([]);
      const infos = errorInfosOf(ex);
      expect(infos.map((i) => i.reason)).toEqual([reason]);
      for (const info of infos) expect(validate('error-info', info)).toEqual({ valid: true });
      expect(detailsProblems(ex)).toEqual([]);
    });
  }

  test('400 with BadRequest details and no ErrorInfo is a conforming envelope with well-formed details', () => {
    const ex = golden('400-unknown-field');
    expect(errorModelProblems(ex, cfg)).toEqual([]);
    expect(rpcStatusOf(ex, cfg)).toBe('INVALID_ARGUMENT');
    expect(errorInfosOf(ex)).toEqual([]);
    expect(detailsProblems(ex)).toEqual([]);
  });

  test('404 NOT_FOUND without details is a conforming envelope, not a route miss', () => {
    const ex = golden('404-not-found');
    expect(errorModelProblems(ex, cfg)).toEqual([]);
    expect(rpcStatusOf(ex, cfg)).toBe('NOT_FOUND');
    expect(routeMiss(ex, cfg)).toBe(false);
    expect(detailsProblems(ex)).toEqual([]);
  });

  test('the HTML 404 of a route miss is no envelope, and is recognised as the front end\'s', () => {
    const ex = golden('404-html-route-miss');
    expect(errorModelProblems(ex, cfg)).toEqual(['HTTP 404 answered with content-type "text/html; charset=UTF-8", not JSON']);
    expect(routeMiss(ex, cfg)).toBe(true);
    expect(rpcStatusOf(ex, cfg)).toBeUndefined();
  });

  test('the same replies, broken, are caught', () => {
    const noChallenge = { ...golden('403-insufficient-scope'), responseHeaders: { 'content-type': 'application/json; charset=UTF-8' } };
    expect(challengeProblems(noChallenge, 'insufficient_scope')).toEqual(['the reply has no WWW-Authenticate header']);
    expect(challengeProblems(golden('401-invalid-token'), undefined)[0]).toContain('carries an error code');
    const rpcCode = golden('403-insufficient-scope');
    const asRpc = { ...rpcCode, json: { error: { ...(rpcCode.json as { error: object }).error, code: 7 } } };
    expect(errorModelProblems(asRpc, cfg).join()).toContain('/error/code must be >= 400');
    const untyped = { ...golden('400-unknown-field'), json: { error: { code: 400, message: 'x', status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [] }] } } };
    expect(detailsProblems(untyped)).toHaveLength(1);
    const htmlAs500 = { ...golden('404-html-route-miss'), status: 500 };
    expect(routeMiss(htmlAs500, cfg)).toBe(false);
  });
});
