// Air-gapped install: `npm run bundle` writes one archive; unpacked in an empty folder, its install.sh
// installs with the registry at a dead address, npm offline and the proxies dead, and
// `npm run conformance` there (the embedded reference server) is CONFORMANT.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { installScript, nodeVersionFor, parseBundleArgs, withResolved, type Lockfile } from '../../scripts/bundle';
import { ROOT } from '../matrix/run-conformance';
import { runProcess } from '../run-process';

// Nothing answers on port 9 (discard) of the loopback: a request there fails at once.
const DEAD = 'http://127.0.0.1:9/';
const OFFLINE_ENV = { npm_config_registry: DEAD, npm_config_offline: 'true' };
const DEAD_PROXIES = { HTTP_PROXY: DEAD, HTTPS_PROXY: DEAD, http_proxy: DEAD, https_proxy: DEAD };

const run = (command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) => runProcess(command, args, { cwd, env, timeoutMs });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

test.describe('the bundle installs and runs with no registry', () => {
  test.describe.configure({ mode: 'serial', timeout: 180_000 });
  // In memory where there is /dev/shm: npm writes ~300 MB of node_modules twice (the build's and the install's).
  // Made in beforeAll: Playwright loads this file in the runner and in every worker.
  let dir = '';
  const at = (name: string) => join(dir, name);
  // Without the PATH entries npm run adds for this checkout: the zone's commands come from the zone's node_modules.
  const path = process.env.PATH!.split(':').filter((p) => !/node_modules\/\.bin|node-gyp-bin/.test(p)).join(':');
  // A zone runner's own home: no ~/.npmrc, an empty default npm cache.
  const zoneEnv = () => ({ PATH: path, HOME: at('home'), ...OFFLINE_ENV });
  const timings: string[] = [];
  test.beforeAll(() => {
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bundle-spec-'));
    for (const sub of ['tmp', 'home', 'zone']) mkdirSync(at(sub));
  });
  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`bundle spec: ${timings.join(', ')}`);
  });

  test('npm run bundle writes one archive: the project, the npm cache and install.sh at its root', async () => {
    // The build's staging folder (and tsx's caches) in the spec's folder, removed with it.
    const built = await run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bundle.ts', '--out', at('suite.tgz')], ROOT, { ...process.env, TMPDIR: at('tmp') }, 150_000);
    expect(built.code, built.output).toBe(0);
    expect(built.output).toMatch(/^bundle: .*suite\.tgz \([\d.]+ MB: the project, \d+ packages for linux-x64\) in [\d.]+ s$/m);
    timings.push(`build ${seconds(built.ms)} (${built.output.match(/\(([\d.]+ MB)/)?.[1]})`);
    const entries = spawnSync('tar', ['-tzf', at('suite.tgz')], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.split('\n');
    for (const f of ['install.sh', 'package.json', 'package-lock.json', 'playwright.config.ts', 'scripts/conformance.mjs', 'src/', 'npm-cache/']) {
      expect(entries.some((e) => e === f || e.startsWith(f)), f).toBe(true);
    }
    expect(entries.filter((e) => e.startsWith('node_modules/') || e.startsWith('npm-cache/_logs'))).toEqual([]);
  });

  test('install.sh installs from the bundled cache with the registry and the proxies dead', async () => {
    expect(spawnSync('tar', ['-xzf', at('suite.tgz'), '-C', at('zone')]).status).toBe(0);
    const installed = await run('sh', ['install.sh'], at('zone'), { ...zoneEnv(), ...DEAD_PROXIES }, 150_000);
    timings.push(`offline install ${seconds(installed.ms)}`);
    expect(installed.code, installed.output).toBe(0);
    expect(installed.output, 'npm ci prints no warning').not.toMatch(/^npm warn/im);
    expect(installed.output).toContain('npm run preflight');
    expect(installed.output).toContain('npm run conformance');
    // tsx runs the suite on esbuild's platform binary, which must have come from the cache.
    expect(existsSync(at('zone/node_modules/@esbuild/linux-x64/bin/esbuild'))).toBe(true);
  });

  test('npm run conformance in the unpacked folder: CONFORMANT against the embedded server', async () => {
    const conformance = await run('npm', ['run', 'conformance'], at('zone'), zoneEnv(), 120_000);
    timings.push(`conformance ${seconds(conformance.ms)}`);
    expect(conformance.output).toContain('VERDICT: CONFORMANT');
    expect(conformance.code, conformance.output).toBe(0);
  });
});

