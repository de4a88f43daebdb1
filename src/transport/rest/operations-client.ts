// The operations API of one target, over Playwright's APIRequestContext.
// Every exchange is counted and handed to the recorder as evidence.
import type { APIRequestContext } from '@playwright/test';
import type { Config } from '../../running/config';
import type { EarlierAttempt, Exchange } from '../evidence';
import { isOperation, outcomeOf, type Operation } from '../../judging/operation';
import { recordAimed, recordCreated, recordDeleted, recordDone, recordPossiblyStarted, recordSending, releaseOperation, reserveOperation } from '../../running/ledger';
import { redact } from '../../credentials/redact';
import { isExpiryRefusal, type Credential } from '../../credentials/tokens';
import { mayRetry, retryAfterMs, retryDelayMs, transientCause, TransientExhausted, type RetryCounts } from '../retry';

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
  /**
   * false: a transient answer is returned as it is (a create: not idempotent, never retried by the
   * clients); 'except-timeout': a timeout is the answer (a :wait that hangs).
   */
  readonly retry?: false | 'except-timeout';
}

/** The target could not be asked: connection refused, reset or timed out. Not a contract verdict. */
export class TargetUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnreachable';
  }
}

export const newCounters = (): Counters => ({ requests: 0, operationsCreated: 0, retries: {} });

export type Recorder = (title: string, exchange: () => Promise<Exchange>) => Promise<Exchange>;

