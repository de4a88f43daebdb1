// Runs the real `npm run conformance` entry point as users do, in its own output folders,
// and returns its exit status and summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Summary {
  verdict: 'conformant' | 'non-conformant' | 'incomplete';
  requests: number;
  operationsCreated: number;
  suiteErrors: string[];
  requirements: { id: string; level: string; status: string; reason: string; partial?: true }[];
}

export interface ConformanceRun {
  exitCode: number | null;
  summary?: Summary;
  output: string;
  dir: string;
  ms: number;
}

export function runConformance(env: Record<string, string>, { timeoutMs = 240_000, args = [] as string[] } = {}): Promise<ConformanceRun> {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-run-'));
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/conformance.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      CI: '',
      REPORTS_DIR: join(dir, 'reports'),
      ALLURE_RESULTS_DIR: join(dir, 'allure-results'),
      DOTENV_CONFIG_PATH: join(dir, 'no.env'),
      CONFORMANCE_WORKERS: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done) => {
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      let summary: Summary | undefined;
      try {
        summary = JSON.parse(readFileSync(join(dir, 'reports/conformance-summary.json'), 'utf8')) as Summary;
      } catch {
        summary = undefined;
      }
      done({ exitCode, summary, output, dir, ms: Date.now() - started });
    });
  });
}
