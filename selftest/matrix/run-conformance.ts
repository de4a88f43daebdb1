// Runs the real `npm run conformance` entry point as users do, in its own output folders,
// and returns its exit status and summary.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runProcess } from '../run-process';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Summary {
  verdict: 'conformant' | 'non-conformant' | 'incomplete';
  requests: number;
  operationsCreated: number;
  operationsLeftRunning?: number;
  teardownRequests?: number;
  suiteErrors: string[];
  requirements: { id: string; level: string; status: string; reason: string; partial?: true; doors?: Record<string, { status: string; reason: string }> }[];
}

export interface ConformanceRun {
  exitCode: number | null;
  summary?: Summary;
  output: string;
  dir: string;
  ms: number;
}

/**
 * `keepAllure: false` (a caller that reads only the summary): the Allure results go to memory
 * (/dev/shm, where the fsync allure-js-commons does per file costs nothing) and are removed after the run.
 */
export async function runConformance(env: Record<string, string>, { timeoutMs = 240_000, args = [] as string[], keepAllure = true } = {}): Promise<ConformanceRun> {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-run-'));
  const allureDir = keepAllure || !existsSync('/dev/shm') ? join(dir, 'allure-results') : mkdtempSync('/dev/shm/conformance-allure-');
  // As `npm run conformance` execs it: one node process, no tsx launcher in between.
  const { code: exitCode, output, ms } = await runProcess(process.execPath, ['scripts/conformance.mjs', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      CI: '',
      REPORTS_DIR: join(dir, 'reports'),
      ALLURE_RESULTS_DIR: allureDir,
      DOTENV_CONFIG_PATH: join(dir, 'no.env'),
      // The default: more workers only add start-up cost (a worker is started again after every failed test).
      CONFORMANCE_WORKERS: '1',
      ...env,
    },
    timeoutMs,
  });
  if (!keepAllure) rmSync(allureDir, { recursive: true, force: true });
  let summary: Summary | undefined;
  try {
    summary = JSON.parse(readFileSync(join(dir, 'reports/conformance-summary.json'), 'utf8')) as Summary;
  } catch {
    summary = undefined;
  }
  return { exitCode, summary, output, dir, ms: Math.round(ms) };
}
