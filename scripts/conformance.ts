// `npm run conformance`: checks the configuration, runs the Playwright suite and turns the
// verdict into the exit status: 0 conformant, 1 non-conformant, 2 incomplete,
// 3 configuration error, 4 the suite itself failed to produce a verdict.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { ReferenceConfigError, optionsFromEnv } from '../reference-server/index';
import { ConfigError, loadEnvFile, parseConfig } from '../src/config';

export const EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2, config: 3, suite: 4 } as const;

function fail(code: number, message: string): never {
  console.error(`lro-cancel-conformance: ${message}`);
  process.exit(code);
}

loadEnvFile();
const args = process.argv.slice(2);
if (args.some((a) => a === '--trace' || a.startsWith('--trace='))) {
  fail(EXIT.config, 'configuration error: --trace is refused: Playwright traces record request headers, bearer tokens included. Use the Allure evidence (redacted, with curl lines).');
}
try {
  parseConfig(process.env);
  if (!process.env.TARGET_BASE_URL?.trim()) optionsFromEnv(process.env);
} catch (error) {
  if (error instanceof ConfigError || error instanceof ReferenceConfigError) fail(EXIT.config, `configuration error: ${(error as Error).message}`);
  throw error;
}

const summaryFile = `${process.env.REPORTS_DIR ?? 'reports'}/conformance-summary.json`;
rmSync(summaryFile, { force: true });
const run = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...args], { stdio: 'inherit', env: process.env });
if (run.error) fail(EXIT.suite, `could not start Playwright: ${run.error.message}`);

let verdict: keyof typeof EXIT;
try {
  verdict = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { verdict: keyof typeof EXIT }).verdict;
} catch {
  fail(EXIT.suite, `no verdict: ${summaryFile} was not written (Playwright exited with ${run.status}). See the output above.`);
}
process.exit(EXIT[verdict] ?? EXIT.suite);
