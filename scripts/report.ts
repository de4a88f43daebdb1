// `npm run report [results dirs…]`: builds the Allure 3 awesome report of the last run into
// reports/allure-report (served: npm run report:open) and a one-file copy into
// reports/allure-report-single/index.html, both opening with the verdict banner and carrying the
// conformance summary panel (src/reporting/report-page.ts).
// History is kept across runs in reports/history/allure-history.jsonl (ALLURE_HISTORY_PATH).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tidyAllureResults } from '../src/reporting/check-failure';
import { hardenReport, injectPanel, readAllureTests, type Summary } from '../src/reporting/report-page';

const ROOT = resolve(import.meta.dirname, '..');

/** `allure generate` with allurerc.mjs, as Allure writes it (no panel, analytics still in). */
export function allureGenerate(resultsDirs: string[], reportsDir: string, singleFile: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/allure/cli.js'), 'generate', '-c', join(ROOT, 'allurerc.mjs'), ...resultsDirs], {
    env: { ...env, REPORTS_DIR: reportsDir, ALLURE_SINGLE_FILE: singleFile ? '1' : '0', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`allure generate failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return join(reportsDir, singleFile ? 'allure-report-single' : 'allure-report');
}

export function generateReports(resultsDirs: string[], env: NodeJS.ProcessEnv = process.env): { multi: string; single: string } {
  const reportsDir = env.REPORTS_DIR ?? 'reports';
  const multi = join(reportsDir, 'allure-report');
  const single = join(reportsDir, 'allure-report-single');
  const summaryFile = join(reportsDir, 'conformance-summary.json');
  const missing = resultsDirs.filter((d) => !existsSync(d) || !readdirSync(d).some((f) => f.endsWith('-result.json')));
  if (missing.length) throw new Error(`no Allure results in ${missing.join(', ')}: run npm run conformance first`);
  if (!existsSync(summaryFile)) throw new Error(`${summaryFile} is missing: run npm run conformance first`);
  // allure generate never empties its output; stale files would linger.
  rmSync(multi, { recursive: true, force: true });
  rmSync(single, { recursive: true, force: true });
  mkdirSync(join(reportsDir, 'history'), { recursive: true });
  // Allure reads a tidied copy: no matcher line in a check's message, no skip as a Global Error
  // (src/reporting/check-failure.ts). The results themselves stay as the run wrote them.
  const staging = mkdtempSync(join(tmpdir(), 'allure-results-'));
  try {
    const tidied = resultsDirs.map((dir, i) => {
      const to = join(staging, String(i));
      tidyAllureResults(dir, to);
      return to;
    });
    // The single file first: it only reads the history, which then holds earlier runs alone
    // (built after the multi-file report, it found the current run there too and showed it twice).
    for (const singleFile of [true, false]) allureGenerate(tidied, reportsDir, singleFile, env);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  // Test result IDs are the same in both variants; the multi-file report stores them as files.
  const tests = readAllureTests(multi);
  for (const dir of [multi, single]) {
    hardenReport(join(dir, 'index.html'));
    injectPanel(join(dir, 'index.html'), summary, tests);
  }
  return { multi, single };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/report.ts')) {
  const dirs = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  try {
    const out = generateReports(dirs.length ? dirs : [process.env.ALLURE_RESULTS_DIR ?? 'allure-results']);
    console.log(`Allure report: ${out.multi}/index.html (serve it: npm run report:open)\nsingle file:   ${out.single}/index.html`);
  } catch (error) {
    console.error(`report: ${(error as Error).message}`);
    process.exit(1);
  }
}
