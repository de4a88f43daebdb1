// The CI examples of docs/ci/ run as written, read from their YAML (selftest/ci/ci-runner.ts):
// - the embedded job, green (GitHub) and red with a deliberate fault (GitLab): one run, its verdict
//   as the job's status, and its report kept either way;
// - the zone job against a zone stood in for by a reference server this test starts, its certificate
//   from a private CA (given as the CI secret file; gRPC over TLS for GitHub, HTTPS for GitLab),
//   tokens from per-scope commands that mint them at the server's issuer, request bodies as file
//   variables, the preflight before the run, the install from the bundle archive (a stand-in
//   archive: see ci-runner.ts), and the report kept when red (GitHub) or green (GitLab);
// - the triggers: the zone job never runs on a push or a pull/merge request, and nothing is sharded.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { startReferenceServer, type FaultName, type RunningReference } from '../../reference-server/index';
import { CATALOG } from '../../src/judging/catalog';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE } from '../../src/credentials/tokens';
import type { Summary } from '../matrix/run-conformance';
import { certFiles } from '../tls/helpers';
import { printToken } from '../tokens/helpers';
import { bundleLine, createRunner, githubExpression, gitlabRulesMatch, isInstall, readYaml, runsIf, standInBundle, type Runner } from './ci-runner';

test.describe.configure({ timeout: 120_000 });

// A fresh runner's environment: none of this machine's TARGET_* or AUTH_* variables, and nothing the
// YAML does not set (so the run has the suite's default of one worker, as on a real runner).
const MACHINE = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' };
const RED = { ...MACHINE, REFERENCE_FAULTS: 'cancelled-code-unknown' };
const FILES = {
  github: 'docs/ci/github-actions.yml',
  githubZone: 'docs/ci/github-actions-zone.yml',
  gitlab: 'docs/ci/gitlab-ci.yml',
} as const;

const only = (what: string, obj: object, keys: string[]) => {
  const unknown = Object.keys(obj).filter((k) => !keys.includes(k));
  if (unknown.length) throw new Error(`docs/ci: ${what} uses ${unknown.join(', ')}, which the runner stand-in does not know`);
};
const logOf = (runner: Runner) => runner.log.map((r) => `[${r.job}] ${r.what}: exit ${r.exitCode}${r.ms === undefined ? '' : ` in ${r.ms} ms`}\n${r.output.slice(-1500)}`).join('\n');
/** The runners of the test; each step's time becomes an annotation of it (shown by the JSON and HTML reporters). */
const runners: Runner[] = [];
const newRunner = (env: Record<string, string>) => {
  const runner = createRunner(env);
  runners.push(runner);
  return runner;
};
test.afterEach(() => {
  for (const runner of runners.splice(0)) {
    test.info().annotations.push({ type: 'timing', description: runner.log.map((r) => `${r.what.split('\n')[0]}: exit ${r.exitCode}, ${((r.ms ?? 0) / 1000).toFixed(1)} s`).join(', ') });
    runner.remove();
  }
});
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

// ---------------------------------------------------------------- GitHub Actions

interface GhStep { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string | number | boolean>; 'working-directory'?: string }
interface GhJob { name?: string; needs?: string[]; env?: Record<string, string>; 'runs-on': string | string[]; steps: GhStep[] }
interface Gh { name: string; on: Record<string, unknown>; permissions?: unknown; concurrency?: unknown; env?: Record<string, string>; jobs: Record<string, GhJob> }
interface Given { vars?: Record<string, string>; secrets?: Record<string, string> }
interface GhRun { readonly failed: boolean; readonly stepSummary: string; readonly runnerTemp: string }

const github = (file: string) => {
  const wf = parse(readYaml(file)) as Gh;
  only(file, wf, ['name', 'on', 'permissions', 'concurrency', 'env', 'jobs']);
  return wf;
};

