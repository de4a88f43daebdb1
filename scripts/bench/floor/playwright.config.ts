// Config of the bare Playwright floor (scripts/bench.ts): one worker, one test, a node:http webServer.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.FLOOR_PORT ?? 47_611);
process.env.FLOOR_PORT = String(port);

export default defineConfig({
  testDir: '.',
  testMatch: 'floor.spec.ts',
  workers: 1,
  reporter: 'line',
  outputDir: process.env.FLOOR_OUTPUT_DIR ?? '../../../test-results/bench-floor',
  webServer: { command: 'node server.mjs', url: `http://127.0.0.1:${port}/`, reuseExistingServer: false, env: { FLOOR_PORT: String(port) } },
  use: { baseURL: `http://127.0.0.1:${port}` },
});
