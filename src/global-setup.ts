// Runs once per run: checks the config, starts the embedded reference server when no
// TARGET_BASE_URL is set, and finds out whether the target supports cancel.
// Workers inherit what it writes to process.env.
import { rmSync } from 'node:fs';
import { request } from '@playwright/test';
import { optionsFromEnv, startReferenceServer } from '../reference-server/index';
import { config, loadEnvFile, presetDefaults } from './config';
import { createOperationsClient } from './operations-client';
import { createTokens, isAvailable, tokenSourceNames } from './tokens';

export const ALLURE_RESULTS_DIR = () => process.env.ALLURE_RESULTS_DIR ?? 'allure-results';

export default async function globalSetup(): Promise<() => Promise<void>> {
  loadEnvFile();
  // TARGET_PRESET fills in what is unset, so workers and the summary see the same values.
  Object.assign(process.env, presetDefaults(process.env));
  // Stale results would show up as retries in the report.
  rmSync(ALLURE_RESULTS_DIR(), { recursive: true, force: true });
  let stop = async () => {};
  if (!process.env.TARGET_BASE_URL?.trim()) {
    const reference = await startReferenceServer(optionsFromEnv(process.env));
    Object.assign(process.env, {
      TARGET_BASE_URL: reference.baseUrl,
      AUTH_TOKEN_URL: reference.tokenUrl,
      AUTH_CLIENT_ID: 'lro-cancel-conformance',
      AUTH_CLIENT_SECRET: 'embedded-reference-issuer',
      CONFORMANCE_EMBEDDED_PROFILE: [reference.profile, ...reference.faults].join('+'),
      TARGET_PARENT: process.env.TARGET_PARENT?.trim() || 'projects/conformance',
    });
    stop = () => reference.close();
  }
  const cfg = config();
  // Which source serves each scope set: the summary's `tokenSources`.
  process.env.CONFORMANCE_TOKEN_SOURCES = JSON.stringify(tokenSourceNames(cfg));
  const found = cfg.cancelSupport === 'auto'
    ? await probeCancelSupport().catch((error: Error) => { throw withoutStack(error); })
    : { support: cfg.cancelSupport, source: 'declared by CANCEL_SUPPORT' };
  process.env.CONFORMANCE_CANCEL_SUPPORT = found.support;
  process.env.CONFORMANCE_CANCEL_SUPPORT_SOURCE = found.source;
  return stop;
}

/** The message already says what to fix; a stack trace of the suite would only bury it. */
function withoutStack(error: Error): Error {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** One operation, one cancel: 501 (or a bare rpc code 12) means the target does not implement cancel. */
async function probeCancelSupport(): Promise<{ support: 'supported' | 'unimplemented'; source: string }> {
  const cfg = config();
  const tokens = createTokens(cfg);
  const auth = await tokens.everyday();
  // A configured source that fails (a broken token command) would fail every test alike: say it once.
  if (!isAvailable(auth) && auth.failed) throw new Error(auth.unavailable);
  if (!isAvailable(auth)) return { support: 'supported', source: 'assumed: no token to probe with' };
  const context = await request.newContext();
  const counters = { requests: 0, operationsCreated: 0 };
  try {
    const api = createOperationsClient(context, cfg, cfg.baseUrl!, { defaultAuth: auth, record: (_t, run) => run(), counters });
    const created = await api.create('long');
    if (!created.name) {
      throw new Error(
        `POST ${cfg.createPath} did not return an Operation with a name (HTTP ${created.exchange.status}). ` +
          'Check TARGET_PARENT, OPERATION_CREATE_PATH and OPERATION_CREATE_BODY, or declare CANCEL_SUPPORT.',
      );
    }
    const cancel = await api.cancel(created.name);
    const json = cancel.json as { error?: { status?: unknown }; code?: unknown } | undefined;
    const unimplemented = cancel.status === 501 || json?.error?.status === 'UNIMPLEMENTED' || (cfg.allowBareStatus && json?.code === 12);
    await api.remove(created.name);
    return { support: unimplemented ? 'unimplemented' : 'supported', source: `probe: POST …:cancel answered ${cancel.status}` };
  } finally {
    process.env.CONFORMANCE_PROBE_REQUESTS = String(counters.requests);
    process.env.CONFORMANCE_PROBE_OPERATIONS = String(counters.operationsCreated);
    await context.dispose();
  }
}
