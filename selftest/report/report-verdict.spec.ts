// The verdict banner the report opens with (src/reporting/report-page.ts verdictHtml), on made-up
// summaries: what the sentence beside the verdict says, the counts by level and door, and what is
// listed under it. The browser check of a real run is report-browser.spec.ts.
import { expect, test } from '@playwright/test';
import { verdictCounts, verdictHtml, verdictReason, type Summary, type SummaryRequirement } from '../../src/reporting/report-page';

const req = (id: string, level: 'MUST' | 'SHOULD', status: string, extra: Partial<SummaryRequirement> = {}): SummaryRequirement =>
  ({ id, level, title: `${id} title`, status, reason: status === 'passed' ? '' : `${id} reason`, tests: [{ title: `${id} test`, file: 'x.spec.ts', status, reason: '' }], ...extra });
const summary = (verdict: string, requirements: SummaryRequirement[], suiteErrors: string[] = []): Summary =>
  ({ target: 'https://zone.example <a>', verdict, requests: 12, operationsCreated: 3, suiteErrors, requirements });

test('a conformant run says every MUST passed, and how many only in part; SHOULD failures are still listed', () => {
  const s = summary('conformant', [req('a', 'MUST', 'passed', { partial: true }), req('b', 'MUST', 'passed'), req('c', 'MUST', 'not-applicable'), req('d', 'SHOULD', 'failed')]);
  expect(verdictReason(s)).toBe('every MUST that applies passed (1 MUST checked in part); 1 SHOULD failed');
  const html = verdictHtml(s, []);
  expect(html).toContain('<span class="cv-verdict" data-conformance-headline>CONFORMANT</span>');
  expect(html).toMatch(/<li data-failure="d" data-status="failed">/);
  expect(html).not.toContain('data-conformance-unjudged');
  // Text from the summary is escaped.
  expect(html).toContain('https://zone.example &lt;a&gt;');
  // One door: no door rows.
  expect(verdictCounts(s).doors).toEqual([]);
  expect(html).not.toContain('data-door-row');
});

test('an incomplete run names the MUSTs not judged and the suite errors', () => {
  const s = summary('incomplete', [req('a', 'MUST', 'not-run'), req('b', 'MUST', 'unverified'), req('c', 'MUST', 'passed'), req('d', 'SHOULD', 'not-run')], ['catalog: x']);
  expect(verdictReason(s)).toBe('2 MUSTs not judged; 1 suite error');
  const html = verdictHtml(s, []);
  expect(html.match(/<div data-conformance-unjudged>.*?<\/div>/s)![0].match(/data-failure="(\w)"/g)).toEqual(['data-failure="a"', 'data-failure="b"']);
  expect(html).toContain('suite error: catalog: x');
  expect(html).not.toMatch(/<div data-conformance-failures>/);
});

test('a run of both doors counts each door apart; the row of a level is the worst of its doors', () => {
  const both = (rest: string, grpc: string) => ({ doors: { rest: { status: rest, reason: '' }, grpc: { status: grpc, reason: '' } } });
  const s = summary('non-conformant', [
    req('a', 'MUST', 'failed', both('failed', 'passed')),
    req('b', 'MUST', 'passed', both('passed', 'not-applicable')),
    req('c', 'SHOULD', 'passed', both('passed', 'passed')),
    // Judged on one door only (a filtered run): it counts for that door alone.
    req('d', 'SHOULD', 'unverified', { doors: { rest: { status: 'unverified', reason: '' } } }),
  ]);
  const c = verdictCounts(s);
  expect(c.levels.MUST).toMatchObject({ total: 2, passed: 1, failed: 1 });
  expect(c.doors.map((d) => [d.door, d.levels.MUST, d.levels.SHOULD])).toEqual([
    ['rest', { passed: 1, failed: 1, unverified: 0, 'not-run': 0, 'not-applicable': 0, total: 2 }, { passed: 1, failed: 0, unverified: 1, 'not-run': 0, 'not-applicable': 0, total: 2 }],
    ['grpc', { passed: 1, failed: 0, unverified: 0, 'not-run': 0, 'not-applicable': 1, total: 2 }, { passed: 1, failed: 0, unverified: 0, 'not-run': 0, 'not-applicable': 0, total: 1 }],
  ]);
  expect(verdictReason(s)).toBe('1 MUST failed');
  const html = verdictHtml(s, []);
  expect(html).toContain('<td data-level="MUST" data-door="grpc" data-status="not-applicable">1</td>');
  expect(html).toContain('<tr class="cv-door" data-level-row="SHOULD" data-door-row="rest"><th scope="row">REST</th>');
});
