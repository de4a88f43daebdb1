// `npm run config` (every variable, its value with secrets redacted, and where it came from) and
// the configuration error for a real target without any token source.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { VARIABLES } from '../../src/running/config-variables';
import { ConfigError, parseConfig } from '../../src/running/config';
import { requireCredentials } from '../../src/credentials/credentials-check';
import { ROOT } from '../matrix/run-conformance';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'config-command-'));

/** Runs a script with only the given variables (and PATH), as a fresh shell would. */
function run(script: string, env: Record<string, string>, dotenv = '') {
  const dotenvPath = join(dir, `${Math.random().toString(36).slice(2)}.env`);
  writeFileSync(dotenvPath, dotenv);
  const r = spawnSync(process.execPath, script.endsWith('.mjs') ? [script] : [TSX, script], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_PATH: dotenvPath, ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

const row = (out: string, name: string) => out.split('\n').find((l) => l.trimStart().startsWith(`${name} `))?.trim().split(/\s{2,}/);

test('npm run config names the source of every variable: environment, .env, preset, default', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjb25mb3JtYW5jZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const { status, out } = run('scripts/config.ts', {
    TARGET_PRESET: 'gdc', TARGET_BASE_URL: 'https://translation.zone1.gdc.example', CANCEL_ATTEMPTS: '5', TARGET_API_PREFIX: ' ',
    AUTH_TOKEN_TRANSLATION: 'short', AUTH_TOKEN_COMMAND_PLATFORM: `printf ${jwt}`,
  }, 'TARGET_PROJECT=qa-project\nAUTH_TOKEN_URL=https://issuer.example/token\nAUTH_CLIENT_ID=conformance\nAUTH_CLIENT_SECRET=dotenv-secret-value-1234\nCANCEL_ATTEMPTS=9\nTARGET_BASEURL=typo\n');
  expect(status, out).toBe(0);
  expect(row(out, 'TARGET_BASE_URL')).toEqual(['TARGET_BASE_URL', 'environment', 'https://translation.zone1.gdc.example']);
  // The environment wins over .env; .env fills what the environment leaves unset.
  expect(row(out, 'CANCEL_ATTEMPTS')).toEqual(['CANCEL_ATTEMPTS', 'environment', '5']);
  expect(row(out, 'TARGET_PROJECT')).toEqual(['TARGET_PROJECT', '.env', 'qa-project']);
  // The preset fills what is unset (a blank value counts as unset) and says so.
  expect(row(out, 'TARGET_PARENT')).toEqual(['TARGET_PARENT', 'preset', 'projects/qa-project']);
  expect(row(out, 'TARGET_API_PREFIX')).toEqual(['TARGET_API_PREFIX', 'preset', '/v3 (set blank in the environment, so unset)']);
  expect(row(out, 'AUTH_TOKEN_COMMAND')).toEqual(['AUTH_TOKEN_COMMAND', 'preset', 'gdcloud auth print-identity-token --audiences=https://translation.zone1.gdc.example']);
  expect(row(out, 'REQUEST_TIMEOUT')).toEqual(['REQUEST_TIMEOUT', 'default', '15']);
  expect(row(out, 'AUTH_TOKEN_EXPIRED')).toEqual(['AUTH_TOKEN_EXPIRED', 'unset']);
  // Secrets: never in clear, however short; a JWT anywhere is redacted too.
  expect(row(out, 'AUTH_CLIENT_SECRET')).toEqual(['AUTH_CLIENT_SECRET', '.env', '[REDACTED] (24 characters)']);
  expect(row(out, 'AUTH_TOKEN_TRANSLATION')).toEqual(['AUTH_TOKEN_TRANSLATION', 'environment', '[REDACTED] (5 characters)']);
  for (const secret of ['dotenv-secret-value-1234', 'short', jwt]) expect(out).not.toContain(secret);
  expect(row(out, 'AUTH_TOKEN_COMMAND_PLATFORM')?.[2]).toBe('printf [REDACTED-JWT]');
  // Every variable the suite reads has a row; a name it does not read is pointed out.
  for (const v of VARIABLES) expect(row(out, v.name)?.[0], v.name).toBe(v.name);
  expect(out).toContain('not read by the suite (a typo?): TARGET_BASEURL');
  expect(out).toMatch(/token sources: everyday: static AUTH_TOKEN_TRANSLATION; translation: static AUTH_TOKEN_TRANSLATION; platform: command AUTH_TOKEN_COMMAND_PLATFORM/);
  expect(out.trimEnd().split('\n').at(-1)).toBe('configuration: valid');
});

test('npm run config runs the checks of npm run conformance: a bad value is exit 3 with its message', () => {
  const { status, out } = run('scripts/config.ts', { REQUEST_TIMEOUT: 'soon' });
  expect(status).toBe(3);
  expect(out.trimEnd().split('\n').at(-1)).toBe('configuration error: REQUEST_TIMEOUT: "soon" is not a positive number. Set it to e.g. 15.');
  expect(row(out, 'REQUEST_TIMEOUT')).toEqual(['REQUEST_TIMEOUT', 'environment', 'soon']);
});

test('every variable the suite reads is in the table of npm run config, and the README documents it', () => {
  // The readers of src/running/config.ts and src/transport/tls.ts, ConfigError's variable, the reference server's and the gate's.
  const sources = ['src/running/config.ts', 'src/transport/tls.ts', 'reference-server/options.ts', 'src/judging/gate-files.ts', 'playwright.config.ts', 'allurerc.mjs', 'scripts/report-open.ts', 'scripts/merge-reports.ts']
    .map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const read = new Set([
    ...[...sources.matchAll(/\b(?:text|oneOf|positiveNumber|flag|jsonFile|optional|pick|readFor|ConfigError)\((?:env, )?'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!),
    ...[...sources.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
    ...[...sources.matchAll(/^\s+(REFERENCE_[A-Z_]+): \(v\)/gm)].map((m) => m[1]!),
  ]);
  // Set by the suite for its own processes, or other tools' variables.
  const internal = /^(CONFORMANCE_(EMBEDDED_PROFILE|CANCEL_SUPPORT|CANCEL_SUPPORT_SOURCE|TOKEN_SOURCES|PROBE_REQUESTS|PROBE_OPERATIONS|SHARD|TLS_WARNING)|ALLURE_SINGLE_FILE|NODE_EXTRA_CA_CERTS|CI|[A-Z]*_?PROXY)$/;
  expect(read.size).toBeGreaterThan(40);
  const known = new Set(VARIABLES.map((v) => v.name));
  expect(known.size, 'a variable listed twice').toBe(VARIABLES.length);
  expect([...read].filter((n) => !internal.test(n) && !known.has(n)).sort(), 'read by the suite, missing from src/running/config-variables.ts').toEqual([]);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(VARIABLES.map((v) => v.name).filter((n) => !readme.includes(n)), 'in the table, not in README.md').toEqual([]);
});

test.describe('a real target without credentials', () => {
  const external = { TARGET_BASE_URL: 'https://translation.example', TARGET_PARENT: 'projects/p' };
  const keyFile = join(dir, 'sa.json');
  writeFileSync(keyFile, JSON.stringify({
    type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.example',
    private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  }));
  const sources: Record<string, Record<string, string>> = {
    'a token command': { AUTH_TOKEN_COMMAND: 'print-token' },
    'a static cloud-translation token': { AUTH_TOKEN_TRANSLATION: 'static-token-value' },
    'a static cloud-platform token': { AUTH_TOKEN_PLATFORM: 'static-token-value' },
    'a per-scope command': { AUTH_TOKEN_COMMAND_TRANSLATION: 'print-token translation' },
    'a service-account key': { GOOGLE_APPLICATION_CREDENTIALS: keyFile },
    'a client-credentials issuer': { AUTH_TOKEN_URL: 'https://issuer.example/token', AUTH_CLIENT_ID: 'id', AUTH_CLIENT_SECRET: 'client-secret-value' },
    'TARGET_PRESET=gdc (its gdcloud command)': { TARGET_PRESET: 'gdc', TARGET_PROJECT: 'p' },
    'AUTH_MODE=none (no token needed)': { AUTH_MODE: 'none' },
  };
  for (const [what, env] of Object.entries(sources)) {
    test(`${what} is enough`, () => expect(() => requireCredentials(parseConfig({ ...external, ...env }))).not.toThrow());
  }

  test('nothing at all is one configuration error naming every way to supply a token', () => {
    let error: unknown;
    try {
      requireCredentials(parseConfig(external));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['AUTH_TOKEN_COMMAND', 'AUTH_TOKEN_TRANSLATION', 'AUTH_TOKEN_PLATFORM', 'GOOGLE_APPLICATION_CREDENTIALS', 'AUTH_TOKEN_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET', 'SCOPE_CHECKS=not-applicable', 'AUTH_MODE=none']) {
      expect(message).toContain(name);
    }
    // The embedded server brings its own issuer.
    expect(() => requireCredentials(parseConfig({}))).not.toThrow();
  });

  test('npm run conformance stops at once with exit 3 and that one message, before any test runs', () => {
    const started = Date.now();
    const { status, out } = run('scripts/conformance.mjs', external);
    expect(status, out).toBe(3);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/^lro-cancel-conformance: configuration error: TARGET_BASE_URL: is https:\/\/translation\.example but no variable supplies a token/);
    expect(out).not.toContain('NOT RUN');
    expect(Date.now() - started).toBeLessThan(20_000);
    // npm run config says the same.
    const config = run('scripts/config.ts', external);
    expect(config.status).toBe(3);
    expect(config.out).toContain('configuration error: TARGET_BASE_URL: is https://translation.example but no variable supplies a token');
    expect(run('scripts/config.ts', { ...external, AUTH_MODE: 'none' }).status).toBe(0);
  });
});
