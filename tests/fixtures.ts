// All plumbing of the conformance specs: config, tokens, the recorded operations client, the
// shared scenarios (src/running/scenarios.ts), evidence, and how a test says what it could not judge.
import { test as base, expect } from '@playwright/test';
import * as allure from 'allure-js-commons';
import { requirement } from '../src/judging/catalog';
import { gateReason } from '../src/judging/reasons';
import { config, parseConfig, plannedDoors, type Config } from '../src/running/config';
import { said, transcript, type Exchange } from '../src/transport/evidence';
import { CHECK_MATCHER_LINE } from '../src/reporting/check-failure';
import { newCounters, operationsClient, type Counters, type Door, type DoorName, type OperationsClient, type Recorder } from '../src/transport/operations-client';
import { openDoors } from '../src/transport/open-doors';
import { cancelSupportVariable, createScenarios, is2xx, type Scenarios } from '../src/running/scenarios';
import { createTokens, isAvailable, type Credential, type Tokens } from '../src/credentials/tokens';
import { COUNTER_ANNOTATIONS, DECISIVE_ANNOTATION, DOOR_ANNOTATION, DOOR_LABEL, NOT_RUN_ANNOTATION, PARTIAL_ANNOTATION, STATUS_ANNOTATION } from '../src/judging/verdict';

export { expect, is2xx };

// The failure message starts with what the check says, without "Expected: true / Received: false".
// The matcher line after it (CHECK_MATCHER_LINE) is for JUnit alone, which counts an error as an
// assertion failure only when its message names a matcher; `npm run report` cuts it, and the
// matcher's own step, out of the Allure report (src/reporting/check-failure.ts).
const contract = expect.extend({
  toHold(ok: boolean, message: string) {
    return { pass: ok, message: () => `${message}\n\n${CHECK_MATCHER_LINE}`, name: 'toHold' };
  },
});

const SEVERITY = { MUST: 'critical', SHOULD: 'normal' } as const;

/** The doors of this run (TRANSPORTS), as Playwright collects the tests: the same in the runner and in every worker. */
const DOORS_OF_RUN = plannedDoors(process.env);
// grpc-js and the protos load while Playwright sets the worker up, not at the first test (the runner, which only lists tests, skips it).
if (DOORS_OF_RUN.includes('grpc') && process.env.TEST_WORKER_INDEX !== undefined) void import('../src/transport/grpc/operations-client').then((m) => m.warmUp()).catch(() => undefined);

/**
 * The tests of `body`, once per door of the run: the catalog is judged on each. In a run of both
 * doors the describe's title names the door, so JUnit and the report tell the two results apart.
 */
export function describeOnEachDoor(title: string, body: () => void) {
  for (const door of DOORS_OF_RUN) {
    const named = DOORS_OF_RUN.length > 1 ? `${title} [${DOOR_LABEL[door]}]` : title;
    test.describe(named, { annotation: { type: DOOR_ANNOTATION, description: door } }, () => {
      test.use({ door });
      // covers() reads it: the body declares its tests now, synchronously.
      declaringDoor = door;
      try {
        body();
      } finally {
        declaringDoor = undefined;
      }
    });
  }
}

/** The door whose tests describeOnEachDoor's body is declaring. */
let declaringDoor: DoorName | undefined;

type Gated = { status: 'not-run' | 'not-applicable'; reason: string };

/**
 * Why the tests of `ids` are not judged on `door`, known before any of them runs: the same rules
 * as npm run preflight's readiness (src/judging/reasons.ts), and the cancel support the global
 * setup's probe left in process.env (workers inherit it; the runner loads the tests after it).
 */
function gate(ids: readonly string[], door: DoorName, cfg: Config): Gated | undefined {
  const variable = cancelSupportVariable(door);
  const source = process.env[`${variable}_SOURCE`];
  for (const id of ids) {
    // The budget left nothing to probe this door's cancel with: whether these apply is unknown.
    if (requirement(id).conditional && process.env[variable] === 'unprobed') {
      return { status: 'not-run', reason: `whether the target's cancel is implemented was not probed: ${source}` };
    }
    const gated = gateReason(id, door, cfg, { support: process.env[variable] === 'unimplemented' ? 'unimplemented' : 'supported', source: source ?? 'assumed' });
    if (gated) return { status: 'not-applicable', reason: gated };
  }
  return undefined;
}

