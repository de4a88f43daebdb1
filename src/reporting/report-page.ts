// The conformance summary inside the Allure report, injected into the report's index.html (both
// the multi-file and the single-file variant):
// - the verdict banner, the first thing on the page: the verdict, MUST and SHOULD counts by status
//   (and by door in a run of both), and the failures linked to their tests. Allure's pass-rate ring
//   is hidden: a percentage of tests says nothing about conformance;
// - a panel opened by a fixed button: each catalog requirement with its level, status and reason,
//   linked to its tests' pages.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../credentials/redact';
import { DOOR_LABEL } from '../judging/verdict';

export interface SummaryTest { title: string; file: string; door?: string; status: string; reason: string; partial?: true }
export interface SummaryRequirement {
  id: string;
  level: string;
  title: string;
  source?: string;
  basis?: 'verbatim' | 'derived';
  status: string;
  reason: string;
  /** Passed, but only part of it was exercised. */
  partial?: true;
  /** In a run of several doors: each door's fold (the row's status is the worst). */
  doors?: Record<string, { status: string; reason: string; partial?: true }>;
  tests: SummaryTest[];
}
export interface Summary {
  target: string;
  verdict: string;
  requests: number;
  operationsCreated: number;
  suiteErrors: string[];
  requirements: SummaryRequirement[];
  gate?: { status: string; exitCode: number; lines: string[] };
}

/** An Allure test result as the awesome report stores it under data/test-results/. */
export interface AllureTest { id: string; name: string; fullName?: string; status: string }

export function readAllureTests(reportDir: string): AllureTest[] {
  const dir = join(reportDir, 'data', 'test-results');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureTest);
}

/** The Allure test of a summary test: same title, full name starting with its spec file. */
// The summary is written through redact(), which also rewrites titles such as "Bearer challenge";
// so titles are compared as the summary holds them.
export function findAllureTest(t: SummaryTest, tests: readonly AllureTest[]): AllureTest | undefined {
  const same = (a: AllureTest) => a.name === t.title || redact(a.name) === t.title;
  const inFile = (a: AllureTest) => same(a) && (a.fullName ?? '').startsWith(`${t.file} ›`);
  // In a run of both doors the describe names the door ("… [gRPC] › title").
  const onDoor = (a: AllureTest) => !!t.door && (a.fullName ?? '').includes(`[${DOOR_LABEL[t.door] ?? t.door}] ›`);
  return tests.find((a) => inFile(a) && onDoor(a)) ?? tests.find(inFile) ?? tests.find(same);
}

