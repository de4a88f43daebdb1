// A small stand-in for a CI runner, so the examples in docs/ci/ run as written: each job gets a
// fresh workspace at the same path (empty until it checks out, as on a hosted runner or with
// GIT_STRATEGY: none), its own environment and the `run:` / `script:` lines read from the YAML, in
// bash; artifacts travel between jobs the way the YAML says. What it does not know (an expression,
// an action, a keyword, a rule) is an error, so an example cannot drift past it.
//
// Two lines are stood in for, because the real ones need the npm registry and take minutes:
// - `npm ci`: the checkout gets a link to this checkout's node_modules instead.
// - `npm run bundle -- …`: the archive is made of the job's checkout (what the real one takes: the
//   project's files) and the real install.sh (scripts/bundle.ts installScript) in which `npm ci
//   --offline` from the bundled npm cache is replaced by a link to this checkout's node_modules,
//   and no Node is bundled (the machine's is on PATH). selftest/ci/bundle.spec.ts proves the real
//   archive installs and runs with no registry; this one lets the zone job's own lines (tar xzf,
//   sh install.sh, npm run …) run as written in seconds.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { installScript, parseBundleArgs } from '../../scripts/bundle';
import { ROOT } from '../matrix/run-conformance';
import { runProcess } from '../run-process';

export interface StepRun { readonly job: string; readonly what: string; readonly exitCode: number; readonly output: string; readonly ms?: number }

export interface Runner {
  /** The workspace every job runs in (one path, like a CI workspace). */
  readonly workspace: string;
  readonly artifacts: string;
  readonly log: StepRun[];
  /** A new job: the workspace emptied. */
  fresh(): void;
  /** A new folder beside the workspace (a runner's temp), removed with it. */
  scratch(prefix: string): string;
  /** Everything the runner wrote, gone. */
  remove(): void;
  /** The project's files into the workspace, and node_modules linked (the stand-in for `npm ci`). */
  checkout(): void;
  /**
   * Runs a script in bash in the workspace (or `dir` in it): -e and pipefail, as both CI systems do.
   * Asynchronous: a target the test serves from its own process answers meanwhile.
   */
  bash(job: string, what: string, script: string, env: Record<string, string>, dir?: string): Promise<StepRun>;
  /**
   * Stores `paths` of the workspace as artifact `name`: below their common folder (GitHub's
   * upload-artifact), or each at its own path (`keepPaths`: GitLab's artifacts).
   */
  store(name: string, paths: readonly string[], keepPaths: boolean): void;
  /** Puts artifact `name` back into `into` of the workspace. */
  restore(name: string, into: string): void;
}

/** An `npm ci` line: node_modules is already installed (and shared), so it is linked, not reinstalled. */
export const isInstall = (line: string) => /^npm ci(\s|$)/.test(line.trim());

/** An `npm run bundle -- <options>` line: its options, parsed as scripts/bundle.ts parses them. */
export function bundleLine(line: string): { out: string } | undefined {
  const m = line.trim().match(/^npm run bundle(?: -- (.*))?$/);
  if (!m) return undefined;
  const { out } = parseBundleArgs((m[1] ?? '').split(/\s+/).filter(Boolean), {});
  if (!out) throw new Error(`docs/ci: ${line}: the runner stand-in needs --out, to know where the archive goes`);
  return { out };
}

export function createRunner(baseEnv: Record<string, string>): Runner {
  const root = mkdtempSync(join(tmpdir(), 'ci-example-'));
  const workspace = join(root, 'workspace');
  const artifacts = join(root, 'artifacts');
  mkdirSync(artifacts);
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n')
    .filter((f) => f && !f.startsWith('node_modules/') && existsSync(join(ROOT, f)));
  const log: StepRun[] = [];
  return {
    workspace,
    artifacts,
    log,
    fresh() {
      rmSync(workspace, { recursive: true, force: true });
      mkdirSync(workspace);
    },
    scratch: (prefix) => mkdtempSync(join(root, prefix)),
    remove: () => rmSync(root, { recursive: true, force: true }),
    checkout() {
      for (const f of files) {
        mkdirSync(dirname(join(workspace, f)), { recursive: true });
        cpSync(join(ROOT, f), join(workspace, f));
      }
      symlinkSync(join(ROOT, 'node_modules'), join(workspace, 'node_modules'));
    },
    bash(job, what, script, env, dir = '.') {
      const started = performance.now();
      const record = (exitCode: number, output: string) => {
        const run = { job, what, exitCode, output, ms: Math.round(performance.now() - started) };
        log.push(run);
        return run;
      };
      // A working-directory that is not there fails the step, as on a real runner.
      if (!existsSync(join(workspace, dir))) return Promise.resolve(record(1, `working directory ${dir} does not exist`));
      return runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: join(workspace, dir), env: { ...baseEnv, ...env }, timeoutMs: 240_000 })
        .then(({ code, output }) => record(code ?? -1, output));
    },
    store(name, paths, keepPaths) {
      const present = paths.filter((p) => existsSync(join(workspace, p)));
      const common = keepPaths ? '.' : commonFolder(present.map((p) => (statSync(join(workspace, p)).isDirectory() ? p : dirname(p))));
      for (const p of present) cpSync(join(workspace, p), join(artifacts, name, relative(common, p)), { recursive: true });
    },
    restore(name, into) {
      mkdirSync(join(workspace, into), { recursive: true });
      if (existsSync(join(artifacts, name))) cpSync(join(artifacts, name), join(workspace, into), { recursive: true });
    },
  };
}

