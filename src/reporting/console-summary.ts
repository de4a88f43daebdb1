// What `npm run conformance` prints after the run: the verdict table (reasons wrapped, never
// cut), then a Failures section for every failed or unverified requirement: the contract's
// sentence, what was expected, what the target did and the curl line of the decisive exchange.
// Colour only where Node says the stream takes it (TTY, NO_COLOR, FORCE_COLOR).
import { styleText } from 'node:util';
import { describeRetries } from '../transport/retry';
import { DOOR_LABEL, inPartNote, partialMusts, setupProblem } from '../judging/verdict';
import wrapAnsi from 'wrap-ansi';

type Style = Parameters<typeof styleText>[0];
export type Paint = (style: Style, text: string) => string;

/** Colours as Node decides for the stream: a TTY colours, a pipe or CI log stays plain, NO_COLOR and FORCE_COLOR win. */
// One style at a time: Node 20 skips the stream check when given an array of styles.
export const paintFor = (stream: NodeJS.WritableStream = process.stdout): Paint => (style, text) =>
  [style].flat().reduce((out, one) => styleText(one, out, { stream }), text);
export const plain: Paint = (_style, text) => text;

/** What the failing test saw, taken from its error and its decisive exchange. */
export interface Evidence {
  readonly test: string;
  /** The failure's first line, when it does not split into expected and observed. */
  readonly message?: string;
  /** What the check required: the failed check's name, or an expect()'s Expected value. */
  readonly expected?: string;
  /** What the target did instead. */
  readonly observed?: string;
  /** Attachment name of the decisive exchange, e.g. "GET …/operations/x → 200". */
  readonly exchange?: string;
  /** The line that sends the decisive exchange again (curl or grpcurl). */
  readonly curl?: string;
  /** How the credential it carried was built, in words. */
  readonly credentials?: string;
  /** Which token the replay reads from $ACCESS_TOKEN; "none needed" when it carries its own. */
  readonly token?: string;
  /** A command that exports that token, where one can. */
  readonly tokenExport?: string;
  /** What the line's flags cannot say (grpcurl's proxy, an encrypted key). */
  readonly replayNotes?: readonly string[];
}

export interface ConsoleRequirement {
  readonly id: string;
  readonly level: string;
  readonly status: string;
  readonly reason: string;
  readonly title?: string;
  readonly source?: string;
  /** 'derived' sources are not quotations and are not shown as one. */
  readonly basis?: 'verbatim' | 'derived';
  readonly link?: string;
  readonly evidence?: Evidence;
  readonly partial?: true;
  /** In a run of several doors: each door's status (the row's is the worst). */
  readonly doors?: Readonly<Record<string, { readonly status: string }>>;
}

export interface ConsoleSummary {
  readonly target: string;
  readonly verdict: string;
  readonly requests: number;
  readonly operationsCreated: number;
  /** Transient answers retried, by cause (never judged). */
  readonly retries?: Readonly<Record<string, number>>;
  readonly suiteErrors: readonly string[];
  readonly requirements: readonly ConsoleRequirement[];
}

export interface FormatOptions {
  /** Line width to wrap at. */
  readonly columns?: number;
  readonly paint?: Paint;
  /** Where the summary JSON went, for the pointer under the Failures section. */
  readonly summaryFile?: string;
  /** A shard of a run (--shard=i/n): it ends with the shard line, never a verdict of its own. */
  readonly shard?: { readonly current: number; readonly total: number };
}

const MARK: Record<string, { text: string; style: Style }> = {
  passed: { text: 'PASS', style: 'green' },
  failed: { text: 'FAIL', style: ['red', 'bold'] },
  unverified: { text: 'UNVERIFIED', style: 'yellow' },
  'not-applicable': { text: 'N/A', style: 'dim' },
  'not-run': { text: 'NOT RUN', style: 'yellow' },
};
const VERDICT_STYLE: Record<string, Style> = { conformant: ['green', 'bold'], 'non-conformant': ['red', 'bold'], incomplete: ['yellow', 'bold'] };
const MIN_TEXT = 40;

