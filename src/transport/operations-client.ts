// The operations API of one target through one door (REST or gRPC): the seam every scenario talks
// through. The door turns a call into one request and a normalised Exchange; this file does what
// both doors share: evidence, counting, token renewal, retries of transient answers, the ledger.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../running/config';
import type { EarlierAttempt, Exchange } from './evidence';
import { isOperation, outcomeOf, type Operation } from '../judging/operation';
import { recordAimed, recordCreated, recordDeleted, recordDone, recordPossiblyStarted, recordSending, releaseOperation, reserveOperation } from '../running/ledger';
import { isExpiryRefusal, type Credential } from '../credentials/tokens';
import { mayRetry, retryAfterMs, retryDelayMs, transientCause, TransientExhausted, type RetryCounts } from './retry';
import { replayFor } from './replay-of';

export type DoorName = 'rest' | 'grpc';
export const DOOR_NAMES: readonly DoorName[] = ['rest', 'grpc'];

export type Auth = Credential | 'none' | { readonly rawAuthorization: string; readonly label: string };

/** One call of the operations API, before a door turns it into a request. */
export type Call =
  | { readonly rpc: 'create'; readonly kind: 'long' | 'quick' }
  | { readonly rpc: 'get'; readonly name: string }
  | { readonly rpc: 'list'; readonly path: string; readonly query: Readonly<Record<string, string>> }
  | { readonly rpc: 'wait'; readonly name: string; readonly timeoutSeconds: number }
  | { readonly rpc: 'cancel'; readonly name: string; readonly http?: HttpOverrides }
  | { readonly rpc: 'delete'; readonly name: string };

/** What only the REST door can vary: the body rules and the wrong-method checks have no gRPC counterpart. */
export interface HttpOverrides {
  readonly method?: string;
  /** Raw request body; undefined sends the default. */
  readonly body?: string;
  /** Content-Type; null sends none. */
  readonly contentType?: string | null;
}

export interface CallOptions {
  readonly auth?: Auth;
  readonly timeoutMs?: number;
  /**
   * The contract demands an answer (a request that must be refused): no answer is then this
   * exchange's outcome (status 0, `transportError`), judged by its requirement, not a prerequisite failure.
   */
  readonly mustAnswer?: boolean;
  /**
   * false: a transient answer is returned as it is (a create: not idempotent, never retried by the
   * clients); 'except-timeout': a timeout is the answer (a :wait that hangs).
   */
  readonly retry?: false | 'except-timeout';
}

export type CancelOptions = Pick<CallOptions, 'auth' | 'mustAnswer'> & HttpOverrides;

/** A door: how one call becomes one request and its answer. */
export interface Door {
  readonly name: DoorName;
  /** One attempt; `token` replaces the credential's own (a renewed one). */
  attempt(call: Call, auth: Auth, timeoutMs: number, token?: string): Promise<Exchange>;
  /** The report step's title, e.g. "POST /v3/…:cancel" or "CancelOperation projects/…". */
  title(call: Call): string;
  /** The variable to check when the target cannot be reached. */
  readonly addressVariable: string;
  close?(): void;
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

/** Errors that mean the request never reached the target (no connection, no TLS session). */
const NEVER_CONNECTED = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)\b|certificate|ERR_SSL|SSL routines|No connection established/i;

/** The transient answer as one line of the evidence, for the attempts before the judged one. */
const earlier = (ex: Exchange, attempt: number, cause: string, pauseMs: number): EarlierAttempt => ({
  attempt, cause, status: ex.status, body: ex.transportError ?? ex.responseText, durationMs: ex.durationMs, pauseMs,
  ...(ex.grpc ? { grpc: true as const, ...(ex.grpc.codeName ? { grpcStatus: `${ex.grpc.codeName} (${ex.grpc.code})` } : {}) } : {}),
  ...(ex.responseHeaders['content-type'] ? { contentType: ex.responseHeaders['content-type'] } : {}),
});

const noAnswer = (door: Door) => (door.name === 'grpc' ? 'got no gRPC answer' : 'got no HTTP answer');

