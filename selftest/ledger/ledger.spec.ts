// The ledger and the operations budget (src/running/ledger.ts): the budget holds across processes, a
// refused create gives its slot back, the client records what it creates, sees done and deletes,
// and a real run never creates more than CONFORMANCE_MAX_OPERATIONS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ConfigError, parseConfig } from '../../src/running/config';
import {
  BudgetExceeded, ledgerCounts, LEDGER_VARIABLE, openLedger, parseLedger, pendingOperations, readLedger, recordCreated, recordDeleted,
  recordDone, recordSending, recordSwept, recordWatch, releaseOperation, reserveOperation, unansweredWarning, possiblyStartedWarning,
} from '../../src/running/ledger';
import { createOperationsClient, newCounters } from '../../src/transport/rest/operations-client';
import { sweepIfTeardownMissed } from '../../src/running/playwright-run';
import { sweepLedger } from '../../src/running/teardown';
import { resultKey } from '../../src/judging/operation';
import { lateOutcomes } from '../../src/reporting/summary-reporter';
import { summarize, type TestOutcome } from '../../src/judging/verdict';
import { ROOT, runConformance } from '../matrix/run-conformance';

const EXTERNAL = { TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p' };

/** A fresh ledger in its own folder, opened in an env object (not this process's). */
function freshLedger() {
  const env: NodeJS.ProcessEnv = {};
  const file = openLedger(mkdtempSync(join(tmpdir(), 'ledger-')), env);
  return { env, file };
}

test.describe('operations budget', () => {
  test('processes racing for the budget get exactly CONFORMANCE_MAX_OPERATIONS slots, each once', async () => {
    const { env, file } = freshLedger();
    // Six processes try three creates each against a budget of four.
    const script = `import { reserveOperation } from ${JSON.stringify(join(ROOT, 'src/running/ledger.ts'))};
      const got = [];
      for (let i = 0; i < 3; i++) { try { got.push(reserveOperation(4)); } catch (e) { got.push(e.name); } }
      console.log(JSON.stringify(got));`;
    const outputs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`exit ${code}`))));
    })));
    const results = outputs.flatMap((o) => JSON.parse(o) as (number | string)[]);
    expect(results.filter((r) => typeof r === 'number').sort()).toEqual([1, 2, 3, 4]);
    expect(results.filter((r) => r === 'BudgetExceeded')).toHaveLength(14);
    expect(file.endsWith('operations-ledger.jsonl')).toBe(true);
  });

  test('a refused create gives its slot back; BudgetExceeded names the variable and the count', () => {
    const { env } = freshLedger();
    expect([reserveOperation(2, env), reserveOperation(2, env)]).toEqual([1, 2]);
    expect(() => reserveOperation(2, env)).toThrow(BudgetExceeded);
    releaseOperation(1, env);
    expect(reserveOperation(2, env)).toBe(1);
    let error: unknown;
    try {
      reserveOperation(2, env);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/^CONFORMANCE_MAX_OPERATIONS=2: the run has already created 2 operations, so it may not create another\. Raise CONFORMANCE_MAX_OPERATIONS/);
  });

  test('no ledger open (the client used outside a run): nothing is written and no budget applies', () => {
    expect(reserveOperation(1, {})).toBe(0);
    expect(reserveOperation(1, {})).toBe(0);
    expect(readLedger(undefined)).toBeUndefined();
  });

  test('CONFORMANCE_MAX_OPERATIONS defaults to 10 and must be a positive integer', () => {
    expect(parseConfig(EXTERNAL).maxOperations).toBe(10);
    expect(parseConfig({ ...EXTERNAL, CONFORMANCE_MAX_OPERATIONS: '3' }).maxOperations).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'ten']) {
      expect(() => parseConfig({ ...EXTERNAL, CONFORMANCE_MAX_OPERATIONS: bad })).toThrow(ConfigError);
      expect(() => parseConfig({ ...EXTERNAL, CONFORMANCE_MAX_OPERATIONS: bad })).toThrow(new RegExp(`^CONFORMANCE_MAX_OPERATIONS: "${bad.replace('.', '\\.')}" is not a positive integer`));
    }
  });
});