/** The configuration as the tests are declared; undefined when it does not parse (the cfg fixture then says why). */
let declaredConfig: Config | null | undefined;
const configWhileDeclaring = (): Config | undefined => {
  // parseConfig, not config(): a runner that lists the tests before its global setup (UI mode) must not cache this.
  if (declaredConfig === undefined) {
    try {
      declaredConfig = parseConfig(process.env);
    } catch {
      declaredConfig = null;
    }
  }
  return declaredConfig ?? undefined;
};

/**
 * A test whose requirement is not judged on its door, decided as it is declared: a plain skipped
 * test with the reason, which never reaches its fixtures. (A skip thrown from a fixture fails the
 * "Before Hooks" step, and Allure lists every such skip as a Global Error.)
 */
function skippedAsDeclared(ids: readonly string[]) {
  const cfg = declaringDoor && configWhileDeclaring();
  const gated = declaringDoor && cfg ? gate(ids, declaringDoor, cfg) : undefined;
  if (!gated) return [];
  const said = `${gated.status}: ${gated.reason}`;
  return [{ type: STATUS_ANNOTATION, description: said }, { type: 'skip', description: said }];
}

/** Test details naming the requirement(s) a test judges: a tag for grep, labels and the source for Allure. */
export function covers(...ids: string[]) {
  const reqs = ids.map(requirement);
  return {
    tag: ids.map((id) => `@${id}`),
    annotation: reqs.flatMap((req) => [
      { type: 'allure.label.epic', description: 'Translation v3 operations: cancel' },
      { type: 'allure.label.feature', description: req.feature },
      { type: 'allure.label.story', description: `${req.id}: ${req.title}` },
      { type: 'allure.label.severity', description: SEVERITY[req.level] },
      { type: 'allure.label.requirement', description: req.id },
      { type: 'allure.label.level', description: req.level },
      { type: 'description', description: `**${req.id}** (${req.level}): ${req.title}\n\n> ${req.basis === 'verbatim' ? '' : '(derived) '}${req.source}\n\nSource: ${req.link}` },
    ]).concat(skippedAsDeclared(ids)),
  };
}

/** Ends the test as not judged; the summary shows the status and the reason. */
function declare(status: 'unverified' | 'not-applicable' | 'not-run', reason: string): never {
  const info = base.info();
  info.annotations.push({ type: STATUS_ANNOTATION, description: `${status}: ${reason}` });
  info.skip(true, `${status}: ${reason}`);
  throw new Error('unreachable: skip() throws');
}
// Function declarations, so that TypeScript narrows after a call (they never return).
export function unverified(reason: string): never {
  return declare('unverified', reason);
}
export function notApplicable(reason: string): never {
  return declare('not-applicable', reason);
}
export function notRun(reason: string): never {
  return declare('not-run', reason);
}

/** A part of a shared scenario that only the REST door makes; its tests are not applicable on another door. */
export function restOnly<T>(part: T | undefined, what: string): T {
  return part ?? notApplicable(`${what} are made on the REST door only: they have no gRPC counterpart (src/judging/doors.ts)`);
}

/** The requirement passes (if nothing else fails) for what was checked; the reason names the unchecked part. */
export const partly = (unchecked: string) => base.info().annotations.push({ type: PARTIAL_ANNOTATION, description: unchecked });

/** Marks the test as never having reached the contract, then fails it with the message. */
function prerequisiteFailed(message: string): never {
  base.info().annotations.push({ type: NOT_RUN_ANNOTATION, description: message });
  throw new Error(message);
}

