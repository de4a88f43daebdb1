// The REST door: a call becomes an HTTP request through Playwright's APIRequestContext, the
// method's HTTP transcoding (POST /v3/{name}:cancel, GET /v3/{name}, …).
import type { APIRequestContext } from '@playwright/test';
import type { Config } from '../../running/config';
import type { Exchange } from '../evidence';
import { redact } from '../../credentials/redact';
import { operationsClient, type Auth, type Call, type Counters, type Door, type Recorder } from '../operations-client';

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const authLabel = (auth: Auth | undefined) =>
  auth === undefined || auth === 'none' ? 'none' : 'rawAuthorization' in auth ? auth.label : `${auth.label} (${auth.source})`;

/** The Authorization value of `auth`, `token` replacing the credential's own; undefined: none is sent. */
export const authorizationOf = (auth: Auth, token?: string) =>
  auth === 'none' ? undefined : token ? `Bearer ${token}` : 'rawAuthorization' in auth ? auth.rawAuthorization : `Bearer ${auth.token}`;

interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string | null;
}

/** The HTTP request a call transcodes to (google.api.http of operations.proto, and OPERATION_CREATE_PATH). */
export function httpRequestOf(call: Call, cfg: Config): HttpRequest {
  const at = (name: string, verb = '') => `${cfg.apiPrefix}/${name}${verb}`;
  switch (call.rpc) {
    case 'create':
      return { method: 'POST', path: cfg.createPath, body: JSON.stringify(call.kind === 'long' ? cfg.createBody : cfg.createBodyQuick) };
    case 'get':
      return { method: 'GET', path: at(call.name) };
    case 'list': {
      const [pathname, search] = call.path.split('?');
      return { method: 'GET', path: pathname!, query: { ...Object.fromEntries(new URLSearchParams(search ?? '')), ...call.query } };
    }
    case 'wait':
      return { method: 'POST', path: at(call.name, ':wait'), body: JSON.stringify({ timeout: `${call.timeoutSeconds}s` }) };
    case 'cancel': {
      // The `{}` body the Node client sends, unless the call says otherwise (an explicit undefined sends none).
      const http = call.http ?? {};
      return { method: http.method ?? 'POST', path: at(call.name, ':cancel'), body: 'body' in http ? http.body : '{}', ...('contentType' in http ? { contentType: http.contentType } : {}) };
    }
    case 'delete':
      return { method: 'DELETE', path: at(call.name) };
  }
}

export function restDoor(request: APIRequestContext, cfg: Config, baseUrl: string): Door {
  const urlOf = (req: HttpRequest) => {
    const url = new URL(baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    return url;
  };
  return {
    name: 'rest',
    addressVariable: 'TARGET_BASE_URL',
    title: (call) => {
      const req = httpRequestOf(call, cfg);
      return `${req.method} ${decodeURI(urlOf(req).pathname)}`;
    },
    async attempt(call, auth, timeoutMs, token): Promise<Exchange> {
      const req = httpRequestOf(call, cfg);
      const url = urlOf(req);
      const headers: Record<string, string> = { ...cfg.headers };
      const authorization = authorizationOf(auth, token);
      if (authorization) headers.authorization = authorization;
      const contentType = req.contentType === undefined ? (req.body !== undefined ? 'application/json' : null) : req.contentType;
      if (contentType !== null) headers['content-type'] = contentType;
      const base = { method: req.method, url: url.toString(), authLabel: authLabel(auth), requestHeaders: headers, requestBody: req.body };
      const started = Date.now();
      let response;
      try {
        response = await request.fetch(url.toString(), {
          method: req.method,
          headers,
          data: req.body === undefined ? undefined : Buffer.from(req.body),
          timeout: timeoutMs,
          failOnStatusCode: false,
          maxRedirects: 0,
        });
      } catch (error) {
        // Playwright's call log can echo request headers: keep only the first, redacted line.
        const first = redact(String((error as Error).message).split('\n')[0] ?? 'unknown error');
        return { ...base, status: 0, responseHeaders: {}, responseText: '', json: undefined, durationMs: Date.now() - started, transportError: first };
      }
      const responseText = await response.text().catch(() => '');
      return { ...base, status: response.status(), responseHeaders: response.headers(), responseText, json: parseJson(responseText), durationMs: Date.now() - started };
    },
  };
}

/** The operations client over REST. */
export const createOperationsClient = (
  request: APIRequestContext,
  cfg: Config,
  baseUrl: string,
  deps: { defaultAuth: Auth; record: Recorder; counters: Counters },
) => operationsClient(restDoor(request, cfg, baseUrl), cfg, deps);

export { newCounters, TargetUnreachable, type Auth, type Counters, type OperationsClient, type Recorder } from '../operations-client';
