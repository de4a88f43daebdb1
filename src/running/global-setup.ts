// Runs once per run: checks the config, starts the embedded reference server when no
// TARGET_BASE_URL is set, and finds out whether the target supports cancel.
// Workers inherit what it writes to process.env.
import { rmSync } from 'node:fs';
import { request, type FullConfig } from '@playwright/test';
import { config, isEmbeddedTarget, loadEnvFile, plannedDoors, presetDefaults, type Config } from './config';
import { EMBEDDED_TARGET_VARIABLE, awaitEmbeddedTarget, startEmbeddedTarget } from './embedded-target';
import { openLedger } from './ledger';
import { newCounters, operationsClient, type DoorName, type OperationsClient } from '../transport/operations-client';
import { openDoors } from '../transport/open-doors';
import { cancelSupportVariable, createScenarios } from './scenarios';
import { clearShared } from './shared';
import { sweepLedger } from './teardown';
import { isFilteredRun } from '../judging/verdict';
import { TLS_WARNING_VARIABLE, checkGrpcTls, checkTargetTls } from '../transport/tls';
import { createTokens, isAvailable, TOKEN_SEED_VARIABLE, TOKEN_WARNINGS_VARIABLE, tokenSeed, tokenSourceNames, tokenWarnings, type Credential, type Tokens } from '../credentials/tokens';

export const ALLURE_RESULTS_DIR = () => process.env.ALLURE_RESULTS_DIR ?? 'allure-results';

export default async function globalSetup(playwright: FullConfig): Promise<() => Promise<void>> {
  loadEnvFile();
  // TARGET_PRESET fills in what is unset, so workers and the summary see the same values.
  Object.assign(process.env, presetDefaults(process.env));
  // grpc-js and the protos load while the embedded target comes up and the TLS checks run.
  if (plannedDoors(process.env).includes('grpc')) void import('../transport/grpc/protos').then((m) => m.protoRoot()).catch(() => undefined);
  // Stale results would show up as retries in the report.
  rmSync(ALLURE_RESULTS_DIR(), { recursive: true, force: true });
  // Shared scenario results of an earlier run must not be judged again.
  clearShared();
  // Every operation the run creates goes into the ledger; the teardown below cancels what is left.
  openLedger(process.env.REPORTS_DIR ?? 'reports');
  let stop = async () => {};
  if (isEmbeddedTarget(process.env)) {
    // npm run conformance hosts it (src/running/embedded-target.ts); a bare playwright test starts its own.
    const published = process.env[EMBEDDED_TARGET_VARIABLE];
    if (published) Object.assign(process.env, await awaitEmbeddedTarget(published));
    else {
      const target = await startEmbeddedTarget(process.env);
      Object.assign(process.env, target.variables);
      stop = () => target.close();
    }
  }
  const cfg = config();
  // Which source serves each scope set: the summary's `tokenSources`.
  process.env.CONFORMANCE_TOKEN_SOURCES = JSON.stringify(tokenSourceNames(cfg));
  // Runs after the tests, interrupted or not, and before the embedded server stops.
  let early: Promise<void> = Promise.resolve();
  let stopping = false;
  const teardown = async () => {
    // A full run has consumed every early scenario by now; an interrupted one stops between them.
    stopping = true;
    await Promise.race([early, new Promise((r) => setTimeout(r, EARLY_STOP_WAIT_MS).unref())]);
    await sweepLedger({ cfg });
    await stop();
  };
  // A TLS problem would fail every test alike: one message naming the fix, before any test (README "TLS").
  // Both doors are checked at once; a problem is reported in door order (REST first), once.
  const tlsChecks = await Promise.allSettled([
    cfg.doors.includes('rest') ? checkTargetTls(cfg.baseUrl!, cfg.transport, cfg.requestTimeoutMs) : undefined,
    cfg.doors.includes('grpc') && !cfg.grpc!.plaintext ? checkGrpcTls(cfg.grpc!.address, cfg.transport, cfg.requestTimeoutMs) : undefined,
  ]);
  const tlsFailure = tlsChecks.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (tlsFailure) {
    await teardown();
    throw withoutStack(tlsFailure.reason as Error);
  }
  const tlsWarning = tlsChecks.map((c) => (c as PromiseFulfilledResult<string | undefined>).value).filter((w): w is string => !!w);
  delete process.env[TLS_WARNING_VARIABLE];
  for (const warning of tlsWarning) console.warn(`lro-cancel-conformance: WARNING: ${warning}`);
  if (tlsWarning.length) process.env[TLS_WARNING_VARIABLE] = tlsWarning.join('\n');
  const found: Probe = await probeCancelSupport(!isFilteredRun(playwright), () => stopping).catch(async (error: Error) => {
    await teardown();
    throw withoutStack(error);
  });
  for (const [door, { support, source }] of Object.entries(found.doors) as [DoorName, DoorSupport][]) {
    process.env[cancelSupportVariable(door)] = support;
    process.env[`${cancelSupportVariable(door)}_SOURCE`] = source;
  }
  // The workers start from the tokens the probe minted, instead of minting their own.
  process.env[TOKEN_SEED_VARIABLE] = tokenSeed();
  process.env[TOKEN_WARNINGS_VARIABLE] = tokenWarnings();
  early = found.early ?? early;
  return teardown;
}

