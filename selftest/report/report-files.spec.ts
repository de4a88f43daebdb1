// The generated Allure report files, without a browser: no tracker left in them, a CSP that keeps
// every request on the report's origin, the title naming the embedded server by its profile, the
// single file's History not counting the current run twice, and the panel listing failures first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { allureGenerate, generateReports } from '../../scripts/report';
import { hardenReportHtml, panelOrder, REPORT_CSP, type Summary } from '../../src/reporting/report-page';
import { CHECK_MATCHER_LINE } from '../../src/reporting/check-failure';
import { runConformance } from '../matrix/run-conformance';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

let dir = '';
let summary: Summary;
const results = () => [join(dir, 'allure-results')];
const reports = () => join(dir, 'reports');
const html = (variant: 'allure-report' | 'allure-report-single') => readFileSync(join(reports(), variant, 'index.html'), 'utf8');

test.beforeAll(async () => {
  // One failing test is enough for the files; the browser check (report-browser.spec.ts) runs the whole suite.
  const run = await runConformance({ REFERENCE_FAULTS: 'cancelled-code-unknown' }, { args: ['--grep', '@cancel.outcome.error-code'], timeoutMs: 120_000 });
  expect(run.summary, run.output.slice(-2000)).toBeDefined();
  dir = run.dir;
  summary = JSON.parse(readFileSync(join(reports(), 'conformance-summary.json'), 'utf8')) as Summary;
});

