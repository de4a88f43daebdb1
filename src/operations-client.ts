// The operations API of one target, over Playwright's APIRequestContext.
// Every exchange is counted and handed to the recorder as evidence.
import type { APIRequestContext } from '@playwright/test';
import type { Config } from './config';
import type { Exchange } from './evidence';
import { isOperation, outcomeOf, type Operation } from './operation';
import { recordCreated, recordDeleted, recordDone, recordSending, releaseOperation, reserveOperation } from './ledger';
import { redact } from './redact';
import { isExpiryRefusal, type Credential } from './tokens';

export type Auth = Credential | 'none' | { readonly rawAuthorization: string; readonly label: string };

export interface SendOptions {
  readonly method?: string;
  readonly auth?: Auth;
  /** Raw request body; undefined sends none. */
  readonly body?: string;
  /** Content-Type; null sends none. Defaults to application/json when a body is sent. */
  readonly contentType?: string | null;
  readonly query?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /**
   * The contract demands an answer (a request that must be refused): no HTTP answer is then this
   * exchange's outcome (status 0, `transportError`), judged by its requirement, not a prerequisite failure.
   */
  readonly mustAnswer?: boolean;
}

/** The target could not be asked: connection refused, reset or timed out. Not a contract verdict. */
export class TargetUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnreachable';
  }
}

export type Recorder = (title: string, exchange: () => Promise<Exchange>) => Promise<Exchange>;

export interface Counters {
  requests: number;
  operationsCreated: number;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const authLabel = (auth: Auth | undefined) =>
  auth === undefined || auth === 'none' ? 'none' : 'rawAuthorization' in auth ? auth.label : `${auth.label} (${auth.source})`;

/** Transport errors that mean the request never reached the target (no connection, no TLS session). */
const NEVER_CONNECTED = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)\b|certificate|ERR_SSL|SSL routines/i;

export function createOperationsClient(
  request: APIRequestContext,
  cfg: Config,
  baseUrl: string,
  { defaultAuth, record, counters }: { defaultAuth: Auth; record: Recorder; counters: Counters },
) {

  async function send(path: string, opts: SendOptions = {}): Promise<Exchange> {
    const auth = opts.auth ?? defaultAuth;
    // Credentials served by a source (tokens.ts `fresh`) are renewed near expiry and, when the target
    // refuses one as expired, renewed and retried once. Tokens built to be refused have no `fresh`.
    const renewable = auth !== 'none' && 'fresh' in auth && auth.fresh ? auth.fresh : undefined;
    if (!renewable) return sendOnce(path, opts);
    let used: string | undefined;
    const first = await sendOnce(path, opts, async () => (used = await renewable()));
    if (!isExpiryRefusal(first.status, first.responseHeaders, first.json)) return first;
    return sendOnce(path, opts, () => renewable(used), ' (retried once: the token had expired)');
  }

  async function sendOnce(path: string, opts: SendOptions, tokenOf?: () => Promise<string>, note = ''): Promise<Exchange> {
    const method = opts.method ?? 'GET';
    const auth = opts.auth ?? defaultAuth;
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...cfg.headers };
    if (auth !== 'none') headers.authorization = 'rawAuthorization' in auth ? auth.rawAuthorization : `Bearer ${auth.token}`;
    const contentType = opts.contentType === undefined ? (opts.body !== undefined ? 'application/json' : null) : opts.contentType;
    if (contentType !== null) headers['content-type'] = contentType;

    counters.requests++;
    return record(`${method} ${decodeURI(url.pathname)}${note}`, async () => {
      if (tokenOf) headers.authorization = `Bearer ${await tokenOf()}`;
      const started = Date.now();
      let response;
      try {
        response = await request.fetch(url.toString(), {
          method,
          headers,
          data: opts.body === undefined ? undefined : Buffer.from(opts.body),
          timeout: opts.timeoutMs ?? cfg.requestTimeoutMs,
          failOnStatusCode: false,
          maxRedirects: 0,
        });
      } catch (error) {
        // Playwright's call log can echo request headers: keep only the first, redacted line.
        const first = redact(String((error as Error).message).split('\n')[0] ?? 'unknown error');
        if (opts.mustAnswer) {
          return { method, url: url.toString(), authLabel: authLabel(auth), requestHeaders: headers, requestBody: opts.body, status: 0,
            responseHeaders: {}, responseText: '', json: undefined, durationMs: Date.now() - started, transportError: first };
        }
        throw new TargetUnreachable(`${method} ${url.origin}${url.pathname} got no HTTP answer: ${first}. Check that TARGET_BASE_URL is right and the target is up.`);
      }
      const responseText = await response.text().catch(() => '');
      return {
        method,
        url: url.toString(),
        authLabel: authLabel(auth),
        requestHeaders: headers,
        requestBody: opts.body,
        status: response.status(),
        responseHeaders: response.headers(),
        responseText,
        json: parseJson(responseText),
        durationMs: Date.now() - started,
      };
    });
  }

  const at = (name: string, verb = '') => `${cfg.apiPrefix}/${name}${verb}`;

  return {
    send,

    /** Starts an LRO; `name` is set only when the target returned an Operation with a name. */
    async create(kind: 'long' | 'quick' = 'long', auth?: Auth): Promise<{ exchange: Exchange; name?: string; operation?: Operation }> {
      const body = JSON.stringify(kind === 'long' ? cfg.createBody : cfg.createBodyQuick);
      // The budget is claimed before the job is sent (throws BudgetExceeded); only a refusal gives it back.
      const slot = reserveOperation(cfg.maxOperations);
      recordSending(slot);
      let exchange: Exchange;
      try {
        exchange = await send(cfg.createPath, { method: 'POST', body, auth });
      } catch (error) {
        // A create that never reached the target started nothing; one cut off later may have (the ledger keeps it as unanswered).
        if (NEVER_CONNECTED.test((error as Error).message)) releaseOperation(slot);
        throw error;
      }
      if (exchange.status >= 200 && exchange.status < 300 && isOperation(exchange.json)) {
        const name = exchange.json.name as string;
        counters.operationsCreated++;
        recordCreated(name, slot);
        return { exchange, name, operation: exchange.json };
      }
      if (exchange.status < 200 || exchange.status >= 300) releaseOperation(slot);
      return { exchange };
    },
    get: async (name: string, auth?: Auth) => {
      const exchange = await send(at(name), { auth });
      // GET is the truth: an operation seen done needs no cancel from the teardown.
      if (exchange.status === 200 && isOperation(exchange.json) && outcomeOf(exchange.json) !== 'running') recordDone(name);
      return exchange;
    },
    /** `path` from names.ts listPathFor; a query in it (`?name=operations`) is kept. */
    list: (path: string, query: Record<string, string> = {}) => {
      const [pathname, search] = path.split('?');
      return send(pathname!, { query: { ...Object.fromEntries(new URLSearchParams(search ?? '')), ...query } });
    },
    wait: (name: string, timeoutSeconds: number) =>
      send(at(name, ':wait'), { method: 'POST', body: JSON.stringify({ timeout: `${timeoutSeconds}s` }), timeoutMs: cfg.requestTimeoutMs + timeoutSeconds * 1000 }),
    cancel: (name: string, opts: SendOptions = {}) => send(at(name, ':cancel'), { method: 'POST', body: '{}', ...opts }),
    remove: async (name: string) => {
      const exchange = await send(at(name), { method: 'DELETE' });
      if (exchange.status >= 200 && exchange.status < 300) recordDeleted(name);
      return exchange;
    },
  };
}

export type OperationsClient = ReturnType<typeof createOperationsClient>;
