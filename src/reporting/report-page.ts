// The conformance summary inside the Allure report: a panel injected into the report's
// index.html (both the multi-file and the single-file variant), opened by a fixed button.
// Each catalog requirement with its level, status and reason, linked to its tests' pages.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../credentials/redact';
import { DOOR_LABEL } from '../judging/verdict';

export interface SummaryTest { title: string; file: string; door?: string; status: string; reason: string }
export interface SummaryRequirement { id: string; level: string; title: string; source?: string; basis?: 'verbatim' | 'derived'; status: string; reason: string; tests: SummaryTest[] }
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

/** Adds the panel to a generated report's index.html, just before </body>. */
export function injectPanel(indexHtml: string, s: Summary, tests: readonly AllureTest[]): void {
  const html = readFileSync(indexHtml, 'utf8');
  const at = html.lastIndexOf('</body>');
  if (at < 0) throw new Error(`${indexHtml} has no </body>`);
  writeFileSync(indexHtml, html.slice(0, at) + panelHtml(s, tests) + html.slice(at));
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
