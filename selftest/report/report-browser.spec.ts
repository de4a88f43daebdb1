// The generated Allure report, seen through a real browser: a run against a broken reference
// server (cancelled-code-unknown), `generateReports` as npm run report does it, served on
// 127.0.0.1 and driven with Debian's chromium. The overview leads with the verdict (not Allure's
// pass-rate ring) and lists no Global Error; counts shown must match the summary and JUnit; the
// failing requirement's test page must show its redacted exchange in the failing step, no
// matcher words and no token. Every request a page makes is recorded: one that leaves the
// report's origin fails the test.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { isSelfMadeJwt } from '../../src/credentials/redact';
import { counts, panelOrder, VERDICT_STATUSES, verdictCounts, verdictReason, type Summary } from '../../src/reporting/report-page';
import { serveDirectory, type StaticServer } from '../../src/reporting/static-server';
import { allureGenerate, generateReports } from '../../scripts/report';
import { ROOT, runConformance } from '../matrix/run-conformance';

const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT = join(ROOT, 'reports/screenshots/report-failing-requirement.png');
export const SCREENSHOT_OVERVIEW = join(ROOT, 'reports/screenshots/report-failing-test-overview.png');
export const SCREENSHOT_VERDICT = join(ROOT, 'reports/screenshots/report-verdict.png');
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g;
/** JWTs in `text` that may carry a secret: those the suite made itself (forged, unsigned) are written out on purpose, for the replay lines. */
const secretJwts = (text: string) => (text.match(JWT) ?? []).filter((jwt) => !isSelfMadeJwt(jwt));

test.describe.configure({ mode: 'serial', timeout: 180_000 });
test.skip(!existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/run as root (it installs it) or \`apt-get install -y chromium\` to enable the browser check of the report`);

let dir = '';
let summary: Summary;
let server: StaticServer;
let browser: Browser;

test.beforeAll(async () => {
  const run = await runConformance({ REFERENCE_FAULTS: 'cancelled-code-unknown' }, { timeoutMs: 120_000 });
  expect(run.exitCode, run.output).toBe(1);
  dir = run.dir;
  summary = JSON.parse(readFileSync(join(dir, 'reports/conformance-summary.json'), 'utf8')) as Summary;
  generateReports([join(dir, 'allure-results')], { ...process.env, REPORTS_DIR: join(dir, 'reports') });
  server = await serveDirectory(join(dir, 'reports/allure-report'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 30_000,
  });
});

test.afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Where a report page may fetch from: its own origin (or, for file://, local files) and inline data. */
const local = (url: string, origin: string) => {
  const u = new URL(url);
  return u.protocol === 'data:' || u.protocol === 'blob:' || (origin === 'file://' ? u.protocol === 'file:' : u.origin === origin);
};

/** A page that records every request and console error; a request leaving the report is aborted, never sent. */
async function reportPage(url: string, viewport = { width: 1400, height: 1000 }) {
  const origin = url.startsWith('file:') ? 'file://' : new URL(url).origin;
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route((u) => !local(u.href, origin), (route) => route.abort('blockedbyclient'));
  await page.goto(url);
  const foreign = () => requests.filter((r) => !local(r, origin));
  return {
    page,
    foreign,
    /** Closes the page; fails if it asked for anything outside the report or the CSP refused something. */
    async close() {
      await page.close();
      expect(requests.length, 'the page loaded nothing').toBeGreaterThan(0);
      expect(foreign(), `requests leaving ${origin}`).toEqual([]);
      expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), 'CSP refusals').toEqual([]);
    },
  };
}

