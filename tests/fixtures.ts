// All plumbing of the conformance specs: config, tokens, the recorded operations client,
// fresh operations, cancel-and-settle, and how a test declares what it could not judge.
import { test as base, expect } from '@playwright/test';
import * as allure from 'allure-js-commons';
import { requirement } from '../src/catalog';
import { config, type Config } from '../src/config';
import { transcript } from '../src/evidence';
import { outcomeOf, type Operation } from '../src/operation';
import { createOperationsClient, TargetUnreachable, type Counters, type OperationsClient, type SendOptions } from '../src/operations-client';
import { settle, type Settlement } from '../src/settle';
import { COUNTER_ANNOTATIONS } from '../src/summary-reporter';
import { createTokens, CredentialError, isAvailable, type Credential, type Tokens } from '../src/tokens';
import { NOT_RUN_ANNOTATION, STATUS_ANNOTATION } from '../src/verdict';
import type { Exchange } from '../src/evidence';

export { expect };

const SEVERITY = { MUST: 'critical', SHOULD: 'normal' } as const;

/** Test details naming the requirement(s) a test judges: a tag for grep, labels for Allure. */
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
    ]),
  };
}

/** Ends the test as not judged; the summary shows the status and the reason. */
function declare(status: 'unverified' | 'not-applicable' | 'not-run', reason: string): never {
  const info = base.info();
  info.annotations.push({ type: STATUS_ANNOTATION, description: `${status}: ${reason}` });
  info.skip(true, `${status}: ${reason}`);
  throw new Error('unreachable: skip() throws');
}
export const unverified = (reason: string) => declare('unverified', reason);
export const notApplicable = (reason: string) => declare('not-applicable', reason);
export const notRun = (reason: string) => declare('not-run', reason);

/** Marks the test as never having reached the contract, then fails it with the message. */
function prerequisiteFailed(message: string): never {
  base.info().annotations.push({ type: NOT_RUN_ANNOTATION, description: message });
  throw new Error(message);
}

export const is2xx = (ex: Exchange) => ex.status >= 200 && ex.status < 300;

const SCOPE_REQUIREMENTS = new Set(['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.auth.insufficient-scope']);

export interface CancelRun {
  readonly name: string;
  readonly cancel: Exchange;
  /** Undefined when the cancel was refused (not 2xx). */
  readonly settlement?: Settlement;
}

type WorkerFixtures = {
  cfg: Config;
  tokens: Tokens;
  cancelSupport: 'supported' | 'unimplemented';
};