test('Allure writes a Google Tag Manager loader; the generated reports hold none and carry the CSP', () => {
  const raw = readFileSync(join(allureGenerate(results(), join(dir, 'raw'), false, { ...process.env, ALLURE_HISTORY_PATH: join(dir, 'raw/history.jsonl') }), 'index.html'), 'utf8');
  expect(raw).toContain('https://www.googletagmanager.com/gtag/js');
  expect(hardenReportHtml(raw)).not.toMatch(/googletagmanager|gtag\(|dataLayer/);
  // A tracker in a shape the stripper does not know is an error, not a silent pass.
  expect(() => hardenReportHtml(raw.replace('</body>', '<img src="https://www.googletagmanager.com/a.gif"></body>'))).toThrow(/still loads Google Tag Manager/);

  generateReports(results(), { ...process.env, REPORTS_DIR: reports() });
  for (const variant of ['allure-report', 'allure-report-single'] as const) {
    const page = html(variant);
    expect(page, variant).not.toMatch(/googletagmanager|gtag\(|dataLayer/);
    // The policy comes first in <head>, so it covers every script after it.
    expect(page.indexOf(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`), variant).toBeLessThan(page.indexOf('<script'));
    expect(page.indexOf('<meta http-equiv="Content-Security-Policy"')).toBeGreaterThan(0);
    // Every src/href of the page stays inside it.
    expect([...page.matchAll(/\b(?:src|href)="(https?:)?\/\/[^"]*"/g)].map((m) => m[0]), variant).toEqual([]);
  }
  expect(REPORT_CSP).toMatch(/default-src 'self' data: blob:;/);
  expect(REPORT_CSP).not.toMatch(/https?:|\*/);
});

test('the title names the embedded server by its profile, not by a port', () => {
  expect(summary.target).toBe('embedded reference server (conformant+cancelled-code-unknown)');
  const title = html('allure-report').match(/<title>([^<]*)<\/title>/)![1]!.trim();
  expect(title).toBe('Cancel conformance of embedded reference server (conformant+cancelled-code-unknown)');
  const environment = readFileSync(join(dir, 'allure-results/environment.properties'), 'utf8');
  expect(environment).toMatch(/^Target=embedded reference server \(conformant\+cancelled-code-unknown\)$/m);
  expect(environment).not.toMatch(/127\.0\.0\.1/);
});

test('History counts each run once, in the single file as in the multi-file report', () => {
  // A second `npm run report`: the history file now holds the first.
  generateReports(results(), { ...process.env, REPORTS_DIR: reports() });
  const lines = readFileSync(join(reports(), 'history/allure-history.jsonl'), 'utf8').trim().split('\n').length;
  expect(lines).toBe(2);
  const multi = new Map<string, number>();
  const multiDir = join(reports(), 'allure-report/data/test-results');
  const single = [...html('allure-report-single').matchAll(/d\("data\/test-results\/([0-9a-f]+)\.json","([A-Za-z0-9+/=]+)"\)/g)]
    .map(([, id, b64]) => [id!, (JSON.parse(Buffer.from(b64!, 'base64').toString('utf8')) as { history: unknown[] }).history.length] as const);
  expect(single.length).toBeGreaterThan(0);
  for (const [id, count] of single) {
    multi.set(id, (JSON.parse(readFileSync(join(multiDir, `${id}.json`), 'utf8')) as { history: unknown[] }).history.length);
    // The earlier run only: the current one is not its own history.
    expect({ id, single: count }).toEqual({ id, single: multi.get(id) });
    expect(count).toBe(1);
  }
});

test('a failed check is an assertion failure for JUnit, and reads without matcher words in the report', () => {
  const junit = readFileSync(join(reports(), 'junit.xml'), 'utf8');
  // JUnit names the matcher (that is what makes it a failure, not an error); its message is the check's.
  expect(junit).toMatch(/<testsuites\b[^>]*\bfailures="[1-9]\d*"[^>]*\berrors="0"/);
  expect(junit).toContain('<failure message="error.code is the number 1 (CANCELLED): error.code is 2" type="expect.toHold">');
  const dataDir = join(reports(), 'allure-report/data/test-results');
  const failed = readdirSync(dataDir).map((f) => readFileSync(join(dataDir, f), 'utf8')).filter((t) => (JSON.parse(t) as { status: string }).status === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  for (const text of failed) {
    expect(text).not.toMatch(/toHold|expect\(/);
    const result = JSON.parse(text) as { error?: { message?: string }; steps?: { name: string; status?: string; steps?: { name?: string; type?: string }[] }[] };
    expect(result.error?.message).toBe('error.code is the number 1 (CANCELLED): error.code is 2');
    // The red step is the check, holding the decisive exchange.
    const check = result.steps?.find((s) => s.name === 'error.code is the number 1 (CANCELLED)');
    expect(check?.status).toBe('failed');
    expect(JSON.stringify(check)).toMatch(/#\d+ (?:GET \/v3\/|GetOperation )\S+ → 200/);
  }
  // The results the run wrote are left as they are: the report reads a tidied copy.
  expect(readdirSync(results()[0]!).filter((f) => f.endsWith('-result.json')).some((f) => readFileSync(join(results()[0]!, f), 'utf8').includes(CHECK_MATCHER_LINE))).toBe(true);
});

test('the conformance panel lists failures first and quotes each source', () => {
  const page = html('allure-report');
  const rows = [...page.matchAll(/<tr data-requirement="([^"]+)" data-status="([^"]+)"/g)].map((m) => ({ id: m[1], status: m[2] }));
  expect(rows).toEqual(panelOrder(summary.requirements).map((r) => ({ id: r.id, status: r.status })));
  expect(rows[0]).toEqual({ id: 'cancel.outcome.error-code', status: 'failed' });
  expect(panelOrder([{ status: 'passed', level: 'MUST' }, { status: 'not-run', level: 'SHOULD' }, { status: 'failed', level: 'SHOULD' }, { status: 'failed', level: 'MUST' }, { status: 'unverified', level: 'MUST' }]))
    .toEqual([{ status: 'failed', level: 'MUST' }, { status: 'failed', level: 'SHOULD' }, { status: 'unverified', level: 'MUST' }, { status: 'not-run', level: 'SHOULD' }, { status: 'passed', level: 'MUST' }]);
  expect(page).toContain('<q data-source>');
});
