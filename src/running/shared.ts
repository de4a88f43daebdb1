// Results several tests judge, computed once per run and kept as files under the reports folder:
// a worker restarted after a failed test, or another worker, reads them instead of creating
// operations again (every operation is a billed job on a real target).
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from '../transport/evidence';

export const sharedDir = () => join(process.env.REPORTS_DIR ?? 'reports', 'shared');

/** A failure of a shared computation, replayed to every test that needs its result. */
export class SharedFailure extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = kind;
  }
}

type Entry<T> = { value: T } | { error: { kind: string; message: string } };

const readEntry = <T>(file: string): Entry<T> | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Entry<T>;
  } catch {
    return undefined;
  }
};

function tryLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx'));
    writeFileSync(lock, String(process.pid));
    return true;
  } catch {
    return false;
  }
}

/** A lock whose process is gone (a worker killed mid-computation) is stale. */
function lockIsStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false;
  }
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The value of `key` for this run: computed by the first caller in any process, then read.
 * A computation that throws is remembered too, so every test that needs it says the same thing.
 */
export async function once<T>(key: string, compute: () => Promise<T>, { waitMs = 300_000 } = {}): Promise<T> {
  const dir = sharedDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${key}.json`);
  const lock = `${file}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const entry = readEntry<T>(file);
    if (entry) {
      if ('error' in entry) throw new SharedFailure(entry.error.kind, entry.error.message);
      return entry.value;
    }
    if (tryLock(lock)) {
      let result: Entry<T>;
      try {
        result = { value: await compute() };
      } catch (error) {
        const e = error as Error;
        result = { error: { kind: e.name || 'Error', message: e.message } };
      }
      writeFileSync(`${file}.tmp`, JSON.stringify(result));
      renameSync(`${file}.tmp`, file);
      rmSync(lock, { force: true });
      if ('error' in result) throw new SharedFailure(result.error.kind, result.error.message);
      return result.value;
    }
    if (lockIsStale(lock)) rmSync(lock, { force: true });
    else if (Date.now() > deadline) throw new Error(`waited ${waitMs / 1000} s for another worker to compute "${key}"`);
    // Short: on loopback the other process's computation often ends within a few ms.
    else await sleep(5);
  }
}

/** Exchanges are kept without credentials: the Authorization value becomes its scheme alone. */
export function storable(ex: Exchange): Exchange {
  const auth = Object.keys(ex.requestHeaders).find((k) => k.toLowerCase() === 'authorization');
  if (!auth) return ex;
  const scheme = ex.requestHeaders[auth]!.split(/\s+/)[0] ?? 'Bearer';
  return { ...ex, requestHeaders: { ...ex.requestHeaders, [auth]: `${scheme} [REDACTED]` } };
}

export const clearShared = () => rmSync(sharedDir(), { recursive: true, force: true });