/** One GitHub job: a fresh workspace, its env, its steps in order, $GITHUB_ENV and $GITHUB_PATH between steps. */
async function githubJob(runner: Runner, wf: Gh, name: string, given: Given): Promise<GhRun> {
  const job = wf.jobs[name]!;
  only(`job ${name}`, job, ['name', 'runs-on', 'timeout-minutes', 'steps', 'needs', 'env']);
  const ctx = { vars: given.vars ?? {}, secrets: given.secrets ?? {} };
  const evalEnv = (env: Record<string, string> = {}) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, githubExpression(String(v), ctx)]));
  runner.fresh();
  const files = runner.scratch('github-files-');
  const [githubEnv, githubPath, stepSummary] = ['env', 'path', 'step-summary'].map((f) => join(files, f));
  for (const f of [githubEnv, githubPath, stepSummary]) writeFileSync(f, '');
  const runnerTemp = runner.scratch('runner-temp-');
  const env = {
    ...evalEnv(wf.env), ...evalEnv(job.env), CI: 'true', GITHUB_ACTIONS: 'true',
    GITHUB_ENV: githubEnv, GITHUB_PATH: githubPath, GITHUB_STEP_SUMMARY: stepSummary, RUNNER_TEMP: runnerTemp,
  };
  let failed = false;
  for (const step of job.steps) {
    only(`a step of ${name}`, step, ['name', 'uses', 'run', 'if', 'env', 'with', 'working-directory']);
    if (!runsIf(step.if, failed)) continue;
    const w = step.with ?? {};
    if (step.uses) {
      const action = step.uses.replace(/@v\d+$/, '');
      if (action === 'actions/checkout') runner.checkout();
      else if (action === 'actions/setup-node') expect(nodeMajors()).toContain(Number(w['node-version']));
      else if (action === 'actions/upload-artifact') runner.store(githubExpression(String(w.name), ctx), String(w.path).split('\n').map((p) => p.trim()).filter(Boolean), false);
      else if (action === 'actions/download-artifact') {
        only(`${name}'s download-artifact`, w, ['name', 'path']);
        runner.restore(String(w.name), String(w.path));
      } else throw new Error(`docs/ci: the runner stand-in does not know the action ${step.uses}`);
      continue;
    }
    const line = step.run!;
    if (isInstall(line)) continue;
    const bundle = bundleLine(line);
    if (bundle) {
      if ((await standInBundle(runner, name, bundle.out)).exitCode !== 0) failed = true;
      continue;
    }
    const exported = Object.fromEntries(readFileSync(githubEnv, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const path = [...readFileSync(githubPath, 'utf8').split('\n').filter(Boolean).reverse(), MACHINE.PATH].join(':');
    const run = await runner.bash(name, step.name ?? line, githubExpression(line, ctx), { ...env, ...exported, ...evalEnv(step.env), PATH: path }, step['working-directory']);
    if (run.exitCode !== 0) failed = true;
  }
  return { failed, stepSummary: readFileSync(stepSummary, 'utf8'), runnerTemp };
}

/** A workflow's jobs in order; a job whose `needs` failed is skipped, as GitHub does. */
async function githubWorkflow(runner: Runner, wf: Gh, given: Given): Promise<Record<string, GhRun | 'skipped'>> {
  const done: Record<string, GhRun | 'skipped'> = {};
  for (const name of Object.keys(wf.jobs)) {
    const needs = wf.jobs[name]!.needs ?? [];
    needs.forEach((n) => expect(Object.keys(done), `${name} needs ${n}, which comes before it`).toContain(n));
    done[name] = needs.some((n) => done[n] === 'skipped' || (done[n] as GhRun).failed) ? 'skipped' : await githubJob(runner, wf, name, given);
  }
  return done;
}

/** The Node majors package.json's engines accepts ("^20.19.0 || ^22.12.0 || ^24.0.0" → 20, 22, 24). */
const nodeMajors = () => [...(JSON.parse(readYaml('package.json')) as { engines: { node: string } }).engines.node.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));

// ---------------------------------------------------------------- GitLab CI

