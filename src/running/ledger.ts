// The ledger of every operation a run creates, and the run's budget of operations
// (CONFORMANCE_MAX_OPERATIONS). On a real target each operation is a billed job: the ledger is
// what the teardown (src/running/teardown.ts) cancels when the run ends, however it ends.
//
// The ledger is JSON lines in the reports folder, appended by every process of the run (the
// global setup's probe, each Playwright worker, the teardown): one appendFileSync (O_APPEND) per
// line, so lines never interleave. The budget is a set of slot files claimed with an exclusive
// create ('wx', O_EXCL): atomic across processes, no lock to hold or to leave stale.
// The global setup opens the ledger (CONFORMANCE_LEDGER); without it (unit tests driving the
// client directly) nothing is written and no budget applies.
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const LEDGER_VARIABLE = 'CONFORMANCE_LEDGER';
export const LEDGER_FILE = 'operations-ledger.jsonl';

/** What the teardown found and did for one operation. */
export type SweepOutcome =
  /** Done (finished, failed or cancelled) when the teardown looked, or once its cancel landed. */
  | 'done'
  /** GET answered 404: deleted, or never visible. */
  | 'gone'
  /** Still not done when the teardown gave up (a refused cancel, or one that did not land in time). */
  | 'running'
  /** The teardown could not tell (no token, no answer): counted as left running. */
  | 'unknown';

export type LedgerEvent =
  /** A create is about to be sent on this slot; `created`, or `released` when the target refused it, follows its answer. */
  | { readonly event: 'sending'; readonly slot: number; readonly pid: number; readonly at: string }
  | { readonly event: 'created'; readonly name: string; readonly slot: number; readonly pid: number; readonly at: string }
  /** The create was refused, or never reached the target: nothing was created, and the slot is free again. */
  | { readonly event: 'released'; readonly slot: number; readonly at: string }
  /** The create got a transient answer (503, 429, a reset…): it may have started a job the ledger cannot name; the slot stays taken. */
  | { readonly event: 'uncertain'; readonly slot: number; readonly cause: string; readonly at: string }
  /** A cancel (accepted or not) named this operation, or a call under another parent aimed at it. */
  | { readonly event: 'aimed'; readonly name: string; readonly at: string }
  /** A watched test found the operation as it must stay; the teardown reads it once more at the end of the run. */
  | { readonly event: 'watch'; readonly name: string; readonly requirement: string; readonly expect: WatchExpectation; readonly at: string }
  /** That last read found it changed: the requirement fails. */
  | { readonly event: 'late'; readonly name: string; readonly requirement: string; readonly detail: string; readonly at: string }
  /** The run deleted it (a 2xx DELETE): the run is done with it. */
  | { readonly event: 'deleted'; readonly name: string; readonly at: string }
  /** The run saw it done (a GET: the truth, not :wait): done is final, so the teardown need not look again. */
  | { readonly event: 'done'; readonly name: string; readonly at: string }
  | { readonly event: 'swept'; readonly name: string; readonly outcome: SweepOutcome; readonly detail: string; readonly at: string }
  /** The teardown finished; `requests` it sent. */
  | { readonly event: 'sweep'; readonly requests: number; readonly at: string };

/** What an operation must still show at the end of the run: no cancellation, or the very result it had. */
import type { DoorName } from '../transport/operations-client';

export type WatchExpectation = { readonly cancellation: 'none' } | { readonly result: unknown };

export interface Watch {
  readonly name: string;
  readonly requirement: string;
  readonly expect: WatchExpectation;
  /** The door whose test found it so, and through which it is read again (absent: REST). */
  readonly door?: DoorName;
}

export interface LateFinding {
  readonly name: string;
  readonly requirement: string;
  readonly detail: string;
  readonly door?: DoorName;
}

type Unstamped<E> = E extends unknown ? Omit<E, 'at'> : never;

/** The run went over CONFORMANCE_MAX_OPERATIONS: the create was not sent. */
export class BudgetExceeded extends Error {
  constructor(readonly max: number) {
    super(
      `CONFORMANCE_MAX_OPERATIONS=${max}: the run has already created ${max} operation${max === 1 ? '' : 's'}, ` +
        `so it may not create another. Raise CONFORMANCE_MAX_OPERATIONS, or run fewer tests (--grep).`,
    );
    this.name = 'BudgetExceeded';
  }
}

