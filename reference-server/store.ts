// Operations and their simulated lifecycle. Nothing runs in the background: every state is
// computed from timestamps when the operation is read, so there is no timer per operation.

export const METADATA_TYPE = 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata';
export const RESPONSE_TYPE = 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentResponse';
export const CANCELLED_MESSAGE = 'Operation cancelled by the caller.';
const EMPTY_TYPE = 'type.googleapis.com/google.protobuf.Empty';

/**
 * Simulation costs: one document per target language takes perDocumentMs. 250 ms: the quick
 * operation finishes early in a run, so the late look after its cancel waits for nothing.
 */
export const SIMULATION = {
  perDocumentMs: 250,
  /** An inputUri ending in "/" is a folder prefix and stands for this many documents. */
  documentsPerFolder: 60,
  pagesPerDocument: 10,
  charactersPerPage: 1800,
  /** Operations at most this long are "quick" (the race profile lets them win against a cancel). */
  quickLimitMs: 5000,
} as const;

export interface Workload {
  documents: number;
  durationMs: number;
  totalPages: number;
  totalCharacters: number;
}

export function workloadOf(inputUris: readonly string[], targetLanguages: number): Workload {
  const perTarget = inputUris.reduce((n, uri) => n + (uri.endsWith('/') ? SIMULATION.documentsPerFolder : 1), 0);
  const documents = perTarget * Math.max(1, targetLanguages);
  const totalPages = documents * SIMULATION.pagesPerDocument;
  return { documents, durationMs: documents * SIMULATION.perDocumentMs, totalPages, totalCharacters: totalPages * SIMULATION.charactersPerPage };
}

export const isQuick = (w: Workload) => w.durationMs <= SIMULATION.quickLimitMs;

/** The door a call came through: REST (HTTP and JSON) or gRPC (the same methods, transcoded). */
export type Door = 'rest' | 'grpc';

export interface OpRecord {
  readonly name: string;
  readonly parent: string;
  readonly seq: number;
  readonly submitMs: number;
  readonly work: Workload;
  /** The door whose create made it. */
  readonly door: Door;
  /** When an accepted cancel was requested. */
  cancelRequestedMs?: number;
  /** When the controller acts on it (REFERENCE_CONTROLLER_LAG_MS later): RUNNING until then. */
  cancelSeenMs?: number;
  /** When that cancel lands (metadata CANCELLED); Infinity when it never does. */
  cancelLandsMs?: number;
  /** When the cancelled operation becomes done (REFERENCE_METADATA_AHEAD_MS after it lands). */
  cancelDoneMs?: number;
  /** The cancel was accepted but ignored (race profile): the operation finishes normally. */
  cancelIgnored?: boolean;
  /** A fault overwrites a finished operation's result with a cancellation from this instant. */
  overwrittenMs?: number;
}

export type State = 'RUNNING' | 'SUCCEEDED' | 'CANCELLING' | 'CANCELLED';

export interface Phase {
  state: State;
  done: boolean;
  /** Share of the work done, 0..1, frozen once a cancel was requested. */
  progress: number;
  /** A cancel was accepted for this operation (ignored or not). */
  cancelRequested: boolean;
  cancelIgnored: boolean;
}

const finishMs = (r: OpRecord) => r.submitMs + r.work.durationMs;
const progressAt = (r: OpRecord, t: number) => (r.work.durationMs === 0 ? 1 : Math.min(1, Math.max(0, (t - r.submitMs) / r.work.durationMs)));
const cancelActive = (r: OpRecord) => r.cancelRequestedMs !== undefined && !r.cancelIgnored;
/** An accepted cancel that the controller sees before the work ends; a later one loses the race. */
const cancelTakes = (r: OpRecord) => cancelActive(r) && r.cancelSeenMs! < finishMs(r);
const overwrittenAt = (r: OpRecord, now: number) => r.overwrittenMs !== undefined && now >= r.overwrittenMs;

