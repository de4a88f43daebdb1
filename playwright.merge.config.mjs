// Reporters of `npm run merge-reports` (scripts/merge-reports.ts): the shards' blobs become one
// JUnit file, one Playwright HTML report and one conformance summary, folded by the same reporter
// as a single run. (A .mjs file on purpose: the summary reporter treats a *.ts argument as a file filter.)
const reportsDir = process.env.REPORTS_DIR ?? 'reports';

export default {
  testDir: 'tests',
  reporter: [
    ['list', { omitFailures: true }],
    ['junit', { outputFile: `${reportsDir}/junit.xml` }],
    ['html', { outputFolder: `${reportsDir}/playwright-report`, open: 'never' }],
    ['./src/reporting/summary-reporter.ts', { outputFile: `${reportsDir}/conformance-summary.json` }],
  ],
};
