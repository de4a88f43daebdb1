import { defineConfig } from '@playwright/test';

const MATRIX = 'matrix/matrix.spec.ts';

// The project's own tests: unit tests of src/, the reference server's tests and the mutation matrix.
// The matrix is its own project, listed first: its runs (one test per variant) start at once on
// both workers, and the other tests follow. Two workers on 2 cores: a third (or a pool of runs
// inside one test, as before) made every run slower and the whole longer (README, "Performance").
export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/selftest',
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  workers: 2,
  fullyParallel: true,
  reporter: [['list'], ['./matrix/table-reporter.ts']],
  projects: [
    { name: 'matrix', testMatch: MATRIX },
    { name: 'selftest', testMatch: '**/*.spec.ts', testIgnore: MATRIX },
  ],
});
