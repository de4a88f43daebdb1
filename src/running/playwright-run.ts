// `npm run conformance` runs Playwright as a child and stays responsive while it runs, so an
// interrupted run still cleans up: SIGINT, SIGTERM and SIGHUP to the wrapper become a SIGINT to
// Playwright (the only signal it handles gracefully: it stops the workers, then runs the global
// teardown, which cancels what the run left running, then the reporters).
// If Playwright never got to its teardown (killed, or its setup failed), the wrapper sweeps the
// ledger itself, against an external target; an embedded target died with Playwright.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isEmbeddedTarget } from './config';
import { LEDGER_FILE, LEDGER_VARIABLE, ledgerCounts, readLedger } from './ledger';

export interface PlaywrightRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The first signal the wrapper received and passed on, if any. */
  readonly interrupted?: NodeJS.Signals;
  readonly error?: Error;
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StartedPlaywright {
  readonly done: Promise<PlaywrightRun>;
  /** Kills a Playwright that is still held (src/running/handoff.ts): it has printed and written nothing yet. */
  abandon(): void;
}

/**
 * How long Playwright may take to stop its workers after the interrupt. A worker still starting
 * when the SIGINT came never hears Playwright's stop, and Playwright waits for it for ever.
 */
const WORKER_STOP_GRACE_MS = 15_000;

/** Ends the processes `parent` started (Playwright's workers), so that Playwright goes on to its teardown. */
function endChildrenOf(parent: number): void {
  let table: string;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return;
  }
  for (const [pid, ppid] of table.split('\n').map((l) => l.trim().split(/\s+/).map(Number))) {
    if (ppid === parent && pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Playwright's CLI as scripts/conformance.mjs started it: its signals, its end. */
export function watchPlaywright(child: ChildProcess, graceMs = WORKER_STOP_GRACE_MS): StartedPlaywright {
  let interrupted: NodeJS.Signals | undefined;
  let escalation: NodeJS.Timeout | undefined;
  const forward = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    // A terminal's Ctrl-C reaches Playwright too; it ignores a second SIGINT within a second.
    if (child.exitCode === null) child.kill('SIGINT');
    // Its tests then count as interrupted (src/reporting/summary-reporter.ts), and the teardown still runs.
    escalation ??= setTimeout(() => child.pid && endChildrenOf(child.pid), graceMs).unref();
  };
  FORWARDED.forEach((s) => process.on(s, forward));
  const stopForwarding = () => {
    clearTimeout(escalation);
    FORWARDED.forEach((s) => process.off(s, forward));
  };
  const done = new Promise<PlaywrightRun>((resolve) => {
    const finish = (run: Omit<PlaywrightRun, 'interrupted'>) => {
      stopForwarding();
      resolve({ ...run, ...(interrupted ? { interrupted } : {}) });
    };
    child.once('error', (error) => finish({ status: null, signal: null, error }));
    child.once('exit', (status, signal) => finish({ status, signal }));
  });
  return {
    done,
    abandon() {
      stopForwarding();
      child.kill('SIGKILL');
    },
  };
}

/**
 * After Playwright exited: when its teardown did not run and the target is external, sweep the
 * ledger here and write the new counts into the summary (if there is one).
 */
export async function sweepIfTeardownMissed(reportsDir: string, summaryFile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = resolve(reportsDir, LEDGER_FILE);
  const state = existsSync(file) ? readLedger(file) : undefined;
  // A create cut off in flight (a kill during the probe's first one) has nothing to sweep, but its warning must still be said.
  if (!state || state.sweepDone || (state.created.length === 0 && state.unanswered.length === 0) || isEmbeddedTarget(env)) return;
  // In a process of its own: a Ctrl-C reached the whole process group, tsx's esbuild service
  // included, so this one may no longer load TypeScript it has not loaded yet.
  const sweep = `import { sweepLedger } from ${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, 'teardown.ts')).href)}; await sweepLedger();`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '--eval', sweep], { stdio: 'inherit', env: { ...env, [LEDGER_VARIABLE]: file } });
  const code = await new Promise<number | null>((done) => child.once('error', () => done(null)).once('exit', done));
  if (code !== 0) console.error(`lro-cancel-conformance: the teardown's sweep of ${file} failed (exit ${code}); the operations it names may still run`);
  const after = readLedger(file);
  if (!after || !existsSync(summaryFile)) return;
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { requests?: number; teardownRequests?: number };
  const { teardownRequests, ...counts } = ledgerCounts(after);
  const requests = (summary.requests ?? 0) - (summary.teardownRequests ?? 0) + teardownRequests;
  writeFileSync(summaryFile, JSON.stringify({ ...summary, requests, ...counts, teardownRequests }, null, 2) + '\n');
}
