// What a run of this configuration will do with each requirement on each door, known before any
// request: will run, partial (a part of the rule cannot be checked), not-run (the run cannot get to
// it), not-applicable (declared away, or not on this door), or decided by the run's cancel-support
// probe. The rules are the tests' own (src/judging/reasons.ts): npm run preflight prints them, and
// npm run config warns about the MUSTs that are certain to be not-run.
import { CATALOG, type Level } from '../judging/catalog';
import {
  LIST_ABSENT, NO_403_CHALLENGE, NO_403_PROVOKED, NO_AUTH_REFUSAL, NO_INSUFFICIENT_REFUSAL, NO_INSUFFICIENT_TOKEN, WAIT_ABSENT, gateReason, noExpiredToken,
} from '../judging/reasons';
import { DOOR_LABEL } from '../judging/verdict';
import { createTokens, tokenSourceNames } from '../credentials/tokens';
import type { DoorName } from '../transport/operations-client';
import type { Config } from './config';

export type ScopeSet = 'everyday' | 'translation' | 'platform' | 'insufficient' | 'expired';
export const SCOPE_SETS: readonly ScopeSet[] = ['everyday', 'translation', 'platform', 'insufficient', 'expired'];

/** Why each scope set will have no token in the run; a scope set that is absent will have one. */
export type MissingTokens = Partial<Record<ScopeSet, string>>;

export type Readiness =
  | { readonly state: 'will-run' }
  | { readonly state: 'partial'; readonly because: readonly string[] }
  | { readonly state: 'not-run'; readonly because: string }
  | { readonly state: 'not-applicable'; readonly because: string }
  /** CANCEL_SUPPORT=auto: the run's first cancel finds out whether the target implements cancel. */
  | { readonly state: 'probe-decides'; readonly appliesWhen: 'supported' | 'unimplemented' };

export interface ReadinessRow {
  readonly id: string;
  readonly level: Level;
  readonly doors: Readonly<Partial<Record<DoorName, Readiness>>>;
}

export type ReadinessConfig = Pick<Config, 'doors' | 'authMode' | 'scopeChecksNotApplicable' | 'cancelSupport' | 'listSupport' | 'waitSupport' | 'otherParent'>;

const CROSS_PARENT_MADE_UP =
  'no TARGET_OTHER_PARENT: the same operation ID is tried only under made-up projects and locations, where a zone may answer 403 for lack of a role before any lookup; set TARGET_OTHER_PARENT to a second parent the caller can use for the real cross-tenant check';

/** The readiness of one requirement on one door. Pure: the configuration and the scope sets that will have no token. */
export function readinessOf(id: string, door: DoorName, cfg: ReadinessConfig, missing: MissingTokens): Readiness {
  const declared = cfg.cancelSupport === 'auto' ? undefined : { support: cfg.cancelSupport, source: 'declared by CANCEL_SUPPORT' } as const;
  const gated = gateReason(id, door, cfg, declared);
  if (gated) return { state: 'not-applicable', because: gated };
  if (id === 'cancel.outcome.listed' && cfg.listSupport === 'absent') return { state: 'not-applicable', because: LIST_ABSENT };
  if (id === 'cancel.outcome.wait' && cfg.waitSupport === 'absent') return { state: 'not-applicable', because: WAIT_ABSENT };
  const auth = cfg.authMode !== 'none';
  // Every test starts from the everyday credential (tests/fixtures.ts `credential`).
  if (auth && missing.everyday) return { state: 'not-run', because: missing.everyday };
  if (auth && id === 'cancel.auth.translation-scope' && missing.translation) return { state: 'not-run', because: missing.translation };
  if (auth && id === 'cancel.auth.platform-scope' && missing.platform) return { state: 'not-run', because: missing.platform };
  if (auth && id === 'cancel.auth.insufficient-scope' && missing.insufficient) return { state: 'not-run', because: NO_INSUFFICIENT_TOKEN };
  const conditional = CATALOG.find((r) => r.id === id)?.conditional;
  if (conditional && !declared) return { state: 'probe-decides', appliesWhen: conditional };
  const partly: string[] = [];
  const noInsufficient = auth && !!missing.insufficient;
  if (id === 'cancel.auth.invalid' && missing.expired) partly.push(noExpiredToken(missing.expired));
  if (id === 'cancel.auth.challenge' && noInsufficient) partly.push(NO_403_CHALLENGE);
  if (id === 'cancel.auth.no-side-effect' && noInsufficient) partly.push(NO_INSUFFICIENT_REFUSAL);
  if (id === 'errors.envelope' && noInsufficient) partly.push(NO_403_PROVOKED);
  if (id === 'errors.error-info') {
    if (!auth) partly.push(NO_AUTH_REFUSAL);
    else if (noInsufficient) partly.push(NO_403_PROVOKED);
  }
  if (id === 'cancel.security.cross-parent' && !cfg.otherParent) partly.push(CROSS_PARENT_MADE_UP);
  return partly.length ? { state: 'partial', because: partly } : { state: 'will-run' };
}

