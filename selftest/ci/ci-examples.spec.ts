// The CI examples of docs/ci/ run as written, read from their YAML: two shards and the merge
// against the embedded reference server (with a deliberate fault, so the run is red and must
// still end with its report), and their credential steps against a stand-in real target.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { CATALOG } from '../../src/judging/catalog';
import { expectShardsAddUp } from '../merge/shards-add-up';
import { createRunner, githubExpression, isInstall, readYaml, runsIf, type Runner } from './ci-runner';

test.describe.configure({ timeout: 300_000 });

// A fresh runner's environment: none of this machine's TARGET_* or AUTH_* variables, and nothing the
// YAML does not set (so the shards run with the suite's default of one worker, as on a real runner).
const MACHINE = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' };
const RED = { ...MACHINE, REFERENCE_FAULTS: 'cancelled-code-unknown' };

interface GhStep { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string | boolean> }
interface GhJob { needs?: string | string[]; if?: string; env?: Record<string, string>; strategy?: { matrix: { shard: number[] } }; steps: GhStep[] }
interface Gh { env?: Record<string, string>; jobs: Record<string, GhJob> }

const only = (what: string, obj: object, keys: string[]) => {
  const unknown = Object.keys(obj).filter((k) => !keys.includes(k));
  if (unknown.length) throw new Error(`docs/ci: ${what} uses ${unknown.join(', ')}, which the runner stand-in does not know`);
};

interface Secrets { vars?: Record<string, string>; secrets?: Record<string, string> }

/** One GitHub job (one matrix entry): fresh checkout, env, steps in order, $GITHUB_ENV between steps. */
function githubJob(runner: Runner, wf: Gh, name: string, shard: number, given: Secrets, stopAt?: RegExp): { failed: boolean } {
  const job = wf.jobs[name]!;
  only(`job ${name}`, job, ['name', 'runs-on', 'timeout-minutes', 'strategy', 'steps', 'needs', 'if', 'env']);
  const ctx = { matrix: { shard: String(shard) }, jobTotal: job.strategy?.matrix.shard.length ?? 1, vars: given.vars ?? {}, secrets: given.secrets ?? {} };
  const evalEnv = (env: Record<string, string> = {}) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, githubExpression(String(v), ctx)]));
  runner.checkout();
  const githubEnv = join(mkdtempSync(join(tmpdir(), 'github-env-')), 'env');
  writeFileSync(githubEnv, '');
  const env = { ...evalEnv(wf.env), ...evalEnv(job.env), CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_ENV: githubEnv, RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'runner-temp-')) };
  let failed = false;
  for (const step of job.steps) {
    only(`a step of ${name}`, step, ['name', 'uses', 'run', 'if', 'env', 'with']);
    if (stopAt && step.run && stopAt.test(step.run)) break;
    if (!runsIf(step.if, failed)) continue;
    const w = step.with ?? {};
    if (step.uses) {
      const action = step.uses.replace(/@v\d+$/, '');
      if (action === 'actions/upload-artifact') runner.upload(githubExpression(String(w.name), ctx), String(w.path));
      else if (action === 'actions/download-artifact') {
        expect(w['merge-multiple'], 'shards are merged into one folder').toBe(true);
        const pattern = new RegExp(`^${String(w.pattern).replace(/\*/g, '.*')}$`);
        runner.download([1, 2, 3, 4].map((i) => `conformance-shard-${i}`).filter((n) => pattern.test(n)), String(w.path));
      } else if (action === 'actions/setup-node') expect(nodeMajors()).toContain(Number(w['node-version']));
      else if (action !== 'actions/checkout') throw new Error(`docs/ci: the runner stand-in does not know the action ${step.uses}`);
      continue;
    }
    if (isInstall(step.run!)) continue;
    const exported = Object.fromEntries(readFileSync(githubEnv, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const run = runner.bash(name, step.name ?? step.run!, githubExpression(step.run!, ctx), { ...env, ...exported, ...evalEnv(step.env) });
    if (run.exitCode !== 0) failed = true;
  }
  return { failed };
}

/** The Node majors package.json's engines accepts ("^20.19.0 || ^22.12.0 || ^24.0.0" → 20, 22, 24). */
const nodeMajors = () => [...(JSON.parse(readYaml('package.json')) as { engines: { node: string } }).engines.node.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));