/** Something the user fixes in their setup (a token command that fails): exit 3, like a TLS problem (src/judging/verdict.ts setupProblem). */
export class SetupError extends Error {
  override name = 'Setup';
}

/** The message already says what to fix; a stack trace of the suite would only bury it. */
function withoutStack(error: Error): Error {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** How long the teardown of an interrupted run waits for the early scenario under way. */
const EARLY_STOP_WAIT_MS = 5_000;

interface DoorSupport {
  /** `unprobed`: the budget left nothing to probe with; the tests take it as supported, the conditional requirements are not run. */
  readonly support: 'supported' | 'unimplemented' | 'unprobed';
  readonly source: string;
}

interface Probe {
  readonly doors: Partial<Record<DoorName, DoorSupport>>;
  /** The rest of a full run's shared work, under way while the workers start. */
  readonly early?: Promise<void>;
}

/**
 * The first cancel of the run on each door, on the operation the outcome tests will examine: 501
 * (UNIMPLEMENTED over gRPC, or a bare rpc code 12) means the door does not implement cancel. The
 * uncancelled control operation is created first, so it is the cancelled one's true sibling
 * (src/running/scenarios.ts). CANCEL_SUPPORT declares it for every door instead.
 * In a full run on a target that cancels, the probe goes on, after the workers were let go, with
 * the scenarios every run of the whole catalog needs (see earlyScenarios).
 */
async function probeCancelSupport(fullRun: boolean, stopping: () => boolean): Promise<Probe> {
  const cfg = config();
  const declared = cfg.cancelSupport === 'auto' ? undefined : { support: cfg.cancelSupport, source: 'declared by CANCEL_SUPPORT' } as const;
  const everyDoor = (support: DoorSupport) => ({ doors: Object.fromEntries(cfg.doors.map((d) => [d, support])) });
  if (declared) return everyDoor(declared);
  const tokens = createTokens(cfg);
  const auth = cfg.authMode === 'none' ? undefined : await tokens.everyday();
  // A configured source that fails (a broken token command) would fail every test alike: say it once.
  if (auth && !isAvailable(auth) && auth.failed) throw new SetupError(auth.unavailable);
  if (auth && !isAvailable(auth)) return everyDoor({ support: 'supported', source: 'assumed: no token to probe with' });
  const credential = auth && isAvailable(auth) ? auth : undefined;
  const opened = await openDoors(cfg, request);
  const counters = newCounters();
  const publishCounters = () => {
    process.env.CONFORMANCE_PROBE_REQUESTS = String(counters.requests);
    process.env.CONFORMANCE_PROBE_OPERATIONS = String(counters.operationsCreated);
    process.env.CONFORMANCE_PROBE_RETRIES = JSON.stringify(counters.retries);
  };
  let early: Promise<void> | undefined;
  try {
    const clients = [...opened.doors.values()].map((door) => operationsClient(door, cfg, { defaultAuth: credential ?? 'none', record: (_t, run) => run(), counters }));
    const seeded = fullRun ? seedScopeTokens(cfg, tokens) : undefined;
    const probes = await Promise.all(clients.map((api) => probeDoor(api, clients.filter((c) => c !== api), cfg, tokens, credential, fullRun)));
    const doors = Object.fromEntries(probes.map((p) => [p.door, { support: p.support, source: p.source }]));
    const supported = probes.filter((p) => p.support === 'supported');
    await seeded;
    // A filtered run may not need them: they are only started early in a full run.
    if (supported.length === 0 || !fullRun) return { doors };
    early = Promise.all(supported.map((p) => earlyScenarios(p.scenarios, cfg, stopping))).then(() => undefined).finally(async () => {
      publishCounters();
      await opened.close();
    });
    return { doors, early };
  } finally {
    publishCounters();
    if (!early) await opened.close();
  }
}

/** One door's probe: its control and cancel subject, then (where cancel works) its finished operation. */
async function probeDoor(api: OperationsClient, others: readonly OperationsClient[], cfg: Config, tokens: Tokens, credential: Credential | undefined, fullRun: boolean) {
  const scenarios = createScenarios({ api, others, cfg, tokens, credential });
  // Only the cancel subject is the probe's own need: the others are started early when the budget allows.
  const spareBudget = (error: Error) => { if (error.name !== 'BudgetExceeded') throw error; };
  await scenarios.refusalTarget(1).catch(spareBudget);
  const subject = await scenarios.cancelSubject().catch((error: Error) => {
    spareBudget(error);
    return undefined;
  });
  // The budget left this door nothing to probe with: its tests say so themselves (not-run, naming CONFORMANCE_MAX_OPERATIONS).
  if (!subject) return { door: api.door, support: 'unprobed' as const, source: 'CONFORMANCE_MAX_OPERATIONS left no operation to probe with', scenarios };
  const { cancel } = subject;
  const json = cancel.json as { error?: { status?: unknown }; code?: unknown } | undefined;
  const unimplemented = cancel.status === 501 || json?.error?.status === 'UNIMPLEMENTED' || (cfg.allowBareStatus && json?.code === 12);
  const found: DoorSupport = { support: unimplemented ? 'unimplemented' : 'supported', source: `probe: ${api.door === 'grpc' ? `CancelOperation answered ${cancel.grpc?.codeName ?? 'nothing'}` : `POST …:cancel answered ${cancel.status}`}` };
  if (found.support === 'supported' && fullRun) await scenarios.finishedSubject().catch(spareBudget);
  return { door: api.door, ...found, scenarios };
}

/** The scope tests' tokens, minted here so that they are in the workers' seed. */
async function seedScopeTokens(cfg: Config, tokens: Tokens): Promise<void> {
  if (cfg.authMode === 'none' || cfg.scopeChecksNotApplicable) return;
  await Promise.all([tokens.translation(), tokens.platform(), tokens.insufficient()]);
}

/**
 * Every test of the catalog asks for these on a target that cancels; computed here, they are
 * ready (src/running/shared.ts) by the time a worker has started. A test that comes first computes the
 * scenario itself, and this one then reads it. A failure is stored with the scenario, and the
 * tests that need it report it. The calls whose late effects tests/watched.spec.ts looks for come
 * first, so that their quiet period runs beside the tests: the observed cancellation (before any
 * call names the control, which only-named reads), the refusals; the finished operation is waited
 * for beside them.
 */
async function earlyScenarios(scenarios: ReturnType<typeof createScenarios>, cfg: Config, stopping: () => boolean): Promise<void> {
  const queue = [
    scenarios.observedCancellation, scenarios.refusalRound,
    ...(cfg.authMode === 'none' ? [] : [() => scenarios.refusedCancels(true), scenarios.authRefusals]), scenarios.nameErrors,
  ];
  await Promise.all([runInOrder(queue, stopping), stopping() ? undefined : scenarios.finishedCancel().catch(() => undefined)]);
}

async function runInOrder(queue: readonly (() => Promise<unknown>)[], stopping: () => boolean): Promise<void> {
  for (const scenario of queue) {
    if (stopping()) return;
    await scenario().catch(() => undefined);
  }
}
