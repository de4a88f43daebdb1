import { defineConfig } from '@playwright/test';

const MATRIX = 'matrix/matrix.spec.ts';

// The project's own tests: unit tests of src/, the reference server's tests and the mutation matrix.
// The matrix is its own project, listed first, so its long test starts at once on one worker while
// the other works through everything else (2 cores: `npm test` takes about the longer of the two).
export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/selftest',
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  workers: 2,
  fullyParallel: true,
  reporter: [['list']],
  projects: [
    { name: 'matrix', testMatch: MATRIX },
    { name: 'selftest', testMatch: '**/*.spec.ts', testIgnore: MATRIX },
  ],
});