/** The ledger of this run, or undefined when no run opened one. */
export const ledgerFile = (env: NodeJS.ProcessEnv = process.env): string | undefined => env[LEDGER_VARIABLE] || undefined;
const slotsDir = (file: string) => join(dirname(file), 'operations-budget');

/** Starts an empty ledger for a run in `reportsDir` and opens it for this process and its children. */
export function openLedger(reportsDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const file = resolve(reportsDir, LEDGER_FILE);
  rmSync(file, { force: true });
  rmSync(slotsDir(file), { recursive: true, force: true });
  mkdirSync(slotsDir(file), { recursive: true });
  env[LEDGER_VARIABLE] = file;
  return file;
}

function append(event: Unstamped<LedgerEvent>, env: NodeJS.ProcessEnv = process.env): void {
  const file = ledgerFile(env);
  if (file) appendFileSync(file, JSON.stringify({ ...event, at: new Date().toISOString() }) + '\n');
}

/**
 * Claims one operation of the budget before a create is sent; throws BudgetExceeded when all
 * `max` are taken. Returns the slot (0 when no ledger is open).
 */
export function reserveOperation(max: number, env: NodeJS.ProcessEnv = process.env): number {
  const file = ledgerFile(env);
  if (!file) return 0;
  for (let slot = 1; slot <= max; slot++) {
    try {
      closeSync(openSync(join(slotsDir(file), String(slot)), 'wx'));
      return slot;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new BudgetExceeded(max);
}

/** Gives a slot back: the target refused the create, or never got it, so nothing was created. */
export function releaseOperation(slot: number, env: NodeJS.ProcessEnv = process.env): void {
  const file = ledgerFile(env);
  if (!file || slot <= 0) return;
  rmSync(join(slotsDir(file), String(slot)), { force: true });
  append({ event: 'released', slot }, env);
}

export const recordSending = (slot: number, env?: NodeJS.ProcessEnv) => slot > 0 && append({ event: 'sending', slot, pid: process.pid }, env);

export const recordPossiblyStarted = (slot: number, cause: string, env?: NodeJS.ProcessEnv) => slot > 0 && append({ event: 'uncertain', slot, cause }, env);

const aimedAt = new Set<string>();
/** Once per operation and process: only-named reads the operations no cancel has named. */
export function recordAimed(name: string, env?: NodeJS.ProcessEnv): void {
  if (aimedAt.has(name)) return;
  aimedAt.add(name);
  append({ event: 'aimed', name }, env);
}

export const recordWatch = (w: Watch, env?: NodeJS.ProcessEnv) => append({ event: 'watch', ...w }, env);
export const recordLate = (f: LateFinding, env?: NodeJS.ProcessEnv) => append({ event: 'late', ...f }, env);

export const recordCreated = (name: string, slot: number, env?: NodeJS.ProcessEnv) => append({ event: 'created', name, slot, pid: process.pid }, env);
export const recordDeleted = (name: string, env?: NodeJS.ProcessEnv) => append({ event: 'deleted', name }, env);
const seenDone = new Set<string>();
/** Once per operation and process: settling polls the same operation many times. */
export function recordDone(name: string, env?: NodeJS.ProcessEnv): void {
  if (seenDone.has(name)) return;
  seenDone.add(name);
  append({ event: 'done', name }, env);
}
export const recordSwept = (name: string, outcome: SweepOutcome, detail: string, env?: NodeJS.ProcessEnv) => append({ event: 'swept', name, outcome, detail }, env);
export const recordSweepDone = (requests: number, env?: NodeJS.ProcessEnv) => append({ event: 'sweep', requests }, env);

export interface LedgerState {
  /** Every operation the run created, in order. */
  readonly created: readonly string[];
  readonly deleted: ReadonlySet<string>;
  readonly done: ReadonlySet<string>;
  /** Named by a cancel, or aimed at by a call under another parent. */
  readonly aimed: ReadonlySet<string>;
  /** What the teardown reads once more, and what that read found changed. */
  readonly watches: readonly Watch[];
  readonly late: readonly LateFinding[];
  readonly swept: ReadonlyMap<string, SweepOutcome>;
  /**
   * Creates sent that got no answer: the process was killed while they were in flight, or the
   * request timed out. Each may have started an operation that is in no ledger line.
   */
  readonly unanswered: readonly { readonly pid: number; readonly at: string }[];
  /** Creates answered with a transient answer: each may have started a job that is in no ledger line. */
  readonly possiblyStarted: readonly { readonly cause: string; readonly at: string }[];
  /** Whether a teardown finished, and the requests it sent. */
  readonly sweepDone: boolean;
  readonly sweepRequests: number;
}

export function parseLedger(text: string): LedgerState {
  const created: string[] = [];
  const deleted = new Set<string>();
  const done = new Set<string>();
  const aimed = new Set<string>();
  const watches: Watch[] = [];
  const late: LateFinding[] = [];
  const swept = new Map<string, SweepOutcome>();
  let sweepDone = false;
  let sweepRequests = 0;
  const possiblyStarted: { cause: string; at: string }[] = [];
  /** Sends not answered yet, by slot (a slot is reused only after its release). */
  const open = new Map<number, { pid: number; at: string }>();
  for (const line of text.split('\n')) {
    let e: LedgerEvent;
    try {
      e = JSON.parse(line) as LedgerEvent;
    } catch {
      continue; // a line cut short by a killed process
    }
    if (e.event === 'sending') open.set(e.slot, { pid: e.pid, at: e.at });
    else if (e.event === 'released') open.delete(e.slot);
    else if (e.event === 'uncertain') {
      open.delete(e.slot);
      possiblyStarted.push({ cause: e.cause, at: e.at });
    }
    else if (e.event === 'created') {
      open.delete(e.slot);
      if (!created.includes(e.name)) created.push(e.name);
    } else if (e.event === 'deleted') deleted.add(e.name);
    else if (e.event === 'done') done.add(e.name);
    else if (e.event === 'aimed') aimed.add(e.name);
    else if (e.event === 'watch') watches.push({ name: e.name, requirement: e.requirement, expect: e.expect });
    else if (e.event === 'late') late.push({ name: e.name, requirement: e.requirement, detail: e.detail });
    else if (e.event === 'swept') swept.set(e.name, e.outcome);
    else if (e.event === 'sweep') {
      sweepDone = true;
      sweepRequests += e.requests;
    }
  }
  return { created, deleted, done, aimed, watches, late, swept, unanswered: [...open.values()], possiblyStarted, sweepDone, sweepRequests };
}

/** The ledger of the run, or undefined when none was opened (or it cannot be read). */
export function readLedger(file: string | undefined = ledgerFile()): LedgerState | undefined {
  if (!file) return undefined;
  try {
    return parseLedger(readFileSync(file, 'utf8'));
  } catch {
    return parseLedger('');
  }
}

const settledByRun = (s: LedgerState, name: string) => s.deleted.has(name) || s.done.has(name);

/** Operations the teardown still has to look at: created, neither deleted nor seen done by the run, not swept yet. */
export const pendingOperations = (s: LedgerState) => s.created.filter((n) => !settledByRun(s, n) && !s.swept.has(n));

/** Operations not known to be stopped: neither deleted nor seen done by the run, nor seen done (or gone) by the teardown. */
export const leftRunning = (s: LedgerState) =>
  s.created.filter((n) => !settledByRun(s, n) && s.swept.get(n) !== 'done' && s.swept.get(n) !== 'gone');

/** The summary's numbers: `operationsCreated` (the probe included), `operationsLeftRunning`, `createsUnanswered`, teardown requests. */
export function ledgerCounts(s: LedgerState) {
  return { operationsCreated: s.created.length, operationsLeftRunning: leftRunning(s).length, createsUnanswered: s.unanswered.length, createsPossiblyStarted: s.possiblyStarted.length, teardownRequests: s.sweepRequests };
}

/** One line for the console when creates went unanswered, or undefined. */
export function unansweredWarning(s: LedgerState, parent: string | undefined): string | undefined {
  if (s.unanswered.length === 0) return undefined;
  const when = s.unanswered.map((u) => u.at).join(', ');
  return `${s.unanswered.length} create request(s) got no answer (sent at ${when}; the run was interrupted while they were in flight, or they timed out): ` +
    `an operation each may have started is in no ledger line, so the teardown could not cancel it. Look for operations submitted then${parent ? ` under ${parent}` : ''}.`;
}

/** One line for the console when creates got a transient answer, or undefined. */
export function possiblyStartedWarning(s: LedgerState, parent: string | undefined): string | undefined {
  if (s.possiblyStarted.length === 0) return undefined;
  const what = s.possiblyStarted.map((p) => `${p.cause} at ${p.at}`).join(', ');
  return `${s.possiblyStarted.length} create request(s) got a transient answer (${what}) and were sent again at most once: ` +
    `each may still have started a billed job that is in no ledger line, so the teardown could not cancel it. Look for operations submitted then${parent ? ` under ${parent}` : ''}.`;
}
