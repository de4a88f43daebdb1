import { defineConfig } from '@playwright/test';
import { loadEnvFile } from './src/running/config';
import { awaitRelease } from './src/running/handoff';

// Under npm run conformance, nothing is read before the wrapper has checked the configuration.
await awaitRelease();
// .env is read once here; the global setup validates it and starts the embedded target.
loadEnvFile();

const reportsDir = process.env.REPORTS_DIR ?? 'reports';
const settleSeconds = Number(process.env.CANCEL_SETTLE_TIMEOUT) || 30;
const attempts = Number(process.env.CANCEL_ATTEMPTS) || 3;
const sharded = !!process.env.CONFORMANCE_SHARD || process.argv.some((a) => a.startsWith('--shard'));
// One by default: the tests share their operations (src/running/shared.ts), so more workers mostly add start-up cost (docs/performance.md).
const workers = process.env.CONFORMANCE_WORKERS ? Number(process.env.CONFORMANCE_WORKERS) : 1;

export default defineConfig({
  testDir: 'tests',
  globalSetup: './src/running/global-setup.ts',
  // Tests are scheduled one by one only where that spreads them (several workers, shards); a single
  // worker gets each file whole, without a round trip to the runner between its tests.
  fullyParallel: workers > 1 || sharded,
  forbidOnly: !!process.env.CI,
  // A conformance verdict must come from one attempt: a retry would hide a flaky target.
  retries: 0,
  workers,
  // Long enough for every cancel attempt to settle, plus the requests around it.
  timeout: (settleSeconds * attempts + 60) * 1000,
  outputDir: `${reportsDir}/test-results`,
  reporter: [
    // Progress only: failures (and their exchanges) are explained by the summary reporter's
    // Failures section and the Allure report, not dumped as truncated attachments.
    ['list', { omitFailures: true }],
    ['junit', { outputFile: `${reportsDir}/junit.xml` }],
    ['allure-playwright', { resultsDir: process.env.ALLURE_RESULTS_DIR ?? 'allure-results', detail: true, suiteTitle: true }],
    ['./src/reporting/summary-reporter.ts', { outputFile: `${reportsDir}/conformance-summary.json` }],
    ['./src/reporting/allure-environment-reporter.ts'],
    // A shard (npm run conformance -- --shard=i/n) also leaves a blob for npm run merge-reports, in its own folder.
    ...(sharded ? [['blob', { outputDir: `${reportsDir}/blob-report` }] as const] : []),
  ],
  use: {
    // API scenarios need no browser; traces would copy headers, so they stay off.
    trace: 'off',
    // The tests talk to the target through one API context per worker (tests/fixtures.ts `target`),
    // which takes the client certificate, proxy and TARGET_TLS_INSECURE from the config (README "TLS").
  },
});
