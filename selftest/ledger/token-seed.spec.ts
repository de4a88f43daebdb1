// Tokens are minted once per run, not once per worker: a worker started with the global setup's
// CONFORMANCE_TOKEN_SEED serves the same token without asking the issuer, and drops the variable
// so the token commands it runs never inherit it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parseConfig } from '../../src/running/config';
import { createTokens, isAvailable, TOKEN_SEED_VARIABLE, tokenSeed } from '../../src/credentials/tokens';
import { ROOT } from '../matrix/run-conformance';

/** A client-credentials issuer that counts its grants and hands out opaque tokens. */
async function issuer() {
  let grants = 0;
  const server = createServer((req, res) => {
    req.resume();
    grants++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `opaque-token-${grants}`, expires_in: 3600 }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, grants: () => grants, close: () => server.close() };
}

const envFor = (tokenUrl: string) => ({ TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p', AUTH_TOKEN_URL: tokenUrl, AUTH_CLIENT_ID: 'id', AUTH_CLIENT_SECRET: 'secret' });

/** A stand-in worker: its everyday token, and whether the seed variable is still in its environment afterwards. */
function worker(env: Record<string, string>): Promise<{ token: string; seedLeft: boolean }> {
  const script = `import { parseConfig } from ${JSON.stringify(join(ROOT, 'src/running/config.ts'))};
    import { createTokens } from ${JSON.stringify(join(ROOT, 'src/credentials/tokens.ts'))};
    const lookup = await createTokens(parseConfig(process.env)).everyday();
    console.log(JSON.stringify({ token: lookup.token, seedLeft: ${JSON.stringify(TOKEN_SEED_VARIABLE)} in process.env }));`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TEST_WORKER_INDEX: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`worker exited ${code}`))));
  });
}

test('a worker started from the global setup\'s seed serves its token without minting, and drops the variable', async () => {
  const server = await issuer();
  try {
    const env = envFor(server.url);
    const setup = await createTokens(parseConfig(env)).everyday();
    expect(isAvailable(setup) && setup.token).toBe('opaque-token-1');
    const seed = tokenSeed();
    const seeded = await worker({ ...env, [TOKEN_SEED_VARIABLE]: seed });
    expect(seeded).toEqual({ token: 'opaque-token-1', seedLeft: false });
    expect(server.grants()).toBe(1);
    // Without the seed, the same worker asks the issuer itself.
    const unseeded = await worker(env);
    expect(unseeded.token).toBe('opaque-token-2');
    expect(server.grants()).toBe(2);
  } finally {
    server.close();
  }
});

test('an expired seed is not served: the worker mints a fresh token', async () => {
  const server = await issuer();
  try {
    const env = envFor(server.url);
    const key = Object.keys(JSON.parse((await createTokens(parseConfig(env)).everyday(), tokenSeed())) as object)[0]!;
    const stale = JSON.stringify({ [key]: { token: 'stale-token', exp: Math.floor(Date.now() / 1000) - 10 } });
    expect((await worker({ ...env, [TOKEN_SEED_VARIABLE]: stale })).token).toBe('opaque-token-2');
  } finally {
    server.close();
  }
});
