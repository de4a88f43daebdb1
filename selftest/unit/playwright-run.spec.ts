// The wrapper's watch over Playwright (src/running/playwright-run.ts): a Playwright that, after the
// interrupt, waits for a worker that never heard the stop is unblocked by ending that worker.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from '@playwright/test';
import { watchPlaywright } from '../../src/running/playwright-run';

test('after an interrupt, a worker that does not stop within the grace is ended, and Playwright finishes its own way', async () => {
  // A stand-in runner: takes SIGINT gracefully, then waits for its one worker, which ignores everything.
  const runner = spawn(process.execPath, ['-e', `
    process.on('SIGINT', () => console.log('runner: SIGINT, waiting for the worker'));
    const worker = require('node:child_process').spawn(process.execPath, ['-e', 'process.on("SIGINT", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    worker.on('exit', (code, signal) => { console.log('runner: worker ended by ' + signal); process.exit(0); });
    process.send('started');
  `], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let output = '';
  runner.stdout!.on('data', (d) => (output += d));
  await once(runner, 'message');
  const watched = watchPlaywright(runner, 500);
  const started = Date.now();
  // As Node delivers a signal to its listeners: with the signal's name.
  (process.emit as (event: string, signal: string) => boolean)('SIGHUP', 'SIGHUP');
  const run = await watched.done;
  expect(run).toMatchObject({ status: 0, interrupted: 'SIGHUP' });
  expect(output).toContain('runner: SIGINT, waiting for the worker');
  expect(output).toContain('runner: worker ended by SIGKILL');
  expect(Date.now() - started).toBeGreaterThanOrEqual(450);
});