/** Every requirement of the catalog on every door of the run. */
export function readiness(cfg: ReadinessConfig, missing: MissingTokens): ReadinessRow[] {
  return CATALOG.map((req) => ({
    id: req.id,
    level: req.level,
    doors: Object.fromEntries(cfg.doors.map((door) => [door, readinessOf(req.id, door, cfg, missing)])),
  }));
}

/** In words: "will run", "partial because …", "not-run because …". */
export function describeReadiness(r: Readiness): string {
  switch (r.state) {
    case 'will-run':
      return 'will run';
    case 'partial':
      return `partial because ${r.because.join('; ')}`;
    case 'not-run':
      return `not-run because ${r.because}`;
    case 'not-applicable':
      return `not-applicable because ${r.because}`;
    case 'probe-decides':
      return r.appliesWhen === 'supported'
        ? 'will run if cancel is implemented (the run\'s probe finds out)'
        : 'not-applicable unless cancel is unimplemented (the run\'s probe finds out)';
  }
}

/** One line per requirement (a line per door where the doors differ): "  id (MUST) [REST, gRPC] will run". */
export function readinessLines(rows: readonly ReadinessRow[]): string[] {
  const width = Math.max(...rows.map((r) => `${r.id} (${r.level})`.length));
  return rows.flatMap((row) => {
    const byWords = new Map<string, DoorName[]>();
    for (const [door, r] of Object.entries(row.doors) as [DoorName, Readiness][]) {
      const words = describeReadiness(r);
      byWords.set(words, [...(byWords.get(words) ?? []), door]);
    }
    return [...byWords].map(([words, doors]) => `  ${`${row.id} (${row.level})`.padEnd(width)}  [${doors.map((d) => DOOR_LABEL[d]).join(', ')}] ${words}`);
  });
}

/** The MUSTs certain to be not-run on some door of the run: with them, the verdict cannot be CONFORMANT. */
export function mustsNotRun(rows: readonly ReadinessRow[]): { id: string; why: string }[] {
  return rows.flatMap((row) => {
    if (row.level !== 'MUST') return [];
    const notRun = Object.values(row.doors).find((r): r is Extract<Readiness, { state: 'not-run' }> => r?.state === 'not-run');
    return notRun ? [{ id: row.id, why: notRun.because }] : [];
  });
}

/**
 * The scope sets no source is configured for, each with the words its lookup gives the tests
 * (src/credentials/tokens.ts). Nothing is minted and no command runs: a lookup without a source
 * answers at once. The embedded target's issuer serves every scope set.
 */
export async function unconfiguredTokens(cfg: Config, embedded: boolean): Promise<MissingTokens> {
  if (embedded || cfg.authMode === 'none') return {};
  const names = tokenSourceNames(cfg);
  const tokens = createTokens(cfg);
  const missing: MissingTokens = {};
  const reasonOf = async (lookup: () => Promise<unknown>) => {
    const found = (await lookup()) as { unavailable?: string };
    return found.unavailable;
  };
  if (names.everyday === 'none') missing.everyday = await reasonOf(() => tokens.everyday());
  if (names.translation === 'none') missing.translation = await reasonOf(() => tokens.translation());
  if (names.platform === 'none') missing.platform = await reasonOf(() => tokens.platform());
  if (names.insufficient === 'none') missing.insufficient = NO_INSUFFICIENT_TOKEN;
  if (names.expired === 'none') missing.expired = await reasonOf(() => tokens.expired());
  return missing;
}