interface GlJob {
  stage: string; script: string[]; after_script?: string[]; variables?: Record<string, string>; needs?: { job: string; artifacts: boolean }[];
  rules?: Record<string, unknown>[]; tags?: string[]; artifacts?: { when?: string; paths: string[]; reports?: { junit?: string } }; image?: string;
}
type Gl = Record<string, unknown> & { stages: string[] };
interface GlRun { readonly failed: boolean }

const GL_JOB_KEYS = ['stage', 'script', 'after_script', 'variables', 'needs', 'artifacts', 'timeout', 'image', 'cache', 'rules', 'tags', 'resource_group'];
const gitlab = () => {
  const ci = parse(readYaml(FILES.gitlab)) as Gl;
  for (const [name, job] of Object.entries(ci)) if (name !== 'stages') only(`job ${name}`, job as object, GL_JOB_KEYS);
  return ci;
};
const glJob = (ci: Gl, name: string) => ci[name] as GlJob;

/**
 * One GitLab job: a fresh workspace, cloned unless GIT_STRATEGY is none, the artifacts of its needs,
 * its script in one shell (an `npm run bundle` line stood in for), after_script in a shell of its own
 * whatever the script did, then its artifacts (on success, or always with `when: always`).
 * `variables`: the project's CI/CD variables (a File variable: the path of a file holding its value).
 */
async function gitlabJob(runner: Runner, ci: Gl, name: string, variables: Record<string, string>): Promise<GlRun> {
  const job = glJob(ci, name);
  runner.fresh();
  if (job.variables?.GIT_STRATEGY !== 'none') runner.checkout();
  for (const need of job.needs ?? []) if (need.artifacts) runner.restore(need.job, '.');
  const env = { ...job.variables, ...variables, CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: runner.workspace };
  const lines = job.script.filter((l) => !isInstall(l));
  const bundleAt = lines.findIndex((l) => bundleLine(l));
  if (bundleAt >= 0 && bundleAt !== lines.length - 1) throw new Error(`docs/ci: ${name}: the runner stand-in takes npm run bundle as the script's last line only`);
  let failed = false;
  if (bundleAt !== 0 && lines.length) failed = (await runner.bash(name, `${name} script`, (bundleAt > 0 ? lines.slice(0, bundleAt) : lines).join('\n'), env)).exitCode !== 0;
  if (!failed && bundleAt >= 0) failed = (await standInBundle(runner, name, bundleLine(lines[bundleAt]!)!.out)).exitCode !== 0;
  if (job.after_script) await runner.bash(name, `${name} after_script`, job.after_script.join('\n'), env);
  if (job.artifacts && (job.artifacts.when === 'always' || !failed)) runner.store(name, job.artifacts.paths, true);
  return { failed };
}

// ---------------------------------------------------------------- what a run leaves

interface ReportFiles { readonly summary: Summary & { gate: { exitCode: number } } }

/** The report files a job keeps: the summary (returned), JUnit and both Allure reports. */
function expectReport(dir: string, log: string): ReportFiles {
  for (const f of ['conformance-summary.json', 'junit.xml', 'allure-report/index.html', 'allure-report-single/index.html']) expect(existsSync(join(dir, f)), `${dir}/${f}\n${log}`).toBe(true);
  const summary = JSON.parse(readFileSync(join(dir, 'conformance-summary.json'), 'utf8')) as ReportFiles['summary'];
  expect(summary.suiteErrors, log).toEqual([]);
  expect(summary.requirements.map((r) => r.id)).toEqual(CATALOG.map((r) => r.id));
  expect(readFileSync(join(dir, 'allure-report-single/index.html'), 'utf8')).toContain('id="conformance-summary"');
  return { summary };
}

/** A red run: the fault's one requirement failed, and the gate is 1. */
function expectRed({ summary }: ReportFiles) {
  expect(summary.verdict).toBe('non-conformant');
  expect(summary.requirements.filter((r) => r.status === 'failed').map((r) => r.id)).toEqual(['cancel.outcome.error-code']);
  expect(summary.gate.exitCode).toBe(1);
}