/** Labels and values of the header that the page cuts off (text wider than its box, or an ellipsis). */
const clipped = (page: Page) => page.locator('[data-testid="metadata-item-key"], [data-testid="metadata-item-value"] span').evaluateAll((els) =>
  els.filter((e) => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis' && getComputedStyle(e).overflow === 'hidden')
    .map((e) => (e as HTMLElement).innerText));

function junitCounts(xml: string) {
  const root = xml.match(/<testsuites\b[^>]*>/)![0];
  const attr = (n: string) => Number(root.match(new RegExp(`\\b${n}="(\\d+)"`))?.[1] ?? 0);
  return { tests: attr('tests'), failures: attr('failures') + attr('errors'), skipped: attr('skipped') };
}

test('the overview leads with the verdict: MUST and SHOULD counts by door, the failures, no ring, no Global Error', async () => {
  const c = verdictCounts(summary);
  // The run judged both doors: the counts go by door too.
  expect(c.doors.map((d) => d.door)).toEqual(['rest', 'grpc']);
  const opened = await reportPage(server.url);
  const { page } = opened;
  await expect(page.getByTestId('metadata-item-total')).toBeVisible({ timeout: 20_000 });
  const banner = page.locator('#conformance-verdict');
  // First on the page, and in the first screen: above the Allure app, at the top of the window.
  const headline = banner.locator('[data-conformance-headline]');
  await expect(headline).toHaveText('NON-CONFORMANT');
  await expect(headline).toBeInViewport({ ratio: 1 });
  await expect(banner.locator('[data-conformance-reason]')).toHaveText(verdictReason(summary));
  expect(verdictReason(summary)).toBe('1 MUST failed');
  const box = (await banner.boundingBox())!;
  const app = (await page.locator('#app').boundingBox())!;
  expect(box.y).toBe(0);
  expect(app.y).toBeGreaterThanOrEqual(box.y + box.height - 1);
  expect(await page.evaluate(() => document.querySelector('body > :not(style, script, link, meta)')?.id)).toBe('conformance-verdict');
  // MUST and SHOULD by status, then each door's, as the summary has them.
  const counts = banner.locator('[data-conformance-counts]');
  await expect(counts).toBeInViewport();
  for (const level of ['MUST', 'SHOULD'] as const) {
    for (const status of VERDICT_STATUSES) {
      await expect(counts.locator(`td[data-level="${level}"][data-status="${status}"]:not([data-door])`), `${level} ${status}`).toHaveText(String(c.levels[level][status]));
      for (const { door, levels } of c.doors) {
        await expect(counts.locator(`td[data-level="${level}"][data-door="${door}"][data-status="${status}"]`), `${level} ${door} ${status}`).toHaveText(String(levels[level][status]));
      }
    }
  }
  expect(c.levels.MUST.failed).toBe(1);
  await expect(counts.locator('tr[data-door-row="grpc"] th').first()).toHaveText('gRPC');
  // The failures, each linked to its failing tests (one per door).
  const failures = banner.locator('[data-conformance-failures] li[data-failure]');
  await expect(failures).toHaveCount(summary.requirements.filter((r) => r.status === 'failed').length);
  const failing = failures.filter({ has: page.locator('code', { hasText: 'cancel.outcome.error-code' }) });
  await expect(failing).toBeInViewport();
  await expect(failing).toContainText('error.code is the number 1 (CANCELLED): error.code is 2');
  await expect(failing.locator('a[data-conformance-test]')).toHaveCount(2);
  // Allure's pass-rate ring ("96.87%") is not on the page; the verdict is.
  await expect(page.getByText(/^\d{1,3}(?:\.\d+)?%$/).filter({ visible: true })).toHaveCount(0);
  // Not applicable and not run are skips with their reason, never Global Errors.
  await expect(page.getByTestId('nav-tab-globalErrors').getByTestId('counter')).toHaveText('0');
  mkdirSync(join(ROOT, 'reports/screenshots'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT_VERDICT });
  console.log(`screenshot: ${SCREENSHOT_VERDICT}`);
  // A failure's link opens its test; the banner then keeps its first line.
  await failing.locator('a[data-conformance-test]').first().click();
  await expect(page.getByTestId('test-result-status-failed').first()).toBeVisible({ timeout: 15_000 });
  await expect(headline).toBeInViewport();
  await expect(counts).toBeHidden();
  await opened.close();
});

test('the report shows the counts of the summary and of junit.xml, and the conformance panel agrees', async () => {
  const c = counts(summary);
  const junit = junitCounts(readFileSync(join(dir, 'reports/junit.xml'), 'utf8'));
  expect(junit).toEqual({ tests: c.tests.total, failures: c.tests.failed ?? 0, skipped: c.tests.total - (c.tests.passed ?? 0) - (c.tests.failed ?? 0) });

  const opened = await reportPage(server.url);
  const { page } = opened;
  const metric = async (name: string) => {
    const item = page.getByTestId(`metadata-item-${name}`);
    return (await item.count()) ? Number(await item.getByTestId('metadata-value').innerText()) : 0;
  };
  await expect(page.getByTestId('metadata-item-total')).toBeVisible({ timeout: 20_000 });
  const shown = { total: await metric('total'), passed: await metric('passed'), failed: (await metric('failed')) + (await metric('broken')), other: (await metric('skipped')) + (await metric('unknown')) };
  expect(shown).toEqual({ total: c.tests.total, passed: c.tests.passed ?? 0, failed: c.tests.failed ?? 0, other: c.tests.total - (c.tests.passed ?? 0) - (c.tests.failed ?? 0) });
  // The environment the run was made against.
  for (const text of ['Target', summary.target, 'conformant+cancelled-code-unknown', 'Suite version', 'Cancel support']) await expect(page.getByText(text, { exact: true }).first()).toBeAttached();
  // The title names the embedded server by its profile, not by a port that is gone after the run.
  expect(summary.target).toBe('embedded reference server (conformant+cancelled-code-unknown)');
  await expect(page.getByText(`Cancel conformance of ${summary.target}`, { exact: true }).first()).toBeVisible();
  expect(await page.title()).not.toMatch(/127\.0\.0\.1|:\d{4,5}\b/);
  // Header variables ("Requirements passed") and environment rows are shown whole.
  await expect(page.getByText('Requirements passed', { exact: true })).toBeVisible();
  expect(await clipped(page)).toEqual([]);
  await expect(page.getByTestId('nav-tab-categories')).toBeVisible();

  await page.click('#conformance-toggle');
  const panel = page.locator('#conformance-summary');
  await expect(panel).toBeVisible();
  expect(Number(await panel.locator('[data-count=passed]').innerText())).toBe(c.requirements.passed);
  expect(Number(await panel.locator('[data-count=failed]').innerText())).toBe(c.requirements.failed);
  expect(Number(await panel.locator('[data-count=other]').innerText())).toBe(c.requirements.other);
  const rows = await panel.locator('tr[data-requirement]').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-requirement'), status: tr.getAttribute('data-status'), level: tr.getAttribute('data-level'), links: tr.querySelectorAll('a[data-conformance-test]').length })));
  // Failures first: the panel's order is by status, and the failing requirement is its first row.
  const ordered = panelOrder(summary.requirements);
  expect(rows.map(({ id, status, level }) => ({ id, status, level }))).toEqual(ordered.map((r) => ({ id: r.id, status: r.status, level: r.level })));
  expect(rows[0]).toMatchObject({ id: 'cancel.outcome.error-code', status: 'failed' });
  expect(new Set(rows.map((r) => r.id)).size).toBe(summary.requirements.length);
  for (const [i, r] of ordered.entries()) expect(rows[i]!.links, r.id).toBe(r.tests.length);
  await expect(panel.locator('tr[data-requirement="cancel.outcome.error-code"] q[data-source]')).toContainText('Code.CANCELLED');
  await opened.close();
});

test('the failing requirement links to its test, whose failing step holds the decisive exchange, redacted and replayable', async () => {
  const failing = summary.requirements.find((r) => r.status === 'failed')!;
  expect(failing.id).toBe('cancel.outcome.error-code');
  const opened = await reportPage(server.url);
  const { page } = opened;
  await page.click('#conformance-toggle');
  await page.locator(`tr[data-requirement="${failing.id}"] a[data-conformance-test]`).first().click();
  await expect(page.locator('#conformance-summary')).toBeHidden();
  await expect(page.getByTestId('test-result-status-failed').first()).toBeVisible({ timeout: 15_000 });
  mkdirSync(join(ROOT, 'reports/screenshots'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT_OVERVIEW, fullPage: true });
  // The message says the check and what the target did: no matcher words, no "Error:".
  await expect(page.getByTestId('test-result-error-message')).toHaveText('error.code is the number 1 (CANCELLED): error.code is 2');
  // The red step is the check, and it holds the exchange that decided it, its JSON indented.
  const step = page.getByTestId('test-result-step').filter({ has: page.getByTestId('test-result-step-title').getByText('error.code is the number 1 (CANCELLED)', { exact: true }) });
  await expect(step.getByTestId('tree-leaf-status-failed').first()).toBeVisible();
  const exchange = step.getByTestId('test-result-attachment').first();
  await expect(exchange.getByTestId('test-result-attachment-header')).toContainText(/#\d+ GET \/v3\/projects\/[^ ]+\/operations\/[^ ]+ → 200/);
  await exchange.getByTestId('test-result-attachment-header').click();
  await expect(exchange).toContainText('"error": {\n    "code": 2,', { timeout: 10_000 });
  await expect(exchange).toContainText('curl ');
  const text = await page.locator('body').innerText();
  expect(text).not.toContain('toHold');
  expect(text).not.toContain('expect(');
  expect(text).not.toMatch(/Test is skipped/);
  await page.getByTestId('test-result-tab-attachments').click();
  const cancel = page.getByTestId('test-result-attachment-header').filter({ hasText: ':cancel' }).first();
  await cancel.click();
  const attachment = page.getByTestId('test-result-attachment').filter({ hasText: ':cancel' }).first();
  await expect(attachment).toContainText('Bearer [REDACTED]', { timeout: 10_000 });
  await expect(attachment).toContainText('curl ');
  await expect(attachment).toContainText('$ACCESS_TOKEN');
  expect(secretJwts(await page.locator('body').innerText())).toEqual([]);
  mkdirSync(join(ROOT, 'reports/screenshots'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);
  await opened.close();
});

test('not-applicable and not-run tests are plain skips with their reason: no Global Error, no failed hook', () => {
  // Decided as the tests are declared: no skip is thrown from a fixture, so Allure records no global error at all.
  expect(readdirSync(join(dir, 'allure-results')).filter((f) => f.endsWith('-globals.json'))).toEqual([]);
  const report = join(dir, 'reports/allure-report');
  expect((JSON.parse(readFileSync(join(report, 'widgets/globals.json'), 'utf8')) as { errors: unknown[] }).errors).toEqual([]);
  type Step = { name: string; status?: string; steps?: Step[] };
  const results = readdirSync(join(report, 'data/test-results')).map((f) => JSON.parse(readFileSync(join(report, 'data/test-results', f), 'utf8')) as { name: string; status: string; error?: { message?: string }; steps?: Step[] });
  const skipped = results.filter((r) => r.status === 'skipped');
  const notJudged = summary.requirements.flatMap((r) => r.tests).filter((t) => t.status === 'not-applicable' || t.status === 'not-run' || t.status === 'unverified');
  expect(skipped.length).toBe(new Set(notJudged.map((t) => `${t.door}\u0000${t.file}\u0000${t.title}`)).size);
  const failedSteps = (steps: Step[] = []): string[] => steps.flatMap((st) => [...(st.status === 'failed' ? [st.name] : []), ...failedSteps(st.steps)]);
  for (const r of skipped) {
    expect(r.error?.message, r.name).toMatch(/^(?:not-applicable|not-run|unverified): \S/);
    expect(failedSteps(r.steps), r.name).toEqual([]);
  }
});

test('no generated report file holds a token, and the single file opens from file://', async () => {
  const reports = join(dir, 'reports');
  const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
  for (const f of files(reports).filter((f) => /\.(html|json|txt|xml|jsonl)$/.test(f))) expect(secretJwts(readFileSync(f, 'utf8')), f).toEqual([]);
  const opened = await reportPage(`file://${join(reports, 'allure-report-single/index.html')}`);
  const { page } = opened;
  await expect(page.getByTestId('metadata-item-total')).toBeVisible({ timeout: 20_000 });
  expect(await clipped(page)).toEqual([]);
  await page.click('#conformance-toggle');
  await expect(page.locator('#conformance-summary [data-conformance-verdict]')).toHaveText('NON-CONFORMANT');
  await opened.close();
});

test('the request recorder catches a report that calls home: Allure\'s own output asks Google Tag Manager', async () => {
  // The same results as Allure writes them, before scripts/report.ts strips the tracker.
  const rawDir = join(dir, 'raw');
  const out = allureGenerate([join(dir, 'allure-results')], rawDir, false, { ...process.env, ALLURE_HISTORY_PATH: join(rawDir, 'history.jsonl') });
  expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('googletagmanager.com');
  const raw = await serveDirectory(out);
  try {
    const opened = await reportPage(raw.url);
    await expect(opened.page.getByTestId('metadata-item-total')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => opened.foreign().map((u) => new URL(u).host)).toContain('www.googletagmanager.com');
    await opened.page.close();
  } finally {
    await raw.close();
  }
});