/** Counts of requirements per status, and of distinct tests per summary status. */
export function counts(s: Summary) {
  const byStatus = (items: { status: string }[]) => items.reduce<Record<string, number>>((m, i) => ({ ...m, [i.status]: (m[i.status] ?? 0) + 1 }), {});
  const tests = new Map(s.requirements.flatMap((r) => r.tests.map((t) => [`${t.door ?? ''}\u0000${t.file}\u0000${t.title}`, t] as const)));
  const req = byStatus(s.requirements);
  return {
    requirements: { total: s.requirements.length, passed: req.passed ?? 0, failed: req.failed ?? 0, other: s.requirements.length - (req.passed ?? 0) - (req.failed ?? 0), byStatus: req },
    tests: { total: tests.size, ...byStatus([...tests.values()]) } as Record<string, number>,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COLORS: Record<string, string> = { passed: '#1a7f37', failed: '#cf222e', unverified: '#9a6700', 'not-applicable': '#57606a', 'not-run': '#8250df' };
// What needs reading first: failures, then what could not be judged, then the rest; MUST before SHOULD.
const STATUS_ORDER = ['failed', 'unverified', 'not-run', 'passed', 'not-applicable'];

/** The panel's row order: by status (STATUS_ORDER), then level, then catalog order. */
export function panelOrder<T extends { status: string; level: string }>(requirements: readonly T[]): T[] {
  const rank = (r: T) => (STATUS_ORDER.indexOf(r.status) + 1 || STATUS_ORDER.length + 1) * 2 + (r.level === 'MUST' ? 0 : 1);
  return requirements.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}

export function panelHtml(s: Summary, tests: readonly AllureTest[]): string {
  const c = counts(s);
  const rows = panelOrder(s.requirements).map((r) => {
    const links = r.tests.map((t) => {
      const a = findAllureTest(t, tests);
      const label = `${esc(a?.name ?? t.title)} <small>(${esc(t.status)})</small>`;
      return a ? `<a href="#${esc(a.id)}" data-conformance-test="${esc(a.id)}">${label}</a>` : `<span>${label}</span>`;
    }).join('<br>');
    return `<tr data-requirement="${esc(r.id)}" data-status="${esc(r.status)}" data-level="${esc(r.level)}">` +
      `<td><code>${esc(r.id)}</code><br><small>${esc(r.title)}</small>${r.source ? (r.basis === 'derived' ? `<br><small data-source>derived: ${esc(r.source)}</small>` : `<br><q data-source>${esc(r.source)}</q>`) : ''}</td><td>${esc(r.level)}</td>` +
      `<td style="color:${COLORS[r.status] ?? 'inherit'};font-weight:600">${esc(r.status)}</td>` +
      `<td><small>${esc(r.reason)}</small></td><td>${links || '<small>no test ran</small>'}</td></tr>`;
  }).join('\n');
  const gate = s.gate ? `<p data-conformance-gate="${esc(s.gate.status)}"><b>Gate:</b> ${esc(s.gate.status)} (exit ${s.gate.exitCode})<br><small>${s.gate.lines.map(esc).join('<br>')}</small></p>` : '';
  return `
<!-- conformance-summary: injected by scripts/report.ts from conformance-summary.json -->
<style>
#conformance-toggle{position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:8px 14px;border-radius:18px;border:1px solid #8c959f;background:#fff;color:#1f2328;font:600 13px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.2)}
#conformance-summary{position:fixed;inset:24px;z-index:2147483647;overflow:auto;background:#fff;color:#1f2328;border:1px solid #8c959f;border-radius:8px;padding:16px 20px;font:13px system-ui,sans-serif;box-shadow:0 8px 32px rgba(0,0,0,.3)}
#conformance-summary[hidden]{display:none}
#conformance-summary table{border-collapse:collapse;width:100%}
#conformance-summary td,#conformance-summary th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
#conformance-summary a{color:#0969da}
#conformance-summary q{display:block;margin-top:2px;color:#57606a;font-style:italic;font-size:12px}
</style>
<button id="conformance-toggle" type="button" data-verdict="${esc(s.verdict)}">Conformance: ${esc(s.verdict.toUpperCase())}</button>
<section id="conformance-summary" hidden aria-label="Conformance summary">
<button type="button" id="conformance-close" style="float:right">Close</button>
<h2 style="margin-top:0">Conformance summary</h2>
<p>Target <code>${esc(s.target)}</code>: <b data-conformance-verdict>${esc(s.verdict.toUpperCase())}</b>.
Requirements: <span data-count="total">${c.requirements.total}</span>,
passed <span data-count="passed">${c.requirements.passed}</span>,
failed <span data-count="failed">${c.requirements.failed}</span>,
other <span data-count="other">${c.requirements.other}</span>
(${Object.entries(c.requirements.byStatus).filter(([k]) => k !== 'passed' && k !== 'failed').map(([k, v]) => `${esc(k)} ${v}`).join(', ') || 'none'}).
Requests sent: ${s.requests}, operations created: ${s.operationsCreated}.</p>
${s.suiteErrors.map((e) => `<p style="color:#cf222e">suite error: ${esc(e)}</p>`).join('\n')}
${gate}
<p><small>Failures first, then requirements that could not be judged, then the rest.</small></p>
<table><thead><tr><th>Requirement</th><th>Level</th><th>Status</th><th>Reason</th><th>Tests</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>
<script>
(() => {
  const panel = document.getElementById('conformance-summary');
  const show = (on) => { panel.hidden = !on; };
  document.getElementById('conformance-toggle').addEventListener('click', () => show(panel.hidden));
  document.getElementById('conformance-close').addEventListener('click', () => show(false));
  panel.addEventListener('click', (e) => { if (e.target.closest('a[data-conformance-test]')) show(false); });
  if (location.hash === '#conformance') show(true);
})();
</script>
`;
}

/** The statuses of the verdict banner's columns, in order. */
export const VERDICT_STATUSES = ['passed', 'failed', 'unverified', 'not-run', 'not-applicable'] as const;
const STATUS_LABEL: Record<string, string> = { passed: 'passed', failed: 'failed', unverified: 'unverified', 'not-run': 'not run', 'not-applicable': 'N/A' };
const LEVELS = ['MUST', 'SHOULD'] as const;
type StatusCounts = Record<(typeof VERDICT_STATUSES)[number] | 'total', number>;

/** Requirements per level and status, and per door in a run of several doors (from the rows' `doors`). */
export function verdictCounts(s: Summary) {
  const tally = (statuses: readonly string[]): StatusCounts => {
    const c = Object.fromEntries([...VERDICT_STATUSES, 'total'].map((k) => [k, 0])) as StatusCounts;
    for (const status of statuses) {
      c.total++;
      if (status in c) c[status as keyof StatusCounts]++;
    }
    return c;
  };
  const doors = [...new Set(s.requirements.flatMap((r) => Object.keys(r.doors ?? {})))];
  return {
    levels: Object.fromEntries(LEVELS.map((l) => [l, tally(s.requirements.filter((r) => r.level === l).map((r) => r.status))])) as Record<(typeof LEVELS)[number], StatusCounts>,
    /** Empty unless the run judged more than one door. */
    doors: doors.length < 2 ? [] : doors.map((door) => ({
      door,
      levels: Object.fromEntries(LEVELS.map((l) => [l, tally(s.requirements.filter((r) => r.level === l && r.doors?.[door]).map((r) => r.doors![door]!.status))])) as Record<(typeof LEVELS)[number], StatusCounts>,
    })),
    /** MUSTs that passed having been checked only in part. */
    partialMusts: s.requirements.filter((r) => r.level === 'MUST' && r.status === 'passed' && r.partial).length,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The sentence beside the verdict: what made it. */
export function verdictReason(s: Summary): string {
  const c = verdictCounts(s);
  const must = c.levels.MUST;
  const should = c.levels.SHOULD;
  const unjudged = must.unverified + must['not-run'];
  const parts = [
    must.failed ? `${plural(must.failed, 'MUST')} failed` : '',
    unjudged ? `${plural(unjudged, 'MUST')} not judged` : '',
    s.suiteErrors.length ? plural(s.suiteErrors.length, 'suite error') : '',
  ].filter(Boolean);
  if (parts.length === 0) {
    parts.push(`every MUST that applies passed${c.partialMusts ? ` (${plural(c.partialMusts, 'MUST')} checked in part)` : ''}`);
  }
  if (should.failed) parts.push(`${plural(should.failed, 'SHOULD')} failed`);
  return parts.join('; ');
}

const VERDICT_COLORS: Record<string, { fg: string; bg: string }> = {
  conformant: { fg: '#1a7f37', bg: '#dafbe1' },
  'non-conformant': { fg: '#cf222e', bg: '#ffebe9' },
  incomplete: { fg: '#9a6700', bg: '#fff8c5' },
};

/** Links to the Allure pages of a requirement's tests that have `status`. */
function testLinks(r: SummaryRequirement, status: string, tests: readonly AllureTest[]): string {
  return r.tests.filter((t) => t.status === status).map((t) => {
    const a = findAllureTest(t, tests);
    const label = `${t.door ? `[${esc(DOOR_LABEL[t.door] ?? t.door)}] ` : ''}${esc(a?.name ?? t.title)}`;
    return a ? `<a href="#${esc(a.id)}" data-conformance-test="${esc(a.id)}">${label}</a>` : `<span>${label}</span>`;
  }).join(', ');
}

/** The banner the report opens with: verdict, counts, failures. */
export function verdictHtml(s: Summary, tests: readonly AllureTest[]): string {
  const c = verdictCounts(s);
  const color = VERDICT_COLORS[s.verdict] ?? { fg: '#1f2328', bg: '#f6f8fa' };
  const cells = (level: string, k: StatusCounts, door?: string) => VERDICT_STATUSES.map((status) =>
    `<td data-level="${level}"${door ? ` data-door="${esc(door)}"` : ''} data-status="${status}"${k[status] && status !== 'passed' && status !== 'not-applicable' ? ` style="color:${COLORS[status]};font-weight:700"` : ''}>${k[status]}</td>`).join('');
  const rows = LEVELS.flatMap((level) => [
    `<tr data-level-row="${level}"><th scope="row">${level} <small>(${c.levels[level].total})</small></th>${cells(level, c.levels[level])}</tr>`,
    ...c.doors.map(({ door, levels }) => `<tr class="cv-door" data-level-row="${level}" data-door-row="${esc(door)}"><th scope="row">${esc(DOOR_LABEL[door] ?? door)}</th>${cells(level, levels[level], door)}</tr>`),
  ]).join('');
  const byLevel = (a: SummaryRequirement, b: SummaryRequirement) => (a.level === 'MUST' ? 0 : 1) - (b.level === 'MUST' ? 0 : 1);
  const failed = s.requirements.filter((r) => r.status === 'failed').sort(byLevel);
  const unjudged = s.requirements.filter((r) => r.level === 'MUST' && (r.status === 'unverified' || r.status === 'not-run'));
  const item = (r: SummaryRequirement) => {
    const links = testLinks(r, r.status, tests);
    return `<li data-failure="${esc(r.id)}" data-status="${esc(r.status)}"><code>${esc(r.id)}</code> <b>${esc(r.level)}</b> ` +
      `<span style="color:${COLORS[r.status] ?? 'inherit'};font-weight:600">${esc(STATUS_LABEL[r.status] ?? r.status)}</span>: ${esc(r.reason)}` +
      `${links ? `<br><small>test: ${links}</small>` : ''}</li>`;
  };
  const list = (title: string, attr: string, items: SummaryRequirement[]) =>
    items.length ? `<div ${attr}><h3>${title}</h3><ul>${items.map(item).join('')}</ul></div>` : '';
  const gate = s.gate ? ` <span data-conformance-gate="${esc(s.gate.status)}">Gate: ${esc(s.gate.status.toUpperCase())} (exit ${s.gate.exitCode})</span>` : '';
  return `
<!-- conformance-verdict: injected by scripts/report.ts from conformance-summary.json -->
<style>
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column}
/* The app fills what the banner leaves: it was the whole window (100vh). */
#app{flex:1 1 0;min-height:0;position:relative}
#app>div{height:100%!important}
/* Allure's pass-rate ring beside the title: not the headline of a conformance run. */
div:has(> [data-testid="report-header"]) ~ div:has(article){display:none!important}
#conformance-verdict{flex:none;max-height:50vh;overflow:auto;box-sizing:border-box;padding:12px 24px 10px;border-bottom:1px solid #d0d7de;background:#fff;color:#1f2328;font:13px/1.45 system-ui,sans-serif}
/* In line with Allure's column (920 px wide, 24 px inside). */
#conformance-verdict .cv-inner{max-width:872px;margin:0 auto}
#conformance-verdict .cv-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 14px}
#conformance-verdict .cv-verdict{font-size:22px;font-weight:800;letter-spacing:.02em;padding:2px 10px;border-radius:6px;color:${color.fg};background:${color.bg}}
#conformance-verdict .cv-reason{font-size:15px;font-weight:600}
#conformance-verdict .cv-target{color:#57606a}
#conformance-verdict .cv-body{display:flex;flex-wrap:wrap;gap:8px 32px;margin-top:8px}
#conformance-verdict table{border-collapse:collapse}
#conformance-verdict th,#conformance-verdict td{padding:1px 8px;text-align:right;border-bottom:1px solid #eaeef2}
#conformance-verdict th[scope=row]{text-align:left}
#conformance-verdict tr.cv-door th,#conformance-verdict tr.cv-door td{color:#57606a;font-size:12px}
#conformance-verdict tr.cv-door th{padding-left:20px;font-weight:400}
#conformance-verdict h3{margin:0 0 2px;font-size:13px}
#conformance-verdict ul{margin:0;padding-left:18px;max-width:900px}
#conformance-verdict a{color:#0969da}
#conformance-verdict button{font:inherit;cursor:pointer;padding:2px 10px;border-radius:12px;border:1px solid #8c959f;background:#fff;color:#1f2328}
#conformance-verdict.cv-compact .cv-body,#conformance-verdict.cv-compact .cv-target{display:none}
#conformance-verdict.cv-compact{padding-top:6px;padding-bottom:6px}
#conformance-verdict.cv-compact .cv-verdict{font-size:15px}
@media (prefers-color-scheme:dark){#conformance-verdict{background:#1c1c1e;color:#e5e5e7;border-color:#3d444d}#conformance-verdict .cv-target,#conformance-verdict tr.cv-door th,#conformance-verdict tr.cv-door td{color:#9198a1}#conformance-verdict a{color:#4493f8}#conformance-verdict button{background:#2d2d30;color:#e5e5e7}#conformance-verdict th,#conformance-verdict td{border-color:#3d444d}}
</style>
<section id="conformance-verdict" aria-label="Conformance verdict" data-verdict="${esc(s.verdict)}"><div class="cv-inner">
<div class="cv-head"><span class="cv-verdict" data-conformance-headline>${esc(s.verdict.toUpperCase())}</span>
<span class="cv-reason" data-conformance-reason>${esc(verdictReason(s))}</span>
<span class="cv-target">${esc(s.target)}${gate}</span>
<button type="button" id="conformance-verdict-details">All requirements</button></div>
<div class="cv-body">
<table data-conformance-counts><thead><tr><th></th>${VERDICT_STATUSES.map((st) => `<th scope="col">${STATUS_LABEL[st]}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
<div>
${s.suiteErrors.map((e) => `<p style="color:#cf222e;margin:0 0 4px">suite error: ${esc(e)}</p>`).join('\n')}
${list('Failures', 'data-conformance-failures', failed)}
${list('MUSTs not judged', 'data-conformance-unjudged', unjudged)}
${failed.length || unjudged.length || s.suiteErrors.length ? '' : '<p style="margin:0" data-conformance-failures>No failure.</p>'}
<p style="margin:6px 0 0;color:#57606a"><small>Requests sent: ${s.requests}, operations created: ${s.operationsCreated}. The tests below: Allure's tree; a skipped one is not applicable, not run or unverified (its reason says which).</small></p>
</div>
</div>
</div></section>
<script>
(() => {
  const banner = document.getElementById('conformance-verdict');
  // On a test's page (#<id>) the banner keeps its first line only.
  const compact = () => banner.classList.toggle('cv-compact', /^#[0-9a-f]{16,}/i.test(location.hash));
  addEventListener('hashchange', compact);
  compact();
  document.getElementById('conformance-verdict-details').addEventListener('click', () => document.getElementById('conformance-toggle').click());
})();
</script>
`;
}

/** Adds the verdict banner (first in <body>) and the panel (last) to a generated report's index.html. */
export function injectPanel(indexHtml: string, s: Summary, tests: readonly AllureTest[]): void {
  const html = readFileSync(indexHtml, 'utf8');
  const body = html.match(/<body[^>]*>/);
  const at = html.lastIndexOf('</body>');
  if (!body || body.index === undefined || at < 0) throw new Error(`${indexHtml} has no <body> … </body>`);
  const start = body.index + body[0].length;
  writeFileSync(indexHtml, html.slice(0, start) + verdictHtml(s, tests) + html.slice(start, at) + panelHtml(s, tests) + html.slice(at));
}

// The awesome plugin writes a Google Tag Manager loader into every index.html (analyticsEnable is
// hard-coded). A report must not call home: GDC zones are often air-gapped. So it is cut out, and
// a Content-Security-Policy keeps every later request on the report's own origin.
const ANALYTICS = /<script[^>]*googletagmanager\.com[^>]*>\s*<\/script>\s*<script>(?:(?!<\/script>)[\s\S])*?gtag\((?:(?!<\/script>)[\s\S])*<\/script>/g;
export const REPORT_CSP = "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; style-src 'self' 'unsafe-inline' data: blob:; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' data: blob:; frame-src 'self' data: blob:; form-action 'none'";
// Header variables and environment rows are cut at about 15 characters ("Requirements p…"): let them wrap.
const UNCLIPPED = '<style>[data-testid="metadata-item-key"],[data-testid="metadata-item-value"],[data-testid="metadata-item-value"] *' +
  '{white-space:normal!important;overflow:visible!important;text-overflow:clip!important;overflow-wrap:anywhere}</style>';

/** The report page without analytics, with the CSP and the unclipped header; throws if a tracker is still there. */
export function hardenReportHtml(html: string): string {
  const stripped = html.replace(ANALYTICS, '');
  if (/googletagmanager|gtag\(/.test(stripped)) throw new Error('the Allure report still loads Google Tag Manager: its markup changed; update ANALYTICS in src/reporting/report-page.ts');
  const head = stripped.indexOf('<head>');
  if (head < 0) throw new Error('the Allure report has no <head>');
  const at = head + '<head>'.length;
  return `${stripped.slice(0, at)}\n    <meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">${stripped.slice(at)}`.replace('</head>', `${UNCLIPPED}\n</head>`);
}

export function hardenReport(indexHtml: string): void {
  writeFileSync(indexHtml, hardenReportHtml(readFileSync(indexHtml, 'utf8')));
}
