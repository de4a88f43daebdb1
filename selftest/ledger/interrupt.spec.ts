// Leave nothing running: a real `npm run conformance` is interrupted mid-way, and the target
// must be left with no running operation, and the summary must say so.
// The target is a reference server run here, in the test process, so it outlives the run
// (an embedded one dies with it, and could not be asked afterwards). Its cancel lands after
// 600 ms, so the run always has operations running or cancelling when it is interrupted.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startReferenceServer, TRANSLATION_SCOPE, type RunningReference } from '../../reference-server/index';
import { parseLedger } from '../../src/running/ledger';
import { ROOT } from '../matrix/run-conformance';

const PARENT = 'projects/conformance';

async function mint(ref: RunningReference): Promise<string> {
  const response = await fetch(ref.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('interrupt-test:secret').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: TRANSLATION_SCOPE }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Names of the operations not done on the target: those listed under PARENT, and any other the ledger names. */
async function runningOn(ref: RunningReference, token: string, alsoCheck: readonly string[]): Promise<string[]> {
  const headers = { authorization: `Bearer ${token}` };
  const listed = await fetch(`${ref.baseUrl}/v3/${PARENT}/operations?filter=done%3Dfalse&pageSize=1000`, { headers });
  expect(listed.status).toBe(200);
  const running = new Set(((await listed.json()) as { operations?: { name: string }[] }).operations?.map((o) => o.name) ?? []);
  for (const name of alsoCheck.filter((n) => !n.startsWith(`${PARENT}/`))) {
    const got = await fetch(`${ref.baseUrl}/v3/${name}`, { headers });
    if (got.status === 200 && ((await got.json()) as { done?: boolean }).done !== true) running.add(name);
  }
  return [...running].sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const childrenOf = (pid: number) => execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);

interface Interrupted {
  exitCode: number | null;
  output: string;
  runningAtInterrupt: string[];
  runningAfter: string[];
  ledger: ReturnType<typeof parseLedger>;
  summary?: { operationsCreated?: number; operationsLeftRunning?: number; verdict?: string; requests?: number; teardownRequests?: number };
}

/** Starts `npm run conformance` against `ref`, waits until `created` operations run on it, interrupts it with `stop`, then looks. */
async function interruptedRun(stop: (npm: ChildProcess) => void, { env = {}, created = 2 }: { env?: NodeJS.ProcessEnv; created?: number } = {}): Promise<Interrupted> {
  const ref = await startReferenceServer({ cancelDelayMs: 600 });
  const dir = mkdtempSync(join(tmpdir(), 'interrupt-'));
  const ledgerFile = join(dir, 'reports/operations-ledger.jsonl');
  const readNames = () => (existsSync(ledgerFile) ? parseLedger(readFileSync(ledgerFile, 'utf8')).created : []);
  try {
    const token = await mint(ref);
    // Its own process group, as a terminal gives a command: a Ctrl-C reaches every process of it.
    const npm = spawn('npm', ['run', 'conformance'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env, CI: '', DOTENV_CONFIG_PATH: join(dir, 'no.env'), REPORTS_DIR: join(dir, 'reports'), ALLURE_RESULTS_DIR: join(dir, 'allure-results'),
        TARGET_BASE_URL: ref.baseUrl, AUTH_TOKEN_URL: ref.tokenUrl, AUTH_CLIENT_ID: 'interrupt-test', AUTH_CLIENT_SECRET: 'interrupt-test-secret',
        TARGET_PARENT: PARENT, CONFORMANCE_WORKERS: '2', ...env,
      },
    });
    let output = '';
    npm.stdout!.on('data', (d) => (output += d));
    npm.stderr!.on('data', (d) => (output += d));
    const closed = new Promise<number | null>((done) => npm.on('close', done));
    let runningAtInterrupt: string[] = [];
    for (const deadline = Date.now() + 90_000; runningAtInterrupt.length === 0; await sleep(50)) {
      if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`the run ended (or took too long) before operations ran on the target:\n${output.slice(-3000)}`);
      if (readNames().length >= created) runningAtInterrupt = await runningOn(ref, token, readNames());
    }
    stop(npm);
    // A run that does not end after its interrupt is the failure: say which of its processes were left, and what it printed.
    let hung: string | undefined;
    const watchdog = setTimeout(() => {
      hung = execFileSync('ps', ['-eo', 'pid,ppid,pgid,stat,etime,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim().split(/\s+/)[2] === String(npm.pid)).join('\n');
      process.kill(-npm.pid!, 'SIGKILL');
    }, 60_000);
    const exitCode = await closed;
    clearTimeout(watchdog);
    if (hung !== undefined) {
      throw new Error(`the run did not end within 60 s of its interrupt (npm ${npm.exitCode === null ? 'was still running' : `had exited with ${npm.exitCode}`}); its process group then:\n${hung}\nIt printed:\n${output.slice(-4000)}`);
    }
    const ledger = parseLedger(readFileSync(ledgerFile, 'utf8'));
    const summaryFile = join(dir, 'reports/conformance-summary.json');
    return {
      exitCode, output, runningAtInterrupt, ledger,
      runningAfter: await runningOn(ref, token, ledger.created),
      summary: existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined,
    };
  } finally {
    await ref.close();
  }
}

function expectNothingLeftRunning(run: Interrupted) {
  // The interrupt hit a run with work in flight, so there was something to clean up.
  expect(run.runningAtInterrupt.length, run.output).toBeGreaterThan(0);
  expect(run.runningAfter, run.output).toEqual([]);
  expect(run.ledger.sweepDone, run.output).toBe(true);
  expect(run.summary?.operationsLeftRunning, run.output).toBe(0);
  expect(run.summary?.operationsCreated).toBe(run.ledger.created.length);
  expect(run.summary?.teardownRequests).toBeGreaterThan(0);
  // An interrupted run is never a verdict of conformance.
  expect(run.exitCode, run.output).toBe(2);
  expect(run.summary?.verdict).toBe('incomplete');
}

test.describe('an interrupted run leaves nothing running', () => {
  test.describe.configure({ timeout: 150_000 });

  test('Ctrl-C (SIGINT to the whole process group) mid-run', async () => {
    const run = await interruptedRun((npm) => process.kill(-npm.pid!, 'SIGINT'));
    expectNothingLeftRunning(run);
    expect(run.output).toContain('interrupted (SIGINT)');
  });

  test('Ctrl-C on a first run (empty TMPDIR: tsx and Playwright transform every file) as the probe creates its first operation', async () => {
    // Playwright's teardown never runs (its setup did not return), and the Ctrl-C also stopped tsx's esbuild
    // service, so the wrapper's own sweep must not need TypeScript it had not loaded.
    const run = await interruptedRun((npm) => process.kill(-npm.pid!, 'SIGINT'), { env: { TMPDIR: mkdtempSync(join(tmpdir(), 'interrupt-cold-')) }, created: 1 });
    expectNothingLeftRunning(run);
    expect(run.output).not.toContain('TransformError');
  });

  test('SIGTERM to npm alone, as a CI runner cancels a job', async () => {
    const run = await interruptedRun((npm) => npm.kill('SIGTERM'));
    expectNothingLeftRunning(run);
    expect(run.output).toContain('interrupted (SIGTERM)');
  });

  test('Playwright killed outright (SIGKILL, no teardown): npm run conformance sweeps the ledger itself', async () => {
    // npm runs the wrapper (exec), the wrapper runs Playwright: kill the runner, not the wrapper.
    const run = await interruptedRun((npm) => childrenOf(childrenOf(npm.pid!)[0]!).forEach((pid) => process.kill(pid, 'SIGKILL')));
    expect(run.runningAtInterrupt.length, run.output).toBeGreaterThan(0);
    expect(run.runningAfter, run.output).toEqual([]);
    expect(run.ledger.sweepDone, run.output).toBe(true);
    expect(run.output).toContain('lro-cancel-conformance: teardown:');
  });
});
