// `npm run conformance`. Playwright's own start-up (about half a second) is the longest step before
// the first test, so it comes first: Playwright starts held (it waits in playwright.config.ts,
// src/running/handoff.ts) while TypeScript loads and scripts/conformance.ts checks the configuration.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { enableKeptCompileCache } from '../src/running/compile-cache.mjs';

enableKeptCompileCache();

const args = process.argv.slice(2);
const release = { variable: 'CONFORMANCE_RELEASE_FILE', file: join(mkdtempSync(join(tmpdir(), 'lro-cancel-conformance-')), 'release.json') };
const startedWith = { ...process.env };
const started = [];
/** Playwright's CLI with the wrapper's arguments, held until the release file is written. */
const startPlaywright = (env = process.env) => {
  const child = spawn(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...args], { stdio: 'inherit', env: { ...env, [release.variable]: release.file } });
  started.push(child);
  return child;
};
// However the wrapper ends (a configuration error, a crash), no Playwright it started outlives it.
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dirname(release.file), { recursive: true, force: true });
});
// Until scripts/conformance.ts watches it, Playwright is held and has done nothing: a signal ends both
// at once. The handlers come first, so no signal finds a Playwright started and the wrapper without them.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const endHeld = (signal) => process.exit(128 + constants.signals[signal]);
SIGNALS.forEach((s) => process.on(s, endHeld));
const first = startPlaywright();

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./conformance.ts');
// A signal that came while the import blocked this thread (a loader waits synchronously) is still
// queued: one turn of the event loop delivers it here, before the handlers change.
await new Promise((resolve) => setImmediate(resolve));
// main() watches Playwright before its first await, so a signal always has a handler.
const running = main({ args, release, startedWith, first, startPlaywright });
SIGNALS.forEach((s) => process.off(s, endHeld));
await running;
