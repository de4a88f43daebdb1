// Fuzzing the reference server with fast-check: thousands of hostile requests (names, bodies,
// headers, methods, encodings, sizes, broken framing) against in-process servers. Every answer
// must be < 500 (except 501 UNIMPLEMENTED where the profile says so), every error body a valid
// envelope whose code is the HTTP status, and the server must still answer afterwards.
// FUZZ_SEED and FUZZ_RUNS override the seed (default: random, printed) and the request count.
import http from 'node:http';
import fc from 'fast-check';
import { expect, test } from '@playwright/test';
import { startReferenceServer, type ProfileName, type RunningReference } from '../../reference-server/index';
import { validate } from '../../src/judging/schemas';
import { invariantViolations } from '../../src/judging/operation';
import { fuzzCase, type FuzzCase, type Targets, type TokenKind } from './arbitraries';
import { send, sendRaw, type RawResponse } from './raw-http';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, api, created, mint } from '../reference-server/helpers';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fffffff);
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 10_000;
const BATCH = 8;
/** Share of the requests per profile. */
const PLAN: [ProfileName, number][] = [
  ['conformant', 0.6],
  ['unimplemented', 0.4],
];

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

interface Server {
  ref: RunningReference;
  targets: Targets;
  /** Never in the fuzz pools: a running and a done operation for the health check afterwards. */
  sentinel: { running: string; done: string };
}

async function tokens(ref: RunningReference): Promise<Record<TokenKind, string>> {
  const translation = await mint(ref, TRANSLATION_SCOPE);
  const [head, payload, sig] = translation.split('.');
  const flipped = sig[10] === 'A' ? 'B' : 'A';
  return {
    translation,
    platform: await mint(ref, PLATFORM_SCOPE),
    insufficient: await mint(ref, 'openid https://www.googleapis.com/auth/cloud-translation.readonly'),
    noScope: await mint(ref, undefined),
    expired: await mint(ref, TRANSLATION_SCOPE, { expires_in: '-60' }),
    wrongAudience: await mint(ref, TRANSLATION_SCOPE, { aud: 'https://elsewhere.test' }),
    forged: `${head}.${payload}.${sig.slice(0, 10)}${flipped}${sig.slice(11)}`,
  };
}

async function prepare(profile: ProfileName): Promise<Server> {
  const ref = await startReferenceServer({ profile, cancelDelayMs: 0 });
  const a = await api(ref);
  const running: string[] = [];
  const done: string[] = [];
  for (const parent of ['projects/fuzz', 'projects/fuzz/locations/us-central1']) {
    for (let i = 0; i < 20; i++) running.push(await created(a, parent, 'long'));
    for (let i = 0; i < 8; i++) done.push(await created(a, parent, 'quick'));
  }
  if (profile !== 'unimplemented') {
    for (const name of running.splice(0, 10)) {
      expect((await a.cancel(name)).status).toBe(200);
      done.push(name);
    }
  }
  const sentinel = { running: await created(a, 'projects/sentinel', 'long'), done: await created(a, 'projects/sentinel', 'quick') };
  // Quick operations take one simulated second.
  await new Promise((r) => setTimeout(r, 1100));
  return { ref, targets: { done, running, tokens: await tokens(ref) }, sentinel };
}

/** The router decodes %3A, so an encoded colon reaches the cancel route too. */
const CANCEL_PATH = /(:|%3a)cancel/i;

/** Every problem with one answer; empty when it is acceptable. */
function problems(profile: ProfileName, c: FuzzCase, res: RawResponse): string[] {
  const out: string[] = [];
  const method = c.kind === 'http' ? c.req.method : c.bytes.slice(0, c.bytes.indexOf(' '));
  const path = c.kind === 'http' ? c.req.path : c.bytes.slice(0, c.bytes.search(/\r?\n/));
  const unimplementedOk = profile === 'unimplemented' && res.status === 501 && CANCEL_PATH.test(path);
  if (res.status >= 500 && !unimplementedOk) out.push(`status ${res.status}`);
  if (res.status < 100 || res.status > 599) out.push(`status ${res.status}`);
  const text = res.body.toString('utf8');
  if (res.status >= 400 && method !== 'HEAD') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      out.push(`error body is not JSON`);
      return out;
    }
    const v = validate('error-envelope', json);
    if (!v.valid) out.push(`error body is not an envelope: ${v.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    const error = (json as { error?: { code?: unknown; status?: unknown } }).error;
    if (error?.code !== res.status) out.push(`error.code ${JSON.stringify(error?.code)} != HTTP ${res.status}`);
    if (res.status === 501 && error?.status !== 'UNIMPLEMENTED') out.push(`501 with status ${JSON.stringify(error?.status)}`);
    if (!String(res.headers['content-type']).startsWith('application/json')) out.push(`error content-type ${res.headers['content-type']}`);
  } else if (res.status >= 200 && res.status < 300 && method !== 'HEAD' && text) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      out.push('2xx body is not JSON');
      return out;
    }
    // An Operation (get, wait, create) must keep the invariants and match the schema.
    if (typeof (json as { name?: unknown }).name === 'string') {
      const v = validate('operation', json);
      if (!v.valid) out.push(`operation does not match the schema: ${v.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
      out.push(...invariantViolations(json as object));
    }
  }
  return out;
}

