// `npm run bench`: every measure of issue 11 in one run, each against a baseline measured in the
// same run (medians of several rounds, baseline and subject interleaved, because these machines
// are noisy). Prints a table and writes docs/performance.md.
//   BENCH_QUICK=1          a smoke run: one round each, short durations, a small store, a grep'd suite.
//   BENCH_DOC              where to write the markdown (default docs/performance.md; quick mode: nowhere).
//   BENCH_NPM_TEST=1       also time `npm test` here; `fresh`: in a fresh clone of HEAD (`bash .ci/run`). Long.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { Ready } from './bench/target';

const ROOT = resolve(import.meta.dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const DOC = process.env.BENCH_DOC ?? (QUICK ? '' : join(ROOT, 'docs/performance.md'));
const NPM_TEST = process.env.BENCH_NPM_TEST === 'fresh' ? 'fresh' : process.env.BENCH_NPM_TEST === '1' ? 'in place' : undefined;
const P = QUICK
  ? { suiteRounds: 1, fullArgs: ['--grep', '@cancel.request'], fullLabel: 'suite subset (@cancel.request, quick mode)', throughputRounds: 1, throughputSeconds: 1, large: 5_000, latencyRounds: 1, latencyRequests: 200, heapSteps: 2 }
  : { suiteRounds: 5, fullArgs: [] as string[], fullLabel: 'full conformance run', throughputRounds: 3, throughputSeconds: 4, large: 100_000, latencyRounds: 3, latencyRequests: 1000, heapSteps: 4 };
const SMALL = 100;
const ONE_TEST = '@cancel.request.empty-object';
const FLOOR_CONFIG = 'scripts/bench/floor/playwright.config.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

/**
 * CPU time of the children this process has waited for, and of theirs (Linux: cutime + cstime of
 * /proc/self/stat). Each run is a child of its own, so the difference across it is the run's CPU,
 * every worker included. Undefined elsewhere.
 */
const CLOCK_TICK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICK;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- (a) the conformance run and its floor

interface Run {
  ms: number;
  cpuMs?: number;
  exitCode: number | null;
  requests?: number;
  operationsCreated?: number;
  operationsLeftRunning?: number;
}

/** One child process run to its end: wall and CPU time, stderr kept for the error message. */
function timed(args: string[], env: Record<string, string>, label: string): Promise<Run & { stderr: string }> {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, CI: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((done) =>
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const cpuAfter = childrenCpuMs();
      if (exitCode !== 0 && label === 'floor') log(`the Playwright floor failed (exit ${exitCode}): ${stderr.slice(-500)}`);
      done({ ms, exitCode, stderr, ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}) });
    }),
  );
}