/** The deepest folder holding all of these (GitHub's upload-artifact leaves it out of the artifact's paths). */
function commonFolder(folders: readonly string[]): string {
  const split = folders.map((f) => normalize(f).split(sep).filter((seg) => seg && seg !== '.'));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((segs) => segs[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || '.';
}

/** The stand-in for `npm run bundle -- --out <file>` in the workspace (see the top of this file). */
export function standInBundle(runner: Runner, job: string, out: string): StepRun {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };
  const real = installScript({ name: pkg.name, version: pkg.version, commit: 'commit (stand-in)', platform: `${process.platform}-${process.arch}`, engines: pkg.engines.node });
  const npmCi = /^npm ci --offline .*$/m;
  if (!npmCi.test(real)) throw new Error('scripts/bundle.ts installScript has no `npm ci --offline` line for the stand-in to replace');
  const staging = mkdtempSync(join(tmpdir(), 'stand-in-bundle-'));
  writeFileSync(join(staging, 'install.sh'), real.replace(npmCi, `ln -s '${join(ROOT, 'node_modules')}' node_modules  # stand-in for npm ci --offline from ./npm-cache`));
  const tar = spawnSync('tar', ['-czf', join(staging, 'bundle.tgz'), '-C', runner.workspace, '--exclude=./node_modules', '--exclude=./reports', '.', '-C', staging, 'install.sh'], { encoding: 'utf8' });
  if (tar.status === 0) renameSync(join(staging, 'bundle.tgz'), join(runner.workspace, out));
  rmSync(staging, { recursive: true, force: true });
  const run = { job, what: `npm run bundle (stand-in) --out ${out}`, exitCode: tar.status ?? -1, output: `${tar.stdout}${tar.stderr}` };
  runner.log.push(run);
  return run;
}

/** Evaluates the `${{ … }}` expressions the GitHub examples use; anything else is an error. */
export function githubExpression(text: string, ctx: { vars: Record<string, string>; secrets: Record<string, string> }): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const m = expr.match(/^(vars|secrets)\.([A-Za-z_][A-Za-z0-9_-]*)$/);
    if (m) return (m[1] === 'vars' ? ctx.vars : ctx.secrets)[m[2]!] ?? '';
    throw new Error(`docs/ci: the runner stand-in does not know the expression \${{ ${expr} }}`);
  });
}

/** Does a step or job with this `if:` run? Without one, only when nothing failed before it. */
export function runsIf(condition: string | undefined, failedBefore: boolean): boolean {
  if (condition === undefined) return !failedBefore;
  if (/^\$\{\{\s*(!cancelled\(\)|always\(\))\s*\}\}$/.test(condition.trim())) return true;
  throw new Error(`docs/ci: the runner stand-in does not know the condition ${condition}`);
}

/**
 * Does a GitLab job with these `rules:` join a pipeline with these predefined variables? Each rule
 * is an `if:` of `$VAR`, `$VAR == "…"` or `$VAR != "…"` joined by `&&` or `||`; the first that holds
 * adds the job; none holding leaves it out; no rules at all: every pipeline.
 */
export function gitlabRulesMatch(rules: readonly Record<string, unknown>[] | undefined, vars: Record<string, string>): boolean {
  if (rules === undefined) return true;
  const term = (t: string): boolean => {
    const m = t.trim().match(/^\$([A-Z_][A-Z0-9_]*)(?:\s*(==|!=)\s*"([^"]*)")?$/);
    if (!m) throw new Error(`docs/ci: the runner stand-in does not know the rule expression ${t}`);
    const value = vars[m[1]!] ?? '';
    return m[2] === undefined ? value !== '' : (value === m[3]) === (m[2] === '==');
  };
  for (const rule of rules) {
    const unknown = Object.keys(rule).filter((k) => k !== 'if');
    if (unknown.length) throw new Error(`docs/ci: a rule uses ${unknown.join(', ')}, which the runner stand-in does not know`);
    if (String(rule.if).split('||').some((any) => any.split('&&').every(term))) return true;
  }
  return false;
}

export const readYaml = (file: string) => readFileSync(join(ROOT, file), 'utf8');
