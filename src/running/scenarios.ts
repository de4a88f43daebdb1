// The exchanges several requirements are judged on, performed once per run (src/running/shared.ts) and
// aimed at as few operations as possible: one observed cancellation serves every outcome
// requirement, one running operation takes every refused call. Tests stay one per requirement;
// they share the operations, not the judgement.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config';
import { said, type Exchange } from '../transport/evidence';
import { fixtureJson } from './fixture-files';
import { fillNameTemplate, otherParents, unknownSibling } from '../judging/names';
import { isOperation, outcomeOf, type Operation, type Outcome } from '../judging/operation';
import { DOOR_NAMES, type DoorName, type OperationsClient } from '../transport/operations-client';
import { settle, storableSettlement, type Settlement } from './settle';
import { cancellationShown, is2xx, touched } from '../judging/judge';
import { once as onceInRun, storable } from './shared';
import { invalidTokens, isAvailable, MALFORMED_TOKEN, type Credential, type Tokens } from '../credentials/tokens';
import { readLedger, recordAimed } from './ledger';

/** The target gave the suite nothing to work on (no operation name): the tests that need it are not run. */
export class PrerequisiteFailed extends Error {
  override name = 'PrerequisiteFailed';
}

export { is2xx } from '../judging/judge';

export interface Created {
  readonly name: string;
  readonly create: Exchange;
}

export interface CancelSubject extends Created {
  /** The first cancel, with the `{}` body the Node client sends. */
  readonly cancel: Exchange;
  /** What GET showed straight after an accepted cancel. */
  readonly firstLook?: Operation;
}

export interface Attempt extends CancelSubject {
  readonly settlement?: Settlement;
}

/** How the observed cancellation ended, once the control operation has been consulted. */
export type Observation =
  | { readonly kind: 'refused'; readonly attempts: readonly Attempt[] }
  | { readonly kind: 'unsettled' | 'vanished' | 'unreadable'; readonly attempts: readonly Attempt[] }
  | { readonly kind: 'completed-anyway'; readonly attempts: readonly Attempt[]; readonly stoppedBy?: string }
  | { readonly kind: 'inconclusive'; readonly attempts: readonly Attempt[]; readonly reason: string }
  | {
      readonly kind: 'cancelled';
      readonly attempts: readonly Attempt[];
      readonly name: string;
      readonly settlement: Settlement;
      readonly final: Operation;
      /** Set when the operation ended with another error and the control shows it was the cancellation's. */
      readonly attributedBy?: string;
      /** GET once settled, a repeat cancel, and GET after it. */
      readonly after: { readonly get: Exchange; readonly repeat: Exchange; readonly getAfterRepeat: Exchange };
      /** When the last of those calls was made: the quiet period of the late look starts here. */
      readonly at: number;
      /** The run's other running operations no cancel had named yet, read once the cancellation settled. */
      readonly bystanders: readonly Bystander[];
    };

export interface Bystander {
  readonly name: string;
  readonly get: Exchange;
}

export interface Labelled {
  readonly label: string;
  readonly exchange: Exchange;
}

export interface AuthRefusals {
  readonly target: string;
  readonly none: Exchange;
  readonly invalid: readonly Labelled[];
  readonly expiredUnavailable?: string;
  readonly insufficient: readonly Labelled[];
}

export interface BodyGroup {
  readonly target: string;
  readonly before: Exchange;
  readonly cases: readonly Labelled[];
  readonly after: Exchange;
}

export interface MethodCall {
  readonly method: string;
  readonly reply: Exchange;
  readonly after: Exchange;
}

export interface CrossParentCall {
  readonly label: string;
  readonly name: string;
  /** Under TARGET_OTHER_PARENT, a parent the caller can use. */
  readonly usable: boolean;
  readonly get: Exchange;
  readonly cancel: Exchange;
}

/**
 * Every call that must be refused while the operation stays running, made in sequence so that
 * one group's side effect (a faulty server cancelling) can never be blamed on another group.
 */
