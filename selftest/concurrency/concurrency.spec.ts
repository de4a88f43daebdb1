// 1,000 operations under concurrent cancel, get, list, wait and delete from several clients.
// Afterwards no operation is lost or half-written: every observed state keeps the invariants,
// a cancelled operation says so everywhere (error.code 1, metadata CANCELLED), nothing is gone
// unless a delete was sent, and list shows exactly the operations that were not deleted.
// CONCURRENCY_SEED replays a run (the plan is random; the seed is printed).
// Run with CONCURRENCY_FAULTS=cancel-deletes-operation (or another fault) to see the checks fail.
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { expect, test } from '@playwright/test';
import { startReferenceServer, type FaultName, type RunningReference } from '../../reference-server/index';
import { invariantViolations, outcomeOf, resultOf, type Operation } from '../../src/judging/operation';
import { validate } from '../../src/judging/schemas';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, fixture, mint } from '../reference-server/helpers';
import { send, type RawResponse } from '../fuzz/raw-http';

const SEED = process.env.CONCURRENCY_SEED ? Number(process.env.CONCURRENCY_SEED) : Math.floor(Math.random() * 0x7fffffff);
const OPERATIONS = 1000;
const CLIENTS = 6;
const IN_FLIGHT = 48;
const CANCEL_DELAY_MS = 30;
const PARENTS = ['projects/conc-a', 'projects/conc-b', 'projects/conc-a/locations/us-central1', 'projects/conc-b/locations/europe-west4'];

test.setTimeout(120_000);

