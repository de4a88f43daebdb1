// `npm run bench`: performance of the suite and of the reference server, as ratios against
// baselines measured in the same run (medians of several rounds, baseline and subject
// interleaved, because these machines are noisy). Prints a table and writes docs/performance.md.
//   BENCH_QUICK=1  a smoke run: one round each, short durations, a small store, a grep'd suite.
//   BENCH_DOC      where to write the markdown (default docs/performance.md; quick mode: nowhere).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { Ready } from './bench/target';

const ROOT = resolve(import.meta.dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const DOC = process.env.BENCH_DOC ?? (QUICK ? '' : join(ROOT, 'docs/performance.md'));
const P = QUICK
  ? { suiteRounds: 1, fullArgs: ['--grep', '@cancel.request'], fullLabel: 'suite subset (@cancel.request, quick mode)', throughputRounds: 1, throughputSeconds: 1, large: 5_000, latencyRounds: 1, latencyRequests: 200, heapSteps: 2 }
  : { suiteRounds: 3, fullArgs: [] as string[], fullLabel: 'full conformance run', throughputRounds: 3, throughputSeconds: 4, large: 100_000, latencyRounds: 3, latencyRequests: 1000, heapSteps: 4 };
const SMALL = 100;
const ONE_TEST = '@cancel.request.empty-object';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

// ---------------------------------------------------------------- (a) + (e) the conformance run

interface SuiteRun {
  ms: number;
  exitCode: number | null;
  requests?: number;
  operationsCreated?: number;
}

function conformance(args: string[]): Promise<SuiteRun> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-conformance-'));
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/conformance.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: '', REPORTS_DIR: join(dir, 'reports'), ALLURE_RESULTS_DIR: join(dir, 'allure-results'), DOTENV_CONFIG_PATH: join(dir, 'no.env'), TARGET_BASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((done) =>
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let summary: { requests?: number; operationsCreated?: number } = {};
      try {
        summary = JSON.parse(readFileSync(join(dir, 'reports/conformance-summary.json'), 'utf8'));
      } catch {
        log(`conformance ${args.join(' ')} wrote no summary (exit ${exitCode}): ${stderr.slice(-500)}`);
      }
      rmSync(dir, { recursive: true, force: true });
      done({ ms, exitCode, requests: summary.requests, operationsCreated: summary.operationsCreated });
    }),
  );
}

