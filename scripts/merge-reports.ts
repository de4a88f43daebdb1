// `npm run merge-reports`: puts the shards of `npm run conformance -- --shard=i/n` back together.
// Reads reports/shards/*/ (MERGE_SHARDS_DIR), writes into reports/ (REPORTS_DIR):
// conformance-summary.json (with the gate), junit.xml, playwright-report/, allure-report/ and
// allure-report-single/. Exit status as npm run conformance: the gate of the whole run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunEnvironment } from '../src/reporting/allure-environment-reporter';
import { GATE_EXIT } from '../src/judging/baseline';
import { applyGate, GateConfigError, gateInputsFromEnv } from '../src/judging/gate-files';
import { generateReports } from './report';

const ROOT = resolve(import.meta.dirname, '..');

export interface Shard { dir: string; blobs: string[]; allureResults: string; environment?: RunEnvironment }

export function findShards(shardsDir: string): Shard[] {
  if (!existsSync(shardsDir)) return [];
  return readdirSync(shardsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(shardsDir, e.name))
    .filter((dir) => existsSync(join(dir, 'blob-report')))
    .sort()
    .map((dir) => ({
      dir,
      blobs: readdirSync(join(dir, 'blob-report')).filter((f) => f.endsWith('.zip')).map((f) => join(dir, 'blob-report', f)),
      allureResults: join(dir, 'allure-results'),
      environment: existsSync(join(dir, 'run-environment.json')) ? (JSON.parse(readFileSync(join(dir, 'run-environment.json'), 'utf8')) as RunEnvironment) : undefined,
    }));
}

/** What the runner's process.env held after each shard's global setup, folded for the merge. */
export function mergedEnvironment(shards: readonly Shard[]): Record<string, string> {
  const envs = shards.map((s) => s.environment).filter((e): e is RunEnvironment => !!e);
  const distinct = (pick: (e: RunEnvironment) => string | undefined) => [...new Set(envs.map(pick).filter((v): v is string => !!v))].join(', ');
  // Each shard's teardown ran in its own process: its requests and what it left running are in its summary.
  const summaries = shards.map((s) => join(s.dir, 'conformance-summary.json')).filter(existsSync)
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { teardownRequests?: number; operationsLeftRunning?: number });
  const out: Record<string, string> = {
    CONFORMANCE_PROBE_REQUESTS: String(envs.reduce((n, e) => n + e.probeRequests, 0)),
    CONFORMANCE_PROBE_OPERATIONS: String(envs.reduce((n, e) => n + e.probeOperations, 0)),
    CONFORMANCE_TEARDOWN_REQUESTS: String(summaries.reduce((n, s) => n + (s.teardownRequests ?? 0), 0)),
    CONFORMANCE_LEFT_RUNNING: String(summaries.reduce((n, s) => n + (s.operationsLeftRunning ?? 0), 0)),
  };
  const set = (name: string, value: string) => { if (value) out[name] = value; };
  set('TARGET_BASE_URL', distinct((e) => e.target));
  set('CONFORMANCE_EMBEDDED_PROFILE', distinct((e) => e.embeddedProfile));
  set('CONFORMANCE_CANCEL_SUPPORT', distinct((e) => e.cancelSupport));
  set('CONFORMANCE_CANCEL_SUPPORT_SOURCE', distinct((e) => e.cancelSupportSource));
  return out;
}

export function mergeReports(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): number {
  const reportsDir = resolve(env.REPORTS_DIR ?? 'reports');
  const shardsDir = resolve(env.MERGE_SHARDS_DIR ?? join(reportsDir, 'shards'));
  let inputs;
  try {
    inputs = gateInputsFromEnv(env);
  } catch (error) {
    if (error instanceof GateConfigError) { log(`merge-reports: configuration error: ${error.message}`); return GATE_EXIT.config; }
    throw error;
  }
  const shards = findShards(shardsDir);
  if (shards.length === 0) { log(`merge-reports: no shard in ${shardsDir} (expected ${shardsDir}/<i>-of-<n>/blob-report/*.zip from npm run conformance -- --shard=i/n)`); return GATE_EXIT.suite; }
  const blobDir = mkdtempSync(join(tmpdir(), 'conformance-blobs-'));
  try {
    for (const s of shards) for (const b of s.blobs) copyFileSync(b, join(blobDir, `${s.dir.split('/').pop()}-${b.split('/').pop()}`));
    const summaryFile = join(reportsDir, 'conformance-summary.json');
    rmSync(summaryFile, { force: true });
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'merge-reports', '--config', join(ROOT, 'playwright.merge.config.mjs'), blobDir], {
      cwd: ROOT,
      env: { ...env, REPORTS_DIR: reportsDir, ...mergedEnvironment(shards) },
      encoding: 'utf8',
      timeout: 180_000,
    });
    log(run.stdout + run.stderr);
    if (!existsSync(summaryFile)) { log(`merge-reports: no verdict: ${summaryFile} was not written (merge-reports exited with ${run.status})`); return GATE_EXIT.suite; }
    const gate = applyGate(summaryFile, inputs, log);
    const out = generateReports(shards.map((s) => s.allureResults).filter((d) => existsSync(d)), { ...env, REPORTS_DIR: reportsDir });
    log(`merged ${shards.length} shard(s): ${summaryFile}, ${join(reportsDir, 'junit.xml')}, ${join(reportsDir, 'playwright-report')}, ${out.multi}, ${out.single}`);
    return gate.exitCode;
  } finally {
    rmSync(blobDir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('scripts/merge-reports.ts')) process.exit(mergeReports());