type TestFixtures = {
  requirementGate: void;
  counters: Counters;
  credential: Credential;
  api: OperationsClient;
  createOperation: (kind?: 'long' | 'quick') => Promise<string>;
  runningOperation: string;
  expectUntouched: (name: string, after: string) => Promise<void>;
  cancelAndSettle: (kind?: 'long' | 'quick', cancel?: SendOptions) => Promise<CancelRun>;
  observeCancellation: () => Promise<CancelRun & { settlement: Settlement; final: Operation }>;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  cfg: [async ({}, use) => use(config()), { scope: 'worker' }],
  tokens: [async ({ cfg }, use) => use(createTokens(cfg)), { scope: 'worker' }],
  cancelSupport: [
    async ({}, use) => use(process.env.CONFORMANCE_CANCEL_SUPPORT === 'unimplemented' ? 'unimplemented' : 'supported'),
    { scope: 'worker' },
  ],

  // Skips, with the reason, requirements that do not apply to this target, before any request.
  requirementGate: [
    async ({ cfg, cancelSupport }, use, info) => {
      for (const id of info.tags.map((t) => t.slice(1))) {
        const req = requirement(id);
        await allure.link(req.link, `${req.id} source`);
        if (req.conditional && req.conditional !== cancelSupport) {
          declare('not-applicable', `the target's cancel is ${cancelSupport} (${process.env.CONFORMANCE_CANCEL_SUPPORT_SOURCE ?? 'assumed'}); this applies only when it is ${req.conditional}`);
        }
        if (cfg.scopeChecksNotApplicable && SCOPE_REQUIREMENTS.has(id)) {
          declare('not-applicable', `declared by SCOPE_CHECKS=not-applicable: ${cfg.scopeChecksNotApplicable}`);
        }
      }
      await use();
    },
    { auto: true },
  ],

  counters: async ({}, use, info) => {
    const counters: Counters = { requests: 0, operationsCreated: 0 };
    await use(counters);
    info.annotations.push(
      { type: COUNTER_ANNOTATIONS.requests, description: String(counters.requests) },
      { type: COUNTER_ANNOTATIONS.operationsCreated, description: String(counters.operationsCreated) },
    );
  },

  credential: async ({ tokens }, use) => {
    const everyday = await tokens.everyday();
    await use(isAvailable(everyday) ? everyday : notRun(everyday.unavailable));
  },

  api: async ({ request, cfg, credential, counters }, use) => {
    const api = createOperationsClient(request, cfg, cfg.baseUrl!, {
      defaultAuth: credential,
      counters,
      record: (title, run) =>
        base.step(title, async () => {
          let exchange: Exchange;
          try {
            exchange = await run();
          } catch (error) {
            if (error instanceof TargetUnreachable || error instanceof CredentialError) prerequisiteFailed(error.message);
            throw error;
          }
          await base.info().attach(`${title} → ${exchange.status}`, { body: transcript(exchange), contentType: 'text/plain' });
          return exchange;
        }),
    });
    await use(api);
    // Clean up what this test created, and nothing else: stop it if it still runs, then forget it.
    await base.step('clean up created operations', async () => {
      for (const name of api.created) {
        const current = await api.get(name).catch(() => undefined);
        if (current?.status === 200 && outcomeOf(current.json as Operation) === 'running') await api.cancel(name).catch(() => undefined);
        await api.remove(name).catch(() => undefined);
      }
    });
  },

  createOperation: async ({ api, cfg }, use) => {
    await use(async (kind = 'long') => {
      const { exchange, name } = await api.create(kind);
      if (!name) {
        prerequisiteFailed(
          `POST ${cfg.createPath} answered HTTP ${exchange.status} without an Operation name, so no operation could be cancelled. ` +
            `Check TARGET_PARENT, OPERATION_CREATE_PATH and ${kind === 'long' ? 'OPERATION_CREATE_BODY' : 'OPERATION_CREATE_BODY_QUICK'}.`,
        );
      }
      return name;
    });
  },

  runningOperation: async ({ createOperation }, use) => use(await createOperation('long')),

  // A rejected or refused call must leave the operation as it was: running, not cancelling.
  expectUntouched: async ({ api }, use) => {
    await use(async (name, after) => {
      const now = await api.get(name);
      expect(now.status, `GET ${name} after ${after}`).toBe(200);
      const op = now.json as Operation;
      expect(outcomeOf(op), `after ${after} the operation must still run, but it is ${JSON.stringify({ done: op.done, error: op.error })}`).toBe('running');
      expect(['CANCELLING', 'CANCELLED'], `after ${after} the metadata state must not show a cancellation`).not.toContain(op.metadata?.state);
    });
  },

  cancelAndSettle: async ({ api, cfg, createOperation }, use) => {
    await use(async (kind = 'long', cancelOptions = {}) => {
      const name = await createOperation(kind);
      const cancel = await api.cancel(name, cancelOptions);
      if (!is2xx(cancel)) return { name, cancel };
      return { name, cancel, settlement: await settle(api, name, cfg.settleTimeoutMs) };
    });
  },

  // Best effort: an operation may complete despite the cancel, so try a few before judging.
  observeCancellation: async ({ cfg, cancelAndSettle }, use) => {
    await use(async () => {
      let run: CancelRun | undefined;
      for (let attempt = 1; attempt <= cfg.cancelAttempts; attempt++) {
        run = await cancelAndSettle('long');
        const outcome = run.settlement?.outcome;
        if (outcome !== 'completed' && outcome !== 'failed') break;
      }
      const { cancel, settlement } = run!;
      expect(is2xx(cancel), `the cancel itself was refused: HTTP ${cancel.status} ${cancel.responseText.slice(0, 200)}`).toBe(true);
      switch (settlement!.outcome) {
        case 'unsettled':
          return unverified(`the cancelled operation was not done within CANCEL_SETTLE_TIMEOUT (${cfg.settleTimeoutMs / 1000} s)`);
        case 'completed':
        case 'failed':
          return unverified(`all ${cfg.cancelAttempts} operations completed despite cancellation (valid best effort), so no cancelled operation could be examined`);
        case 'vanished':
          throw new Error(`GET ${run!.name} answered 404 after the cancel: the cancelled operation was deleted`);
      }
      return { ...run!, settlement: settlement!, final: settlement!.final! };
    });
  },
});