/** Wraps at word boundaries (a long word such as a URL overflows rather than being cut) and indents the rest. */
export function wrap(text: string, width: number, indent: string): string[] {
  return wrapAnsi(text, Math.max(MIN_TEXT, width), { hard: false, trim: true })
    .split('\n')
    .map((line, i) => (i === 0 ? line : indent + line));
}

const withoutErrorPrefix = (reason: string) => reason.replace(/^Error:\s*/, '');

export function formatTable(s: ConsoleSummary, { columns = 120, paint = plain }: FormatOptions = {}): string {
  const width = Math.max(...s.requirements.map((r) => r.id.length));
  const nothingRan = s.requirements.every((r) => r.status === 'not-run' && r.reason === 'no test for it ran');
  // A run of several doors gets a column per door; the reason is the worst door's, named.
  const doors = [...new Set(s.requirements.flatMap((r) => Object.keys(r.doors ?? {})))];
  const columnsOf = (r: ConsoleRequirement) => (doors.length ? doors.map((d) => r.doors?.[d]?.status ?? 'not-run') : [r.status]);
  const indent = ' '.repeat(2 + width + 2 + 6 + 2 + 12 * Math.max(1, doors.length));
  const cell = (status: string) => {
    const mark = MARK[status] ?? { text: status, style: 'reset' as Style };
    return `${paint(mark.style, mark.text)}${' '.repeat(Math.max(0, 10 - mark.text.length))}  `;
  };
  const row = (r: ConsoleRequirement) => {
    const head = `  ${r.id.padEnd(width)}  ${r.level.padEnd(6)}  ${columnsOf(r).map(cell).join('')}`;
    return r.reason ? head + wrap(withoutErrorPrefix(r.reason), columns - indent.length, indent).join('\n') : head.trimEnd();
  };
  const header = doors.length ? [paint('dim', `  ${''.padEnd(width)}  ${''.padEnd(6)}  ${doors.map((d) => (DOOR_LABEL[d] ?? d).padEnd(12)).join('')}`.trimEnd())] : [];
  return [
    '',
    paint('bold', `Cancel conformance of ${s.target}`),
    ...(nothingRan ? [`  (no requirement was checked: ${s.requirements.length} not run)`] : [...header, ...s.requirements.map(row)]),
    // A setup problem was printed where it happened (the global setup's error): said once, pointed at here.
    ...s.suiteErrors.map((e) => paint('red', e === setupProblem(s.suiteErrors) ? '  stopped before any test by the setup problem above: fix it and run again (exit 3)' : `  suite error: ${e}`)),
    `  requests sent: ${s.requests}, operations created: ${s.operationsCreated}; ${describeRetries(s.retries ?? {}) ?? 'no request retried'}`,
  ].join('\n');
}

/** Failed, then unverified; MUST before SHOULD; catalog order otherwise. */
export function failuresOf(requirements: readonly ConsoleRequirement[]): ConsoleRequirement[] {
  const rank = (r: ConsoleRequirement) => (r.status === 'failed' ? 0 : 2) + (r.level === 'MUST' ? 0 : 1);
  return requirements.filter((r) => r.status === 'failed' || r.status === 'unverified').map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}

