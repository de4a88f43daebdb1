// Files through which `npm run conformance` hands things to the Playwright run it started: the
// release (the configuration is checked; these are the variables it set meanwhile) and the
// embedded target (src/running/embedded-target.ts). Each is written once, atomically, and polled for.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type Published = { variables: Readonly<Record<string, string>> } | { error: string };

export function publish(file: string, content: Published): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
}

/**
 * The published variables, once they are there. `what` says what did not happen, for the errors:
 * a timeout, or (`publisherGone`) the process that was to publish them exiting first.
 */
export async function awaitPublished(file: string, what: string, { timeoutMs = 60_000, publisherGone = () => false }: { timeoutMs?: number; publisherGone?: () => boolean } = {}): Promise<Readonly<Record<string, string>>> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (publisherGone()) throw new Error(`${what}: the process that started this one exited first`);
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s (nothing was published to ${file})`);
    await sleep(5);
  }
  const published = JSON.parse(readFileSync(file, 'utf8')) as Published;
  if ('error' in published) throw new Error(published.error);
  return published.variables;
}

/**
 * Set while the wrapper checks the configuration: Playwright boots meanwhile (half a second of its
 * own) and waits in playwright.config.ts, before reading any variable, until the release is there.
 * A configuration error kills it there, before it has printed or written anything.
 */
export const RELEASE_VARIABLE = 'CONFORMANCE_RELEASE_FILE';

/** playwright.config.ts: waits for the release, then takes its variables (workers do not wait). */
export async function awaitRelease(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = env[RELEASE_VARIABLE];
  if (!file) return;
  delete env[RELEASE_VARIABLE];
  // The wrapper removes the release's folder when it exits, and Playwright is orphaned when it is killed.
  const parent = process.ppid;
  const publisherGone = () => process.ppid !== parent || !existsSync(dirname(file));
  Object.assign(env, await awaitPublished(file, 'npm run conformance did not finish checking the configuration', { timeoutMs: 120_000, publisherGone }));
}

/** The variables the wrapper set or changed since `before`, for the release. */
export const changedSince = (before: NodeJS.ProcessEnv, now: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(now).filter((e): e is [string, string] => e[1] !== undefined && before[e[0]] !== e[1]));