export interface RefusalRound {
  /** REST only: the body rules and the wrong-method calls have no gRPC counterpart (src/judging/doors.ts). */
  readonly unknownField?: BodyGroup;
  readonly malformedJson?: BodyGroup;
  readonly wrongMethod?: { readonly target: string; readonly before: Exchange; readonly calls: readonly MethodCall[] };
  readonly crossParent: { readonly target: string; readonly before: Exchange; readonly calls: readonly CrossParentCall[]; readonly after: Exchange };
  /** When the last refused call was made: the quiet period of the late looks starts here. */
  readonly at: number;
}

/** Cancels refused for their credentials, aimed at an operation of their own, each followed by a GET. */
export interface RefusedCancels {
  readonly target: string;
  readonly calls: readonly { readonly who: string; readonly reply: Exchange; readonly after?: Exchange }[];
  readonly at: number;
}

/** A quick operation left to finish on its own, then cancelled. */
export interface FinishedCancel {
  readonly name: string;
  readonly create: Exchange;
  /** How waiting for it to finish ended; the rest is set only when it did. */
  readonly finished: Settlement;
  readonly cancel?: Exchange;
  readonly after?: Exchange;
  readonly at: number;
}

/** One operation, cancelled through every door at once: each door's reply, the create's evidence. */
export interface SharedCancel extends Created {
  readonly cancels: Readonly<Partial<Record<DoorName, Exchange>>>;
}

/** One door's operation read through another door. */
export interface CrossRead {
  /** The door that created (and, where cancel works, cancelled) it. */
  readonly from: DoorName;
  readonly via: DoorName;
  readonly name: string;
  /** Its final state as its own door last saw it; absent when it never settled there. */
  readonly own?: Operation;
  readonly read: Exchange;
}

/** The same call answered by two doors. */
export interface PairedAnswer {
  readonly label: string;
  readonly answers: Readonly<Partial<Record<DoorName, Exchange>>>;
}

/** The shared results of one door that parity reads. */
interface PairedScenarios {
  cancelSubject(): Promise<CancelSubject>;
  observedCancellation(): Promise<Observation>;
  authRefusals(): Promise<AuthRefusals>;
  nameErrors(): Promise<NameErrors>;
}

/** What cancel.transport.parity compares: every door's observations, read across. */
export interface Parity {
  /** How each door's observed cancellation ended; `untouched`: still running, showing no sign of the accepted cancel. */
  readonly observations: Readonly<Partial<Record<DoorName, { readonly kind: Observation['kind']; readonly untouched?: string }>>>;
  readonly crossReads: readonly CrossRead[];
  readonly paired: readonly PairedAnswer[];
}

export interface NameErrors {
  readonly unknown: Labelled;
  readonly malformed: readonly Labelled[];
}

type BadBody = { label: string; body: string };
const BAD_BODIES = fixtureJson<{ unknownField: BadBody[]; malformedJson: BadBody[] }>('bad-cancel-bodies.json');
const MALFORMED_NAMES = fixtureJson<{ names: { label: string; name: string }[] }>('malformed-names.json').names;
const REFUSAL_TARGET_GENERATIONS = 4;

/** Where the global setup tells the workers whether a door's cancel is supported (its `_SOURCE` says how it knows). */
export const cancelSupportVariable = (door: DoorName) => (door === 'rest' ? 'CONFORMANCE_CANCEL_SUPPORT' : `CONFORMANCE_CANCEL_SUPPORT_${door.toUpperCase()}`);

export interface ScenarioDeps {
  /** A client that counts but does not record: consumers attach the stored exchanges as their evidence. */
  readonly api: OperationsClient;
  /** The run's other doors, for the operations the doors share and the parity checks. */
  readonly others?: readonly OperationsClient[];
  readonly cfg: Config;
  readonly tokens: Tokens;
  /** The everyday credential; undefined with AUTH_MODE=none. */
  readonly credential?: Credential;
}

