// Folds test outcomes into requirement statuses and one verdict. Pure: the summary
// reporter feeds it, the self-tests exercise it directly.
import type { FullConfig } from '@playwright/test/reporter';
import { CATALOG, isRequirementId, type Level, type Requirement } from './catalog';

export type RequirementStatus = 'passed' | 'failed' | 'unverified' | 'not-applicable' | 'not-run';
export type Verdict = 'conformant' | 'non-conformant' | 'incomplete';

/** The annotation a test leaves when it cannot judge its requirement. */
export const STATUS_ANNOTATION = 'conformance.status';
/** The annotation left when the test never reached the contract (unreachable target, failed prerequisite). */
export const NOT_RUN_ANNOTATION = 'conformance.not-run';
/** A passed test that checked only part of its requirement; the description names the unchecked part. */
export const PARTIAL_ANNOTATION = 'conformance.partial';
/** When a check fails: the name of the attachment holding the decisive exchange. */
export const DECISIVE_ANNOTATION = 'conformance.decisive';
/** The door a test judges (tests/fixtures.ts describeOnEachDoor); an Allure label as it is. */
export const DOOR_ANNOTATION = 'allure.label.door';
/** What each test sent and created: the summary's `requests` and `operationsCreated` add them up. */
export const COUNTER_ANNOTATIONS = { requests: 'conformance.requests', operationsCreated: 'conformance.operations-created', retries: 'conformance.retries' } as const;

export interface TestOutcome {
  readonly title: string;
  /** The door (Playwright project) it ran on; absent in a run of one door's tests from before there were two. */
  readonly door?: string;
  readonly file: string;
  readonly requirementIds: readonly string[];
  /** Playwright's final status of the test. */
  readonly status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  readonly annotations: readonly { type: string; description?: string }[];
  readonly error?: string;
  /** The message of every failed check (soft assertions), when there were several. */
  readonly failedChecks?: readonly string[];
}

export interface RequirementResult {
  readonly id: string;
  readonly level: Level;
  readonly title: string;
  readonly link: string;
  readonly status: RequirementStatus;
  readonly reason: string;
  /** Passed, but only part of it was exercised (the reason says which part was not). */
  readonly partial?: true;
  /** In a run of several doors: each door's own fold (the row's status is the worst of them). */
  readonly doors?: Readonly<Record<string, DoorResult>>;
  readonly tests: readonly { title: string; file: string; door?: string; status: RequirementStatus; reason: string; partial?: true }[];
}

export interface DoorResult {
  readonly status: RequirementStatus;
  readonly reason: string;
  readonly partial?: true;
}

/** How the summary and the console name a door. */
export const DOOR_LABEL: Readonly<Record<string, string>> = { rest: 'REST', grpc: 'gRPC' };

const SEVERITY: Record<RequirementStatus, number> = { failed: 4, 'not-run': 3, unverified: 2, passed: 1, 'not-applicable': 0 };

export function testStatus(t: TestOutcome): { status: RequirementStatus; reason: string; partial?: true } {
  const notRun = t.annotations.find((a) => a.type === NOT_RUN_ANNOTATION);
  // A contract check that failed before the prerequisite gave way stays failed.
  const failedBefore = (t.failedChecks ?? []).map(firstLine).filter((m) => m && m !== firstLine(notRun?.description ?? ''));
  if (notRun && failedBefore.length === 0) return { status: 'not-run', reason: notRun.description ?? 'not run' };
  const declared = t.annotations.find((a) => a.type === STATUS_ANNOTATION)?.description;
  if (t.status === 'failed' || t.status === 'timedOut') {
    const checks = (t.failedChecks ?? []).map(firstLine).filter(Boolean);
    return { status: 'failed', reason: checks.length > 1 ? `${checks.length} checks failed: ${checks.join('; ')}`.slice(0, 900) : firstLine(t.error ?? `test ${t.status}`) };
  }
  if (declared) {
    const [status, ...rest] = declared.split(': ');
    if (status === 'unverified' || status === 'not-applicable' || status === 'not-run') {
      return { status, reason: rest.join(': ') };
    }
  }
  if (t.status === 'passed') {
    const unchecked = t.annotations.filter((a) => a.type === PARTIAL_ANNOTATION).map((a) => a.description ?? '');
    return unchecked.length ? { status: 'passed', reason: `checked in part: ${unchecked.join('; ')}`, partial: true } : { status: 'passed', reason: '' };
  }
  return { status: 'not-run', reason: t.status === 'interrupted' ? 'the run was interrupted' : 'skipped without a declared reason' };
}

const firstLine = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim())?.trim().replace(/^Error: /, '').slice(0, 300) ?? s;

export function foldRequirement(req: Requirement, tests: readonly TestOutcome[]): RequirementResult {
  const judged = tests.map((t) => ({ title: t.title, file: t.file, ...(t.door ? { door: t.door } : {}), ...testStatus(t) }));
  if (judged.length === 0) {
    return { id: req.id, level: req.level, title: req.title, link: req.link, status: 'not-run', reason: 'no test for it ran', tests: [] };
  }
  // Among equals, a partial pass is the worse one: its reason must show.
  const rank = (t: (typeof judged)[number]) => SEVERITY[t.status] * 2 + (t.partial ? 1 : 0);
  const worst = judged.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  return { id: req.id, level: req.level, title: req.title, link: req.link, status: worst.status, reason: worst.reason, ...(worst.partial ? { partial: true as const } : {}), tests: judged };
}

