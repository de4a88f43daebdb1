// Transient answers are retried as the official clients retry them, and never judged (src/transport/retry.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { parseConfig } from '../../src/running/config';
import { transcript } from '../../src/transport/evidence';
import { createOperationsClient, newCounters } from '../../src/transport/rest/operations-client';
import { describeRetries, mayRetry, retryAfterMs, retryDelayMs, transientCause } from '../../src/transport/retry';

const answer = (status: number, contentType: string, json?: unknown) => ({ status, responseHeaders: { 'content-type': contentType }, json });

test.describe('what is transient', () => {
  test('503, 504, 429 and a proxy page on 502/503/504, a reset and a timeout; nothing else', () => {
    expect(transientCause(answer(503, 'application/json', { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } }))).toBe('HTTP 503 UNAVAILABLE');
    expect(transientCause(answer(503, 'text/plain', undefined))).toBe('HTTP 503 from a proxy (text/plain)');
    expect(transientCause(answer(502, 'text/html; charset=utf-8', undefined))).toBe('HTTP 502 from a proxy (text/html)');
    expect(transientCause(answer(429, 'application/json', { error: { code: 429, message: 'q', status: 'RESOURCE_EXHAUSTED' } }))).toBe('HTTP 429 RESOURCE_EXHAUSTED');
    expect(transientCause({ status: 0, responseHeaders: {}, json: undefined, transportError: 'apiRequestContext.fetch: socket hang up' })).toBe('connection reset');
    expect(transientCause({ status: 0, responseHeaders: {}, json: undefined, transportError: 'apiRequestContext.fetch: Timeout 300ms exceeded.' })).toBe('timeout');
    // The method's own answers are judged, never retried.
    for (const status of [200, 400, 401, 403, 404, 409, 500, 501]) expect(transientCause(answer(status, 'application/json', {}))).toBeUndefined();
    expect(transientCause({ status: 0, responseHeaders: {}, json: undefined, transportError: 'connect ECONNREFUSED 127.0.0.1:9' })).toBeUndefined();
  });

  test('pauses: 100 ms ×1.3 with jitter in the upper half, never under Retry-After; bounded by attempts and time', () => {
    expect(retryDelayMs(1, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(1, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(3, undefined, () => 1)).toBe(169);
    expect(retryDelayMs(1, 2000, () => 1)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(mayRetry({ maxAttempts: 3, maxMs: 1000 }, 2, 100, 100)).toBe(true);
    expect(mayRetry({ maxAttempts: 3, maxMs: 1000 }, 3, 100, 100)).toBe(false);
    expect(mayRetry({ maxAttempts: 9, maxMs: 1000 }, 2, 950, 100)).toBe(false);
    expect(describeRetries({ 'HTTP 503 UNAVAILABLE': 2, 'connection reset': 1 })).toBe('3 requests retried (HTTP 503 UNAVAILABLE ×2, connection reset ×1)');
    expect(describeRetries({})).toBeUndefined();
  });
});

/** A stand-in target whose n-th request (from 1) gets `reply(n)`. */
async function target(reply: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const server = createServer((req, res) => req.resume().on('end', () => reply(++n, req, res)));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, count: () => n, close: () => new Promise<void>((d) => { server.closeAllConnections(); server.close(() => d()); }) };
}

const PROXY_PAGE = 'upstream connect error or disconnect/reset before headers. reset reason: connection termination';
const EXTERNAL = { TARGET_PARENT: 'projects/p', AUTH_MODE: 'none', RETRY_MAX_ATTEMPTS: '4', RETRY_MAX_SECONDS: '5' };

test.describe('the client retries, keeps the evidence and judges only the last answer', () => {
  test('a proxy 503 and a reset, then the answer: one exchange, its earlier attempts numbered, retries counted by cause', async ({ request }) => {
    const t = await target((n, req, res) => {
      if (n === 1) return res.writeHead(503, { 'content-type': 'text/plain' }).end(PROXY_PAGE);
      if (n === 2) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const counters = newCounters();
      const api = createOperationsClient(request, parseConfig({ ...EXTERNAL, TARGET_BASE_URL: t.url }), t.url, { defaultAuth: 'none', record: (_t, run) => run(), counters });
      const ex = await api.cancel('projects/p/operations/op-1');
      expect(ex.status).toBe(200);
      expect(t.count()).toBe(3);
      expect(counters).toMatchObject({ requests: 3, retries: { 'HTTP 503 from a proxy (text/plain)': 1, 'connection reset': 1 } });
      expect(ex.earlierAttempts?.map((a) => [a.attempt, a.status])).toEqual([[1, 503], [2, 0]]);
      expect(transcript(ex)).toMatch(/# attempt 1: HTTP 503 text\/plain .*upstream connect error.*transient; sent again after \d+ ms\n# attempt 2: no HTTP answer .*connection reset, transient.*\n# attempt 3 \(judged\):\nHTTP 200/);
    } finally {
      await t.close();
    }
  });

  test('retries that run out are TransientExhausted (unverified), naming what the target kept answering', async ({ request }) => {
    const t = await target((_n, _req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}'));
    try {
      const api = createOperationsClient(request, parseConfig({ ...EXTERNAL, TARGET_BASE_URL: t.url }), t.url, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
      const failure = await api.get('projects/p/operations/op-1').catch((e: Error) => e);
      expect(failure).toMatchObject({ name: 'TransientExhausted', message: expect.stringMatching(/^the target kept answering HTTP 503 UNAVAILABLE to GET \/v3\/projects\/p\/operations\/op-1 \(4 attempts; RETRY_MAX_ATTEMPTS=4/) });
      expect(t.count()).toBe(4);
    } finally {
      await t.close();
    }
  });

  test('a request that must be refused and never gets an answer is returned as unanswered (its requirement fails), after every attempt', async ({ request }) => {
    const t = await target((_n, req) => req.socket.destroy());
    try {
      const api = createOperationsClient(request, parseConfig({ ...EXTERNAL, TARGET_BASE_URL: t.url }), t.url, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
      const ex = await api.cancel('projects/p/operations/op-1', { auth: 'none', mustAnswer: true });
      expect(ex).toMatchObject({ status: 0, retriesExhausted: 'connection reset' });
      expect(t.count()).toBe(4);
    } finally {
      await t.close();
    }
  });

  test('a create is not retried as other calls are: a transient answer is sent once more, no more', async ({ request }) => {
    const t = await target((_n, _req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end(PROXY_PAGE));
    try {
      const api = createOperationsClient(request, parseConfig({ ...EXTERNAL, TARGET_BASE_URL: t.url }), t.url, { defaultAuth: 'none', record: (_t, run) => run(), counters: newCounters() });
      await expect(api.create()).rejects.toThrow(/answered HTTP 503 from a proxy \(text\/plain\) \(twice; each may have started a billed job/);
      expect(t.count()).toBe(2);
    } finally {
      await t.close();
    }
  });
});