/** mulberry32: a small seeded PRNG, so a plan can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Client {
  agent: http.Agent;
  token: string;
}

interface Exchange {
  action: 'create' | 'get' | 'wait' | 'cancel' | 'delete' | 'list';
  status: number;
  json: unknown;
  sentAt: number;
  receivedAt: number;
}

interface Tracked {
  name: string;
  parent: string;
  quick: boolean;
  createdAt: number;
  exchanges: Exchange[];
}

type Action = 'get' | 'wait' | 'cancel' | 'delete';

async function call(ref: RunningReference, c: Client, method: string, path: string, body?: string): Promise<{ res: RawResponse; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${c.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await send(c.agent, ref.baseUrl, { method, path, headers, body }, 15_000);
  const text = res.body.toString('utf8');
  return { res, json: text ? JSON.parse(text) : undefined };
}

/** Runs the tasks with at most `limit` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

test('1,000 operations under concurrent cancel/get/list/wait/delete: nothing lost, nothing half-written', async () => {
  const started = Date.now();
  const random = prng(SEED);
  // CONCURRENCY_FAULTS (reference-server fault names) shows that the checks catch a broken server.
  const faults = (process.env.CONCURRENCY_FAULTS ?? '').split(',').filter(Boolean) as FaultName[];
  const ref = await startReferenceServer({ cancelDelayMs: CANCEL_DELAY_MS, faults });
  const clients: Client[] = [];
  const problems: string[] = [];
  let requests = 0;
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push({ agent: new http.Agent({ keepAlive: true, maxSockets: 12 }), token: await mint(ref, i % 2 ? PLATFORM_SCOPE : TRANSLATION_SCOPE) });
    const client = () => clients[Math.floor(random() * CLIENTS)];

    // ---- create 1,000 operations (a third quick: they finish after one simulated second) ----
    const ops: Tracked[] = [];
    await pool(
      Array.from({ length: OPERATIONS }, (_, i) => async () => {
        const parent = PARENTS[i % PARENTS.length];
        const quick = random() < 0.33;
        const { res, json } = await call(ref, client(), 'POST', `/v3/${parent}:batchTranslateDocument`, fixture(quick ? 'quick' : 'long'));
        requests++;
        expect(res.status, JSON.stringify(json)).toBe(200);
        const op = json as { name: string };
        ops.push({ name: op.name, parent, quick, createdAt: res.receivedAt, exchanges: [{ action: 'create', status: 200, json, sentAt: res.sentAt, receivedAt: res.receivedAt }] });
      }),
      IN_FLIGHT,
    );
    expect(new Set(ops.map((o) => o.name)).size).toBe(OPERATIONS);
    const byName = new Map(ops.map((o) => [o.name, o]));

    // ---- the storm: per operation 1-3 gets, 0-3 cancels, 0-1 waits, a delete for one in five; lists in between ----
    const tasks: (() => Promise<void>)[] = [];
    const listings: { parent: string; names: string[]; ops: Operation[]; sentAt: number; receivedAt: number }[] = [];
    const perform = (o: Tracked, action: Action) => async () => {
      const c = client();
      const path = `/v3/${o.name}${action === 'cancel' ? ':cancel' : action === 'wait' ? ':wait' : ''}`;
      const method = action === 'get' ? 'GET' : action === 'delete' ? 'DELETE' : 'POST';
      const body = action === 'cancel' ? '{}' : action === 'wait' ? JSON.stringify({ timeout: '0.2s' }) : undefined;
      const { res, json } = await call(ref, c, method, path, body);
      requests++;
      o.exchanges.push({ action, status: res.status, json, sentAt: res.sentAt, receivedAt: res.receivedAt });
    };
    const list = (parent: string) => async () => {
      const c = client();
      const names: string[] = [];
      const seen: Operation[] = [];
      let token = '';
      const sentAt = performance.now();
      let receivedAt = sentAt;
      for (let page = 0; page < 100; page++) {
        const { res, json } = await call(ref, c, 'GET', `/v3/${parent}/operations?pageSize=100${token ? `&pageToken=${token}` : ''}`);
        requests++;
        receivedAt = res.receivedAt;
        if (res.status !== 200) {
          problems.push(`list ${parent} answered ${res.status}: ${JSON.stringify(json)}`);
          return;
        }
        const v = validate('list-operations-response', json);
        if (!v.valid) problems.push(`list ${parent}: ${JSON.stringify(v.errors)}`);
        const body = json as { operations?: Operation[]; nextPageToken?: string };
        for (const op of body.operations ?? []) {
          names.push(op.name as string);
          seen.push(op);
        }
        if (!body.nextPageToken) break;
        token = body.nextPageToken;
      }
      listings.push({ parent, names, ops: seen, sentAt, receivedAt });
    };
    for (const o of ops) {
      const actions: Action[] = [];
      for (let i = 1 + Math.floor(random() * 3); i > 0; i--) actions.push('get');
      for (let i = Math.floor(random() * 4); i > 0; i--) actions.push('cancel');
      if (random() < 0.5) actions.push('wait');
      if (random() < 0.2) actions.push('delete');
      tasks.push(...actions.map((a) => perform(o, a)));
    }
    for (let i = 0; i < 40; i++) tasks.push(list(PARENTS[i % PARENTS.length]));
    // Shuffle so that the requests for one operation meet each other and other clients' requests.
    for (let i = tasks.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [tasks[i], tasks[j]] = [tasks[j], tasks[i]];
    }
    await pool(tasks, IN_FLIGHT);

    // ---- settle: cancels land after CANCEL_DELAY_MS, quick operations end one second after creation ----
    const lastCreated = Math.max(...ops.map((o) => o.createdAt));
    await new Promise((r) => setTimeout(r, Math.max(CANCEL_DELAY_MS * 3, 1100 - (performance.now() - lastCreated))));
    await pool(ops.map((o) => perform(o, 'get')), IN_FLIGHT);
    for (const parent of PARENTS) await list(parent)();
    const finalListing = listings.slice(-PARENTS.length);

    // ---- every observed state ----
    const checkState = (where: string, op: Operation) => {
      const v = validate('operation', op);
      if (!v.valid) problems.push(`${where}: not an Operation: ${JSON.stringify(v.errors)}`);
      for (const p of invariantViolations(op)) problems.push(`${where}: ${p}`);
      const cancelledState = op.metadata?.state === 'CANCELLED';
      if (outcomeOf(op) === 'cancelled' || cancelledState) {
        if (op.done !== true || op.error?.code !== 1 || !cancelledState || op.response !== undefined) problems.push(`${where}: half-cancelled ${JSON.stringify(op)}`);
      }
    };
    const EXPECTED: Record<Exchange['action'], number[]> = { create: [200], get: [200, 404], wait: [200, 404], cancel: [200, 400, 404], delete: [200, 404], list: [200] };
    for (const o of ops) {
      const deletes = o.exchanges.filter((e) => e.action === 'delete');
      const firstDeleteSent = Math.min(...deletes.map((e) => e.sentAt));
      const deleted = deletes.some((e) => e.status === 200);
      if (deletes.filter((e) => e.status === 200).length > 1) problems.push(`${o.name}: two deletes succeeded`);
      const acceptedCancel = o.exchanges.filter((e) => e.action === 'cancel' && e.status === 200);
      const refusedCancel = o.exchanges.filter((e) => e.action === 'cancel' && e.status === 400);
      for (const e of o.exchanges) {
        const where = `${o.name} ${e.action} (${e.status})`;
        if (!EXPECTED[e.action].includes(e.status)) problems.push(`${where}: unexpected status ${JSON.stringify(e.json)}`);
        // Gone only after a delete was sent.
        if (e.status === 404 && !(firstDeleteSent < e.receivedAt)) problems.push(`${where}: 404 but no delete had been sent`);
        if (e.action === 'cancel' && e.status === 200 && !isDeepStrictEqual(e.json, {})) problems.push(`${where}: cancel answered ${JSON.stringify(e.json)}`);
        if (e.action === 'cancel' && e.status === 400 && (e.json as { error?: { status?: string } }).error?.status !== 'FAILED_PRECONDITION') problems.push(`${where}: ${JSON.stringify(e.json)}`);
        if (e.status === 200 && ['create', 'get', 'wait'].includes(e.action)) checkState(where, e.json as Operation);
      }
      if (acceptedCancel.length && refusedCancel.length) problems.push(`${o.name}: one cancel accepted, another refused as finished`);
      // States observed after an answer must not go back on it.
      const states = o.exchanges.filter((e) => e.status === 200 && ['create', 'get', 'wait'].includes(e.action));
      for (const later of states) {
        const op = later.json as Operation;
        const state = op.metadata?.state;
        if (acceptedCancel.some((c) => c.receivedAt < later.sentAt) && state !== 'CANCELLING' && state !== 'CANCELLED') {
          problems.push(`${o.name}: ${state} observed after a cancel was accepted`);
        }
        if (refusedCancel.some((c) => c.receivedAt < later.sentAt) && state !== 'SUCCEEDED') problems.push(`${o.name}: ${state} after a cancel was refused as finished`);
        for (const earlier of states) {
          const before = earlier.json as Operation;
          if (before.done === true && earlier.receivedAt < later.sentAt && !isDeepStrictEqual(resultOf(before), resultOf(op))) {
            problems.push(`${o.name}: a done result changed: ${JSON.stringify(resultOf(before))} → ${JSON.stringify(resultOf(op))}`);
          }
        }
      }
      // The final look.
      const last = o.exchanges[o.exchanges.length - 1];
      if (deleted) {
        if (last.status !== 404) problems.push(`${o.name}: deleted, yet the final GET answered ${last.status}`);
        continue;
      }
      if (last.status !== 200) {
        problems.push(`${o.name}: lost (final GET ${last.status}, deletes sent: ${deletes.length})`);
        continue;
      }
      const final = last.json as Operation;
      const expected = acceptedCancel.length ? 'cancelled' : o.quick ? 'completed' : 'running';
      if (outcomeOf(final) !== expected) problems.push(`${o.name}: final outcome ${outcomeOf(final)}, expected ${expected} (${acceptedCancel.length} cancels accepted, quick ${o.quick})`);
    }

    // ---- listed iff not deleted ----
    for (const l of listings) {
      const names = new Set(l.names);
      if (names.size !== l.names.length) problems.push(`list ${l.parent}: an operation listed twice`);
      for (const op of l.ops) checkState(`list ${l.parent} ${op.name}`, op);
      for (const name of names) {
        const o = byName.get(name);
        if (!o) problems.push(`list ${l.parent}: unknown ${name}`);
        else if (o.exchanges.some((e) => e.action === 'delete' && e.status === 200 && e.receivedAt < l.sentAt)) problems.push(`list ${l.parent}: ${name} listed after its delete`);
      }
      for (const o of ops) {
        if (o.parent !== l.parent || names.has(o.name)) continue;
        const deleteBefore = o.exchanges.some((e) => e.action === 'delete' && e.sentAt < l.receivedAt);
        if (!deleteBefore) problems.push(`list ${l.parent}: ${o.name} missing, and no delete had been sent`);
      }
    }
    const deleted = ops.filter((o) => o.exchanges.some((e) => e.action === 'delete' && e.status === 200)).length;
    const listedAtEnd = finalListing.reduce((n, l) => n + l.names.length, 0);
    expect(listedAtEnd).toBe(OPERATIONS - deleted);
    const outcomes = ops.map((o) => o.exchanges[o.exchanges.length - 1]).map((e) => (e.status === 200 ? outcomeOf(e.json as Operation) : 'deleted'));
    const counts = Object.entries(outcomes.reduce<Record<string, number>>((m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }), {}));
    console.log(
      `concurrency: ${OPERATIONS} operations, ${requests} requests from ${CLIENTS} clients (${IN_FLIGHT} in flight), CONCURRENCY_SEED=${SEED}, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; final: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}; ${problems.length} problems`,
    );
    expect(problems.slice(0, 20), `replay with CONCURRENCY_SEED=${SEED}`).toEqual([]);
  } finally {
    clients.forEach((c) => c.agent.destroy());
    await ref.close();
  }
});