interface GlJob { stage: string; parallel?: number; script: string[]; before_script?: string[]; variables?: Record<string, string>; needs?: { job: string; artifacts: boolean }[]; when?: string; artifacts?: { when?: string; paths: string[]; reports?: unknown }; timeout?: string; image?: string }
interface Gl { stages: string[]; default: { image: string; before_script: string[] }; variables?: Record<string, string>; [job: string]: unknown }

/** One GitLab job (one parallel index): fresh checkout, needed artifacts, before_script and script in one shell. */
function gitlabJob(runner: Runner, ci: Gl, name: string, index: number, variables: Record<string, string>, stopAt?: RegExp): { failed: boolean } {
  const job = ci[name] as GlJob;
  only(`job ${name}`, job, ['stage', 'parallel', 'script', 'before_script', 'variables', 'needs', 'when', 'artifacts', 'timeout', 'image']);
  runner.checkout();
  for (const need of job.needs ?? []) {
    const total = (ci[need.job] as GlJob).parallel ?? 1;
    for (let i = 1; i <= total; i++) for (const p of (ci[need.job] as GlJob).artifacts?.paths ?? []) if (need.artifacts) runner.download([`${need.job}-${i}/${p}`], p);
  }
  const lines = [...(job.before_script ?? ci.default.before_script).filter((l) => !isInstall(l)), ...job.script];
  const until = stopAt ? lines.findIndex((l) => stopAt.test(l)) : -1;
  const run = runner.bash(name, `${name} ${index}`, (until >= 0 ? lines.slice(0, until) : lines).join('\n'), {
    ...ci.variables, ...job.variables, ...variables, CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: runner.workspace,
    ...(job.parallel ? { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(job.parallel) } : {}),
  });
  const failed = run.exitCode !== 0;
  if (job.artifacts && (job.artifacts.when === 'always' || !failed)) for (const p of job.artifacts.paths) runner.upload(`${name}-${index}/${p}`, p);
  return { failed };
}

/** What the merge left: a red verdict with its reports, all of them. */
function expectRedRunWithReport(reportsDir: string, log: string) {
  for (const f of ['conformance-summary.json', 'junit.xml', 'playwright-report/index.html', 'allure-report/index.html', 'allure-report-single/index.html']) {
    expect(existsSync(join(reportsDir, f)), `${f}\n${log}`).toBe(true);
  }
  const summary = JSON.parse(readFileSync(join(reportsDir, 'conformance-summary.json'), 'utf8')) as { verdict: string; suiteErrors: string[]; requirements: { id: string; status: string }[]; gate: { exitCode: number } };
  expect(summary.verdict).toBe('non-conformant');
  expect(summary.suiteErrors).toEqual([]);
  expect(summary.requirements.map((r) => r.id)).toEqual(CATALOG.map((r) => r.id));
  expect(summary.requirements.filter((r) => r.status === 'failed').map((r) => r.id)).toEqual(['cancel.outcome.error-code']);
  expect(summary.requirements.filter((r) => r.status === 'not-run')).toEqual([]);
  expect(summary.gate.exitCode).toBe(1);
}

const logOf = (runner: Runner) => runner.log.map((r) => `[${r.job}] ${r.what}: exit ${r.exitCode}\n${r.output.slice(-1500)}`).join('\n');

test('GitHub Actions: both shard jobs and the merge job run as written; the red run ends with its report, and the merge adds up', () => {
  const wf = parse(readYaml('docs/ci/github-actions.yml')) as Gh;
  const shards = wf.jobs.conformance!.strategy!.matrix.shard;
  expect(shards).toEqual([1, 2]);
  const merge = wf.jobs['merge-reports']!;
  expect([merge.needs].flat()).toEqual(['conformance']);
  // The merge runs after failed shards too (the same rule the stand-in applies below).
  expect(runsIf(merge.if, true)).toBe(true);

  const runner = createRunner(RED);
  for (const shard of shards) expect(githubJob(runner, wf, 'conformance', shard, {}).failed, logOf(runner)).toBe(false);
  expect(githubJob(runner, wf, 'merge-reports', 1, {}).failed).toBe(true);
  const mergeRun = runner.log.find((r) => r.job === 'merge-reports' && /npm run merge-reports/.test(r.what))!;
  expect(mergeRun.exitCode, logOf(runner)).toBe(1);
  expect(mergeRun.output).toContain('VERDICT: NON-CONFORMANT');
  // The report artifact was still uploaded.
  expectRedRunWithReport(join(runner.artifacts, 'conformance-report/reports'), logOf(runner));
  // The merge job's checkout: the shards it downloaded, and what it made of them.
  expectShardsAddUp(join(runner.workspace, 'reports/shards'), join(runner.workspace, 'reports'));
});