export function verdictOf(results: readonly RequirementResult[], suiteErrors: readonly string[] = [], { strictPartial = false } = {}): Verdict {
  const must = results.filter((r) => r.level === 'MUST');
  if (must.some((r) => r.status === 'failed')) return 'non-conformant';
  if (suiteErrors.length > 0 || must.some((r) => r.status === 'not-run' || r.status === 'unverified')) return 'incomplete';
  // CONFORMANCE_STRICT=partial: a MUST checked only in part is not proven.
  if (strictPartial && partialMusts(results) > 0) return 'incomplete';
  return 'conformant';
}

/**
 * A suite error the user fixes in their setup (trust, a token command), as the global setup names
 * it ("TLS: …", "Setup: …"): the run exits 3, as for a configuration error, and says it once.
 */
export const setupProblem = (suiteErrors: readonly string[]) => suiteErrors.find((e) => /^(TLS|Setup): /.test(e));

/** " (2 MUSTs checked in part)" after a CONFORMANT verdict; '' otherwise. */
export const inPartNote = (verdict: string, musts: number) => (verdict === 'conformant' && musts > 0 ? ` (${musts} MUST${musts === 1 ? '' : 's'} checked in part)` : '');

/** MUSTs that passed having been checked only in part: the verdict line counts them. */
export const partialMusts = (results: readonly { readonly level: string; readonly status: string; readonly partial?: true }[]) =>
  results.filter((r) => r.level === 'MUST' && r.status === 'passed' && r.partial).length;

/** Catalog/test mismatches: a test naming an unknown ID, a catalog entry without a test. */
export function coverageProblems(tests: readonly Pick<TestOutcome, 'title' | 'requirementIds'>[], { requireAll }: { requireAll: boolean }): string[] {
  const problems: string[] = [];
  for (const t of tests) {
    if (t.requirementIds.length === 0) problems.push(`test "${t.title}" names no requirement ID`);
    for (const id of t.requirementIds) if (!isRequirementId(id)) problems.push(`test "${t.title}" names unknown requirement ID "${id}"`);
  }
  if (requireAll) {
    const covered = new Set(tests.flatMap((t) => t.requirementIds));
    for (const req of CATALOG) if (!covered.has(req.id)) problems.push(`catalog entry "${req.id}" has no test`);
  }
  return problems;
}

export const requirementIdsOfTags = (tags: readonly string[]) => tags.filter((t) => t.startsWith('@')).map((t) => t.slice(1));

/** The row of a run of several doors: each door folded alone, the row the worst of them, its reason naming the door. */
function foldPerDoor(req: Requirement, tests: readonly TestOutcome[], doors: readonly string[]): RequirementResult {
  const all = foldRequirement(req, tests);
  if (doors.length < 2) return all;
  // A door none of whose tests judged it (a filtered run, a shard) has nothing to say about it.
  const ran = doors.filter((door) => tests.some((t) => t.door === door));
  if (ran.length === 0) return all;
  const perDoor = Object.fromEntries(ran.map((door) => {
    const r = foldRequirement(req, tests.filter((t) => t.door === door));
    return [door, { status: r.status, reason: r.reason, ...(r.partial ? { partial: true as const } : {}) }];
  }));
  const rank = (d: DoorResult) => SEVERITY[d.status] * 2 + (d.partial ? 1 : 0);
  const [worstDoor, worst] = Object.entries(perDoor).reduce((a, b) => (rank(b[1]) > rank(a[1]) ? b : a));
  const reason = worst.reason ? `${DOOR_LABEL[worstDoor] ?? worstDoor}: ${worst.reason}` : '';
  return { ...all, status: worst.status, reason, ...(worst.partial ? { partial: true as const } : {}), doors: perDoor };
}

export function summarize(tests: readonly TestOutcome[], suiteErrors: readonly string[], options: { strictPartial?: boolean } = {}) {
  const doors = [...new Set(tests.map((t) => t.door).filter((d): d is string => !!d))];
  const requirements = CATALOG.map((req) => foldPerDoor(req, tests.filter((t) => t.requirementIds.includes(req.id)), doors));
  const verdict = verdictOf(requirements, suiteErrors, options);
  const warnings = requirements.filter((r) => r.level === 'SHOULD' && (r.status === 'failed' || r.status === 'not-run' || r.status === 'unverified'))
    .map((r) => `${r.id} (SHOULD) ${r.status}: ${r.reason}`);
  return { verdict, requirements, warnings };
}

/** A shard, a grep or a file filter: the run covers part of the catalog. */
export function isFilteredRun(config: FullConfig, argv: readonly string[] = process.argv.slice(2)): boolean {
  // Playwright puts a CLI --grep on the projects (newer versions) or the config (older ones).
  const everything = /.*/.toString();
  const grepped = [config.grep, ...config.projects.map((p) => p.grep)].flat().some((g) => g.toString() !== everything)
    || [config.grepInvert, ...config.projects.map((p) => p.grepInvert)].flat().some((g) => g !== null && g !== undefined);
  return config.shard !== null || grepped || argv.some((a) => a.endsWith('.ts') || /^(-g|--grep|--grep-invert|--last-failed|--only-changed)(=|$)/.test(a));
}
