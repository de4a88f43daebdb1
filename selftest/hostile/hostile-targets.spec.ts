// The suite against targets that misbehave below the contract: each run must end, within a
// bounded time, as one clear `incomplete` verdict (or a configuration error), never a hang,
// a crash or a pass.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect, test } from '@playwright/test';
import { runConformance } from '../matrix/run-conformance';

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { sockets.forEach((s) => s.destroy()); server.close(() => r()); }),
  };
}

const TARGET = { TARGET_PARENT: 'projects/p', AUTH_TOKEN_TRANSLATION: 'static-token-for-hostile-targets', REQUEST_TIMEOUT: '2', CANCEL_SETTLE_TIMEOUT: '2' };
const BOUND_MS = 90_000;

let flap = 0;
const cases: { name: string; handler?: Handler; deadPort?: true; message: RegExp }[] = [
  { name: 'a dead port', deadPort: true, message: /got no HTTP answer: .*ECONNREFUSED.*Check that TARGET_BASE_URL is right/ },
  { name: 'a server that accepts and never answers', handler: () => {}, message: /got no HTTP answer: .*Timeout 2000ms exceeded/ },
  { name: 'HTML instead of JSON', handler: (_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>'), message: /did not return an Operation with a name \(it answered HTTP 200 text\/html "<html><body>Welcome/ },
  { name: 'garbage bytes', handler: (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('\u0000\u00ff{{garbage'), message: /did not return an Operation with a name \(it answered HTTP 200 application\/json/ },
  { name: 'flapping 503s', handler: (_q, s) => s.writeHead(flap++ % 2 ? 200 : 503, { 'content-type': 'application/json' }).end(flap % 2 ? '{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}' : '{}'), message: /did not return an Operation with a name \(it answered HTTP (503 UNAVAILABLE "busy"|200 \{\})\)/ },
  { name: 'connection resets', handler: (q) => q.socket.destroy(), message: /got no HTTP answer: .*(socket hang up|ECONNRESET)/ },
  { name: 'a create call that never returns an operation name', handler: (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('{"metadata":{}}'), message: /did not return an Operation with a name \(it answered HTTP 200 \{"metadata":\{\}\}\).*Check TARGET_PARENT, OPERATION_CREATE_PATH and OPERATION_CREATE_BODY/ },
];

test.describe('hostile targets', () => {
  for (const c of cases) {
    test(`${c.name} ends as one clear incomplete verdict, in bounded time`, async () => {
      test.setTimeout(BOUND_MS + 30_000);
      const target = c.deadPort ? { url: 'http://127.0.0.1:9', close: async () => {} } : await serve(c.handler!);
      try {
        const run = await runConformance({ ...TARGET, TARGET_BASE_URL: target.url }, { timeoutMs: BOUND_MS });
        expect(run.ms, 'bounded time').toBeLessThan(BOUND_MS);
        expect(run.exitCode, run.output.slice(-1500)).toBe(2);
        expect(run.summary?.verdict).toBe('incomplete');
        expect(run.summary?.suiteErrors.join('\n'), run.output.slice(-1500)).toMatch(c.message);
        expect(run.output).toContain('VERDICT: INCOMPLETE');
        expect(run.output).not.toContain(TARGET.AUTH_TOKEN_TRANSLATION);
      } finally {
        await target.close();
      }
    });
  }

  test('a bad config value ends at once with one message naming the variable (exit 3)', async () => {
    const run = await runConformance({ TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p', CANCEL_SETTLE_TIMEOUT: 'soon' });
    expect(run.exitCode).toBe(3);
    expect(run.output.trim()).toBe('lro-cancel-conformance: configuration error: CANCEL_SETTLE_TIMEOUT: "soon" is not a positive number. Set it to e.g. 30.');
  });

  test('an unknown reference-server fault ends at once with one message naming REFERENCE_FAULTS (exit 3)', async () => {
    const run = await runConformance({ REFERENCE_FAULTS: 'no-such-fault' });
    expect(run.exitCode).toBe(3);
    expect(run.output).toMatch(/^lro-cancel-conformance: configuration error: .*REFERENCE_FAULTS/);
    expect(run.output.trim().split('\n')).toHaveLength(1);
  });
});