test('GitLab CI: both parallel shards and the merge job run as written; the red run ends with its report, and the merge adds up', () => {
  const ci = parse(readYaml('docs/ci/gitlab-ci.yml')) as Gl;
  const shardJob = ci.conformance as GlJob;
  const merge = ci['merge-reports'] as GlJob;
  expect(shardJob.parallel).toBe(2);
  expect(merge.needs).toEqual([{ job: 'conformance', artifacts: true }]);
  expect(ci.stages.indexOf(merge.stage)).toBeGreaterThan(ci.stages.indexOf(shardJob.stage));
  // The merge runs after failed shards too, like GitHub's `if: !cancelled()`.
  expect(merge.when).toBe('always');
  expect(ci.default.image).toMatch(new RegExp(`^node:(${nodeMajors().join('|')})-`));

  const runner = createRunner(RED);
  for (const i of [1, 2]) expect(gitlabJob(runner, ci, 'conformance', i, {}).failed, logOf(runner)).toBe(false);
  expect(gitlabJob(runner, ci, 'merge-reports', 1, {}).failed).toBe(true);
  expect(runner.log.at(-1)!.output).toContain('VERDICT: NON-CONFORMANT');
  expect(merge.artifacts!.when).toBe('always');
  expectRedRunWithReport(join(runner.workspace, 'reports'), logOf(runner));
  expectShardsAddUp(join(runner.workspace, 'reports/shards'), join(runner.workspace, 'reports'));
});

test.describe('the credential steps, against a real target stand-in (up to the run itself)', () => {
  const target = { TARGET_BASE_URL: 'https://translation.zone1.gdc.example', TARGET_PARENT: 'projects/qa' };
  const gdcloud = 'gdcloud auth print-identity-token --audiences=$TARGET_BASE_URL';
  const key = JSON.stringify({
    type: 'service_account', client_email: 'conformance@qa.iam.gserviceaccount.example', token_uri: 'https://oauth2.example/token',
    private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  });
  const before = /npm run conformance/;

  test('GitHub: a gdcloud token command, or the service-account secret written to a file', () => {
    const wf = parse(readYaml('docs/ci/github-actions.yml')) as Gh;
    const runner = createRunner(MACHINE);
    expect(githubJob(runner, wf, 'conformance', 1, { vars: { ...target, AUTH_TOKEN_COMMAND: gdcloud } }, before).failed, logOf(runner)).toBe(false);
    const command = runner.log.at(-1)!.output;
    expect(command).toMatch(/TARGET_PARENT +environment +projects\/qa/);
    expect(command).toContain('token sources: everyday: command AUTH_TOKEN_COMMAND');
    expect(githubJob(runner, wf, 'conformance', 1, { vars: target, secrets: { GCP_SA_KEY: key } }, before).failed, logOf(runner)).toBe(false);
    const sa = runner.log.at(-1)!.output;
    expect(sa).toContain('everyday: service account conformance@qa.iam.gserviceaccount.example');
    expect(sa).not.toContain('PRIVATE KEY');
    // Nothing set: the job stops at npm run config with the configuration error (exit 3), before any shard runs.
    expect(githubJob(runner, wf, 'conformance', 1, { vars: target }, before).failed).toBe(true);
    expect(runner.log.at(-1)!.output).toContain('no variable supplies a token');
  });

  test('GitLab: a gdcloud token command, or the service-account variable written to a file', () => {
    const ci = parse(readYaml('docs/ci/gitlab-ci.yml')) as Gl;
    const runner = createRunner(MACHINE);
    expect(gitlabJob(runner, ci, 'conformance', 1, { ...target, AUTH_TOKEN_COMMAND: gdcloud }, before).failed, logOf(runner)).toBe(false);
    expect(runner.log.at(-1)!.output).toContain('token sources: everyday: command AUTH_TOKEN_COMMAND');
    expect(gitlabJob(runner, ci, 'conformance', 1, { ...target, GCP_SA_KEY: key, TMPDIR: mkdtempSync(join(tmpdir(), 'gl-tmp-')) }, before).failed, logOf(runner)).toBe(false);
    expect(runner.log.at(-1)!.output).toContain('everyday: service account conformance@qa.iam.gserviceaccount.example');
  });
});