/** `npm run conformance` as npm execs it (node scripts/conformance.mjs), against the embedded server. */
async function conformance(args: string[], env: Record<string, string> = {}): Promise<Run & { verdict?: string; retries?: Record<string, number> }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-conformance-'));
  const run = await timed(['scripts/conformance.mjs', ...args],
    { REPORTS_DIR: join(dir, 'reports'), ALLURE_RESULTS_DIR: join(dir, 'allure-results'), DOTENV_CONFIG_PATH: join(dir, 'no.env'), TARGET_BASE_URL: '', ...env }, 'conformance');
  let summary: Pick<Run, 'requests' | 'operationsCreated' | 'operationsLeftRunning'> & { verdict?: string; retries?: Record<string, number> } = {};
  try {
    summary = JSON.parse(readFileSync(join(dir, 'reports/conformance-summary.json'), 'utf8'));
  } catch {
    log(`conformance ${args.join(' ')} wrote no summary (exit ${run.exitCode}): ${run.stderr.slice(-500)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return { ms: run.ms, cpuMs: run.cpuMs, exitCode: run.exitCode, requests: summary.requests, operationsCreated: summary.operationsCreated, operationsLeftRunning: summary.operationsLeftRunning, verdict: summary.verdict, retries: summary.retries };
}

// ---------------------------------------------------------------- (i) a correct server on a bad minute

/** Runs against the conformant profile with transient faults and jitter (issue 22): every one must be CONFORMANT, exit 0. */
// Quick mode (the smoke test in npm test): one run with short jitter proves the row works; 0-300 ms on every request costs ~15 s a run.
const FLAKE = { runs: Number(process.env.BENCH_FLAKE_RUNS ?? (QUICK ? 1 : 30)), rate: '0.1', jitterMs: QUICK ? '30' : '300' };

async function flakeBench(quietMs: number) {
  const runs: (Run & { verdict?: string; retries?: Record<string, number> })[] = [];
  for (let i = 0; i < FLAKE.runs; i++) {
    // A new seed each run: another request meets each fault.
    // Always the whole catalog: a filtered run cannot be CONFORMANT.
    const run = await conformance([], { REFERENCE_PROFILE: 'conformant', REFERENCE_TRANSIENT_RATE: FLAKE.rate, REFERENCE_LATENCY_JITTER_MS: FLAKE.jitterMs, REFERENCE_TRANSIENT_SEED: String(i + 1) });
    runs.push(run);
    const retried = Object.values(run.retries ?? {}).reduce((a, b) => a + b, 0);
    log(`flake run ${i + 1}/${FLAKE.runs}: ${secs(run.ms)}, exit ${run.exitCode}, ${run.verdict ?? 'no summary'}, ${retried} requests retried`);
  }
  const green = runs.filter((r) => r.exitCode === 0 && r.verdict === 'conformant').length;
  const retries = runs.map((r) => Object.values(r.retries ?? {}).reduce((a, b) => a + b, 0));
  return { runs: runs.length, green, medianMs: median(runs.map((r) => r.ms)), quietMs, medianRetries: median(retries) };
}

/** A free loopback port for the floor's webServer. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** The bare Playwright floor: one test, one request.post, a node:http webServer; Playwright's own CLI. */
async function floor(): Promise<Run> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-floor-'));
  const run = await timed(['node_modules/@playwright/test/cli.js', 'test', '-c', FLOOR_CONFIG], { FLOOR_PORT: String(await freePort()), FLOOR_OUTPUT_DIR: dir }, 'floor');
  rmSync(dir, { recursive: true, force: true });
  return run;
}

async function suiteBench() {
  const runs = { floor: [] as Run[], one: [] as Run[], full: [] as Run[], rest: [] as Run[] };
  // A first, unmeasured run of each fills the transpile caches (Playwright's and tsx's), as any later run finds them.
  if (!QUICK) {
    await floor();
    await conformance(['--grep', ONE_TEST]);
  }
  for (let r = 0; r < P.suiteRounds; r++) {
    runs.floor.push(await floor());
    runs.full.push(await conformance(P.fullArgs));
    // The REST door alone: the run the one-door goal (≤ 2×) was set for.
    runs.rest.push(await conformance(P.fullArgs, { TRANSPORTS: 'rest' }));
    runs.one.push(await conformance(['--grep', ONE_TEST]));
    const s = (x: Run) => `${(x.ms / 1000).toFixed(2)} s${x.cpuMs !== undefined ? ` (CPU ${(x.cpuMs / 1000).toFixed(2)} s)` : ''}`;
    log(`suite round ${r + 1}/${P.suiteRounds}: floor ${s(runs.floor[r])}, ${P.fullLabel} ${s(runs.full[r])} (exit ${runs.full[r].exitCode}), REST door alone ${s(runs.rest[r])}, one test ${s(runs.one[r])}`);
  }
  const bad = runs.full.find((f) => f.requests === undefined);
  if (bad) throw new Error(`the ${P.fullLabel} produced no summary (exit ${bad.exitCode})`);
  if (runs.floor.some((f) => f.exitCode !== 0)) throw new Error('the bare Playwright floor failed; see above');
  const cpu = (xs: Run[]) => (xs.every((x) => x.cpuMs !== undefined) ? median(xs.map((x) => x.cpuMs!)) : undefined);
  return {
    floorMs: median(runs.floor.map((r) => r.ms)),
    floorCpuMs: cpu(runs.floor),
    fullMs: median(runs.full.map((r) => r.ms)),
    fullCpuMs: cpu(runs.full),
    restMs: median(runs.rest.map((r) => r.ms)),
    restCpuMs: cpu(runs.rest),
    restRequests: median(runs.rest.map((r) => r.requests ?? Number.NaN)),
    restOperations: median(runs.rest.map((r) => r.operationsCreated ?? Number.NaN)),
    oneMs: median(runs.one.map((r) => r.ms)),
    oneCpuMs: cpu(runs.one),
    fullExit: runs.full.map((r) => r.exitCode),
    requests: median(runs.full.map((r) => r.requests!)),
    operationsCreated: median(runs.full.map((r) => r.operationsCreated!)),
    // The worst round: one run that leaves an operation behind is one too many.
    operationsLeftRunning: Math.max(...runs.full.map((r) => r.operationsLeftRunning ?? Number.NaN)),
  };
}

// ---------------------------------------------------------------- (f) npm test

async function npmTestBench(mode: 'in place' | 'fresh'): Promise<{ ms: number; exitCode: number | null; where: string }> {
  if (mode === 'in place') {
    const run = await timed(['--import', 'tsx', 'scripts/test.ts'], {}, 'npm test');
    return { ms: run.ms, exitCode: run.exitCode, where: 'in this working tree' };
  }
  // A clone of HEAD (local; the working tree's uncommitted changes are not in it), installed and tested by .ci/run.
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-fresh-clone-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir], { stdio: 'inherit' });
    const started = performance.now();
    // Without this bench's own variables: the clone's bench smoke test would otherwise clone and test again.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
    const child = spawn('bash', ['.ci/run'], { cwd: dir, env: { ...env, CI: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exitCode = await new Promise<number | null>((r) => child.on('close', r));
    const total = performance.now() - started;
    if (exitCode !== 0) {
      // The clone is removed below: keep what .ci/run printed, and show its end.
      const kept = join(os.tmpdir(), `bench-fresh-clone-${Date.now()}.log`);
      writeFileSync(kept, out);
      log(`bash .ci/run in the fresh clone failed (exit ${exitCode}); its output is in ${kept}. The end of it:\n${out.split('\n').slice(-40).join('\n')}`);
    }
    // scripts/test.ts prints its own wall time: npm ci is not part of `npm test`.
    const m = /npm test: .* in (?:(\d+) min )?([\d.]+) s wall/.exec(out);
    const ms = m ? (Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000 : total;
    return { ms, exitCode, where: `fresh clone of HEAD, bash .ci/run (with npm ci: ${(total / 60_000).toFixed(1)} min)` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- targets in child processes

interface Target extends Ready {
  heap(): Promise<number>;
  stop(): Promise<void>;
}

function startTarget(kind: 'reference' | 'bare', env: Record<string, string> = {}): Promise<Target> {
  const child = fork(join(ROOT, 'scripts/bench/target.ts'), [kind], {
    cwd: ROOT,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolveReady, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench target ${kind} exited with ${code}`)));
    child.once('message', (m: { ready: Ready }) => {
      const target: Target = {
        ...m.ready,
        heap: () =>
          new Promise((r) => {
            child.once('message', (h: { heap: number; gc: boolean }) => {
              if (!h.gc) throw new Error('the target runs without --expose-gc');
              r(h.heap);
            });
            child.send({ cmd: 'heap' });
          }),
        stop: () =>
          new Promise((r) => {
            child.removeAllListeners('exit');
            child.once('exit', () => r());
            child.send({ cmd: 'exit' });
          }),
      };
      resolveReady(target);
    });
  });
}