export function phaseAt(r: OpRecord, now: number): Phase {
  const base = { cancelRequested: r.cancelRequestedMs !== undefined || r.overwrittenMs !== undefined, cancelIgnored: !!r.cancelIgnored };
  if (overwrittenAt(r, now)) return { ...base, state: 'CANCELLED', done: true, progress: 1 };
  if (cancelTakes(r) && now >= r.cancelSeenMs!) {
    // Metadata may say CANCELLED a moment before done (REFERENCE_METADATA_AHEAD_MS).
    const state = now >= r.cancelLandsMs! ? 'CANCELLED' : 'CANCELLING';
    return { ...base, state, done: now >= r.cancelDoneMs!, progress: progressAt(r, r.cancelSeenMs!) };
  }
  const done = now >= finishMs(r);
  return { ...base, state: done ? 'SUCCEEDED' : 'RUNNING', done, progress: progressAt(r, now) };
}

/** When the operation became (or becomes) done; undefined for never. */
export function doneAtMs(r: OpRecord): number | undefined {
  // An overwrite only ever hits an operation that was already done one of these two ways.
  const at = cancelTakes(r) ? r.cancelDoneMs! : finishMs(r);
  return Number.isFinite(at) ? at : undefined;
}

/** The next instant at which the operation may become done, if any (for :wait). */
export function nextChangeMs(r: OpRecord, now: number): number | undefined {
  const at = doneAtMs(r);
  return at === undefined ? undefined : Math.max(at, now);
}

// ---- proto3 JSON ----

export type Json = { [k: string]: unknown };

/** int64 as a string; the default 0 is omitted. */
const int64 = (n: number) => (n === 0 ? undefined : String(Math.floor(n)));
const timestamp = (ms: number) => new Date(ms).toISOString();
/** Drops undefined members, as proto3 JSON omits defaults. */
const compact = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function counters(r: OpRecord, progress: number): Json {
  const { totalPages, totalCharacters } = r.work;
  return {
    totalPages: int64(totalPages),
    translatedPages: int64(totalPages * progress),
    totalBillablePages: int64(totalPages * progress),
    totalCharacters: int64(totalCharacters),
    translatedCharacters: int64(totalCharacters * progress),
    totalBillableCharacters: int64(totalCharacters * progress),
  };
}

export function responseJson(r: OpRecord): Json {
  return compact({ '@type': RESPONSE_TYPE, ...counters(r, 1), submitTime: timestamp(r.submitMs), endTime: timestamp(finishMs(r)) });
}

const resultOf = (r: OpRecord, phase: Phase, response: (r: OpRecord) => Json) =>
  !phase.done ? {} : phase.state === 'CANCELLED' ? { error: { code: 1, message: CANCELLED_MESSAGE } } : { response: response(r) };

/** The Operation as Google serializes it: no `done` while running, exactly one of error/response when done. */
export function operationJson(r: OpRecord, phase: Phase): Json {
  const metadata = compact({ '@type': METADATA_TYPE, state: phase.state, ...counters(r, phase.progress), submitTime: timestamp(r.submitMs) });
  return { name: r.name, metadata, ...(phase.done ? { done: true } : {}), ...resultOf(r, phase, responseJson) };
}

/** A generic job's result: google.protobuf.Empty packed in an Any. */
export const jobResponseJson = (): Json => ({ '@type': EMPTY_TYPE, value: {} });

/** A generic job as protojson writes it with unpopulated fields emitted: `metadata: null`, `done: false`. */
export function jobJson(r: OpRecord, phase: Phase): Json {
  return { name: r.name, metadata: null, done: phase.done, ...resultOf(r, phase, jobResponseJson) };
}

/** How a surface serializes its operations. */
export interface Rendering {
  operation: (r: OpRecord, phase: Phase) => Json;
  response: (r: OpRecord) => Json;
}
export const TRANSLATION_RENDERING: Rendering = { operation: operationJson, response: responseJson };
export const JOB_RENDERING: Rendering = { operation: jobJson, response: jobResponseJson };

/** A generic job of the given duration (no documents, no counters). */
export const jobWorkload = (durationMs: number): Workload => ({ documents: 0, durationMs, totalPages: 0, totalCharacters: 0 });

// ---- cancellation ----

export type CancelOutcome = 'cancelled' | 'ignored' | 'already' | 'finished';

export interface CancelPolicy {
  delayMs: number;
  /** The controller acts on an accepted cancel this long after it was accepted. */
  lagMs?: number;
  /** Metadata says CANCELLED this long before the operation is done. */
  aheadMs?: number;
  /** The race profile: accept the cancel but let the operation finish. */
  ignore: boolean;
  /** A cancelled operation is finished, so a repeat cancel says 'finished' rather than 'already'. */
  cancelledIsFinished?: boolean;
}