test.describe('ledger', () => {
  test('what is left running: created, and neither deleted nor seen done by the run, nor found done or gone by the teardown', () => {
    const { env, file } = freshLedger();
    ['a', 'b', 'c', 'd', 'e', 'f'].forEach((name, i) => recordCreated(`ops/${name}`, i + 1, env));
    recordDeleted('ops/a', env);
    recordDone('ops/b', env);
    recordSwept('ops/c', 'done', 'cancelled', env);
    recordSwept('ops/d', 'gone', 'GET answered 404', env);
    recordSwept('ops/e', 'running', 'the cancel answered 501', env);
    const state = readLedger(file)!;
    expect(pendingOperations(state)).toEqual(['ops/f']);
    expect(ledgerCounts(state)).toEqual({ operationsCreated: 6, operationsLeftRunning: 2, createsUnanswered: 0, createsPossiblyStarted: 0, teardownRequests: 0 });
  });

  test('a create sent and never answered (the process killed mid-flight) is counted, and named in a warning; a reused slot is not', () => {
    const { env, file } = freshLedger();
    recordSending(1, env);
    releaseOperation(1, env); // refused: slot 1 is free again
    recordSending(1, env);
    recordCreated('ops/a', 1, env);
    recordSending(2, env); // killed here
    const state = readLedger(file)!;
    expect(state.created).toEqual(['ops/a']);
    expect(ledgerCounts(state)).toMatchObject({ operationsCreated: 1, createsUnanswered: 1 });
    expect(unansweredWarning(state, 'projects/p')).toMatch(/^1 create request\(s\) got no answer \(sent at \d{4}-.*under projects\/p\.$/);
    expect(unansweredWarning(parseLedger(''), 'projects/p')).toBeUndefined();
  });

  test('a line cut short by a killed process is skipped, not fatal', () => {
    const text = '{"event":"created","name":"ops/a","slot":1,"pid":1,"at":"x"}\n{"event":"created","name":"ops/b","sl';
    expect(parseLedger(text).created).toEqual(['ops/a']);
  });
});

type Json = (status: number, body: unknown) => void;

/** A stand-in target answering through `answer`, with a fresh ledger open in this process while `body` runs. */
async function withTargetAndLedger(answer: (req: IncomingMessage, json: Json) => void, body: (url: string, file: string) => Promise<void>) {
  const server = createServer((req, res) => {
    req.resume();
    answer(req, (status, json) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { env, file } = freshLedger();
  const saved = process.env[LEDGER_VARIABLE];
  process.env[LEDGER_VARIABLE] = env[LEDGER_VARIABLE];
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, file);
  } finally {
    if (saved === undefined) delete process.env[LEDGER_VARIABLE];
    else process.env[LEDGER_VARIABLE] = saved;
    server.close();
  }
}

test('the client claims the budget before a create, records what it creates, sees done and deletes, and gives a refused create back', async ({ request }) => {
  // A target whose first create is refused (400) and later ones succeed; every GET says done.
  let creates = 0;
  await withTargetAndLedger((req, json) => {
    if (req.method === 'POST' && req.url!.endsWith(':batchTranslateDocument')) {
      return ++creates === 1 ? json(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'no' } }) : json(200, { name: `projects/p/operations/op-${creates}`, done: false });
    }
    if (req.method === 'GET') return json(200, { name: req.url!.slice(4), done: true, response: {} });
    return json(200, {});
  }, async (url, file) => {
    const cfg = parseConfig({ ...EXTERNAL, TARGET_BASE_URL: url, CONFORMANCE_MAX_OPERATIONS: '2' });
    const api = createOperationsClient(request, cfg, url, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
    expect((await api.create()).name).toBeUndefined();
    const first = (await api.create()).name!;
    const second = (await api.create()).name!;
    // Two created: the refused one gave its slot back, so the budget of 2 is now used up, before any request.
    const before = creates;
    await expect(api.create()).rejects.toThrow(BudgetExceeded);
    expect(creates).toBe(before);
    await api.get(first);
    await api.remove(second);
    const state = readLedger(file)!;
    expect(state.created).toEqual([first, second]);
    expect([...state.done]).toEqual([first]);
    expect([...state.deleted]).toEqual([second]);
    expect(pendingOperations(state)).toEqual([]);
  });
});

test('a create cut off after it was sent keeps its slot and is counted as possibly started, sent once more at most; one that could not connect gives its slot back', async ({ request }) => {
  // The stand-in target never answers a create: the client's timeout cuts it off (transient), so the create is sent once more, and no more.
  await withTargetAndLedger(() => {}, async (url, file) => {
    const cfg = parseConfig({ ...EXTERNAL, TARGET_BASE_URL: url, REQUEST_TIMEOUT: '0.3', CONFORMANCE_MAX_OPERATIONS: '3' });
    const api = createOperationsClient(request, cfg, url, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
    await expect(api.create()).rejects.toThrow(/got no HTTP answer: .*twice/);
    expect(ledgerCounts(readLedger(file)!)).toMatchObject({ operationsCreated: 0, createsPossiblyStarted: 2, createsUnanswered: 0 });
    expect(possiblyStartedWarning(readLedger(file)!, 'projects/p')).toMatch(/^2 create request\(s\) got a transient answer \(timeout at .*under projects\/p\.$/);
    // Nothing listens on port 9 (discard): the connection is refused, so nothing can have been created.
    const closed = createOperationsClient(request, parseConfig(EXTERNAL), EXTERNAL.TARGET_BASE_URL, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
    await expect(closed.create()).rejects.toThrow(/ECONNREFUSED/);
    expect(ledgerCounts(readLedger(file)!)).toMatchObject({ createsPossiblyStarted: 2 });
    // Two slots of three are held by the possibly started creates; the refused connection gave its own back.
    expect(reserveOperation(3)).toBe(3);
  });
});

test('the teardown: an operation that finishes between its GET and its cancel (400 FAILED_PRECONDITION) is found done, not left running', async () => {
  // The race of a run interrupted as an operation completes: GET says running, the cancel is refused as finished.
  const seen: string[] = [];
  let gets = 0;
  await withTargetAndLedger((req, json) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'GET') return json(200, { name: 'projects/p/operations/op-1', done: ++gets > 1, ...(gets > 1 ? { response: {} } : {}) });
    if (req.url!.endsWith(':cancel')) return json(400, { error: { code: 400, status: 'FAILED_PRECONDITION', message: 'Operation has already finished.' } });
    return json(200, {});
  }, async (url, file) => {
    recordCreated('projects/p/operations/op-1', 1);
    const swept = await sweepLedger({ cfg: parseConfig({ ...EXTERNAL, TARGET_BASE_URL: url, AUTH_TOKEN_TRANSLATION: 'sweep-test-token' }) });
    expect(seen.filter((r) => r.startsWith('GET')).length, seen.join('\n')).toBe(2);
    expect([...swept!.outcomes]).toEqual([['projects/p/operations/op-1', 'done']]);
    expect(ledgerCounts(readLedger(file)!).operationsLeftRunning).toBe(0);
  });
});

test('the teardown reads the watched operations once more: a late cancellation or a changed result fails its requirement in the summary; what held passes', async () => {
  // op-1 got only refused calls and now shows CANCELLED; op-2 finished and its result changed; op-3 is as it was.
  const done = { name: 'projects/p/operations/op-2', done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
  const states: Record<string, unknown> = {
    '/v3/projects/p/operations/op-1': { name: 'projects/p/operations/op-1', metadata: { '@type': 'x', state: 'CANCELLED' }, done: true, error: { code: 1 } },
    '/v3/projects/p/operations/op-2': { ...done, response: undefined, error: { code: 1, message: 'cancelled' } },
    '/v3/projects/p/operations/op-3': { name: 'projects/p/operations/op-3', response: { b: 2, a: 1 }, done: true },
  };
  await withTargetAndLedger((req, json) => json(200, states[req.url!]), async (url, file) => {
    recordWatch({ name: 'projects/p/operations/op-1', requirement: 'cancel.request.unknown-field', expect: { cancellation: 'none' } });
    recordWatch({ name: 'projects/p/operations/op-1', requirement: 'cancel.request.wrong-method', expect: { cancellation: 'none' } });
    recordWatch({ name: 'projects/p/operations/op-2', requirement: 'cancel.semantics.finished-unchanged', expect: { result: resultKey(done) } });
    // The same result, its keys in another order: unchanged.
    recordWatch({ name: 'projects/p/operations/op-3', requirement: 'cancel.outcome.exclusive-result', expect: { result: resultKey({ name: 'x', done: true, response: { a: 1, b: 2 } }) } });
    await sweepLedger({ cfg: parseConfig({ ...EXTERNAL, TARGET_BASE_URL: url, AUTH_TOKEN_TRANSLATION: 'sweep-test-token' }) });
    const late = readLedger(file)!.late;
    expect(late.map((f) => f.requirement).sort()).toEqual(['cancel.request.unknown-field', 'cancel.request.wrong-method', 'cancel.semantics.finished-unchanged']);
    expect(late.find((f) => f.name.endsWith('op-2'))!.detail).toMatch(/^read once more at the end of the run, projects\/p\/operations\/op-2: its result changed after done: it was .*"response".*, now .*"code":1/);
    const passed = (id: string): TestOutcome => ({ title: id, file: 'x', requirementIds: [id], status: 'passed', annotations: [] });
    const ids = ['cancel.request.unknown-field', 'cancel.request.wrong-method', 'cancel.semantics.finished-unchanged', 'cancel.outcome.exclusive-result'];
    const { requirements } = summarize([...ids.map(passed), ...lateOutcomes(late)], []);
    expect(Object.fromEntries(ids.map((id) => [id, requirements.find((r) => r.id === id)!.status]))).toEqual({
      'cancel.request.unknown-field': 'failed', 'cancel.request.wrong-method': 'failed', 'cancel.semantics.finished-unchanged': 'failed', 'cancel.outcome.exclusive-result': 'passed',
    });
    expect(requirements.find((r) => r.id === 'cancel.request.unknown-field')!.reason).toMatch(/^read once more at the end of the run, projects\/p\/operations\/op-1: it shows a cancellation/);
  });
});

test('a full run never creates more than CONFORMANCE_MAX_OPERATIONS, and says which variable held it back', async () => {
  test.setTimeout(120_000);
  const run = await runConformance({ CONFORMANCE_MAX_OPERATIONS: '2' });
  const ledger = parseLedger(readFileSync(join(run.dir, 'reports/operations-ledger.jsonl'), 'utf8'));
  expect(ledger.created.length, run.output).toBeLessThanOrEqual(2);
  expect(run.summary?.operationsCreated, run.output).toBe(ledger.created.length);
  // The tests that would have needed more are not run, with the reason: never a pass (or a failure) on a budget cut.
  const held = run.summary!.requirements.filter((r) => r.reason.includes('CONFORMANCE_MAX_OPERATIONS'));
  expect(held.length, run.output).toBeGreaterThan(0);
  expect(held.map((r) => `${r.id}: ${r.status}`)).toEqual(held.map((r) => `${r.id}: not-run`));
  expect(run.summary?.verdict).not.toBe('conformant');
});

test('killed during its first create, the run has no operation to sweep, yet npm run conformance still sweeps and warns of the unanswered create', async () => {
  const { env, file } = freshLedger();
  recordSending(1, env);
  const summary = join(dirname(file), 'conformance-summary.json');
  await sweepIfTeardownMissed(dirname(file), summary, { ...process.env, ...EXTERNAL, [LEDGER_VARIABLE]: file, DOTENV_CONFIG_PATH: join(dirname(file), 'no.env'), AUTH_MODE: 'none' });
  const state = readLedger(file)!;
  expect(state.sweepDone).toBe(true);
  expect(ledgerCounts(state)).toMatchObject({ operationsCreated: 0, createsUnanswered: 1 });
});