/** Errors that mean "the suite could not get to the contract": not a verdict on it. */
const PREREQUISITE_ERRORS = new Set(['PrerequisiteFailed', 'TargetUnreachable', 'CredentialError']);
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The budget is the user's limit, not a broken test: a skip, which does not restart the worker.
    if ((error as Error).name === 'BudgetExceeded') notRun((error as Error).message);
    // The zone's bad minute outlasted the retries: nobody can tell, which is not a failure (src/transport/retry.ts).
    if ((error as Error).name === 'TransientExhausted') unverified((error as Error).message);
    if (PREREQUISITE_ERRORS.has((error as Error).name)) prerequisiteFailed((error as Error).message);
    throw error;
  }
}

/** Every method of `fns`, its errors read as guarded() reads them. */
const guardedAll = <T extends object>(fns: T): T =>
  Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, (...args: never[]) => guarded(() => (fn as (...a: never[]) => Promise<unknown>)(...args))])) as T;

// Attachment names per exchange, so a failed check can point at its decisive exchange.
const attachmentNames = new WeakMap<Exchange, string>();
let attachmentSeq = 0;
async function attach(title: string, exchange: Exchange): Promise<string> {
  const name = `#${++attachmentSeq} ${title} → ${exchange.transportError ? 'no answer' : exchange.status}`;
  attachmentNames.set(exchange, name);
  await base.info().attach(name, { body: transcript(exchange), contentType: 'text/plain' });
  return name;
}

/** Attaches exchanges a shared scenario made (possibly in another worker) as this test's evidence. */
export async function evidence(title: string, exchanges: readonly (Exchange | undefined)[]) {
  await base.step(`evidence: ${title}`, async () => {
    for (const ex of exchanges) if (ex) await attach(`${ex.method} ${new URL(ex.url).pathname}`, ex);
  });
}

/**
 * One contract check, as a report step named by what it checks. A failed check is soft (the
 * other cases still run); its message says what the server did, and its step holds the decisive
 * exchange: the transcript again, under the name it has in the evidence, so the red step shows it.
 */
export async function check(what: string, ok: boolean, observed: string | (() => string), decisive?: Exchange) {
  await base.step(what, async () => {
    if (ok) return;
    if (decisive) {
      const seen = attachmentNames.get(decisive);
      const name = seen ?? (await attach(`${decisive.method} ${new URL(decisive.url).pathname}`, decisive));
      if (seen) await base.info().attach(name, { body: transcript(decisive), contentType: 'text/plain' });
      base.info().annotations.push({ type: DECISIVE_ANNOTATION, description: name });
    }
    contract.soft(ok).toHold(`${what}: ${typeof observed === 'function' ? observed() : observed}`);
  }, { box: true });
}

/** A check of one reply: `ok(ex)` decides, the message says what the server did. */
export const checkReply = (what: string, ex: Exchange, ok: (ex: Exchange) => boolean) =>
  check(what, ok(ex), () => `the target ${said(ex)}`, ex);

type WorkerFixtures = {
  cfg: Config;
  /**
   * Every configured door, opened once per worker: keep-alive (and TLS) connections outlive a test,
   * and no test pays for a connection of its own. Scenarios that cross doors use the other one.
   */
  doors: ReadonlyMap<DoorName, Door>;
  tokens: Tokens;
};

type TestFixtures = {
  /** The door this test judges (describeOnEachDoor); one worker serves both, so no worker restarts between them. */
  door: DoorName;
  cancelSupport: 'supported' | 'unimplemented';
  requirementGate: void;
  counters: Counters;
  /** The everyday credential; undefined when AUTH_MODE=none. */
  credential: Credential | undefined;
  api: OperationsClient;
  scenarios: Scenarios;
  /** A fresh operation for this test alone (recorded as its evidence). */
  createOperation: (kind?: 'long' | 'quick') => Promise<string>;
};

