// `npm test`: the typecheck, then the self-tests (extra arguments go to Playwright), then the
// wall time of each and of both, and the Node that ran them, so a slow suite shows in every CI log
// (goal: under 5 minutes on 2 cores). A Ctrl-C or SIGTERM is passed on to the step that runs.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { enableKeptCompileCache } from '../src/running/compile-cache.mjs';

// Every process of the self-tests (about 400) reuses what Node compiled before, as npm run conformance does.
enableKeptCompileCache();

const STEPS: readonly { name: string; args: string[] }[] = [
  { name: 'typecheck', args: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'] },
  { name: 'self-tests', args: ['node_modules/@playwright/test/cli.js', 'test', '-c', 'selftest/playwright.config.ts', ...process.argv.slice(2)] },
];

const seconds = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

function run(args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM'] as const;
  signals.forEach((s) => process.on(s, forward));
  return new Promise((done) => child.on('close', (code, signal) => {
    signals.forEach((s) => process.off(s, forward));
    done(code ?? 128 + (signal ? constants.signals[signal] : 0));
  }));
}

const started = performance.now();
const timings: string[] = [];
let status = 0;
for (const step of STEPS) {
  const stepStarted = performance.now();
  status = await run(step.args);
  timings.push(`${step.name} ${seconds(performance.now() - stepStarted)}`);
  if (status !== 0) break;
}
console.log(`\nnpm test: ${status === 0 ? 'passed' : `failed (exit ${status})`} in ${seconds(performance.now() - started)} wall on Node ${process.versions.node} (${timings.join(', ')})`);
process.exit(status);