async function suiteBench() {
  const one: SuiteRun[] = [];
  const full: SuiteRun[] = [];
  for (let r = 0; r < P.suiteRounds; r++) {
    one.push(await conformance(['--grep', ONE_TEST]));
    full.push(await conformance(P.fullArgs));
    log(`suite round ${r + 1}/${P.suiteRounds}: one test ${(one[r].ms / 1000).toFixed(1)} s, ${P.fullLabel} ${(full[r].ms / 1000).toFixed(1)} s (exit ${full[r].exitCode})`);
  }
  const bad = full.find((f) => f.requests === undefined);
  if (bad) throw new Error(`the ${P.fullLabel} produced no summary (exit ${bad.exitCode})`);
  return {
    oneMs: median(one.map((r) => r.ms)),
    fullMs: median(full.map((r) => r.ms)),
    fullExit: full.map((r) => r.exitCode),
    requests: median(full.map((r) => r.requests!)),
    operationsCreated: median(full.map((r) => r.operationsCreated!)),
  };
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
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  const started = performance.now();
  log(`${QUICK ? 'quick smoke run' : 'full run'} on ${os.cpus().length} cores`);
  const suite = await suiteBench();
  const tp = await throughputBench();
  const store = await storeBench();
  const totalS = (performance.now() - started) / 1000;
  const mach = machine();

  const rows: [string, string, string, string][] = [
    ['(a) suite wall time', `${P.fullLabel}: ${fmt(suite.fullMs / 1000, 1)} s`, `one test (${ONE_TEST}): ${fmt(suite.oneMs / 1000, 1)} s`, `${fmt(suite.fullMs / suite.oneMs, 2)}×`],
    ['(b) cancel throughput', `reference server: ${fmt(tp.refRps)} req/s`, `bare node:http {}: ${fmt(tp.bareRps)} req/s`, `${fmt(tp.refRps / tp.bareRps, 3)}×`],
    ['(c) get latency p50', `${fmt(P.large)} stored: ${fmt(store.getLarge)} µs`, `${SMALL} stored: ${fmt(store.getSmall)} µs`, `${fmt(store.getLarge / store.getSmall, 2)}×`],
    ['(c) cancel latency p50', `${fmt(P.large)} stored: ${fmt(store.cancelLarge)} µs`, `${SMALL} stored: ${fmt(store.cancelSmall)} µs`, `${fmt(store.cancelLarge / store.cancelSmall, 2)}×`],
    ['(c) get latency p99', `${fmt(P.large)} stored: ${fmt(store.p99.getLarge)} µs`, `${SMALL} stored: ${fmt(store.p99.getSmall)} µs`, `${fmt(store.p99.getLarge / store.p99.getSmall, 2)}×`],
    ['(c) cancel latency p99', `${fmt(P.large)} stored: ${fmt(store.p99.cancelLarge)} µs`, `${SMALL} stored: ${fmt(store.p99.cancelSmall)} µs`, `${fmt(store.p99.cancelLarge / store.p99.cancelSmall, 2)}×`],
    ['(d) heap per stored operation', `${fmt(store.bytesPerOperation)} B`, `heap delta / count, after gc`, `${fmt((store.bytesPerOperation * 1e6) / 2 ** 20)} MiB per million`],
    ['(e) per conformance run', `${fmt(suite.requests)} requests, ${fmt(suite.operationsCreated)} LROs`, `one test: see (a)`, `${fmt(suite.requests / Math.max(1, suite.operationsCreated), 1)} requests per LRO`],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['measure', 'subject', 'baseline', 'ratio'][i].length));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  const table = [line(['measure', 'subject', 'baseline', 'ratio']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
  const rounds = `medians of ${P.suiteRounds} suite rounds, ${P.throughputRounds} throughput rounds of ${P.throughputSeconds} s, ${P.latencyRounds} latency rounds of ${P.latencyRequests} sequential requests`;
  console.log(`\n${table}\n\nmachine: ${mach.os}; ${mach.cpu}; ${mach.cores} cores; ${mach.memory}; node ${mach.node}\n${rounds}; bench took ${fmt(totalS, 0)} s; populate rate ${fmt(store.populateRate)} creates/s`);
  const result = { quick: QUICK, machine: mach, suite, throughput: tp, store, seconds: totalS };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

  if (DOC) {
    const md = [
      '# Performance',
      '',
      `Generated by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}${QUICK ? ' in BENCH_QUICK mode (smoke numbers only)' : ''}. Every number is a ratio against a baseline measured in the same run, baseline and subject interleaved; ${rounds}. The bench took ${fmt(totalS, 0)} s.`,
      '',
      `**Machine:** ${mach.os}; ${mach.cpu}; ${mach.cores} cores; ${mach.memory} RAM; Node ${mach.node}.`,
      '',
      '| measure | subject | baseline | ratio |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      '## How each number is made',
      '',
      `- **(a)** \`npm run conformance\` against the embedded server (default workers), each run into its own temporary reports folder, vs. the same command with \`--grep ${ONE_TEST}\`: the fixed cost of a run (Playwright start, global setup, the embedded server and its issuer, token minting) against the whole suite.`,
      '- **(b)** autocannon, 10 connections, against `POST /v3/{name}:cancel` of a cancelled operation (a re-cancel answers 200 `{}`) with a valid bearer token, vs. a bare node:http server that answers `{}` to everything. Both targets run in a child process of their own, so the load generator has the other core.',
      `- **(c)** sequential keep-alive requests (after a warm-up of 50) for GET and for cancel of a cancelled operation, against a server holding ${SMALL} operations and one holding ${fmt(P.large)} (created through the API with autocannon at ~${fmt(store.populateRate)} creates/s; REFERENCE_MAX_OPERATIONS raised). Median and p99 per round, then the median of the rounds.`,
      '- **(d)** the growing server\'s `heapUsed` after three `global.gc()` calls (`--expose-gc`) at evenly spaced store sizes; the heap delta divided by the operations added, median over the steps.',
      '- **(e)** `requests` and `operationsCreated` from `reports/conformance-summary.json` of the full runs in (a).',
      '',
      '## Reading the numbers',
      '',
      '- The store is a Map and every state is computed from timestamps on read, so get and cancel latency should not depend on the store size: a ratio near 1.0 in (c) is the expected result, and anything far above it is a regression.',
      '- (b) is the price of the fastify routing, JWT verification (RS256) and the envelope machinery per request, relative to the cheapest possible HTTP answer on the same machine.',
      '- Absolute numbers move with the machine and its load; compare ratios between runs, not raw values.',
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
