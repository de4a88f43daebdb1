// A benchmark target in its own process (so the load generator and the server do not share an
// event loop): `reference` starts the embedded reference server, `bare` a node:http server that
// answers {} to everything. Talks to the parent over IPC: ready, heap (after gc), exit.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { TRANSLATION_SCOPE, startReferenceServer } from '../../reference-server/index';

export interface Ready {
  baseUrl: string;
  token?: string;
  /** A cancelled operation: re-cancel answers 200 {}, GET answers the operation. */
  probe?: string;
}

const send = (m: unknown) => process.send?.(m);
const gc = (globalThis as { gc?: () => void }).gc;

async function reference(): Promise<{ ready: Ready; close: () => Promise<void> }> {
  const ref = await startReferenceServer({ cancelDelayMs: 0, maxOperations: Number(process.env.BENCH_MAX_OPERATIONS ?? 1_000_000) });
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: TRANSLATION_SCOPE });
  const tokenRes = await fetch(ref.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('bench:bench').toString('base64')}` }, body: form });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = readFileSync(new URL('../../fixtures/batch-translate-long.json', import.meta.url), 'utf8');
  const created = await fetch(`${ref.baseUrl}/v3/projects/bench:batchTranslateDocument`, { method: 'POST', headers, body });
  const probe = ((await created.json()) as { name: string }).name;
  const cancel = await fetch(`${ref.baseUrl}/v3/${probe}:cancel`, { method: 'POST', headers, body: '{}' });
  if (cancel.status !== 200) throw new Error(`probe cancel answered ${cancel.status}`);
  return { ready: { baseUrl: ref.baseUrl, token, probe }, close: () => ref.close() };
}

async function bare(): Promise<{ ready: Ready; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 2 }).end('{}'));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { ready: { baseUrl: `http://127.0.0.1:${port}` }, close: () => new Promise((r) => server.close(() => r())) };
}

const target = process.argv[2] === 'bare' ? await bare() : await reference();
process.on('message', async (m: { cmd: string }) => {
  if (m.cmd === 'heap') {
    for (let i = 0; i < 3; i++) gc?.();
    send({ heap: process.memoryUsage().heapUsed, gc: !!gc });
  } else if (m.cmd === 'exit') {
    await target.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ ready: target.ready });
