// The error model (AIP-193) on every kind of error the suite provokes: a JSON google.rpc.Status
// envelope whose HTTP status matches its code, with a google.rpc.ErrorInfo in its details.
import type { Config } from '../src/config';
import { errorInfosOf, errorModelProblems } from '../src/error-model';
import type { Exchange } from '../src/evidence';
import type { OperationsClient } from '../src/operations-client';
import { formatIssues, validate } from '../src/schemas';
import { invalidTokens, type Credential, type Tokens } from '../src/tokens';
import { covers, expect, test } from './fixtures';

/** Each row provokes one kind of error without creating an operation. */
async function provokeErrors(api: OperationsClient, cfg: Config, tokens: Tokens, credential: Credential) {
  const missing = `${cfg.parent}/operations/conformance-missing-${Date.now().toString(36)}`;
  const [malformedToken] = await invalidTokens(credential.token);
  const [insufficient] = await tokens.insufficient();
  const rows: [string, () => Promise<Exchange>][] = [
    ['no credentials', () => api.cancel(missing, { auth: 'none' })],
    ['malformed token', () => api.cancel(missing, { auth: malformedToken! })],
    ...(insufficient ? [['insufficient scope', () => api.cancel(missing, { auth: insufficient })] as [string, () => Promise<Exchange>]] : []),
    ['unknown operation', () => api.cancel(missing)],
    ['malformed name', () => api.send(`${cfg.apiPrefix}/${cfg.parent}/operations/..:cancel`, { method: 'POST', body: '{}' })],
    ['unknown field', () => api.cancel(missing, { body: '{"foo":1}' })],
    ['malformed JSON', () => api.cancel(missing, { body: '{' })],
    ['wrong method on :cancel', () => api.cancel(missing, { method: 'GET', body: undefined })],
    ['unknown route', () => api.send(`${cfg.apiPrefix}/conformance-no-such-collection`)],
  ];
  const provoked: { label: string; exchange: Exchange }[] = [];
  for (const [label, run] of rows) provoked.push({ label, exchange: await run() });
  return provoked;
}

test.describe('error replies', () => {
  test('every error is a JSON Status envelope whose HTTP status matches its code', covers('errors.envelope'),
    async ({ api, cfg, tokens, credential }) => {
      const provoked = await provokeErrors(api, cfg, tokens, credential);
      const errors = provoked.filter(({ exchange }) => exchange.status >= 400);
      expect(errors.length, 'the provocations produced no error at all').toBeGreaterThan(0);
      for (const { label, exchange } of errors) {
        expect.soft(errorModelProblems(exchange, cfg), `${label} (HTTP ${exchange.status})`).toEqual([]);
      }
    });

  test('every error carries a google.rpc.ErrorInfo', covers('errors.error-info'), async ({ api, cfg, tokens, credential }) => {
    const provoked = await provokeErrors(api, cfg, tokens, credential);
    for (const { label, exchange } of provoked.filter(({ exchange }) => exchange.status >= 400)) {
      const infos = errorInfosOf(exchange);
      expect.soft(infos.length, `${label} (HTTP ${exchange.status}): ErrorInfo in details`).toBeGreaterThan(0);
      for (const info of infos) {
        const result = validate('error-info', info);
        expect.soft(result.valid, `${label}: ${result.valid ? '' : formatIssues('error-info', result.errors)}`).toBe(true);
      }
    }
  });
});
