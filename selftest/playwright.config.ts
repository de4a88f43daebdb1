import { defineConfig } from '@playwright/test';

// The project's own tests: unit tests of src/, the reference server's tests and the mutation matrix.
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../test-results/selftest',
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  workers: 2,
  fullyParallel: true,
  reporter: [['list']],
});
