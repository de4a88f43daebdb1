// The pipeline gate: turns a conformance summary, an optional expected-failures baseline
// (CONFORMANCE_BASELINE) and an optional previous summary (CONFORMANCE_PREVIOUS_SUMMARY)
// into one outcome and an exit status. Pure: the entry points read the files and feed it.
import { isRequirementId } from './catalog';
import { verdictOf, type RequirementResult, type Verdict } from './verdict';

export interface BaselineEntry {
  readonly id: string;
  readonly reason: string;
}

/** The parts of reports/conformance-summary.json the gate reads. */
export interface GateSummary {
  readonly verdict: Verdict;
  readonly suiteErrors: readonly string[];
  readonly requirements: readonly Pick<RequirementResult, 'id' | 'level' | 'status' | 'reason'>[];
}

export type GateStatus = 'passed' | 'failed';

export interface Gate {
  readonly status: GateStatus;
  readonly exitCode: number;
  /** The run's own verdict. */
  readonly verdict: Verdict;
  /** The verdict once accepted failures are set aside. */
  readonly effectiveVerdict: Verdict;
  readonly baseline?: string;
  readonly previousSummary?: string;
  /** Listed requirements that failed, as the baseline expects. */
  readonly accepted: readonly { id: string; reason: string; status: string }[];
  /** Listed requirements that no longer fail: the entry must go. */
  readonly stale: readonly { id: string; reason: string; status: string }[];
  /** Listed requirements this run could not judge (not run, unverified): neither accepted nor stale. */
  readonly unconfirmed: readonly { id: string; reason: string; status: string }[];
  /** Failures the baseline does not list. */
  readonly unexpected: readonly string[];
  /** Requirements that passed in the previous summary and fail now. */
  readonly regressions: readonly string[];
  /** Problems of the baseline file itself (unknown ID, no reason, duplicates, bad shape). */
  readonly problems: readonly string[];
  /** One line per accepted, stale, unconfirmed entry and regression, then the outcome. */
  readonly lines: readonly string[];
}

/** Exit statuses shared with scripts/conformance.ts; 5 is the gate's own. */
export const GATE_EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2, config: 3, suite: 4, gate: 5 } as const;

/** Validates a parsed baseline file: `[{ id, reason }]` or `{ "expectedFailures": [{ id, reason }] }`. */
export function parseBaseline(json: unknown): { entries: BaselineEntry[]; problems: string[] } {
  const list = Array.isArray(json) ? json : (json as { expectedFailures?: unknown } | null)?.expectedFailures;
  if (!Array.isArray(list)) return { entries: [], problems: ['must be a JSON array of { "id", "reason" } (or an object with an "expectedFailures" array)'] };
  const entries: BaselineEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const e = raw as { id?: unknown; reason?: unknown } | null;
    if (typeof e !== 'object' || e === null) return void problems.push(`entry ${i} is not an object`);
    if (typeof e.id !== 'string' || !e.id.trim()) return void problems.push(`entry ${i} has no "id"`);
    const id = e.id.trim();
    if (!isRequirementId(id)) problems.push(`entry ${i} names unknown requirement ID "${id}"`);
    if (typeof e.reason !== 'string' || !e.reason.trim()) problems.push(`entry ${i} ("${id}") has no "reason": say why the gap is accepted`);
    if (seen.has(id)) problems.push(`entry ${i} lists "${id}" twice`);
    seen.add(id);
    entries.push({ id, reason: typeof e.reason === 'string' ? e.reason.trim() : '' });
  });
  return { entries, problems };
}

const JUDGED_NOT_FAILING = new Set(['passed', 'not-applicable']);

export function computeGate(
  summary: GateSummary,
  options: { baseline?: { path: string; json: unknown }; previous?: { path: string; summary: Pick<GateSummary, 'requirements'> } } = {},
): Gate {
  const parsed = options.baseline ? parseBaseline(options.baseline.json) : { entries: [], problems: [] };
  const listed = new Map(parsed.entries.map((e) => [e.id, e]));
  const byId = new Map(summary.requirements.map((r) => [r.id, r]));
  const accepted: Gate['accepted'][number][] = [];
  const stale: Gate['stale'][number][] = [];
  const unconfirmed: Gate['unconfirmed'][number][] = [];
  for (const e of parsed.entries) {
    const r = byId.get(e.id);
    if (!r) continue; // unknown IDs are already problems
    const item = { id: e.id, reason: e.reason, status: r.status };
    if (r.status === 'failed') accepted.push(item);
    else if (JUDGED_NOT_FAILING.has(r.status)) stale.push(item);
    else unconfirmed.push(item);
  }
  const unexpected = summary.requirements.filter((r) => r.status === 'failed' && !listed.has(r.id)).map((r) => r.id);
  const before = new Map((options.previous?.summary.requirements ?? []).map((r) => [r.id, r.status]));
  const regressions = summary.requirements
    .filter((r) => r.status === 'failed' && before.get(r.id) === 'passed' && !listed.has(r.id))
    .map((r) => r.id);

  const acceptedIds = new Set(accepted.map((a) => a.id));
  // Accepted failures count as set aside; everything else folds as usual.
  const effectiveVerdict = verdictOf(
    summary.requirements.map((r) => (acceptedIds.has(r.id) ? { ...r, status: 'not-applicable' } : r)) as RequirementResult[],
    summary.suiteErrors,
  );

  let exitCode: number;
  if (parsed.problems.length > 0) exitCode = GATE_EXIT.config;
  else if (effectiveVerdict !== 'conformant') exitCode = GATE_EXIT[effectiveVerdict];
  else if (stale.length > 0 || regressions.length > 0) exitCode = GATE_EXIT.gate;
  else exitCode = GATE_EXIT.conformant;

  const lines = [
    ...parsed.problems.map((p) => `baseline: INVALID ${options.baseline?.path}: ${p}`),
    ...accepted.map((a) => `baseline: accepted ${a.id} (failed, as listed): ${a.reason}`),
    ...stale.map((s) => `baseline: STALE ${s.id} is ${s.status} now; remove it from ${options.baseline?.path} (listed because: ${s.reason})`),
    ...unconfirmed.map((u) => `baseline: unconfirmed ${u.id} is ${u.status} in this run; the entry is kept (listed because: ${u.reason})`),
    ...regressions.map((id) => `previous: REGRESSION ${id} passed in ${options.previous?.path} and fails now`),
  ];
  if (options.baseline || options.previous) {
    lines.push(`GATE: ${exitCode === 0 ? 'PASSED' : 'FAILED'} (verdict ${summary.verdict}, ${effectiveVerdict === summary.verdict ? 'unchanged by the baseline' : `${effectiveVerdict} with ${accepted.length} accepted failure(s)`}, exit ${exitCode})`);
  }
  return {
    status: exitCode === 0 ? 'passed' : 'failed',
    exitCode,
    verdict: summary.verdict,
    effectiveVerdict,
    ...(options.baseline ? { baseline: options.baseline.path } : {}),
    ...(options.previous ? { previousSummary: options.previous.path } : {}),
    accepted,
    stale,
    unconfirmed,
    unexpected,
    regressions,
    problems: parsed.problems,
    lines,
  };
}
