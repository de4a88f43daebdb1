// The wrapper's handoff to the Playwright it started: the release carries the variables set
// while Playwright booted; a held Playwright never outlives the wrapper, and a configuration
// error kills it before it has written anything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { RELEASE_VARIABLE, awaitRelease, changedSince, publish } from '../../src/running/handoff';
import { ROOT } from '../matrix/run-conformance';

const releaseIn = () => join(mkdtempSync(join(tmpdir(), 'handoff-')), 'release.json');

test('a held Playwright waits for the release, takes its variables, and its workers do not wait', async () => {
  const file = releaseIn();
  const env: NodeJS.ProcessEnv = { [RELEASE_VARIABLE]: file, KEPT: 'as it was' };
  const waiting = awaitRelease(env);
  await new Promise((r) => setTimeout(r, 50));
  expect(env.REPORTS_DIR).toBeUndefined();
  publish(file, { variables: changedSince({ KEPT: 'as it was' }, { KEPT: 'as it was', REPORTS_DIR: 'reports/shards/1-of-2' }) });
  await waiting;
  expect(env).toEqual({ KEPT: 'as it was', REPORTS_DIR: 'reports/shards/1-of-2' });
});

test('a wrapper that exits before the release ends the wait at once, with the reason', async () => {
  const file = releaseIn();
  const waiting = awaitRelease({ [RELEASE_VARIABLE]: file });
  rmSync(join(file, '..'), { recursive: true });
  await expect(waiting).rejects.toThrow('npm run conformance did not finish checking the configuration: the process that started this one exited first');
});

/** Processes whose environment holds `marker` (Linux /proc). */
const processesWith = (marker: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/environ`, 'utf8').includes(marker);
  } catch {
    return false;
  }
});

test('a configuration error kills the held Playwright: one message, exit 3, nothing written, no process left', () => {
  test.skip(!existsSync('/proc/self/environ'), 'needs /proc');
  const reports = join(mkdtempSync(join(tmpdir(), 'handoff-run-')), 'reports');
  const r = spawnSync(process.execPath, ['scripts/conformance.mjs'], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_PATH: join(reports, '..', 'no.env'), REPORTS_DIR: reports, CANCEL_SETTLE_TIMEOUT: 'soon' },
  });
  expect(r.status, r.stdout + r.stderr).toBe(3);
  expect((r.stdout + r.stderr).trim()).toBe('lro-cancel-conformance: configuration error: CANCEL_SETTLE_TIMEOUT: "soon" is not a positive number. Set it to e.g. 30.');
  expect(existsSync(reports)).toBe(false);
  expect(processesWith(`REPORTS_DIR=${reports}`)).toEqual([]);
});

test('a SIGTERM while Playwright is still held ends the run at once (exit 143), with nothing left behind', async () => {
  test.skip(!existsSync('/proc/self/environ'), 'needs /proc');
  const reports = join(mkdtempSync(join(tmpdir(), 'handoff-run-')), 'reports');
  const child = spawn(process.execPath, ['scripts/conformance.mjs'], {
    cwd: ROOT, stdio: 'ignore',
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_PATH: join(reports, '..', 'no.env'), REPORTS_DIR: reports },
  });
  // Signalled as soon as the held Playwright exists: the wrapper is then still loading TypeScript,
  // which blocks its thread (a signal must not be lost there: it once was, on Node 24).
  const marker = `REPORTS_DIR=${reports}`;
  const playwrightStarted = () => processesWith(marker).some((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('@playwright/test/cli.js');
    } catch {
      return false;
    }
  });
  await expect.poll(playwrightStarted, { intervals: [5], timeout: 10_000 }).toBe(true);
  expect(existsSync(reports), 'not yet released').toBe(false);
  child.kill('SIGTERM');
  const status = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  expect(status).toBe(143);
  expect(processesWith(marker)).toEqual([]);
  expect(existsSync(reports)).toBe(false);
});