const preview = (v: unknown, n = 160) => {
  const s = typeof v === 'function' ? `<${(v as () => string)().length} bytes>` : Buffer.isBuffer(v) ? `<${v.length} bytes: ${v.subarray(0, 40).toString('hex')}>` : JSON.stringify(v) ?? 'undefined';
  return s.length > n ? `${s.slice(0, n)}…(${s.length})` : s;
};

function describeCase(c: FuzzCase): string {
  if (c.kind === 'raw') return `raw "${c.label}"`;
  const { method, path, headers, body, chunked } = c.req;
  return `${method} ${preview(path)} headers=${preview(headers)} body=${preview(body)}${chunked ? ' chunked' : ''}`;
}

async function fuzz(server: Server, profile: ProfileName, runs: number, seed: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
  const anomalies: string[] = [];
  let sent = 0;
  const statuses = new Map<number, number>();
  const exchange = async (c: FuzzCase) => {
    sent++;
    let res: RawResponse;
    try {
      res = c.kind === 'http' ? await send(agent, server.ref.baseUrl, c.req) : await sendRaw(server.ref.baseUrl, c.bytes);
    } catch (e) {
      anomalies.push(`${describeCase(c)} → no answer: ${(e as Error).message}`);
      return;
    }
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const found = problems(profile, c, res);
    if (found.length) anomalies.push(`${describeCase(c)} → ${res.status} ${preview(res.body.toString('utf8'), 300)}: ${found.join('; ')}`);
  };
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzCase(server.targets), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map(exchange));
      }),
      { numRuns: Math.ceil(runs / BATCH), seed, endOnFailure: true },
    );
  } finally {
    agent.destroy();
  }
  return { sent, anomalies, statuses };
}

/** The server still answers, keeps its operations and still cancels. */
async function healthy(server: Server, profile: ProfileName) {
  const a = await api(server.ref);
  const done = await a.get(server.sentinel.done);
  expect(done.status, done.text).toBe(200);
  expect(done.json.done).toBe(true);
  const cancel = await a.cancel(server.sentinel.running);
  if (profile === 'unimplemented') {
    expect(cancel.status, cancel.text).toBe(501);
    expect((await a.get(server.sentinel.running)).json.done).toBeUndefined();
  } else {
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.json).toEqual({});
    expect((await a.until(server.sentinel.running, (op) => op?.done === true)).error).toMatchObject({ code: 1 });
  }
}

test('fuzz: hostile requests never get a 5xx (except UNIMPLEMENTED), always an envelope, never crash the server', async () => {
  const started = Date.now();
  const lines: string[] = [];
  let total = 0;
  const anomalies: string[] = [];
  for (const [i, [profile, share]] of PLAN.entries()) {
    const server = await prepare(profile);
    try {
      const seed = SEED + i;
      const r = await fuzz(server, profile, Math.round(RUNS * share), seed);
      total += r.sent;
      anomalies.push(...r.anomalies.map((a) => `[${profile}] ${a}`));
      lines.push(`  ${profile}: ${r.sent} requests (seed ${seed}), statuses ${[...r.statuses].sort(([x], [y]) => x - y).map(([s, n]) => `${s}×${n}`).join(' ')}`);
      await healthy(server, profile);
    } finally {
      await server.ref.close();
    }
  }
  console.log(`fuzz: ${total} requests, FUZZ_SEED=${SEED}, ${anomalies.length} anomalies, ${((Date.now() - started) / 1000).toFixed(1)} s\n${lines.join('\n')}`);
  // One example per kind of problem, the most frequent first.
  const kinds = new Map<string, { n: number; example: string }>();
  for (const a of anomalies) {
    const kind = a.replace(/^\[(\w+)\].*? → /, '[$1] ').replace(/ \{.*\}": /, ' …: ').replace(/\s+/g, ' ').slice(0, 200);
    const k = kinds.get(kind) ?? { n: 0, example: a };
    k.n++;
    kinds.set(kind, k);
  }
  const grouped = [...kinds].sort(([, a], [, b]) => b.n - a.n).map(([kind, { n, example }]) => `${n}× ${kind}\n    e.g. ${example.slice(0, 600)}`);
  expect(grouped.slice(0, 12), `replay with FUZZ_SEED=${SEED}; ${anomalies.length} anomalies`).toEqual([]);
  expect(total).toBeGreaterThanOrEqual(RUNS);
});