/** Applies a cancel request to the record and says what happened; never touches a finished result. */
export function requestCancel(r: OpRecord, now: number, policy: CancelPolicy): CancelOutcome {
  if (cancelTakes(r) || overwrittenAt(r, now)) return policy.cancelledIsFinished && phaseAt(r, now).done ? 'finished' : 'already';
  if (phaseAt(r, now).done) return 'finished';
  // Ignored (race), or accepted and still waiting for the controller.
  if (r.cancelRequestedMs !== undefined) return 'already';
  r.cancelRequestedMs = now;
  if (policy.ignore) {
    r.cancelIgnored = true;
    return 'ignored';
  }
  r.cancelSeenMs = now + (policy.lagMs ?? 0);
  r.cancelLandsMs = r.cancelSeenMs + policy.delayMs;
  r.cancelDoneMs = r.cancelLandsMs + (policy.aheadMs ?? 0);
  return 'cancelled';
}

// ---- the store ----

/** `{parent}/operations/{id}`, or `operations/{id}` for a server without parents. */
export const operationName = (parent: string, id: string) => (parent ? `${parent}/operations/${id}` : `operations/${id}`);

/**
 * At most `max` operations, kept in a Map (insertion order = age) and indexed by parent, so a
 * list never walks other parents' operations. When full, the oldest finished operation is
 * evicted; when none has finished, create() refuses (RESOURCE_EXHAUSTED).
 */
export class OperationStore {
  private readonly ops = new Map<string, OpRecord>();
  private readonly byParent = new Map<string, Map<string, OpRecord>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private seq = 0;

  constructor(
    private readonly max: number,
    readonly now: () => number = Date.now,
  ) {}

  get size() {
    return this.ops.size;
  }

  create(parent: string, id: string, work: Workload, door: Door): OpRecord | undefined {
    if (this.ops.size >= this.max && !this.evictOldestFinished()) return undefined;
    const record: OpRecord = { name: operationName(parent, id), parent, seq: ++this.seq, submitMs: this.now(), work, door };
    this.ops.set(record.name, record);
    const siblings = this.byParent.get(parent) ?? new Map<string, OpRecord>();
    siblings.set(record.name, record);
    this.byParent.set(parent, siblings);
    return record;
  }

  private evictOldestFinished(): boolean {
    const now = this.now();
    for (const r of this.ops.values()) {
      if (phaseAt(r, now).done) return this.delete(r.name);
    }
    return false;
  }

  get(name: string) {
    return this.ops.get(name);
  }

  /** The operation with this ID under any parent (what a server that ignores the parent would find). */
  findById(id: string): OpRecord | undefined {
    for (const parent of this.byParent.keys()) {
      const r = this.ops.get(operationName(parent, id));
      if (r) return r;
    }
    return undefined;
  }

  delete(name: string): boolean {
    const r = this.ops.get(name);
    if (r) {
      this.ops.delete(name);
      const siblings = this.byParent.get(r.parent);
      siblings?.delete(name);
      if (siblings?.size === 0) this.byParent.delete(r.parent);
    }
    this.changed(name);
    return r !== undefined;
  }

  /** The operation created just before `r` under the same parent, if it is still held. */
  previousSibling(r: OpRecord): OpRecord | undefined {
    let previous: OpRecord | undefined;
    for (const sibling of this.byParent.get(r.parent)?.values() ?? []) {
      if (sibling === r) return previous;
      previous = sibling;
    }
    return undefined;
  }

  /** Operations under a parent with seq > after, oldest first; stops after `limit`. */
  list(parent: string, after: number, keep: (r: OpRecord) => boolean, limit: number): OpRecord[] {
    const out: OpRecord[] = [];
    for (const r of this.byParent.get(parent)?.values() ?? []) {
      if (out.length >= limit) break;
      if (r.seq > after && keep(r)) out.push(r);
    }
    return out;
  }

  /** Wakes the waiters of an operation after a change that timestamps cannot predict. */
  changed(name: string) {
    this.listeners.get(name)?.forEach((fn) => fn());
  }

  subscribe(name: string, fn: () => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(fn);
    this.listeners.set(name, set);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(name);
    };
  }
}