const stepOf = (runner: Runner, what: RegExp) => runner.log.filter((r) => what.test(r.what)).at(-1)!;

// ---------------------------------------------------------------- the zone, stood in for

interface Zone {
  readonly reference: RunningReference;
  readonly caFile: string;
  readonly caPem: string;
  /** The bodies, naming storage only this zone has (so the run's evidence shows they were used). */
  readonly bodies: { readonly long: string; readonly quick: string };
  readonly bodyFiles: { readonly long: string; readonly quick: string };
  readonly target: Record<string, string>;
  /** AUTH_TOKEN_COMMAND and one command per scope set, each printing a token minted at the zone's issuer. */
  readonly tokenCommands: Record<string, string>;
  /** What the zone holds under its parent, read through its own list (the store is the truth). */
  operations(): Promise<unknown[]>;
  close(): Promise<void>;
}

const ZONE_BUCKET = 'gs://zone1-translation-conformance';

/**
 * A reference server on HTTPS and gRPC over TLS, its certificate issued by a private CA; the zone's one door
 * (TARGET_BASE_URL or TARGET_GRPC_ADDRESS; a two-door run takes longer and proves nothing more about the YAML).
 */
async function startZone({ faults = [], door }: { faults?: FaultName[]; door: 'rest' | 'grpc' }): Promise<Zone> {
  const { files, pem } = await certFiles();
  const reference = await startReferenceServer({ tls: { cert: pem.server.cert, key: pem.server.key }, grpc: door === 'grpc', faults });
  const dir = tempDir('zone-bodies-');
  const bodies = {
    long: JSON.stringify({ ...fixture('batch-translate-long.json'), inputConfigs: [{ gcsSource: { inputUri: `${ZONE_BUCKET}/long/a/` } }, { gcsSource: { inputUri: `${ZONE_BUCKET}/long/b/` } }], outputConfig: { gcsDestination: { outputUriPrefix: `${ZONE_BUCKET}-out/long/` } } }),
    quick: JSON.stringify({ ...fixture('batch-translate-quick.json'), inputConfigs: [{ gcsSource: { inputUri: `${ZONE_BUCKET}/quick/one.pdf` } }], outputConfig: { gcsDestination: { outputUriPrefix: `${ZONE_BUCKET}-out/quick/` } } }),
  };
  const bodyFiles = { long: join(dir, 'create-body.json'), quick: join(dir, 'create-body-quick.json') };
  writeFileSync(bodyFiles.long, bodies.long);
  writeFileSync(bodyFiles.quick, bodies.quick);
  // Like `gdcloud auth print-identity-token`: a command that prints a token (here minted at the zone's issuer for one scope set).
  const mint = (scope: string) => `AUTH_TOKEN_URL=${reference.tokenUrl} ${printToken('issuer', scope, '3600')}`;
  const tokenCommands = {
    AUTH_TOKEN_COMMAND: mint(`${TRANSLATION_SCOPE} ${PLATFORM_SCOPE}`),
    AUTH_TOKEN_COMMAND_TRANSLATION: mint(TRANSLATION_SCOPE),
    AUTH_TOKEN_COMMAND_PLATFORM: mint(PLATFORM_SCOPE),
    AUTH_TOKEN_COMMAND_INSUFFICIENT: mint('https://www.googleapis.com/auth/devstorage.read_only'),
  };
  return {
    reference, caFile: files['ca.pem'], caPem: pem.ca, bodies, bodyFiles, tokenCommands,
    target: { ...(door === 'rest' ? { TARGET_BASE_URL: reference.baseUrl } : { TARGET_GRPC_ADDRESS: reference.grpcAddress! }), TARGET_PARENT: 'projects/conformance' },
    async operations() {
      const grant = await fetch(reference.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', scope: PLATFORM_SCOPE, client_id: 'selftest', client_secret: 'selftest' }) });
      const { access_token: token } = (await grant.json()) as { access_token: string };
      // The test's own read of its zone: trust its CA for this one request only.
      const { Agent } = await import('undici');
      const list = await fetch(`${reference.baseUrl}/v3/projects/conformance/operations`, { headers: { authorization: `Bearer ${token}` }, dispatcher: new Agent({ connect: { ca: pem.ca } }) } as RequestInit);
      expect(list.status).toBe(200);
      return ((await list.json()) as { operations?: unknown[] }).operations ?? [];
    },
    async close() {
      await reference.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
const fixture = (name: string) => JSON.parse(readYaml(`fixtures/${name}`)) as Record<string, unknown>;

/** The zone's bodies reached it: the run's Allure results hold the create requests that sent them. */
function expectBodiesSent(allureResults: string) {
  const sent = readdirSync(allureResults).filter((f) => readFileSync(join(allureResults, f), 'utf8').includes(`${ZONE_BUCKET}/long/a/`));
  expect(sent.length, `no file of ${allureResults} holds the zone's long body`).toBeGreaterThan(0);
}

/** A zone job's run against the stand-in zone: the preflight was ready over TLS with the CA file and the token commands, then the run. */
function expectZoneRun(preflight: string, run: string, zone: Zone, log: string) {
  expect(preflight, log).toMatch(/^preflight: ready$/m);
  expect(preflight).toMatch(zone.target.TARGET_BASE_URL
    ? /REST {2}https:\/\/127\.0\.0\.1:\d+: TLS handshake completed, certificate verified \(trusting TARGET_CA_FILE=/
    : /gRPC {2}127\.0\.0\.1:\d+: TLS handshake completed, certificate verified \(trusting TARGET_CA_FILE=/);
  // Each command ran once: its token is a JWT of the zone's issuer, shown by expiry and scopes, never in clear.
  for (const scopeSet of ['', '_TRANSLATION', '_PLATFORM', '_INSUFFICIENT']) expect(preflight).toContain(`command AUTH_TOKEN_COMMAND${scopeSet} (`);
  expect(preflight.match(/JWT, expires in \d+ min/g)).toHaveLength(4);
  expect(preflight).toContain('operations created: 0');
  expect(run).toContain(`Cancel conformance of ${zone.target.TARGET_BASE_URL ?? `grpc://${zone.target.TARGET_GRPC_ADDRESS}`}`);
  // Every token came from its command, and none was printed.
  expect(`${preflight}${run}`).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
}

/** The token sources of the zone run: a command per scope set. */
function expectTokenCommands(summary: Summary) {
  expect((summary as Summary & { tokenSources?: Record<string, string> }).tokenSources).toMatchObject({
    everyday: 'command AUTH_TOKEN_COMMAND', translation: 'command AUTH_TOKEN_COMMAND_TRANSLATION',
    platform: 'command AUTH_TOKEN_COMMAND_PLATFORM', insufficient: 'command AUTH_TOKEN_COMMAND_INSUFFICIENT',
  });
}

// ---------------------------------------------------------------- the tests

test('GitHub Actions, the embedded job: one run, green, its verdict the job\'s, its report uploaded', async () => {
  const wf = github(FILES.github);
  expect(Object.keys(wf.jobs)).toEqual(['embedded']);
  expect(wf.jobs.embedded!['runs-on']).toBe('ubuntu-latest');
  const runner = newRunner(MACHINE);
  const { embedded } = await githubWorkflow(runner, wf, {});
  expect((embedded as GhRun).failed, logOf(runner)).toBe(false);
  const run = stepOf(runner, /^npm run conformance$/);
  expect(run.output.trimEnd().split('\n').at(-1)).toMatch(/^VERDICT: CONFORMANT/);
  expect((embedded as GhRun).stepSummary).toMatch(/^## Cancel conformance: CONFORMANT/);
  const report = expectReport(join(runner.artifacts, 'conformance-embedded'), logOf(runner));
  expect(report.summary.verdict).toBe('conformant');
  expect(report.summary.gate.exitCode).toBe(0);
  // One run, one budget: the default for two doors.
  expect(report.summary.operationsCreated).toBeLessThanOrEqual(14);
});

test('GitLab CI, the embedded job: red with a fault, the job fails with the run\'s exit, and its report is kept', async () => {
  const ci = gitlab();
  const job = glJob(ci, 'embedded');
  expect(job.image).toMatch(new RegExp(`^node:(${nodeMajors().join('|')})-`));
  expect(job.artifacts!.when).toBe('always');
  expect(job.artifacts!.reports!.junit).toBe('reports/junit.xml');
  const runner = newRunner(RED);
  expect((await gitlabJob(runner, ci, 'embedded', {})).failed, logOf(runner)).toBe(true);
  const script = stepOf(runner, /embedded script/);
  expect(script.exitCode).toBe(1);
  expect(script.output.trimEnd().split('\n').at(-1)).toBe('VERDICT: NON-CONFORMANT');
  expect(stepOf(runner, /embedded after_script/).exitCode, logOf(runner)).toBe(0);
  expectRed(expectReport(join(runner.artifacts, 'embedded/reports'), logOf(runner)));
});

test('GitHub Actions, the zone job: bundle, CA secret file, token commands, body files, preflight, a red run against the zone, its report uploaded', async () => {
  const wf = github(FILES.githubZone);
  expect(Object.keys(wf.jobs)).toEqual(['bundle', 'zone']);
  expect(wf.jobs.zone!['runs-on']).toEqual(expect.arrayContaining(['self-hosted', 'gdc-zone']));
  expect(wf.jobs.zone!.needs).toEqual(['bundle']);
  // No checkout in the zone: its workspace stays empty but for the bundle (the stand-in starts each job empty).
  expect(wf.jobs.zone!.steps.some((s) => s.uses?.startsWith('actions/checkout'))).toBe(false);
  // The gRPC door alone here, the REST door in the GitLab zone job's test: TARGET_BASE_URL and/or TARGET_GRPC_ADDRESS.
  const zone = await startZone({ faults: ['cancelled-code-unknown'], door: 'grpc' });
  try {
    const given: Given = {
      vars: { ...zone.target, ...zone.tokenCommands, ZONE_CREATE_BODY: zone.bodies.long, ZONE_CREATE_BODY_QUICK: zone.bodies.quick },
      secrets: { ZONE_CA_BUNDLE: zone.caPem },
    };
    const runner = newRunner(MACHINE);
    const jobs = await githubWorkflow(runner, wf, given);
    expect((jobs.bundle as GhRun).failed, logOf(runner)).toBe(false);
    expect((jobs.zone as GhRun).failed, logOf(runner)).toBe(true);
    // The install: the archive from the bundle job, unpacked and installed by its install.sh, no npm ci.
    expect(stepOf(runner, /install from the bundle/).output, logOf(runner)).toContain('npm run preflight');
    // The CA bundle went to a file only its owner reads.
    expect(statSync(join((jobs.zone as GhRun).runnerTemp, 'zone-ca.pem')).mode & 0o777).toBe(0o600);
    expectZoneRun(stepOf(runner, /npm run preflight/).output, stepOf(runner, /^npm run conformance$/).output, zone, logOf(runner));
    const run = stepOf(runner, /^npm run conformance$/);
    expect(run.exitCode).toBe(1);
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('VERDICT: NON-CONFORMANT');
    expect(stepOf(runner, /Allure report/).exitCode, logOf(runner)).toBe(0);
    const report = expectReport(join(runner.artifacts, 'conformance-zone'), logOf(runner));
    expectRed(report);
    expectTokenCommands(report.summary);
    expectBodiesSent(join(runner.workspace, 'suite/allure-results'));
    expect((await zone.operations()).length).toBeGreaterThan(0);

    // Without a body variable the job stops before the preflight, naming it; without a target, at its first step.
    const created = (await zone.operations()).length;
    const stepsOf = async (vars: Record<string, string>) => {
      const before = runner.log.length;
      expect((await githubJob(runner, wf, 'zone', { ...given, vars: { ...given.vars, ...vars } })).failed).toBe(true);
      return runner.log.slice(before);
    };
    const noBody = await stepsOf({ ZONE_CREATE_BODY: '' });
    expect(noBody.find((r) => /request bodies/.test(r.what))!.output).toContain('ZONE_CREATE_BODY: set the variable ZONE_CREATE_BODY to the JSON body of a long BatchTranslateDocument');
    expect(noBody.filter((r) => /npm run (preflight|conformance)/.test(r.what))).toEqual([]);
    const noTarget = await stepsOf({ TARGET_BASE_URL: '', TARGET_GRPC_ADDRESS: '' });
    expect(noTarget[0]).toMatchObject({ what: expect.stringMatching(/a zone is named/), exitCode: 3, output: expect.stringContaining('Set the variable TARGET_BASE_URL or TARGET_GRPC_ADDRESS') });
    expect(noTarget.filter((r) => /install|npm run (preflight|conformance)/.test(r.what))).toEqual([]);
    expect((await zone.operations()).length).toBe(created);
  } finally {
    await zone.close();
  }
});

test('GitLab CI, the zone job: no clone, the bundle, File variables for the CA and the bodies, token commands; the preflight stops a bad setup, then a green run and its report', async () => {
  const ci = gitlab();
  const job = glJob(ci, 'zone');
  expect(job.tags).toEqual(expect.arrayContaining(['self-hosted', 'gdc-zone']));
  expect(job.needs).toEqual([{ job: 'zone-bundle', artifacts: true }]);
  expect(job.image).toBeUndefined();
  expect(job.artifacts!.when).toBe('always');
  expect(job.artifacts!.reports!.junit).toBe('suite/reports/junit.xml');
  const zone = await startZone({ door: 'rest' });
  try {
    // The project's CI/CD variables; the File ones as GitLab passes them: the path of a file holding the value.
    const variables = {
      ...zone.target, ...zone.tokenCommands,
      TARGET_CA_FILE: zone.caFile, OPERATION_CREATE_BODY: zone.bodyFiles.long, OPERATION_CREATE_BODY_QUICK: zone.bodyFiles.quick,
    };
    const runner = newRunner(MACHINE);
    expect((await gitlabJob(runner, ci, 'zone-bundle', {})).failed, logOf(runner)).toBe(false);

    // No CA: the preflight finds the TLS problem, exit 3, and the run never starts.
    const { TARGET_CA_FILE: _ca, ...withoutCa } = variables;
    expect((await gitlabJob(runner, ci, 'zone', withoutCa)).failed).toBe(true);
    const stopped = stepOf(runner, /^zone script$/);
    expect(stopped.exitCode, stopped.output).toBe(3);
    expect(stopped.output).toMatch(/PROBLEM: TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is issued by CN=Conformance Zone Root CA/);
    expect(stopped.output).toMatch(/^preflight: NOT READY/m);
    expect(stopped.output).not.toContain('Cancel conformance of');
    expect(await zone.operations()).toEqual([]);

    expect((await gitlabJob(runner, ci, 'zone', variables)).failed, logOf(runner)).toBe(false);
    const script = stepOf(runner, /^zone script$/).output;
    const [preflight, run] = [script.slice(0, script.indexOf('preflight: ready') + 17), script.slice(script.indexOf('preflight: ready'))];
    expectZoneRun(preflight, run, zone, logOf(runner));
    expect(script.trimEnd().split('\n').at(-1)).toMatch(/^VERDICT: CONFORMANT/);
    expect(stepOf(runner, /^zone after_script$/).exitCode, logOf(runner)).toBe(0);
    const report = expectReport(join(runner.artifacts, 'zone/suite/reports'), logOf(runner));
    expect(report.summary.verdict).toBe('conformant');
    expectTokenCommands(report.summary);
    expectBodiesSent(join(runner.workspace, 'suite/allure-results'));
    expect((await zone.operations()).length).toBeGreaterThan(0);

    // Without a body file the job stops before the install, naming the variables.
    const { OPERATION_CREATE_BODY: _body, ...withoutBody } = variables;
    expect((await gitlabJob(runner, ci, 'zone', withoutBody)).failed).toBe(true);
    expect(stepOf(runner, /^zone script$/)).toMatchObject({ exitCode: 3, output: expect.stringContaining('Set OPERATION_CREATE_BODY and OPERATION_CREATE_BODY_QUICK, variables of type File') });
  } finally {
    await zone.close();
  }
});

test('triggers and shape: the embedded jobs on every push and pull/merge request, the zone jobs on a release, a schedule or by hand only; one unsharded run each; the zone installs from the bundle and runs the preflight first', () => {
  // GitHub: the zone is its own workflow, so its `on:` is the zone job's alone.
  const embedded = github(FILES.github);
  const zone = github(FILES.githubZone);
  expect(Object.keys(embedded.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  expect(Object.keys(zone.on).sort()).toEqual(['release', 'schedule', 'workflow_dispatch']);
  expect(zone.on.release).toEqual({ types: ['published'] });
  for (const { cron } of zone.on.schedule as { cron: string }[]) expect(cron).toMatch(/^\S+( \S+){4}$/);
  expect(zone.concurrency).toMatchObject({ 'cancel-in-progress': false });

  // GitLab: which jobs each kind of pipeline holds.
  const ci = gitlab();
  const jobs = Object.keys(ci).filter((k) => k !== 'stages');
  const pipeline = (vars: Record<string, string>) => jobs.filter((name) => gitlabRulesMatch(glJob(ci, name).rules, vars));
  expect(pipeline({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main' })).toEqual(['embedded']);
  expect(pipeline({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '7' })).toEqual(['embedded']);
  const zonePipelines: Record<string, string>[] = [{ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_TAG: 'v1.4.0' }, { CI_PIPELINE_SOURCE: 'schedule', CI_COMMIT_BRANCH: 'main' }, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'main' }];
  for (const vars of zonePipelines) {
    expect(pipeline(vars), JSON.stringify(vars)).toEqual(['embedded', 'zone-bundle', 'zone']);
  }
  expect(JSON.stringify([glJob(ci, 'zone').rules, glJob(ci, 'zone-bundle').rules])).not.toMatch(/push|merge_request|pull/i);
  expect(jobs.map((name) => ci.stages.indexOf(glJob(ci, name).stage))).toEqual([0, 1, 2]);

  // One run, one verdict, one budget: nothing sharded, nothing merged.
  for (const file of Object.values(FILES)) expect(readYaml(file)).not.toMatch(/--shard|^\s*parallel:|matrix:|merge-reports/m);

  // The zone jobs: the bundle instead of npm ci, the preflight before the run, the report after it.
  const ghZone = zone.jobs.zone!.steps.map((s) => s.run ?? s.uses ?? '');
  const glZone = glJob(ci, 'zone').script;
  for (const [what, lines] of [['GitHub', ghZone], ['GitLab', glZone]] as const) {
    expect(lines.some(isInstall), what).toBe(false);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/tar xzf .*conformance-bundle\.tgz -C suite/), what).toBeGreaterThanOrEqual(0);
    expect(at(/^sh suite\/install\.sh$/m), what).toBeGreaterThanOrEqual(at(/tar xzf/));
    expect(at(/^npm run preflight$/), what).toBeGreaterThan(at(/install\.sh/));
    expect(at(/^npm run conformance$/), what).toBe(at(/^npm run preflight$/) + 1);
  }
  expect(zone.jobs.bundle!.steps.map((s) => s.run).filter(Boolean)).toContain('npm run bundle -- --with-node --out conformance-bundle.tgz');
  expect(glJob(ci, 'zone-bundle').script).toContain('npm run bundle -- --with-node --out conformance-bundle.tgz');
});