const authJson = (t: Target) => ({ authorization: `Bearer ${t.token}`, 'content-type': 'application/json' });

// ---------------------------------------------------------------- (b) cancel throughput

async function throughputBench() {
  const ref = await startTarget('reference');
  const bare = await startTarget('bare');
  const cannon = (t: Target, headers: Record<string, string>) =>
    autocannon({ url: `${t.baseUrl}/v3/${ref.probe}:cancel`, method: 'POST', headers, body: '{}', connections: 10, duration: P.throughputSeconds });
  const refRps: number[] = [];
  const bareRps: number[] = [];
  try {
    // Warm-up (JIT, sockets).
    await autocannon({ url: `${ref.baseUrl}/v3/${ref.probe}:cancel`, method: 'POST', headers: authJson(ref), body: '{}', connections: 10, amount: 2000 });
    for (let r = 0; r < P.throughputRounds; r++) {
      const b = await cannon(bare, { 'content-type': 'application/json' });
      const a = await cannon(ref, authJson(ref));
      if (a.non2xx || a.errors || b.non2xx || b.errors) throw new Error(`throughput run had failures: reference non2xx ${a.non2xx} errors ${a.errors}, bare non2xx ${b.non2xx} errors ${b.errors}`);
      refRps.push(a.requests.average);
      bareRps.push(b.requests.average);
      log(`throughput round ${r + 1}/${P.throughputRounds}: reference cancel ${a.requests.average.toFixed(0)} req/s, bare {} ${b.requests.average.toFixed(0)} req/s`);
    }
  } finally {
    await Promise.all([ref.stop(), bare.stop()]);
  }
  return { refRps: median(refRps), bareRps: median(bareRps) };
}