export function createScenarios({ api, others = [], cfg, tokens, credential }: ScenarioDeps) {
  // Each door's shared results are its own; the REST door keeps the names it always had.
  const once = <T>(key: string, compute: () => Promise<T>) => onceInRun<T>(api.door === 'rest' ? key : `${api.door}-${key}`, compute);
  const everyDoor = [api, ...others].sort((a, b) => DOOR_NAMES.indexOf(a.door) - DOOR_NAMES.indexOf(b.door));

  async function createOperation(kind: 'long' | 'quick'): Promise<Created> {
    const { exchange, name } = await api.create(kind);
    if (!name) {
      throw new PrerequisiteFailed(
        `POST ${cfg.createPath} did not return an Operation with a name (it ${said(exchange)}), so no operation could be cancelled. ` +
          `Check TARGET_PARENT, OPERATION_CREATE_PATH and ${kind === 'long' ? 'OPERATION_CREATE_BODY' : 'OPERATION_CREATE_BODY_QUICK'}.`,
      );
    }
    return { name, create: storable(exchange) };
  }

  const refusalTarget = (generation = 1) => once(`refusal-target-${generation}`, () => createOperation('long'));

  /**
   * A refusal target that still runs untouched, with the GET that showed it; a later generation when
   * an earlier one was cancelled, or `tainted` (it accepted a call that should have been refused, so
   * a cancellation may still land on it).
   */
  async function runningRefusalTarget(tainted: ReadonlySet<string> = new Set()): Promise<{ name: string; before: Exchange }> {
    for (let generation = 1; generation <= REFUSAL_TARGET_GENERATIONS; generation++) {
      const { name } = await refusalTarget(generation);
      if (tainted.has(name)) continue;
      const before = await api.get(name);
      // `touched` is undefined only for an operation that runs and shows no cancellation.
      if (touched(before) === undefined) return { name, before: storable(before) };
    }
    throw new PrerequisiteFailed(`${REFUSAL_TARGET_GENERATIONS} long operations stopped running before a refused call could be aimed at them (earlier calls cancelled them, or they finish too soon). Check OPERATION_CREATE_BODY.`);
  }

  const cancelSubject = () =>
    once<CancelSubject>('cancel-subject', async () => {
      const created = await createOperation('long');
      return { ...created, ...(await cancelAndLook(created.name)) };
    });

  /** The cancel, and where it was accepted a GET straight after it: the state in between (CANCELLING) shows only then. */
  async function cancelAndLook(name: string): Promise<Pick<CancelSubject, 'cancel' | 'firstLook'>> {
    const cancel = storable(await api.cancel(name));
    if (!is2xx(cancel)) return { cancel };
    // Only a glimpse: a front end that keeps failing is settle's to report.
    const look = await api.get(name).catch((error: Error) => {
      if (error.name === 'TransientExhausted') return undefined;
      throw error;
    });
    return { cancel, ...(look?.status === 200 && isOperation(look.json) ? { firstLook: look.json } : {}) };
  }

  async function attempt(subject: CancelSubject): Promise<Attempt> {
    if (!is2xx(subject.cancel)) return subject;
    const settlement = await settle(api, subject.name, cfg.settleTimeoutMs);
    return { ...subject, settlement: subject.firstLook ? { ...settlement, states: [subject.firstLook, ...settlement.states] } : settlement };
  }

  /** The uncancelled control tells a cancellation's error from a job that fails on its own. */
  async function consultControl(failed: Operation): Promise<{ attributedBy: string } | { inconclusive: string }> {
    const { name } = await refusalTarget(1);
    const look = await api.get(name);
    const state: Outcome | undefined = look.status === 200 && isOperation(look.json) ? outcomeOf(look.json) : undefined;
    const code = JSON.stringify(failed.error?.code);
    if (state === 'running' || state === 'completed') {
      return { attributedBy: `the uncancelled control operation ${name}, created from the same OPERATION_CREATE_BODY, ${state === 'running' ? 'is still running' : 'completed normally'}, so the error (code ${code}) is the cancellation's outcome` };
    }
    if (state === 'failed') {
      throw new PrerequisiteFailed(`both the cancelled operation and the uncancelled control operation ${name} ended with an error: jobs from OPERATION_CREATE_BODY fail on their own. Fix OPERATION_CREATE_BODY so that its operations run.`);
    }
    return { inconclusive: `the operation ended with error code ${code} and no CANCELLED state, and the control operation ${name} cannot tell whether that is the cancellation's outcome (${state ? `it was ${state}, by an earlier call` : `GET answered HTTP ${look.status}`})` };
  }

  /** The run's operations that no cancel has named (the ledger knows them all), except `cancelled`, read now. */
  async function readBystanders(cancelled: readonly string[]): Promise<Bystander[]> {
    const state = readLedger();
    const named = new Set([...cancelled, ...(state?.aimed ?? [])]);
    const candidates = (state?.created ?? []).filter((n) => !named.has(n) && !state!.done.has(n) && !state!.deleted.has(n));
    const out: Bystander[] = [];
    for (const name of candidates) out.push({ name, get: storable(await api.get(name)) });
    // A test of another process may have named one meanwhile (the ledger has it before its cancel is sent): that one is not spared.
    const namedSince = readLedger()?.aimed ?? new Set<string>();
    return out.filter((b) => !namedSince.has(b.name));
  }

  const observedCancellation = () =>
    once<Observation>('observed-cancellation', async () => {
      await refusalTarget(1); // the control exists before the cancel
      const attempts: Attempt[] = [await attempt(await cancelSubject())];
      // Best effort: an operation may complete despite the cancel; try others, within CANCEL_ATTEMPTS and the budget.
      let stoppedBy: string | undefined;
      while (attempts.at(-1)!.settlement?.outcome === 'completed' && attempts.length < cfg.cancelAttempts) {
        try {
          const created = await createOperation('long');
          attempts.push(await attempt({ ...created, ...(await cancelAndLook(created.name)) }));
        } catch (error) {
          stoppedBy = (error as Error).message;
          break;
        }
      }
      const last = attempts.at(-1)!;
      const settlement = last.settlement;
      if (!settlement) return { kind: 'refused', attempts };
      let attributedBy: string | undefined;
      switch (settlement.outcome) {
        case 'unsettled':
        case 'vanished':
        case 'unreadable':
          return { kind: settlement.outcome, attempts };
        case 'completed':
          return { kind: 'completed-anyway', attempts, ...(stoppedBy ? { stoppedBy } : {}) };
        case 'failed': {
          const control = await consultControl(settlement.final!);
          if ('inconclusive' in control) return { kind: 'inconclusive', attempts, reason: control.inconclusive };
          attributedBy = control.attributedBy;
        }
      }
      const bystanders = await readBystanders(attempts.map((a) => a.name));
      const get = storable(await api.get(last.name));
      const repeat = storable(await api.cancel(last.name));
      const getAfterRepeat = storable(await api.get(last.name));
      return { kind: 'cancelled', attempts, name: last.name, settlement, final: settlement.final!, after: { get, repeat, getAfterRepeat }, at: Date.now(), bystanders, ...(attributedBy ? { attributedBy } : {}) };
    });

  const authRefusals = () =>
    once<AuthRefusals>('auth-refusals', async () => {
      // Aimed at the observed cancellation's operation: a faulty server that acts on a refused
      // call finds it cancelled already, and the operations that must stay running are spared.
      const { name } = await cancelSubject();
      const refuse = async (label: string, auth: Credential | 'none') => ({ label, exchange: storable(await api.cancel(name, { auth, mustAnswer: true })) });
      // The tokens are made (a key pair, token requests) while the first refusal is on its way; the calls stay one at a time.
      const [none, expired, forged, scopeless] = await Promise.all([
        refuse('no credentials', 'none').then((r) => r.exchange),
        tokens.expired(),
        credential ? invalidTokens(credential) : [],
        tokens.insufficient(),
      ]);
      const invalid: Labelled[] = [];
      for (const c of [...forged, ...(isAvailable(expired) ? [expired] : [])]) invalid.push(await refuse(c.label, c));
      const insufficient: Labelled[] = [];
      for (const c of scopeless) insufficient.push(await refuse(c.label, c));
      return { target: name, none, invalid, insufficient, ...(isAvailable(expired) ? {} : { expiredUnavailable: expired.unavailable }) };
    });

  const refusalRound = () =>
    once<RefusalRound>('refusal-round', async () => {
      const tainted = new Set<string>();
      const taintIfAccepted = (name: string, replies: Exchange[]) => replies.some(is2xx) && tainted.add(name);
      const bodies = async (cases: BadBody[]): Promise<BodyGroup> => {
        const { name, before } = await runningRefusalTarget(tainted);
        const sent: Labelled[] = [];
        for (const { label, body } of cases) sent.push({ label: `${label}: ${body}`, exchange: storable(await api.cancel(name, { body })) });
        taintIfAccepted(name, sent.map((c) => c.exchange));
        return { target: name, before, cases: sent, after: storable(await api.get(name)) };
      };
      const methods = async () => {
        const wrong = await runningRefusalTarget(tainted);
        const calls: MethodCall[] = [];
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const reply = storable(await api.cancel(wrong.name, { method, body: method === 'PUT' ? '{}' : undefined, mustAnswer: true }));
          calls.push({ method, reply, after: storable(await api.get(wrong.name)) });
        }
        taintIfAccepted(wrong.name, calls.map((c) => c.reply));
        return { target: wrong.name, before: wrong.before, calls };
      };
      const rest = api.door === 'rest'
        ? { unknownField: await bodies(BAD_BODIES.unknownField), malformedJson: await bodies(BAD_BODIES.malformedJson), wrongMethod: await methods() }
        : {};
      const cross = await runningRefusalTarget(tainted);
      const crossCalls: CrossParentCall[] = [];
      // Calls under other parents name another resource, but aim at this one.
      recordAimed(cross.name);
      for (const other of otherParents(cross.name, cfg.otherParent)) {
        const get = storable(await api.get(other.name));
        crossCalls.push({ ...other, get, cancel: storable(await api.cancel(other.name, { mustAnswer: true })) });
      }
      return {
        ...rest,
        crossParent: { target: cross.name, before: cross.before, calls: crossCalls, after: crossCalls.length ? storable(await api.get(cross.name)) : cross.before },
        at: Date.now(),
      };
    });

  const nameErrors = () =>
    once<NameErrors>('name-errors', async () => {
      const { name } = await refusalTarget(1);
      const missing = unknownSibling(name);
      const unknown = { label: `unknown operation ${missing}`, exchange: storable(await api.cancel(missing)) };
      const malformed: Labelled[] = [];
      for (const { label, name: template } of MALFORMED_NAMES) {
        const path = fillNameTemplate(template, name);
        malformed.push({ label, exchange: storable(await api.cancel(path)) });
      }
      return { unknown, malformed };
    });

  /** A quick operation left to finish on its own; the probe creates it early so that nobody waits for it. */
  const finishedSubject = () => once('finished-subject', () => createOperation('quick'));

  /**
   * Cancels refused for their credentials (none, a malformed token, one holding neither scope), each
   * followed by a GET, until one is accepted. Aimed at an operation of their own where cancel works,
   * so that a cancellation that lands late is theirs alone; else at a running refusal target.
   */
  const refusedCancels = (supported: boolean) =>
    once<RefusedCancels>(`refused-cancels-${supported}`, async () => {
      const target = supported ? (await createOperation('long')).name : (await runningRefusalTarget()).name;
      const [insufficient] = await tokens.insufficient();
      const attempts = [
        { who: 'no credentials', auth: 'none' as const },
        { who: 'a malformed token', auth: MALFORMED_TOKEN },
        ...(insufficient ? [{ who: insufficient.label, auth: insufficient }] : []),
      ];
      const calls: RefusedCancels['calls'][number][] = [];
      for (const { who, auth } of attempts) {
        const reply = storable(await api.cancel(target, { auth, mustAnswer: true }));
        // Accepted: cancel.auth.missing/invalid judge that; this operation is no longer a clean subject.
        if (is2xx(reply)) {
          calls.push({ who, reply });
          break;
        }
        calls.push({ who, reply, after: storable(await api.get(target)) });
      }
      return { target, calls, at: Date.now() };
    });

  /** The quick operation, once it finished on its own, cancelled; with the GET after the cancel. */
  const finishedCancel = () =>
    once<FinishedCancel>('finished-cancel', async () => {
      const { name, create } = await finishedSubject();
      const finished = await settle(api, name, cfg.settleTimeoutMs);
      if (finished.outcome !== 'completed' && finished.outcome !== 'failed') return { name, create, finished: storableSettlement(finished), at: Date.now() };
      const cancel = storable(await api.cancel(name));
      return { name, create, finished: storableSettlement(finished), cancel, after: storable(await api.get(name)), at: Date.now() };
    });

  /**
   * One operation of the run's, cancelled through every door at once, for the checks whose verdict
   * is each door's own reply: a scope-only token is accepted (auth comes before state), a quick
   * operation may complete despite the cancels. One billed job serves both doors.
   */
  const sharedCancel = (key: string, kind: 'long' | 'quick', auth?: Credential) =>
    onceInRun<SharedCancel>(`shared-${key}`, async () => {
      const created = await createOperation(kind);
      const replies = await Promise.all(everyDoor.map(async (door) => [door.door, storable(await door.cancel(created.name, { ...(auth ? { auth } : {}), mustAnswer: true }))] as const));
      return { ...created, cancels: Object.fromEntries(replies) };
    });

  /**
   * Both doors' shared results, read across: each door's cancelled (or cancel-subject) operation
   * through the other door, and the same refusals as each door answered them.
   */
  const parity = (): Promise<Parity> =>
    onceInRun<Parity>('parity', async () => {
      const scenariosOf = new Map<DoorName, PairedScenarios>(everyDoor.map((door) => [door.door, door === api ? self : createScenarios({ api: door, others: everyDoor.filter((d) => d !== door), cfg, tokens, credential })]));
      const seen = await Promise.all(everyDoor.map(async (door) => {
        const own = scenariosOf.get(door.door)!;
        const [subject, obs] = await Promise.all([own.cancelSubject(), own.observedCancellation()]);
        return { door: door.door, name: obs.kind === 'cancelled' ? obs.name : subject.name, final: obs.kind === 'cancelled' ? obs.final : undefined, obs, subject, own };
      }));
      const crossReads: CrossRead[] = [];
      for (const from of seen) {
        for (const via of everyDoor.filter((d) => d.door !== from.door)) {
          crossReads.push({ from: from.door, via: via.door, name: from.name, ...(from.final ? { own: from.final } : {}), read: storable(await via.get(from.name)) });
        }
      }
      const pair = (label: string, pick: (x: (typeof seen)[number]) => Exchange | undefined): PairedAnswer => ({ label, answers: Object.fromEntries(seen.map((x) => [x.door, pick(x)]).filter(([, ex]) => ex)) });
      const refusals = cfg.authMode === 'none' ? [] : await Promise.all(seen.map((x) => x.own.authRefusals()));
      const names = await Promise.all(seen.map((x) => x.own.nameErrors()));
      const byDoor = <T>(list: T[]) => (x: (typeof seen)[number]) => list[seen.indexOf(x)];
      const authOf = byDoor(refusals);
      const namesOf = byDoor(names);
      const paired = [
        pair('the first cancel of a running operation', (x) => x.subject.cancel),
        ...(refusals.length ? [pair('a cancel without credentials', (x) => authOf(x)!.none)] : []),
        ...(refusals[0]?.invalid ?? []).map((c, i) => pair(`a cancel with ${c.label}`, (x) => authOf(x)!.invalid[i]?.exchange)),
        ...(refusals[0]?.insufficient ?? []).map((c, i) => pair(`a cancel with ${c.label}`, (x) => authOf(x)!.insufficient[i]?.exchange)),
        pair('a cancel of an unknown operation', (x) => namesOf(x)!.unknown.exchange),
      ];
      const untouched = (obs: Observation) => {
        const last = obs.kind === 'unsettled' ? obs.attempts.at(-1)?.settlement?.last : undefined;
        return last && cancellationShown(last) === undefined ? `its last GET ${said(last)}` : undefined;
      };
      const observations = Object.fromEntries(seen.map((x) => [x.door, { kind: x.obs.kind, ...(untouched(x.obs) ? { untouched: untouched(x.obs) } : {}) }]));
      return { observations, crossReads, paired };
    });

  /** GET of `name` once the quiet period after `since` has passed (a controller may act late); one per operation and start. */
  const lateLook = (name: string, since: number) =>
    once<Exchange>(`late-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${since}`, async () => {
      const wait = since + cfg.quietPeriodMs - Date.now();
      if (wait > 0) await sleep(wait);
      return storable(await api.get(name));
    });

  const self = { parity, sharedCancel, consultControl, refusedCancels, finishedCancel, lateLook, createOperation, refusalTarget, finishedSubject, runningRefusalTarget, cancelSubject, observedCancellation, authRefusals, refusalRound, nameErrors };
  return self;
}

export type Scenarios = ReturnType<typeof createScenarios>;