test.describe('bundle parts', () => {
  test('the lockfile gets each tarball URL, so npm needs no registry metadata offline', () => {
    const lock: Lockfile = {
      packages: {
        '': {},
        'node_modules/tsx': { version: '4.23.15', integrity: 'sha512-a' },
        'node_modules/@esbuild/linux-x64': { version: '0.25.0', integrity: 'sha512-b', os: ['linux'], cpu: ['x64'] },
        'node_modules/string-width-cjs': { name: 'string-width', version: '4.2.3', integrity: 'sha512-c' },
        'node_modules/a/node_modules/@scope/b': { version: '1.0.0', integrity: 'sha512-d' },
        'node_modules/linked': { link: true, resolved: 'packages/linked' },
      },
    };
    const out = withResolved(lock, 'https://registry.example/npm').packages;
    expect(out['node_modules/tsx']!.resolved).toBe('https://registry.example/npm/tsx/-/tsx-4.23.15.tgz');
    expect(out['node_modules/@esbuild/linux-x64']!.resolved).toBe('https://registry.example/npm/@esbuild/linux-x64/-/linux-x64-0.25.0.tgz');
    expect(out['node_modules/string-width-cjs']!.resolved).toBe('https://registry.example/npm/string-width/-/string-width-4.2.3.tgz');
    expect(out['node_modules/a/node_modules/@scope/b']!.resolved).toBe('https://registry.example/npm/@scope/b/-/b-1.0.0.tgz');
    expect(out['node_modules/linked']).toEqual(lock.packages['node_modules/linked']);
    expect(out['']).toEqual({});
  });

  test('options: --out, --with-node and their variables; anything else is one line naming them', () => {
    expect(parseBundleArgs([])).toEqual({ out: undefined, withNode: false });
    expect(parseBundleArgs(['--with-node', '--out', 'x.tgz'])).toEqual({ out: 'x.tgz', withNode: true });
    expect(parseBundleArgs(['--out=y.tar.gz'], { BUNDLE_WITH_NODE: 'true' })).toEqual({ out: 'y.tar.gz', withNode: true });
    expect(parseBundleArgs([], { BUNDLE_OUT: 'z.tgz', BUNDLE_WITH_NODE: 'false' })).toEqual({ out: 'z.tgz', withNode: false });
    expect(() => parseBundleArgs(['--node'])).toThrow('unknown argument --node: use --out <file.tgz> and --with-node (or BUNDLE_OUT, BUNDLE_WITH_NODE=true)');
    expect(() => parseBundleArgs([], { BUNDLE_WITH_NODE: 'yes' })).toThrow('BUNDLE_WITH_NODE="yes" is not a boolean: use true or false');
    expect(() => parseBundleArgs(['--out', 'x.zip'])).toThrow('--out x.zip: name a .tgz file');
    expect(() => parseBundleArgs(['--out'])).toThrow('--out (nothing): name a .tgz file');
  });

  test('the bundled Node is the running one on a line engines accepts, else the newest 24', () => {
    expect(['20.19.0', '22.12.0', '24.22.3', '23.11.0', '26.0.0'].map(nodeVersionFor)).toEqual(['20.19.0', '22.12.0', '24.22.3', '24', '24']);
  });

  test('install.sh is valid POSIX sh, with and without a bundled Node', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'bundle-install-sh-'));
    for (const node of [undefined, '24.22.3']) {
      const file = join(scratch, `install-${node ?? 'no-node'}.sh`);
      writeFileSync(file, installScript({ name: 'lro-cancel-conformance', version: '0.1.0', commit: 'commit abc1234', platform: 'linux-x64', node, engines: '^20.19.0 || ^22.12.0 || ^24.0.0' }));
      const check = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
      const script = readFileSync(file, 'utf8');
      expect(script).toContain('npm ci --offline --cache "$here/npm-cache"');
      expect(script.includes('PATH="$here/node/bin:$PATH"; export PATH')).toBe(!!node);
    }
    rmSync(scratch, { recursive: true, force: true });
  });
});
