// A small stand-in for a CI runner, so the examples in docs/ci/ run as written: each job gets a
// fresh checkout at the same path, its own environment and the `run:` / `script:` lines read from
// the YAML, in bash; artifacts travel between jobs the way the YAML says. What it does not know
// (an expression, an action, a keyword) is an error, so an example cannot drift past it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../matrix/run-conformance';

export interface StepRun { readonly job: string; readonly what: string; readonly exitCode: number; readonly output: string }

export interface Runner {
  /** The checkout every job runs in (one path, like a CI workspace). */
  readonly workspace: string;
  readonly artifacts: string;
  readonly log: StepRun[];
  checkout(): void;
  /** Runs a script in bash in the workspace: -e and pipefail, as both CI systems do. */
  bash(job: string, what: string, script: string, env: Record<string, string>): StepRun;
  /** Stores what is under `path` (one path: its contents; several lines: each path as it is) as artifact `name`. */
  upload(name: string, path: string): void;
  /** Puts the stored artifacts back into `path` of the workspace. */
  download(names: readonly string[], path: string): void;
}

/** An `npm ci` line: node_modules is already installed (and shared), so it is linked, not reinstalled. */
export const isInstall = (line: string) => /^npm ci(\s|$)/.test(line.trim());

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
    checkout() {
      rmSync(workspace, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(workspace, f)), { recursive: true });
        cpSync(join(ROOT, f), join(workspace, f));
      }
      symlinkSync(join(ROOT, 'node_modules'), join(workspace, 'node_modules'));
    },
    bash(job, what, script, env) {
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: workspace, encoding: 'utf8', timeout: 240_000, env: { ...baseEnv, ...env },
      });
      const run = { job, what, exitCode: r.status ?? -1, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
      log.push(run);
      return run;
    },
    upload(name, path) {
      const paths = path.split('\n').map((p) => p.trim()).filter(Boolean);
      for (const p of paths) {
        if (existsSync(join(workspace, p))) cpSync(join(workspace, p), paths.length === 1 ? join(artifacts, name) : join(artifacts, name, p), { recursive: true });
      }
    },
    download(names, path) {
      mkdirSync(join(workspace, path), { recursive: true });
      for (const name of names) if (existsSync(join(artifacts, name))) cpSync(join(artifacts, name), join(workspace, path), { recursive: true });
    },
  };
}

/** Evaluates the `${{ … }}` expressions the GitHub example uses; anything else is an error. */
export function githubExpression(text: string, ctx: { matrix: Record<string, string>; jobTotal: number; vars: Record<string, string>; secrets: Record<string, string> }): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const m = expr.match(/^(matrix|vars|secrets)\.([A-Za-z_][A-Za-z0-9_-]*)$/);
    if (m) return (m[1] === 'matrix' ? ctx.matrix : m[1] === 'vars' ? ctx.vars : ctx.secrets)[m[2]!] ?? '';
    if (expr === 'strategy.job-total') return String(ctx.jobTotal);
    throw new Error(`docs/ci: the runner stand-in does not know the expression \${{ ${expr} }}`);
  });
}

/** Does a step or job with this `if:` run? Without one, only when nothing failed before it. */
export function runsIf(condition: string | undefined, failedBefore: boolean): boolean {
  if (condition === undefined) return !failedBefore;
  if (/^\$\{\{\s*(!cancelled\(\)|always\(\))\s*\}\}$/.test(condition.trim())) return true;
  throw new Error(`docs/ci: the runner stand-in does not know the condition ${condition}`);
}

export const readYaml = (file: string) => readFileSync(join(ROOT, file), 'utf8');
