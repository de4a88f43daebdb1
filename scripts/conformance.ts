// `npm run conformance` (started by scripts/conformance.mjs, with Playwright already booting):
// checks the configuration, releases Playwright, hosts the embedded target, and turns the verdict
// into the exit status: 0 conformant, 1 non-conformant, 2 incomplete, 3 configuration or setup error (trust, a token command),
// 4 the suite itself failed to produce a verdict.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
// options only: the server itself (fastify, the issuer) would cost every run its start-up time here.
import { ReferenceConfigError, optionsFromEnv } from '../reference-server/options';
import { ConfigError, isEmbeddedTarget, loadEnvFile, parseConfig, presetDefaults } from '../src/running/config';
import { describeUnknown, unknownVariables } from '../src/running/config-variables';
import { EMBEDDED_TARGET_VARIABLE, hostEmbeddedTarget } from '../src/running/embedded-target';
import { requireCredentials } from '../src/credentials/credentials-check';
import { applyGate, GateConfigError, gateInputsFromEnv, type GateInputs } from '../src/judging/gate-files';
import { setupProblem } from '../src/judging/verdict';
import { RELEASE_VARIABLE, changedSince, publish } from '../src/running/handoff';
import { sweepIfTeardownMissed, watchPlaywright, type StartedPlaywright } from '../src/running/playwright-run';
import { trustEnvironment } from '../src/transport/tls';

export const EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2, config: 3, suite: 4 } as const;

/** What scripts/conformance.mjs started before TypeScript was loaded. */
export interface Launch {
  readonly args: readonly string[];
  /** Playwright waits (src/running/handoff.ts) until `file` is written. */
  readonly release: { readonly variable: string; readonly file: string };
  /** The environment Playwright was started with. */
  readonly startedWith: NodeJS.ProcessEnv;
  readonly first: ChildProcess;
  readonly startPlaywright: (env?: NodeJS.ProcessEnv) => ChildProcess;
}

export async function main({ args, release, startedWith, first, startPlaywright }: Launch): Promise<never> {
  let playwright: StartedPlaywright = watchPlaywright(first);
  const fail = (code: number, message: string): never => {
    console.error(`lro-cancel-conformance: ${message}`);
    process.exit(code);
  };
  if (release.variable !== RELEASE_VARIABLE) fail(EXIT.suite, `scripts/conformance.mjs holds Playwright with ${release.variable}, but playwright.config.ts waits on ${RELEASE_VARIABLE}`);

  const fromDotenv = loadEnvFile();
  if (args.some((a) => a === '--trace' || a.startsWith('--trace='))) {
    fail(EXIT.config, 'configuration error: --trace is refused: Playwright traces record request headers, bearer tokens included. Use the Allure evidence (redacted, with curl lines).');
  }
  // A shard (--shard=i/n) writes into its own folders; it has no verdict of its own: the gate waits for merge-reports.
  const shardArg = args.find((a, i) => a.startsWith('--shard=') || args[i - 1] === '--shard');
  const shard = shardArg?.replace('--shard=', '').match(/^(\d+)\/(\d+)$/);
  if (shard) {
    const dir = `reports/shards/${shard[1]}-of-${shard[2]}`;
    process.env.REPORTS_DIR ||= dir;
    process.env.ALLURE_RESULTS_DIR ||= `${dir}/allure-results`;
    process.env.CONFORMANCE_SHARD = `${shard[1]}/${shard[2]}`;
  }
  let gateInputs: GateInputs = {};
  let embedded = false;
  try {
    const cfg = parseConfig(process.env);
    // A misspelt variable is silently not read: said at every run, and refused in strict mode.
    const strays = unknownVariables(Object.keys(process.env), fromDotenv);
    if (strays.length && cfg.strict.has('variables')) {
      fail(EXIT.config, `configuration error: ${strays.map(describeUnknown).join('; ')} (CONFORMANCE_STRICT=variables). Correct the name or unset it.`);
    }
    for (const stray of strays) console.warn(`lro-cancel-conformance: WARNING: ${describeUnknown(stray)}`);
    requireCredentials(cfg);
    // Playwright trusts Node's default store only: TARGET_CA_FILE joins it through NODE_EXTRA_CA_CERTS (README "TLS").
    Object.assign(process.env, trustEnvironment(cfg.transport, process.env));
    embedded = isEmbeddedTarget({ ...presetDefaults(process.env), ...process.env });
    if (embedded) optionsFromEnv(process.env);
    gateInputs = gateInputsFromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ReferenceConfigError || error instanceof GateConfigError) fail(EXIT.config, `configuration error: ${(error as Error).message}`);
    throw error;
  }

  const reportsDir = process.env.REPORTS_DIR ?? 'reports';
  const summaryFile = `${reportsDir}/conformance-summary.json`;
  rmSync(summaryFile, { force: true });
  // The embedded server starts here while Playwright boots; it lives until Playwright's teardown is done.
  const embeddedFile = resolve(reportsDir, 'embedded-target.json');
  if (embedded) {
    mkdirSync(reportsDir, { recursive: true });
    rmSync(embeddedFile, { force: true });
    process.env[EMBEDDED_TARGET_VARIABLE] = embeddedFile;
  }
  // Node reads NODE_EXTRA_CA_CERTS once, at start: a Playwright started without TARGET_CA_FILE's trust starts again.
  if (process.env.NODE_EXTRA_CA_CERTS !== startedWith.NODE_EXTRA_CA_CERTS) {
    playwright.abandon();
    playwright = watchPlaywright(startPlaywright(process.env));
  }
  publish(release.file, { variables: changedSince(startedWith, process.env) });
  // Asynchronous, so a Ctrl-C or SIGTERM reaches Playwright as a SIGINT and its teardown cancels what is left running.
  const target = embedded ? hostEmbeddedTarget(embeddedFile, process.env) : undefined;
  const run = await playwright.done;
  await (await target)?.close();
  if (run.error) fail(EXIT.suite, `could not start Playwright: ${run.error.message}`);
  if (run.interrupted) console.error(`lro-cancel-conformance: interrupted (${run.interrupted}): the run stopped early; its teardown line above says what was left running`);
  await sweepIfTeardownMissed(reportsDir, summaryFile);

  let verdict: keyof typeof EXIT;
  let suiteErrors: readonly string[] = [];
  try {
    ({ verdict, suiteErrors = [] } = JSON.parse(readFileSync(summaryFile, 'utf8')) as { verdict: keyof typeof EXIT; suiteErrors?: string[] });
  } catch {
    return fail(EXIT.suite, `no verdict: ${summaryFile} was not written (Playwright exited with ${run.status}). See the output above.`);
  }
  // A shard's summary covers its tests alone: the reporter ended with "shard i/n done: the verdict comes
  // from npm run merge-reports", never a VERDICT line, and the gate is the merge's. Exit 0: it did its part.
  // Trust or a token command: the user's setup to fix, not the target's incompleteness (its message was printed once, above).
  if (setupProblem(suiteErrors)) process.exit(EXIT.config);
  if (shard) {
    console.log(`lro-cancel-conformance: shard ${process.env.CONFORMANCE_SHARD}: its results are in ${reportsDir}/ for npm run merge-reports`);
    process.exit(EXIT.conformant);
  }
  process.exit(EXIT[verdict] === undefined ? EXIT.suite : applyGate(summaryFile, gateInputs).exitCode);
}