export interface Counters {
  requests: number;
  operationsCreated: number;
  /** Transient answers retried, by cause (src/transport/retry.ts). */
  retries: RetryCounts;
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

/** The transient answer as one line of the evidence, for the attempts before the judged one. */
const earlier = (ex: Exchange, attempt: number, cause: string, pauseMs: number): EarlierAttempt => ({
  attempt, cause, status: ex.status, body: ex.transportError ?? ex.responseText, durationMs: ex.durationMs, pauseMs,
  ...(ex.responseHeaders['content-type'] ? { contentType: ex.responseHeaders['content-type'] } : {}),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createOperationsClient(
  request: APIRequestContext,
  cfg: Config,
  baseUrl: string,
  { defaultAuth, record, counters }: { defaultAuth: Auth; record: Recorder; counters: Counters },
) {

  /**
   * One call: its transient answers retried (unless `retry: false`, a create), the last answer
   * returned with the earlier ones in its evidence. Retries that run out throw TransientExhausted,
   * except for a request that had to be answered and never was (that is its requirement's failure).
   */
  async function send(path: string, opts: SendOptions = {}): Promise<Exchange> {
    const method = opts.method ?? 'GET';
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const exchange = await record(`${method} ${decodeURI(url.pathname)}`, async () => {
      const started = Date.now();
      const attempts: EarlierAttempt[] = [];
      for (let n = 1; ; n++) {
        const ex = await sendRenewing(url, method, opts);
        const found = opts.retry === false ? undefined : transientCause(ex);
        const cause = found === 'timeout' && opts.retry === 'except-timeout' ? undefined : found;
        const all = [...attempts, ...(ex.earlierAttempts ?? [])].map((a, i) => ({ ...a, attempt: i + 1 }));
        const withAttempts = all.length ? { ...ex, earlierAttempts: all } : ex;
        if (!cause) return withAttempts;
        const pause = retryDelayMs(n, retryAfterMs(ex.responseHeaders));
        if (!mayRetry(cfg.retry, n, Date.now() - started, pause)) return { ...withAttempts, retriesExhausted: cause };
        counters.retries[cause] = (counters.retries[cause] ?? 0) + 1;
        attempts.push(earlier(ex, n, `${cause}, transient`, pause));
        await sleep(pause);
      }
    });
    if (exchange.status === 0 && !exchange.retriesExhausted && !opts.mustAnswer && opts.retry !== false) {
      throw new TargetUnreachable(`${method} ${url.origin}${url.pathname} got no HTTP answer: ${exchange.transportError}. Check that TARGET_BASE_URL is right and the target is up.`);
    }
    if (exchange.retriesExhausted && !(opts.mustAnswer && exchange.status === 0)) {
      const tries = (exchange.earlierAttempts?.length ?? 0) + 1;
      throw new TransientExhausted(`the target kept answering ${exchange.retriesExhausted} to ${method} ${decodeURI(url.pathname)} (${tries} attempts; RETRY_MAX_ATTEMPTS=${cfg.retry.maxAttempts}, RETRY_MAX_SECONDS=${cfg.retry.maxMs / 1000}), so nothing it said could be judged`);
    }
    return exchange;
  }

  // Credentials served by a source (tokens.ts `fresh`) are renewed near expiry and, when the target
  // refuses one as expired, renewed and sent once more. Tokens built to be refused have no `fresh`.
  async function sendRenewing(url: URL, method: string, opts: SendOptions): Promise<Exchange> {
    const auth = opts.auth ?? defaultAuth;
    const renewable = auth !== 'none' && 'fresh' in auth && auth.fresh ? auth.fresh : undefined;
    if (!renewable) return sendOnce(url, method, opts);
    let used: string | undefined;
    const first = await sendOnce(url, method, opts, async () => (used = await renewable()));
    if (!isExpiryRefusal(first.status, first.responseHeaders, first.json)) return first;
    const renewed = await sendOnce(url, method, opts, () => renewable(used));
    return { ...renewed, earlierAttempts: [earlier(first, 0, 'the token had expired: renewed and sent again', 0)] };
  }

  async function sendOnce(url: URL, method: string, opts: SendOptions, tokenOf?: () => Promise<string>): Promise<Exchange> {
    const auth = opts.auth ?? defaultAuth;
    const headers: Record<string, string> = { ...cfg.headers };
    if (auth !== 'none') headers.authorization = 'rawAuthorization' in auth ? auth.rawAuthorization : `Bearer ${auth.token}`;
    const contentType = opts.contentType === undefined ? (opts.body !== undefined ? 'application/json' : null) : opts.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    counters.requests++;
    if (tokenOf) headers.authorization = `Bearer ${await tokenOf()}`;
    const base = { method, url: url.toString(), authLabel: authLabel(auth), requestHeaders: headers, requestBody: opts.body };
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
      return { ...base, status: 0, responseHeaders: {}, responseText: '', json: undefined, durationMs: Date.now() - started, transportError: first };
    }
    const responseText = await response.text().catch(() => '');
    return { ...base, status: response.status(), responseHeaders: response.headers(), responseText, json: parseJson(responseText), durationMs: Date.now() - started };
  }

  const at = (name: string, verb = '') => `${cfg.apiPrefix}/${name}${verb}`;

  return {
    send,

    /**
     * Starts an LRO; `name` is set only when the target returned an Operation with a name. Not
     * idempotent, so never retried as other calls are: a transient answer may have started a
     * billed job (the ledger keeps it as possibly started, its budget slot taken), and is
     * followed by one more create at most, within the budget.
     */
    async create(kind: 'long' | 'quick' = 'long', auth?: Auth): Promise<{ exchange: Exchange; name?: string; operation?: Operation }> {
      const body = JSON.stringify(kind === 'long' ? cfg.createBody : cfg.createBodyQuick);
      for (let attempt = 1; ; attempt++) {
        // The budget is claimed before the job is sent (throws BudgetExceeded); only a refusal gives it back.
        const slot = reserveOperation(cfg.maxOperations);
        recordSending(slot);
        const exchange = await send(cfg.createPath, { method: 'POST', body, auth, retry: false });
        const cause = transientCause(exchange);
        if (exchange.status === 0 && !cause) {
          // Never reached the target (refused, DNS, TLS): nothing started.
          if (NEVER_CONNECTED.test(exchange.transportError ?? '')) releaseOperation(slot);
          throw new TargetUnreachable(`POST ${cfg.createPath} got no HTTP answer: ${exchange.transportError}. Check that TARGET_BASE_URL is right and the target is up.`);
        }
        if (exchange.status >= 200 && exchange.status < 300 && isOperation(exchange.json)) {
          const name = exchange.json.name as string;
          counters.operationsCreated++;
          recordCreated(name, slot);
          return { exchange, name, operation: exchange.json };
        }
        if (!cause) {
          if (exchange.status < 200 || exchange.status >= 300) releaseOperation(slot);
          return { exchange };
        }
        recordPossiblyStarted(slot, cause);
        if (attempt >= 2) {
          const what = exchange.status === 0 ? `got no HTTP answer: ${exchange.transportError} (twice` : `answered ${cause} (twice`;
          throw new TransientExhausted(`POST ${cfg.createPath} ${what}; each may have started a billed job, counted as createsPossiblyStarted, and a create is sent once more at most). Check that TARGET_BASE_URL is right and the target is up.`);
        }
        counters.retries[cause] = (counters.retries[cause] ?? 0) + 1;
        await sleep(retryDelayMs(1, retryAfterMs(exchange.responseHeaders)));
      }
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
      // A :wait that outlasts its own timeout hangs: that is its answer (cancel.outcome.wait), not a transient.
      send(at(name, ':wait'), { method: 'POST', body: JSON.stringify({ timeout: `${timeoutSeconds}s` }), timeoutMs: cfg.requestTimeoutMs + timeoutSeconds * 1000, retry: 'except-timeout', mustAnswer: true }),
    cancel: (name: string, opts: SendOptions = {}) => {
      recordAimed(name);
      return send(at(name, ':cancel'), { method: 'POST', body: '{}', ...opts });
    },
    remove: async (name: string) => {
      const exchange = await send(at(name), { method: 'DELETE' });
      if (exchange.status >= 200 && exchange.status < 300) recordDeleted(name);
      return exchange;
    },
  };
}

export type OperationsClient = ReturnType<typeof createOperationsClient>;
