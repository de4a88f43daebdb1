// What a user reads after `npm run conformance`: reasons wrapped and never cut, a Failures
// section quoting the contract's sentence, what was expected, what the target did and the curl
// line of the decisive exchange; colour only on a terminal; no attachment dumps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, test } from '@playwright/test';
import type { TestResult, TestStep } from '@playwright/test/reporter';
import { CATALOG, requirement } from '../../src/judging/catalog';
import { failuresOf, formatConsole, formatFailures, formatTable, paintFor, parseFailure, type ConsoleSummary, type Evidence } from '../../src/reporting/console-summary';
import { decisiveExchange } from '../../src/reporting/test-evidence';
import { DECISIVE_ANNOTATION } from '../../src/judging/verdict';
import { ROOT, runConformance } from '../matrix/run-conformance';

const ANSI = /\u001b\[[0-9;]*m/;
// Playwright gives its workers FORCE_COLOR=1; this file judges colour, so it starts from a plain pipe.
delete process.env.FORCE_COLOR;
delete process.env.DEBUG_COLORS;
const flat = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ');
const LONG = 'the cancelled operation was not done within CANCEL_SETTLE_TIMEOUT (30 s): best effort allows it, so nobody can tell; ' +
  'raise CANCEL_SETTLE_TIMEOUT or CANCEL_ATTEMPTS, or check that the target cancels at all (see https://cloud.google.com/distributed-cloud/hosted/docs/latest/gdch/apis/vertex-ai/translation/rest/v3/projects.operations/cancel)';

const summary = (requirements: ConsoleSummary['requirements']): ConsoleSummary =>
  ({ target: 'https://translation.example', verdict: 'non-conformant', requests: 3, operationsCreated: 1, suiteErrors: [], requirements });

test.describe('formatting', () => {
  test('a long reason wraps at word boundaries: every word is there, no line is cut inside a word', () => {
    const table = formatTable(summary([{ id: 'cancel.outcome.exists', level: 'MUST', status: 'unverified', reason: LONG }]), { columns: 100 });
    const rows = table.split('\n').filter((l) => l.startsWith(' ')).slice(0, -1);
    expect(rows.length).toBeGreaterThan(2);
    expect(flat(table)).toContain(flat(LONG));
    for (const row of rows) expect(row.length <= 100 || !row.trim().includes(' '), row).toBe(true);
    // Continuation lines start in the reason column.
    const column = rows[0]!.indexOf('the cancelled');
    for (const row of rows.slice(1)) expect(row.search(/\S/), row).toBe(column);
  });

  test('the Failures section lists failed and unverified MUSTs and SHOULDs with the source sentence, expected, observed and the curl line', () => {
    const req = requirement('cancel.outcome.error-code');
    const evidence: Evidence = {
      test: 'tests/cancelled-operation.spec.ts:29 › a cancelled operation › is done with error.code 1',
      expected: 'error.code is the number 1 (CANCELLED)', observed: 'error.code is 2',
      exchange: '#8 GET /v3/projects/p/operations/o → 200',
      curl: `curl -sS -i -X GET 'https://translation.example/v3/projects/p/operations/${'o'.repeat(120)}' -H "Authorization: Bearer $ACCESS_TOKEN"`,
    };
    const s = summary([
      { id: 'errors.error-info', level: 'SHOULD', status: 'failed', reason: 'x', source: 'S1' },
      { id: 'cancel.outcome.listed', level: 'SHOULD', status: 'unverified', reason: 'never settled' },
      { id: req.id, level: req.level, status: 'failed', reason: 'error.code is 2', title: req.title, source: req.source, link: req.link, evidence },
      { id: 'cancel.outcome.exists', level: 'MUST', status: 'unverified', reason: 'never settled' },
      { id: 'cancel.request.empty-object', level: 'MUST', status: 'passed', reason: '' },
      { id: 'cancel.unimplemented.status', level: 'MUST', status: 'not-applicable', reason: 'supported' },
    ]);
    expect(failuresOf(s.requirements).map((r) => r.id)).toEqual(['cancel.outcome.error-code', 'errors.error-info', 'cancel.outcome.exists', 'cancel.outcome.listed']);
    const text = formatFailures(s, { columns: 100 });
    expect(text).toContain('Failures (1 MUST, 1 SHOULD failed; 1 MUST, 1 SHOULD unverified)');
    expect(flat(text)).toContain(flat(`source “${req.source}”`));
    expect(text).toMatch(/expected +error\.code is the number 1 \(CANCELLED\)\n/);
    expect(text).toMatch(/observed +error\.code is 2\n/);
    // The curl line is never wrapped, so it pastes as one command.
    expect(text.split('\n').some((l) => l.trim() === `replay     ${evidence.curl}`)).toBe(true);
    expect(text).not.toContain('cancel.request.empty-object');
    expect(formatFailures(summary([{ id: 'a', level: 'MUST', status: 'passed', reason: '' }]))).toBe('');
  });

  test('a failure splits into what was expected and what the target did', () => {
    expect(parseFailure('Error: error.code is the number 1 (CANCELLED): error.code is 2', 'error.code is the number 1 (CANCELLED)'))
      .toEqual({ expected: 'error.code is the number 1 (CANCELLED)', observed: 'error.code is 2' });
    expect(parseFailure('Error: error is {"code":2}\n\nexpect(received).toBe(expected) // Object.is equality\n\nExpected: 1\nReceived: 2'))
      .toEqual({ message: 'error is {"code":2}', expected: '1', observed: '2' });
    expect(parseFailure('expect(received).toBe(expected)\n\nExpected: 200\nReceived: 404')).toEqual({ expected: '200', observed: '404' });
  });

  test('the decisive exchange is the annotated one, else the last before the failed check, never the clean-up', () => {
    const exchange = (name: string, url: string) => ({ name, contentType: 'text/plain', body: Buffer.from(`GET ${url}\n\n# reproduce (export ACCESS_TOKEN first):\ncurl -sS -i -X GET '${url}'`) });
    const step = (title: string, category: string, extra: Partial<TestStep> = {}): TestStep =>
      ({ title, category, steps: [], attachments: [], titlePath: () => [title], ...extra }) as unknown as TestStep;
    const steps = [
      step('GET a', 'test.step', { attachments: [exchange('#1 GET a → 200', 'http://t/a')] }),
      step('GET b', 'test.step', { attachments: [exchange('#2 GET b → 200', 'http://t/b')] }),
      step('error.code is 1', 'test.step', { error: { message: 'x' } }),
      step('GET c', 'test.step', { attachments: [exchange('#3 GET c → 200', 'http://t/c')] }),
      step('After Hooks', 'hook', { steps: [step('clean up', 'test.step', { attachments: [exchange('#4 DELETE → 200', 'http://t/d')] })] }),
    ];
    const result = { steps, attachments: [] } as unknown as TestResult;
    expect(decisiveExchange(result, [])).toEqual({ exchange: '#2 GET b → 200', curl: "curl -sS -i -X GET 'http://t/b'" });
    expect(decisiveExchange(result, [{ type: DECISIVE_ANNOTATION, description: '#1 GET a → 200' }, { type: DECISIVE_ANNOTATION, description: '#3 GET c → 200' }]).exchange).toBe('#1 GET a → 200');
    const passedThenUnverified = { steps: [steps[0]!, steps[3]!, steps[4]!], attachments: [] } as unknown as TestResult;
    expect(decisiveExchange(passedThenUnverified, []).exchange).toBe('#3 GET c → 200');
  });

  test('the verdict line ends the output', () => {
    const out = formatConsole(summary([{ id: 'a', level: 'MUST', status: 'failed', reason: 'r' }]));
    expect(out.trimEnd().split('\n').at(-1)).toBe('VERDICT: NON-CONFORMANT');
  });
});

test.describe('colour', () => {
  // A real terminal comes from script(1); Node decides from the stream and NO_COLOR / FORCE_COLOR.
  const SCRIPT = '/usr/bin/script';
  const probe = join(mkdtempSync(join(tmpdir(), 'paint-')), 'probe.ts');
  writeFileSync(probe, `import { paintFor } from ${JSON.stringify(join(ROOT, 'src/reporting/console-summary.ts'))};\n` +
    "const p = paintFor(process.stdout);\nprocess.stdout.write(`${p(['red', 'bold'], 'FAIL')} ${p('green', 'PASS')}\\n`);\n");
  const tsx = `${process.execPath} ${join(ROOT, 'node_modules/tsx/dist/cli.mjs')} ${probe}`;
  const painted = (env: Record<string, string | undefined>, tty: boolean) => {
    const run = tty
      ? spawnSync(SCRIPT, ['-qec', tsx, '/dev/null'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 })
      : spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), probe], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    return ANSI.test(run.stdout);
  };
  const plainEnv = { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, TERM: 'xterm-256color' };

  test('a pipe (a CI log) is plain; FORCE_COLOR colours it', () => {
    expect(ANSI.test(paintFor(new PassThrough())('red', 'FAIL'))).toBe(false);
    expect(painted(plainEnv, false)).toBe(false);
    expect(painted({ ...plainEnv, FORCE_COLOR: '1' }, false)).toBe(true);
  });

  test('a terminal is coloured, both styles of FAIL included; NO_COLOR and FORCE_COLOR=0 turn it off', () => {
    test.skip(!existsSync(SCRIPT), `${SCRIPT} (util-linux) is needed for a pseudo-terminal`);
    expect(painted(plainEnv, true)).toBe(true);
    expect(painted({ ...plainEnv, NO_COLOR: '1' }, true)).toBe(false);
    expect(painted({ ...plainEnv, FORCE_COLOR: '0' }, true)).toBe(false);
  });
});