export function operationsClient(door: Door, cfg: Config, { defaultAuth, record, counters }: { defaultAuth: Auth; record: Recorder; counters: Counters }) {
  const check = `Check that ${door.addressVariable} is right and the target is up.`;

  /**
   * One call: its transient answers retried (unless `retry: false`, a create), the last answer
   * returned with the earlier ones in its evidence. Retries that run out throw TransientExhausted,
   * except for a request that had to be answered and never was (that is its requirement's failure).
   */
  async function send(call: Call, opts: CallOptions = {}): Promise<Exchange> {
    const title = door.title(call);
    const exchange = await record(title, async () => {
      const started = Date.now();
      const attempts: EarlierAttempt[] = [];
      for (let n = 1; ; n++) {
        const ex = await sendRenewing(call, opts);
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
      throw new TargetUnreachable(`${title} ${noAnswer(door)}: ${exchange.transportError}. ${check}`);
    }
    if (exchange.retriesExhausted && !(opts.mustAnswer && exchange.status === 0)) {
      const tries = (exchange.earlierAttempts?.length ?? 0) + 1;
      throw new TransientExhausted(`the target kept answering ${exchange.retriesExhausted} to ${title} (${tries} attempts; RETRY_MAX_ATTEMPTS=${cfg.retry.maxAttempts}, RETRY_MAX_SECONDS=${cfg.retry.maxMs / 1000}), so nothing it said could be judged`);
    }
    return exchange;
  }

  // Credentials served by a source (tokens.ts `fresh`) are renewed near expiry and, when the target
  // refuses one as expired, renewed and sent once more. Tokens built to be refused have no `fresh`.
  // Each exchange carries what its replay line needs: how the credential is sent again, TLS, proxy (replay-of.ts).
  const replayOf = replayFor(cfg, door.name);
  async function sendRenewing(call: Call, opts: CallOptions): Promise<Exchange> {
    const auth = opts.auth ?? defaultAuth;
    const ex = await attemptRenewing(call, auth, opts);
    return { ...ex, replay: replayOf(auth, ex.url) };
  }

  async function attemptRenewing(call: Call, auth: Auth, opts: CallOptions): Promise<Exchange> {
    const timeoutMs = opts.timeoutMs ?? cfg.requestTimeoutMs;
    const renewable = auth !== 'none' && 'fresh' in auth && auth.fresh ? auth.fresh : undefined;
    counters.requests++;
    if (!renewable) return door.attempt(call, auth, timeoutMs);
    const used = await renewable();
    const first = await door.attempt(call, auth, timeoutMs, used);
    if (!isExpiryRefusal(first.status, first.responseHeaders, first.json)) return first;
    counters.requests++;
    const renewed = await door.attempt(call, auth, timeoutMs, await renewable(used));
    return { ...renewed, earlierAttempts: [earlier(first, 0, 'the token had expired: renewed and sent again', 0)] };
  }

  return {
    door: door.name,

    /**
     * Starts an LRO; `name` is set only when the target returned an Operation with a name. Not
     * idempotent, so never retried as other calls are: a transient answer may have started a
     * billed job (the ledger keeps it as possibly started, its budget slot taken), and is
     * followed by one more create at most, within the budget.
     */
    async create(kind: 'long' | 'quick' = 'long', auth?: Auth): Promise<{ exchange: Exchange; name?: string; operation?: Operation }> {
      const call: Call = { rpc: 'create', kind };
      for (let attempt = 1; ; attempt++) {
        // The budget is claimed before the job is sent (throws BudgetExceeded); only a refusal gives it back.
        const slot = reserveOperation(cfg.maxOperations);
        recordSending(slot);
        const exchange = await send(call, { auth, retry: false });
        const cause = transientCause(exchange);
        if (exchange.status === 0 && !cause) {
          // Never reached the target (refused, DNS, TLS): nothing started.
          if (NEVER_CONNECTED.test(exchange.transportError ?? '')) releaseOperation(slot);
          throw new TargetUnreachable(`${door.title(call)} ${noAnswer(door)}: ${exchange.transportError}. ${check}`);
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
          const what = exchange.status === 0 ? `${noAnswer(door)}: ${exchange.transportError} (twice` : `answered ${cause} (twice`;
          throw new TransientExhausted(`${door.title(call)} ${what}; each may have started a billed job, counted as createsPossiblyStarted, and a create is sent once more at most). ${check}`);
        }
        counters.retries[cause] = (counters.retries[cause] ?? 0) + 1;
        await sleep(retryDelayMs(1, retryAfterMs(exchange.responseHeaders)));
      }
    },
    get: async (name: string, auth?: Auth) => {
      const exchange = await send({ rpc: 'get', name }, { auth });
      // GET is the truth: an operation seen done needs no cancel from the teardown.
      if (exchange.status === 200 && isOperation(exchange.json) && outcomeOf(exchange.json) !== 'running') recordDone(name);
      return exchange;
    },
    /** `path` from names.ts listPathFor; a query in it (`?name=operations`) is kept. */
    list: (path: string, query: Record<string, string> = {}) => send({ rpc: 'list', path, query }),
    wait: (name: string, timeoutSeconds: number) =>
      // A :wait that outlasts its own timeout hangs: that is its answer (cancel.outcome.wait), not a transient.
      send({ rpc: 'wait', name, timeoutSeconds }, { timeoutMs: cfg.requestTimeoutMs + timeoutSeconds * 1000, retry: 'except-timeout', mustAnswer: true }),
    cancel: (name: string, { auth, mustAnswer, ...http }: CancelOptions = {}) => {
      recordAimed(name);
      return send({ rpc: 'cancel', name, ...(Object.keys(http).length ? { http } : {}) }, { auth, mustAnswer });
    },
    remove: async (name: string) => {
      const exchange = await send({ rpc: 'delete', name });
      if (exchange.status >= 200 && exchange.status < 300) recordDeleted(name);
      return exchange;
    },
    close: () => door.close?.(),
  };
}

export type OperationsClient = ReturnType<typeof operationsClient>;
