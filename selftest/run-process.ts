// A child process of a self-test: its stdout and stderr as one text, killed outright at the bound
// (a hung run ends the test with its output instead of Playwright's timeout).
import { spawn, type SpawnOptions } from 'node:child_process';

export interface Ran {
  /** null when it was killed (the bound, or a signal). */
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

export function runProcess(command: string, args: readonly string[], options: Pick<SpawnOptions, 'cwd' | 'env'> & { timeoutMs: number }): Promise<Ran> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((done) => child.on('close', (code) => {
    clearTimeout(timer);
    done({ code, output, ms: performance.now() - started });
  }));
}