test('a red run explains its failure on the console, without attachment dumps, and quotes each source in the summary', async () => {
  test.setTimeout(150_000);
  const run = await runConformance({ REFERENCE_FAULTS: 'cancelled-code-unknown' }, { timeoutMs: 120_000 });
  expect(run.exitCode, run.output.slice(-3000)).toBe(1);
  const s = run.summary as unknown as ConsoleSummary;
  const out = run.output;
  // Plain in a pipe, and Playwright's own failure dump is gone.
  expect(out).not.toMatch(ANSI);
  expect(out).not.toMatch(/attachment #\d/);
  expect(out).not.toContain('authorization: Bearer');
  // The table: every reason whole.
  for (const r of s.requirements) if (r.reason) expect(flat(out), r.id).toContain(flat(r.reason.replace(/^Error:\s*/, '')));
  // The Failures section, after the table, before the verdict.
  const failures = out.slice(out.indexOf('Failures ('));
  expect(out.indexOf('Failures (')).toBeGreaterThan(out.indexOf('Cancel conformance of'));
  expect(failures.trimEnd().split('\n').at(-1)).toBe('VERDICT: NON-CONFORMANT');
  const failed = s.requirements.find((r) => r.id === 'cancel.outcome.error-code')!;
  expect(failed.status).toBe('failed');
  expect(flat(failures)).toContain(flat(`“${requirement(failed.id).source}”`));
  const e = failed.evidence!;
  expect(e.expected && e.observed, JSON.stringify(e)).toBeTruthy();
  expect(flat(failures)).toContain(flat(`expected ${e.expected}`));
  expect(flat(failures)).toContain(flat(`observed ${e.observed}`));
  // The decisive exchange reads the cancelled operation, and its curl line is printed whole.
  expect(e.exchange).toMatch(/GET \/v3\/projects\/conformance\/operations\/[^/:]+ → 200$/);
  expect(e.curl).toMatch(/^curl -sS -i -X GET '.*\/operations\/[^/:']+' -H "Authorization: Bearer \$ACCESS_TOKEN"$/);
  expect(failures.split('\n').some((l) => l.endsWith(e.curl!))).toBe(true);
  // The summary quotes every requirement's source sentence.
  expect(s.requirements.map((r) => [r.id, r.source])).toEqual(CATALOG.map((r) => [r.id, r.source]));
});