// Two fixtures Playwright sets up around every test serve browser pages only: recording traces,
// screenshots and videos, and browser-context defaults. They cost about 9 ms a test (a third of
// an empty test), and traces stay off here anyway (they would copy the Authorization header).
// Replaced by no-ops, without a report step; the suite's own fixtures below are plumbing too
// (`box: 'self'`), so the report shows the requests and checks.
const NO_BROWSER_PLUMBING = {
  _setupArtifacts: [async ({}, use: () => Promise<void>) => use(), { auto: 'all-hooks-included', box: 'self', timeout: 0 }],
  _setupContextOptions: [async ({}, use: () => Promise<void>) => use(), { auto: 'all-hooks-included', box: 'self' }],
} as object;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  ...NO_BROWSER_PLUMBING,
  door: ['rest', { option: true }],
  cfg: [async ({}, use) => use(config()), { scope: 'worker', box: 'self' }],
  tokens: [async ({ cfg }, use) => use(createTokens(cfg)), { scope: 'worker', box: 'self' }],
  doors: [async ({ playwright, cfg }, use) => {
    const opened = await openDoors(cfg, playwright.request);
    await use(opened.doors);
    await opened.close();
  }, { scope: 'worker', box: 'self' }],
  cancelSupport: [
    async ({ door }, use) => use(process.env[cancelSupportVariable(door)] === 'unimplemented' ? 'unimplemented' : 'supported'),
    { box: 'self' },
  ],

  // Skips, with the reason, requirements that do not apply to this target, before any request.
  requirementGate: [
    async ({ cfg, door }, use, info) => {
      for (const id of info.tags.map((t) => t.slice(1))) {
        const req = requirement(id);
        await allure.link(req.link, `${req.id} source`);
      }
      // Covered as the tests are declared (covers()); this is for a test declared otherwise.
      const gated = gate(info.tags.map((t) => t.slice(1)), door, cfg);
      if (gated) declare(gated.status, gated.reason);
      await use();
    },
    { auto: true, box: 'self' },
  ],

  counters: [async ({}, use, info) => {
    const counters: Counters = newCounters();
    await use(counters);
    info.annotations.push(
      { type: COUNTER_ANNOTATIONS.requests, description: String(counters.requests) },
      { type: COUNTER_ANNOTATIONS.operationsCreated, description: String(counters.operationsCreated) },
      ...(Object.keys(counters.retries).length ? [{ type: COUNTER_ANNOTATIONS.retries, description: JSON.stringify(counters.retries) }] : []),
    );
  }, { box: 'self' }],

  credential: [async ({ cfg, tokens }, use) => {
    if (cfg.authMode === 'none') return use(undefined);
    const everyday = await tokens.everyday();
    await use(isAvailable(everyday) ? everyday : notRun(everyday.unavailable));
  }, { box: 'self' }],

  api: [async ({ doors, door, cfg, credential, counters }, use) => {
    const record: Recorder = (title, run) =>
      base.step(title, async () => {
        const exchange = await guarded(run);
        await attach(title, exchange);
        return exchange;
      });
    await use(guardedAll(operationsClient(doors.get(door)!, cfg, { defaultAuth: credential ?? 'none', counters, record })));
  }, { box: 'self' }],

  // Shared work is counted by the test that happens to do it; every consumer attaches its evidence.
  scenarios: [async ({ doors, door, cfg, tokens, credential, counters }, use) => {
    const quiet = (d: Door) => operationsClient(d, cfg, { defaultAuth: credential ?? 'none', counters, record: (_t, run) => run() });
    const others = [...doors.values()].filter((d) => d.name !== door).map(quiet);
    const scenarios = createScenarios({ api: quiet(doors.get(door)!), others, cfg, tokens, credential });
    await use(guardedAll(scenarios));
  }, { box: 'self' }],

  createOperation: [async ({ api, cfg }, use) => {
    await use(async (kind = 'long') => {
      const { exchange, name } = await guarded(() => api.create(kind));
      if (!name) {
        prerequisiteFailed(
          `POST ${cfg.createPath} ${said(exchange)} without an Operation name, so no operation could be cancelled. ` +
            `Check TARGET_PARENT, OPERATION_CREATE_PATH and ${kind === 'long' ? 'OPERATION_CREATE_BODY' : 'OPERATION_CREATE_BODY_QUICK'}.`,
        );
      }
      return name;
    });
  }, { box: 'self' }],
});