export function formatFailures(s: ConsoleSummary, { columns = 120, paint = plain, summaryFile }: FormatOptions = {}): string {
  const failures = failuresOf(s.requirements);
  if (failures.length === 0) return '';
  const label = (name: string) => paint('dim', name.padEnd(10));
  const indent = ' '.repeat(5 + 10 + 1);
  const field = (name: string, value: string | undefined) => (value ? [`     ${label(name)} ${wrap(value, columns - indent.length, indent).join('\n')}`] : []);
  const block = (r: ConsoleRequirement, n: number) => {
    const e = r.evidence;
    const mark = MARK[r.status]!;
    return [
      `  ${n}) ${paint('bold', r.id)}  ${r.level}  ${paint(mark.style, mark.text)}`,
      ...field('requires', r.title),
      ...(r.basis === 'derived' ? field('derived', r.source) : field('source', r.source ? `“${r.source}”` : undefined)),
      ...field('', r.link),
      ...field('expected', e?.expected),
      ...field('observed', e?.observed),
      ...(e?.expected || e?.observed ? [] : field('message', e?.message ?? withoutErrorPrefix(r.reason))),
      ...field('test', e?.test),
      ...field('exchange', e?.exchange),
      // The replay: how its credential was built, which token to export, then the curl line.
      // Commands stay on one line each so they can be pasted.
      ...field('credential', e?.credentials),
      ...field('token', e?.token),
      ...(e?.tokenExport ? [`     ${label('')} ${e.tokenExport}`] : []),
      ...(e?.replayNotes ?? []).flatMap((note) => field('note', note)),
      ...(e?.curl ? [`     ${label('replay')} ${e.curl}`] : []),
    ].join('\n');
  };
  const counts = ['failed', 'unverified'].map((status) => {
    const levels = ['MUST', 'SHOULD'].map((level) => [level, failures.filter((r) => r.status === status && r.level === level).length] as const).filter(([, n]) => n > 0);
    return levels.length ? `${levels.map(([level, n]) => `${n} ${level}`).join(', ')} ${status}` : '';
  }).filter(Boolean).join('; ');
  return [
    '',
    paint('bold', `Failures (${counts}): what the contract says, and what the target did`),
    ...failures.map((r, i) => '\n' + block(r, i + 1)),
    '',
    `Every exchange in full (redacted): npm run report, then npm run report:open${summaryFile ? `; all of it as JSON: ${summaryFile}` : ''}.`,
    'Replay a request: export ACCESS_TOKEN as its token line says (the variables it names are those of your environment or .env), then run its replay line.',
  ].join('\n');
}

/** "VERDICT: CONFORMANT (2 MUSTs checked in part)": a pass that proved less than the whole rule never passes silently. */
export function formatVerdict(verdict: string, paint: Paint = plain, partialMusts = 0): string {
  return paint(VERDICT_STYLE[verdict] ?? 'bold', `VERDICT: ${verdict.toUpperCase()}${inPartNote(verdict, partialMusts)}`);
}

/** What a shard ends with instead of a verdict: its tests are part of a run, whose verdict the merge gives. */
export function formatShardEnd(shard: { readonly current: number; readonly total: number }, paint: Paint = plain): string {
  return paint('bold', `shard ${shard.current}/${shard.total} done: the verdict comes from npm run merge-reports`);
}

/** Everything onEnd prints: table, Failures, verdict line (a shard's own line in a shard). */
export function formatConsole(s: ConsoleSummary, options: FormatOptions = {}): string {
  const failures = formatFailures(s, options);
  const end = options.shard ? formatShardEnd(options.shard, options.paint) : formatVerdict(s.verdict, options.paint, partialMusts(s.requirements));
  return [formatTable(s, options), ...(failures ? [failures] : []), end, ''].join('\n');
}

/**
 * What a failure says. A failed check step (named by what it checks) whose message reads
 * "<check>: <what the target did>" gives both; a plain expect() gives its Expected/Received lines.
 */
export function parseFailure(error: string, failedCheck?: string): Pick<Evidence, 'message' | 'expected' | 'observed'> {
  const lines = error.replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim());
  const first = lines.find(Boolean)?.replace(/^Error:\s*/, '');
  if (failedCheck && first?.startsWith(`${failedCheck}: `)) return { expected: failedCheck, observed: first.slice(failedCheck.length + 2) };
  const value = (prefix: RegExp) => lines.find((l) => prefix.test(l))?.replace(prefix, '').trim() || undefined;
  const expected = value(/^Expected(?: [a-z ]+)?:/);
  const observed = value(/^Received(?: [a-z ]+)?:/);
  // A bare matcher line ("expect(received).toBe(expected)") says nothing about the target.
  const message = first && !/^expect\(/.test(first) ? first : undefined;
  return { ...(message ? { message } : {}), ...(expected ? { expected } : {}), ...(observed ? { observed } : {}) };
}
