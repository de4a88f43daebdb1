// The verdict as Markdown, for GITHUB_STEP_SUMMARY: a job's summary page shows it without
// opening the artefacts. One row per requirement, a column per door where the run had two.
import { DOOR_LABEL, inPartNote, partialMusts } from '../judging/verdict';

interface Row {
  readonly id: string;
  readonly level: string;
  readonly status: string;
  readonly reason: string;
  readonly partial?: true;
  readonly doors?: Readonly<Record<string, { readonly status: string; readonly partial?: true }>>;
}

const MARK: Readonly<Record<string, string>> = { passed: '✅ pass', failed: '❌ FAIL', unverified: '⚠️ unverified', 'not-run': '⚠️ not run', 'not-applicable': 'n/a' };
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const mark = (status: string, partial?: true) => `${MARK[status] ?? status}${partial ? ' (in part)' : ''}`;

export function stepSummary(s: { readonly target: string; readonly verdict: string; readonly requests: number; readonly operationsCreated: number; readonly requirements: readonly Row[] }): string {
  const doors = [...new Set(s.requirements.flatMap((r) => Object.keys(r.doors ?? {})))];
  const count = (level: string, status: string) => s.requirements.filter((r) => r.level === level && r.status === status).length;
  return [
    `## Cancel conformance: ${s.verdict.toUpperCase()}${inPartNote(s.verdict, partialMusts(s.requirements))}`,
    '',
    `${s.target}. MUST: ${count('MUST', 'passed')} passed, ${count('MUST', 'failed')} failed, ${count('MUST', 'unverified') + count('MUST', 'not-run')} not judged; SHOULD: ${count('SHOULD', 'failed')} failed. ${s.requests} requests, ${s.operationsCreated} operations.`,
    '',
    `| requirement | level | ${doors.length ? doors.map((d) => DOOR_LABEL[d] ?? d).join(' | ') : 'status'} | reason |`,
    `|---|---|${doors.length ? doors.map(() => '---|').join('') : '---|'}---|`,
    ...s.requirements.map((r) => `| \`${r.id}\` | ${r.level} | ${doors.length ? doors.map((d) => (r.doors?.[d] ? mark(r.doors[d]!.status, r.doors[d]!.partial) : '—')).join(' | ') : mark(r.status, r.partial)} | ${cell(r.reason)} |`),
    '',
  ].join('\n');
}
