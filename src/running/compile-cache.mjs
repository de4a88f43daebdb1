// Node 22.1+ can keep the code it compiled (Playwright's bundles, the suite) for the next process:
// about a tenth of a conformance run's CPU. Plain JS, so the entry points use it before TypeScript loads.
import nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';

export const KEPT_COMPILE_CACHE = fileURLToPath(new URL('../../node_modules/.cache/lro-cancel-conformance/compile-cache', import.meta.url));

/**
 * Turns the cache on for this process and, through NODE_COMPILE_CACHE, for every process it starts.
 * NODE_COMPILE_CACHE names another folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off. A no-op before Node 22.1.
 */
export function enableKeptCompileCache(env = process.env) {
  const cache = nodeModule.enableCompileCache?.(env.NODE_COMPILE_CACHE || KEPT_COMPILE_CACHE);
  if (cache?.directory) env.NODE_COMPILE_CACHE = cache.directory;
  return cache?.directory;
}

/** The folder this process keeps compiled code in, if the cache is on. */
export const compileCacheDir = () => nodeModule.getCompileCacheDir?.() || undefined;

export const compileCacheSupported = typeof nodeModule.enableCompileCache === 'function';