// ---------------------------------------------------------------- (c) latency vs store size, (d) memory

/** Sequential keep-alive requests; the median and p99 latency in microseconds. */
async function latency(t: Target, method: 'GET' | 'POST', path: string, body: string | undefined, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(t.baseUrl);
  const one = () =>
    new Promise<number>((done, fail) => {
      const started = process.hrtime.bigint();
      const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers: { ...authJson(t), ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? done(Number(process.hrtime.bigint() - started) / 1000) : fail(new Error(`${method} ${path} answered ${res.statusCode}`))));
      });
      req.on('error', fail);
      req.end(body);
    });
  try {
    for (let i = 0; i < 50; i++) await one();
    const us: number[] = [];
    for (let i = 0; i < n; i++) us.push(await one());
    us.sort((a, b) => a - b);
    return { p50: median(us), p99: us[Math.floor(us.length * 0.99)] };
  } finally {
    agent.destroy();
  }
}

async function populate(t: Target, count: number) {
  if (count <= 0) return;
  const body = readFileSync(join(ROOT, 'fixtures/batch-translate-long.json'), 'utf8');
  const r = await autocannon({ url: `${t.baseUrl}/v3/projects/bench:batchTranslateDocument`, method: 'POST', headers: authJson(t), body, connections: 16, amount: count });
  if (r['2xx'] !== count) throw new Error(`populate: ${r['2xx']} of ${count} creates succeeded (non2xx ${r.non2xx}, errors ${r.errors})`);
}

async function storeBench() {
  const env = { BENCH_MAX_OPERATIONS: String(P.large * 2) };
  const small = await startTarget('reference', env);
  const large = await startTarget('reference', env);
  try {
    await populate(small, SMALL - 1);
    // (d): heap after gc at evenly spaced store sizes; the per-operation cost is the median slope.
    const started = performance.now();
    const sizes = [1];
    const heaps = [await large.heap()];
    const step = Math.floor(P.large / P.heapSteps);
    for (let i = 1; i <= P.heapSteps; i++) {
      const target = i === P.heapSteps ? P.large : step * i;
      await populate(large, target - sizes[sizes.length - 1]);
      sizes.push(target);
      heaps.push(await large.heap());
    }
    const populateMs = performance.now() - started;
    const slopes = heaps.slice(1).map((h, i) => (h - heaps[i]) / (sizes[i + 1] - sizes[i]));
    log(`store: ${P.large} operations created in ${(populateMs / 1000).toFixed(1)} s; heap per operation by step: ${slopes.map((s) => s.toFixed(0)).join(', ')} B`);

    const rows = { getSmall: [] as number[], getLarge: [] as number[], cancelSmall: [] as number[], cancelLarge: [] as number[], p99: { getSmall: [] as number[], getLarge: [] as number[], cancelSmall: [] as number[], cancelLarge: [] as number[] } };
    for (let r = 0; r < P.latencyRounds; r++) {
      for (const [key, t] of [['Small', small], ['Large', large]] as const) {
        const g = await latency(t, 'GET', `/v3/${t.probe}`, undefined, P.latencyRequests);
        const c = await latency(t, 'POST', `/v3/${t.probe}:cancel`, '{}', P.latencyRequests);
        rows[`get${key}`].push(g.p50);
        rows[`cancel${key}`].push(c.p50);
        rows.p99[`get${key}`].push(g.p99);
        rows.p99[`cancel${key}`].push(c.p99);
      }
      log(`latency round ${r + 1}/${P.latencyRounds}: get ${rows.getSmall[r].toFixed(0)} / ${rows.getLarge[r].toFixed(0)} µs, cancel ${rows.cancelSmall[r].toFixed(0)} / ${rows.cancelLarge[r].toFixed(0)} µs (${SMALL} / ${P.large} stored)`);
    }
    const m = (xs: number[]) => median(xs);
    return {
      getSmall: m(rows.getSmall), getLarge: m(rows.getLarge), cancelSmall: m(rows.cancelSmall), cancelLarge: m(rows.cancelLarge),
      p99: { getSmall: m(rows.p99.getSmall), getLarge: m(rows.p99.getLarge), cancelSmall: m(rows.p99.cancelSmall), cancelLarge: m(rows.p99.cancelLarge) },
      bytesPerOperation: median(slopes),
      populateRate: (P.large - 1) / (populateMs / 1000),
    };
  } finally {
    await Promise.all([small.stop(), large.stop()]);
  }
}

