// Shared helpers for the reference server's tests: a worker-scoped server, token minting,
// a small fetch client, polling with a deadline.
import { readFileSync } from 'node:fs';
import { test as base, expect } from '@playwright/test';
import { PLATFORM_SCOPE, TRANSLATION_SCOPE, startReferenceServer, type ReferenceOptions, type RunningReference } from '../../reference-server/index';

export { PLATFORM_SCOPE, TRANSLATION_SCOPE };
export const GDC = 'projects/p';
export const PUBLIC = 'projects/p/locations/us-central1';
export const SHAPES = [GDC, PUBLIC] as const;

export const fixture = (name: 'quick' | 'long') => readFileSync(new URL(`../../fixtures/batch-translate-${name}.json`, import.meta.url), 'utf8');
/** The generic-lro profile's create bodies (POST /v3/jobs:run). */
export const jobFixture = (name: 'quick' | 'long') => readFileSync(new URL(`../../fixtures/generic-job-${name}.json`, import.meta.url), 'utf8');

/** One conformant server per worker, with an instant cancel. */
export const test = base.extend<object, { ref: RunningReference }>({
  ref: [
    async ({}, use) => {
      const ref = await startReferenceServer({ cancelDelayMs: 0 });
      await use(ref);
      await ref.close();
    },
    { scope: 'worker' },
  ],
});
export { expect };

/** A server with other options for one describe block. */
export function serverFor(opts: Partial<ReferenceOptions>): () => RunningReference {
  let ref: RunningReference | undefined;
  test.beforeAll(async () => {
    ref = await startReferenceServer({ cancelDelayMs: 0, ...opts });
  });
  test.afterAll(async () => ref?.close());
  return () => ref!;
}

export async function mint(ref: RunningReference, scope: string | undefined, extra: Record<string, string> = {}): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }), ...extra });
  const res = await fetch(ref.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('any:secret').toString('base64')}` }, body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface Api {
  send(method: string, path: string, init?: { body?: string; headers?: Record<string, string>; token?: string | null }): Promise<Reply>;
  create(parent: string, body?: string): Promise<Reply>;
  get(name: string): Promise<Reply>;
  cancel(name: string, body?: string, headers?: Record<string, string>): Promise<Reply>;
  wait(name: string, timeout: string): Promise<Reply>;
  list(parent: string, query?: string): Promise<Reply>;
  remove(name: string): Promise<Reply>;
  /** Polls GET until the predicate holds or the deadline passes; returns the last Operation. */
  until(name: string, predicate: (op: any) => boolean, deadlineMs?: number): Promise<any>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A client with a cloud-translation token unless told otherwise (token null = no Authorization). */
export async function api(ref: RunningReference, token?: string | null): Promise<Api> {
  const bearer = token === undefined ? await mint(ref, TRANSLATION_SCOPE) : token;
  const send: Api['send'] = async (method, path, init = {}) => {
    const auth = init.token !== undefined ? init.token : bearer;
    const res = await fetch(`${ref.baseUrl}${path}`, {
      method,
      body: init.body,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...init.headers },
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  const self: Api = {
    send,
    create: (parent, body = fixture('long')) => send('POST', `/v3/${parent}:batchTranslateDocument`, { body, headers: JSON_TYPE }),
    get: (name) => send('GET', `/v3/${name}`),
    cancel: (name, body = '{}', headers = JSON_TYPE) => send('POST', `/v3/${name}:cancel`, { body, headers }),
    wait: (name, timeout) => send('POST', `/v3/${name}:wait`, { body: JSON.stringify({ timeout }), headers: JSON_TYPE }),
    list: (parent, query = '') => send('GET', `/v3/${parent}/operations${query}`),
    remove: (name) => send('DELETE', `/v3/${name}`),
    async until(name, predicate, deadlineMs = 5000) {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const op = (await self.get(name)).json;
        if (predicate(op) || Date.now() > end) return op;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
  return self;
}

/** Creates an operation and returns its name. */
export async function created(a: Api, parent: string, which: 'quick' | 'long' = 'long'): Promise<string> {
  const r = await a.create(parent, fixture(which));
  expect(r.status, r.text).toBe(200);
  return r.json.name as string;
}

/** Starts a job on a generic-lro server and returns its name. */
export async function createdJob(a: Api, which: 'quick' | 'long' = 'long'): Promise<string> {
  const r = await a.send('POST', '/v3/jobs:run', { body: jobFixture(which), headers: JSON_TYPE });
  expect(r.status, r.text).toBe(200);
  return r.json.name as string;
}

export function expectEnvelope(r: Reply, http: number, status: string) {
  expect(r.status, r.text).toBe(http);
  expect(r.headers.get('content-type')).toContain('application/json');
  expect(r.json.error).toMatchObject({ code: http, status });
  expect(typeof r.json.error.message).toBe('string');
}

export const state = (op: any) => op?.metadata?.state as string | undefined;
