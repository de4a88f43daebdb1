import { defineConfig } from '@playwright/test';
import { loadEnvFile } from './src/config';

// .env is read once here; the global setup validates it and starts the embedded target.
loadEnvFile();

const reportsDir = process.env.REPORTS_DIR ?? 'reports';
const settleSeconds = Number(process.env.CANCEL_SETTLE_TIMEOUT) || 30;
const attempts = Number(process.env.CANCEL_ATTEMPTS) || 3;
const sharded = !!process.env.CONFORMANCE_SHARD || process.argv.some((a) => a.startsWith('--shard'));

export default defineConfig({
  testDir: 'tests',
  globalSetup: './src/global-setup.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // A conformance verdict must come from one attempt: a retry would hide a flaky target.
  retries: 0,
  workers: process.env.CONFORMANCE_WORKERS ? Number(process.env.CONFORMANCE_WORKERS) : 4,
  // Long enough for every cancel attempt to settle, plus the requests around it.
  timeout: (settleSeconds * attempts + 60) * 1000,
  outputDir: `${reportsDir}/test-results`,
  reporter: [
    ['list'],
    ['junit', { outputFile: `${reportsDir}/junit.xml` }],
    ['allure-playwright', { resultsDir: process.env.ALLURE_RESULTS_DIR ?? 'allure-results', detail: true, suiteTitle: true }],
    ['./src/summary-reporter.ts', { outputFile: `${reportsDir}/conformance-summary.json` }],
    ['./src/allure-environment-reporter.ts'],
    // A shard (npm run conformance -- --shard=i/n) also leaves a blob for npm run merge-reports, in its own folder.
    ...(sharded ? [['blob', { outputDir: `${reportsDir}/blob-report` }] as const] : []),
  ],
  use: {
    // API scenarios need no browser; traces would copy headers, so they stay off.
    trace: 'off',
  },
});