// ---------------------------------------------------------------- report

function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(1)).join(' '),
  };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'unknown');
const secs = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const cpuOf = (ms: number | undefined) => (ms === undefined ? '' : ` (CPU ${fmt(ms / 1000, 2)} s)`);

/** One row: what is measured, this run's value, its baseline, the ratio, the goal and whether it is met. */
interface Row {
  readonly measure: string;
  readonly subject: string;
  readonly baseline: string;
  readonly ratio: string;
  /** Issue 11's "now" column, measured before this work. */
  readonly before: string;
  readonly goal: string;
  readonly met?: boolean;
}

const mark = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'yes' : 'NO');

async function main() {
  const started = performance.now();
  log(`${QUICK ? 'quick smoke run' : 'full run'} on ${os.cpus().length} cores; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const suite = await suiteBench();
  const tp = await throughputBench();
  const store = await storeBench();
  const flake = await flakeBench(suite.fullMs);
  const npmTest = NPM_TEST ? await npmTestBench(NPM_TEST) : undefined;
  const totalS = (performance.now() - started) / 1000;
  const mach = machine();

  const wallRatio = suite.fullMs / suite.floorMs;
  const cpuRatio = suite.fullCpuMs !== undefined && suite.floorCpuMs ? suite.fullCpuMs / suite.floorCpuMs : undefined;
  const tpRatio = tp.refRps / tp.bareRps;
  const flat = (large: number, small: number) => large / small;
  const rows: Row[] = [
    { measure: '(a) operations created per run', subject: `${fmt(suite.operationsCreated)} (REST alone: ${fmt(suite.restOperations)})`, baseline: 'embedded, conformant, both doors', ratio: '', before: '25 (REST)', goal: '≤ 14 (REST alone ≤ 10)', met: suite.operationsCreated <= 14 && suite.restOperations <= 10 },
    { measure: '(b) requests per run', subject: `${fmt(suite.requests)} (REST alone: ${fmt(suite.restRequests)})`, baseline: 'both doors\' calls and the teardown\'s', ratio: `${fmt(suite.requests / Math.max(1, suite.operationsCreated), 1)} per operation`, before: '209 (REST)', goal: '≤ 250 (REST alone ≤ 150)', met: suite.requests <= 250 && suite.restRequests <= 150 },
    {
      measure: '(c) suite wall time, both doors', subject: `${P.fullLabel}: ${secs(suite.fullMs)}${cpuOf(suite.fullCpuMs)}`, baseline: `bare Playwright floor: ${secs(suite.floorMs)}${cpuOf(suite.floorCpuMs)}`,
      ratio: `${fmt(wallRatio, 2)}×${cpuRatio !== undefined ? ` (CPU ${fmt(cpuRatio, 2)}×)` : ''}`, before: '', goal: '≤ 2.5×', met: wallRatio <= 2.5,
    },
    {
      measure: '(c) suite wall time, REST alone', subject: `TRANSPORTS=rest: ${secs(suite.restMs)}${cpuOf(suite.restCpuMs)}`, baseline: `floor: ${secs(suite.floorMs)}`,
      ratio: `${fmt(suite.restMs / suite.floorMs, 2)}×`, before: '4.1× (CPU 5.6×)', goal: '≤ 2×', met: suite.restMs / suite.floorMs <= 2,
    },
    { measure: '(c) one-test run (fixed cost)', subject: `${ONE_TEST}: ${secs(suite.oneMs)}${cpuOf(suite.oneCpuMs)}`, baseline: `floor: ${secs(suite.floorMs)}`, ratio: `${fmt(suite.oneMs / suite.floorMs, 2)}×`, before: '', goal: '', met: undefined },
    {
      measure: '(d) npm test wall', subject: npmTest ? `${fmt(npmTest.ms / 60_000, 1)} min${npmTest.exitCode === 0 ? '' : ` (exit ${npmTest.exitCode})`}` : 'not measured (BENCH_NPM_TEST=1 or fresh)',
      baseline: npmTest?.where ?? '', ratio: '', before: '6.2–12 min', goal: '≤ 5 min', met: npmTest ? npmTest.ms <= 5 * 60_000 && npmTest.exitCode === 0 : undefined,
    },
    { measure: '(e) cancel throughput', subject: `reference server: ${fmt(tp.refRps)} req/s`, baseline: `bare node:http {}: ${fmt(tp.bareRps)} req/s`, ratio: `${fmt(tpRatio, 3)}×`, before: '0.10×', goal: '≥ 0.5×', met: tpRatio >= 0.5 },
    { measure: '(f) operations left running', subject: fmt(suite.operationsLeftRunning), baseline: 'worst of the full runs', ratio: '', before: 'not reported', goal: '0, reported', met: suite.operationsLeftRunning === 0 },
    { measure: '(g) get latency p50', subject: `${fmt(P.large)} stored: ${fmt(store.getLarge)} µs`, baseline: `${SMALL} stored: ${fmt(store.getSmall)} µs`, ratio: `${fmt(flat(store.getLarge, store.getSmall), 2)}×`, before: '1.03×', goal: 'flat (≤ 1.5×)', met: flat(store.getLarge, store.getSmall) <= 1.5 },
    { measure: '(g) cancel latency p50', subject: `${fmt(P.large)} stored: ${fmt(store.cancelLarge)} µs`, baseline: `${SMALL} stored: ${fmt(store.cancelSmall)} µs`, ratio: `${fmt(flat(store.cancelLarge, store.cancelSmall), 2)}×`, before: '0.92×', goal: 'flat (≤ 1.5×)', met: flat(store.cancelLarge, store.cancelSmall) <= 1.5 },
    { measure: '(g) get latency p99', subject: `${fmt(P.large)} stored: ${fmt(store.p99.getLarge)} µs`, baseline: `${SMALL} stored: ${fmt(store.p99.getSmall)} µs`, ratio: `${fmt(flat(store.p99.getLarge, store.p99.getSmall), 2)}×`, before: '1.12×', goal: '', met: undefined },
    { measure: '(g) cancel latency p99', subject: `${fmt(P.large)} stored: ${fmt(store.p99.cancelLarge)} µs`, baseline: `${SMALL} stored: ${fmt(store.p99.cancelSmall)} µs`, ratio: `${fmt(flat(store.p99.cancelLarge, store.p99.cancelSmall), 2)}×`, before: '0.87×', goal: '', met: undefined },
    {
      measure: `(i) flake: conformant, 10% transient faults, 0–${FLAKE.jitterMs} ms jitter`, subject: `${flake.green}/${flake.runs} CONFORMANT (exit 0); median ${secs(flake.medianMs)}, ${fmt(flake.medianRetries)} requests retried`,
      baseline: `quiet full run: ${secs(flake.quietMs)}`, ratio: `${fmt(flake.medianMs / flake.quietMs, 2)}× wall (the retries' and the jitter's cost)`, before: '8 requirements failed, NON-CONFORMANT', goal: `${flake.runs}/${flake.runs}`, met: flake.green === flake.runs,
    },
    { measure: '(h) heap per stored operation', subject: `${fmt(store.bytesPerOperation)} B`, baseline: 'heap delta / count, after gc', ratio: `${fmt((store.bytesPerOperation * 1e6) / 2 ** 20)} MiB per million`, before: '326 B', goal: '', met: undefined },
  ];
  const header = ['measure', 'this run', 'baseline (same run)', 'ratio', 'before (issue 11)', 'goal', 'met'];
  const cells = rows.map((r) => [r.measure, r.subject, r.baseline, r.ratio, r.before, r.goal, mark(r.met)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const table = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  const rounds = `medians of ${P.suiteRounds} interleaved suite rounds (floor, full run, one-test run) after one warm-up each, ${P.throughputRounds} throughput rounds of ${P.throughputSeconds} s, ${P.latencyRounds} latency rounds of ${P.latencyRequests} sequential requests`;
  console.log(`\n${table}\n\nmachine: ${mach.os}; ${mach.cpu}; ${mach.cores} cores; ${mach.memory}; node ${mach.node}; load at the end ${mach.load}\n${rounds}; bench took ${fmt(totalS, 0)} s; populate rate ${fmt(store.populateRate)} creates/s`);
  const result = { quick: QUICK, machine: mach, suite, throughput: tp, store, flake, npmTest, seconds: totalS, rows };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

  if (DOC) {
    const md = [
      '# Performance',
      '',
      `Generated by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}${QUICK ? ' in BENCH_QUICK mode (smoke numbers only)' : ''}. Every ratio is against a baseline measured in the same run, baseline and subject interleaved; ${rounds}. The bench took ${fmt(totalS, 0)} s. "Before" is issue 11's table, measured before the work it asked for.`,
      '',
      `**Machine:** ${mach.os}; ${mach.cpu}; ${mach.cores} cores; ${mach.memory} RAM; Node ${mach.node}; load average at the end ${mach.load}.`,
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...cells.map((c) => `| ${c.join(' | ')} |`),
      '',
      '## How each number is made',
      '',
      '- **(a), (b)** `operationsCreated` and `requests` from `reports/conformance-summary.json` of the full runs in (c): the ledger\'s count of every operation the run created (the cancel-support probe included), and every request sent, the teardown\'s included.',
      `- **(c)** \`npm run conformance\` as npm runs it (\`node scripts/conformance.mjs\`) against the embedded server with its default workers, each run into its own temporary reports folder, against the **bare Playwright floor**: Playwright's own CLI on \`${FLOOR_CONFIG}\`, one test making one \`request.post\` to a node:http \`webServer\`, one worker, no reporter but \`line\`. Both are launched by node directly, so npm's own start-up (the same for any script) is in neither. CPU is the user + system time of the run's whole process tree (\`/proc/self/stat\` cutime + cstime across the run). Report generation (\`npm run report\`) is not part of a run. The one-test row is the suite's fixed cost (start-up, global setup with the embedded server and the cancel-support probe, the teardown).`,
      '- **(d)** `npm test` (`scripts/test.ts`, which prints its own wall time), only with `BENCH_NPM_TEST=1` (in this tree) or `BENCH_NPM_TEST=fresh` (a fresh clone of HEAD through `bash .ci/run`; the time is `npm test`\'s own, without `npm ci`).',
      '- **(e)** autocannon, 10 connections, against `POST /v3/{name}:cancel` of a cancelled operation (a re-cancel answers 200 `{}`) with a valid bearer token, vs. a bare node:http server that answers `{}` to everything. Both targets run in a child process of their own, so the load generator has the other core.',
      '- **(f)** `operationsLeftRunning` of the summaries of (c): operations the run created that neither the run nor its teardown saw done (src/running/ledger.ts, src/running/teardown.ts); the worst of the rounds.',
      `- **(g)** sequential keep-alive requests (after a warm-up of 50) for GET and for cancel of a cancelled operation, against a server holding ${SMALL} operations and one holding ${fmt(P.large)} (created through the API with autocannon at ~${fmt(store.populateRate)} creates/s; REFERENCE_MAX_OPERATIONS raised). Median and p99 per round, then the median of the rounds.`,
      '- **(h)** the growing server\'s `heapUsed` after three `global.gc()` calls (`--expose-gc`) at evenly spaced store sizes; the heap delta divided by the operations added, median over the steps.',
      '',
      '## Reading the numbers',
      '',
      '- The store is a Map and every state is computed from timestamps on read, so get and cancel latency should not depend on the store size: a ratio near 1.0 in (g) is the expected result, and anything far above it is a regression.',
      '- (e) is the price of the fastify routing, JWT verification and the envelope machinery per request, relative to the cheapest possible HTTP answer on the same machine.',
      '- Absolute numbers move with the machine and its load (these machines are shared): compare ratios between runs, not raw values.',
      '',
    ].join('\n');
    writeFileSync(DOC, md);
    log(`wrote ${DOC}`);
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
