// A Playwright reporter that records what the run was run against: environment.properties in
// the Allure results (Allure 3 shows it as the report's Environment) and run-environment.json
// in the reports folder (merge-reports reads it to put the shards back together).
// It runs in the runner process, where the global setup left the target and the probe in process.env.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullConfig, Reporter } from '@playwright/test/reporter';
import { compileCacheDir } from '../running/compile-cache.mjs';
import { redact } from '../credentials/redact';
import { tlsWarnings } from '../transport/tls';

export interface RunEnvironment {
  target: string;
  embeddedProfile?: string;
  suiteVersion: string;
  cancelSupport?: string;
  cancelSupportSource?: string;
  shard?: string;
  probeRequests: number;
  probeOperations: number;
  /** Set when TARGET_TLS_INSECURE=true turned certificate verification off. */
  tlsWarning?: string;
  node: string;
  /** Where Node keeps compiled code between runs (Node 22.1+, src/running/compile-cache.mjs); absent when off. */
  compileCache?: string;
  playwright: string;
}

/** The target as a reader should see it: the embedded server by its profile (its port is random and gone after the run). */
export function targetLabel(env: NodeJS.ProcessEnv): string {
  const profile = env.CONFORMANCE_EMBEDDED_PROFILE?.trim();
  return profile ? `embedded reference server (${profile})` : targetAddress(env) ?? '(not started)';
}

/** The doors' addresses: the REST base URL, the gRPC host:port, or both. */
const targetAddress = (env: NodeJS.ProcessEnv) => {
  const judged = (door: string) => !env.TRANSPORTS?.trim() || env.TRANSPORTS.toLowerCase().includes(door);
  return [judged('rest') && env.TARGET_BASE_URL?.trim(), judged('grpc') && env.TARGET_GRPC_ADDRESS?.trim() && `grpc://${env.TARGET_GRPC_ADDRESS.trim()}`].filter(Boolean).join(' and ') || undefined;
};

export const suiteVersion = (): string =>
  (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

export function runEnvironment(env: NodeJS.ProcessEnv, playwright = ''): RunEnvironment {
  return {
    target: targetAddress(env) ?? '(not started)',
    embeddedProfile: env.CONFORMANCE_EMBEDDED_PROFILE,
    suiteVersion: suiteVersion(),
    cancelSupport: env.CONFORMANCE_CANCEL_SUPPORT,
    cancelSupportSource: env.CONFORMANCE_CANCEL_SUPPORT_SOURCE,
    shard: env.CONFORMANCE_SHARD,
    probeRequests: Number(env.CONFORMANCE_PROBE_REQUESTS ?? 0),
    probeOperations: Number(env.CONFORMANCE_PROBE_OPERATIONS ?? 0),
    ...(tlsWarnings(env).length ? { tlsWarning: tlsWarnings(env).join(' ') } : {}),
    node: process.version,
    ...(compileCacheDir() ? { compileCache: compileCacheDir() } : {}),
    playwright,
  };
}

/** Java-properties lines, as Allure reads environment.properties. */
export function toProperties(e: RunEnvironment): string {
  const rows: [string, string | undefined][] = [
    ['Target', targetLabel({ TARGET_BASE_URL: e.target, CONFORMANCE_EMBEDDED_PROFILE: e.embeddedProfile })],
    ['Embedded profile', e.embeddedProfile ?? '(none: external target)'],
    ['Suite version', e.suiteVersion],
    ['Cancel support', e.cancelSupport],
    ['Cancel support source', e.cancelSupportSource],
    ['Shard', e.shard],
    ['TLS verification', e.tlsWarning && `OFF: ${e.tlsWarning}`],
    ['Node', e.node],
    ['Playwright', e.playwright],
  ];
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/([=:\s])/g, '\\$1').replace(/\n/g, '\\n');
  return rows.filter(([, v]) => v).map(([k, v]) => `${escape(k)}=${redact(v!).replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`).join('\n') + '\n';
}

export default class AllureEnvironmentReporter implements Reporter {
  private playwright = '';

  constructor(private readonly options: { resultsDir?: string; reportsDir?: string } = {}) {}

  printsToStdio() {
    return false;
  }

  onBegin(config: FullConfig) {
    this.playwright = config.version;
  }

  onEnd() {
    const e = runEnvironment(process.env, this.playwright);
    const resultsDir = this.options.resultsDir ?? process.env.ALLURE_RESULTS_DIR ?? 'allure-results';
    const reportsDir = this.options.reportsDir ?? process.env.REPORTS_DIR ?? 'reports';
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'environment.properties'), toProperties(e));
    mkdirSync(reportsDir, { recursive: true });
    writeFileSync(join(reportsDir, 'run-environment.json'), redact(JSON.stringify(e, null, 2)) + '\n');
  }
}
