// Runs once per run: checks the config, starts the embedded reference server when no
// TARGET_BASE_URL is set, and finds out whether the target supports cancel.
// Workers inherit what it writes to process.env.
import { rmSync } from 'node:fs';
import { request, type FullConfig } from '@playwright/test';
import { optionsFromEnv, startReferenceServer } from '../reference-server/index';
import { config, loadEnvFile, presetDefaults } from './config';
import { openLedger } from './ledger';
import { createOperationsClient } from './operations-client';
import { createScenarios } from './scenarios';
import { clearShared } from './shared';
import { sweepLedger } from './teardown';
import { isFilteredRun } from './verdict';
import { TLS_WARNING_VARIABLE, checkTargetTls, targetContextOptions } from './tls';
import { createTokens, isAvailable, TOKEN_SEED_VARIABLE, tokenSeed, tokenSourceNames } from './tokens';

export const ALLURE_RESULTS_DIR = () => process.env.ALLURE_RESULTS_DIR ?? 'allure-results';

export default async function globalSetup(playwright: FullConfig): Promise<() => Promise<void>> {
  loadEnvFile();
  // TARGET_PRESET fills in what is unset, so workers and the summary see the same values.
  Object.assign(process.env, presetDefaults(process.env));
  // Stale results would show up as retries in the report.
  rmSync(ALLURE_RESULTS_DIR(), { recursive: true, force: true });
  // Shared scenario results of an earlier run must not be judged again.
  clearShared();
  // Every operation the run creates goes into the ledger; the teardown below cancels what is left.
  openLedger(process.env.REPORTS_DIR ?? 'reports');
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
  // Runs after the tests, interrupted or not, and before the embedded server stops.
  const teardown = async () => {
    await sweepLedger({ cfg });
    await stop();
  };
  // A TLS problem would fail every test alike: one message naming the fix, before any test (README "TLS").
  const tlsWarning = await checkTargetTls(cfg.baseUrl!, cfg.transport, cfg.requestTimeoutMs).catch(async (error: Error) => {
    await teardown();
    throw withoutStack(error);
  });
  delete process.env[TLS_WARNING_VARIABLE];
  if (tlsWarning) {
    console.warn(`lro-cancel-conformance: WARNING: ${tlsWarning}`);
    process.env[TLS_WARNING_VARIABLE] = tlsWarning;
  }
  const found = cfg.cancelSupport === 'auto'
    ? await probeCancelSupport(!isFilteredRun(playwright)).catch(async (error: Error) => {
      await teardown();
      throw withoutStack(error);
    })
    : { support: cfg.cancelSupport, source: 'declared by CANCEL_SUPPORT' };
  process.env.CONFORMANCE_CANCEL_SUPPORT = found.support;
  process.env.CONFORMANCE_CANCEL_SUPPORT_SOURCE = found.source;
  // The workers start from the tokens the probe minted, instead of minting their own.
  process.env[TOKEN_SEED_VARIABLE] = tokenSeed();
  return teardown;
}

/** The message already says what to fix; a stack trace of the suite would only bury it. */
function withoutStack(error: Error): Error {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * The first cancel of the run, on the operation the outcome tests will examine: 501 (or a bare
 * rpc code 12) means the target does not implement cancel. The uncancelled control operation is
 * created first, so it is the cancelled one's true sibling (src/scenarios.ts).
 */
async function probeCancelSupport(fullRun: boolean): Promise<{ support: 'supported' | 'unimplemented'; source: string }> {
  const cfg = config();
  const tokens = createTokens(cfg);
  const auth = cfg.authMode === 'none' ? undefined : await tokens.everyday();
  // A configured source that fails (a broken token command) would fail every test alike: say it once.
  if (auth && !isAvailable(auth) && auth.failed) throw new Error(auth.unavailable);
  if (auth && !isAvailable(auth)) return { support: 'supported', source: 'assumed: no token to probe with' };
  const credential = auth && isAvailable(auth) ? auth : undefined;
  const context = await request.newContext(targetContextOptions(cfg.baseUrl, cfg.transport));
  const counters = { requests: 0, operationsCreated: 0 };
  try {
    const api = createOperationsClient(context, cfg, cfg.baseUrl!, { defaultAuth: credential ?? 'none', record: (_t, run) => run(), counters });
    const scenarios = createScenarios({ api, cfg, tokens, credential });
    // Only the cancel subject is the probe's own need: the others are started early when the budget allows.
    const spareBudget = (error: Error) => { if (error.name !== 'BudgetExceeded') throw error; };
    await scenarios.refusalTarget(1).catch(spareBudget);
    const { cancel } = await scenarios.cancelSubject();
    const json = cancel.json as { error?: { status?: unknown }; code?: unknown } | undefined;
    const unimplemented = cancel.status === 501 || json?.error?.status === 'UNIMPLEMENTED' || (cfg.allowBareStatus && json?.code === 12);
    // A filtered run may not need it: it is only started early in a full run.
    if (!unimplemented && fullRun) await scenarios.finishedSubject().catch(spareBudget);
    return { support: unimplemented ? 'unimplemented' : 'supported', source: `probe: POST …:cancel answered ${cancel.status}` };
  } finally {
    process.env.CONFORMANCE_PROBE_REQUESTS = String(counters.requests);
    process.env.CONFORMANCE_PROBE_OPERATIONS = String(counters.operationsCreated);
    await context.dispose();
  }
}
