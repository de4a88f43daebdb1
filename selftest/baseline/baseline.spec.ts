// The pipeline gate (src/judging/baseline.ts): pure unit tests, then the real entry point with a baseline file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CATALOG } from '../../src/judging/catalog';
import { computeGate, GATE_EXIT, parseBaseline, type GateSummary } from '../../src/judging/baseline';
import { runConformance } from '../matrix/run-conformance';

const MUST = 'cancel.outcome.error-code';
const SHOULD = CATALOG.find((r) => r.level === 'SHOULD')!.id;
const summary = (statuses: Record<string, string> = {}, suiteErrors: string[] = []): GateSummary => {
  const requirements = CATALOG.map((r) => ({ id: r.id, level: r.level, status: (statuses[r.id] ?? 'passed') as GateSummary['requirements'][number]['status'], reason: '' }));
  const must = requirements.filter((r) => r.level === 'MUST');
  const verdict = must.some((r) => r.status === 'failed') ? 'non-conformant' : suiteErrors.length || must.some((r) => r.status === 'not-run' || r.status === 'unverified') ? 'incomplete' : 'conformant';
  return { verdict, suiteErrors, requirements };
};
const baseline = (json: unknown) => ({ path: 'conformance-baseline.json', json });

test.describe('gate (pure)', () => {
  test('without a baseline or previous summary the exit status is the verdict\'s', () => {
    expect(computeGate(summary()).exitCode).toBe(0);
    expect(computeGate(summary({ [MUST]: 'failed' })).exitCode).toBe(GATE_EXIT['non-conformant']);
    expect(computeGate(summary({ [MUST]: 'not-run' })).exitCode).toBe(GATE_EXIT.incomplete);
    expect(computeGate(summary()).lines).toEqual([]);
  });

  test('a listed failure is accepted, and the gate passes when it is the only one', () => {
    const gate = computeGate(summary({ [MUST]: 'failed' }), { baseline: baseline([{ id: MUST, reason: 'vendor bug 123' }]) });
    expect(gate).toMatchObject({ status: 'passed', exitCode: 0, verdict: 'non-conformant', effectiveVerdict: 'conformant', stale: [], unexpected: [] });
    expect(gate.accepted).toEqual([{ id: MUST, reason: 'vendor bug 123', status: 'failed' }]);
    expect(gate.lines[0]).toBe(`baseline: accepted ${MUST} (failed, as listed): vendor bug 123`);
    expect(gate.lines.at(-1)).toMatch(/^GATE: PASSED/);
  });

  test('an unlisted failure beside a listed one still fails the gate', () => {
    const other = CATALOG.find((r) => r.level === 'MUST' && r.id !== MUST)!.id;
    const gate = computeGate(summary({ [MUST]: 'failed', [other]: 'failed' }), { baseline: baseline([{ id: MUST, reason: 'known' }]) });
    expect(gate).toMatchObject({ status: 'failed', exitCode: GATE_EXIT['non-conformant'], unexpected: [other] });
  });

  test('a listed requirement that passes (or no longer applies) is stale and fails the gate', () => {
    for (const status of ['passed', 'not-applicable']) {
      const gate = computeGate(summary({ [MUST]: status }), { baseline: baseline([{ id: MUST, reason: 'known' }]) });
      expect(gate).toMatchObject({ status: 'failed', exitCode: GATE_EXIT.gate, stale: [{ id: MUST, reason: 'known', status }] });
      expect(gate.lines[0]).toContain(`baseline: STALE ${MUST} is ${status} now`);
    }
  });

  test('a listed requirement this run could not judge is unconfirmed: kept, and the verdict decides', () => {
    const gate = computeGate(summary({ [SHOULD]: 'unverified' }), { baseline: baseline([{ id: SHOULD, reason: 'slow target' }]) });
    expect(gate).toMatchObject({ exitCode: 0, stale: [], unconfirmed: [{ id: SHOULD, status: 'unverified' }] });
  });

  test('unknown IDs, missing reasons, duplicates and bad shapes are problems (exit 3)', () => {
    expect(parseBaseline({}).problems).toHaveLength(1);
    expect(parseBaseline({ expectedFailures: [{ id: MUST, reason: 'r' }] })).toEqual({ entries: [{ id: MUST, reason: 'r' }], problems: [] });
    const { problems } = parseBaseline([{ id: 'cancel.nope', reason: 'r' }, { id: MUST }, { id: MUST, reason: ' ' }, 7, { reason: 'x' }]);
    expect(problems).toEqual([
      'entry 0 names unknown requirement ID "cancel.nope"',
      `entry 1 ("${MUST}") has no "reason": say why the gap is accepted`,
      `entry 2 ("${MUST}") has no "reason": say why the gap is accepted`,
      `entry 2 lists "${MUST}" twice`,
      'entry 3 is not an object',
      'entry 4 has no "id"',
    ]);
    expect(computeGate(summary({ [MUST]: 'failed' }), { baseline: baseline([{ id: MUST }]) }).exitCode).toBe(GATE_EXIT.config);
  });

  test('no new failures: a requirement that passed before and fails now fails the gate, even a SHOULD', () => {
    const previous = { path: 'prev.json', summary: summary() };
    const gate = computeGate(summary({ [SHOULD]: 'failed' }), { previous });
    expect(gate).toMatchObject({ status: 'failed', exitCode: GATE_EXIT.gate, regressions: [SHOULD] });
    expect(gate.lines[0]).toBe(`previous: REGRESSION ${SHOULD} passed in prev.json and fails now`);
    // Failing before and now is no regression; not-run now is the verdict's business.
    expect(computeGate(summary({ [SHOULD]: 'failed' }), { previous: { path: 'p', summary: summary({ [SHOULD]: 'failed' }) } }).exitCode).toBe(0);
    // A baseline entry accepts it.
    expect(computeGate(summary({ [SHOULD]: 'failed' }), { previous, baseline: baseline([{ id: SHOULD, reason: 'known' }]) }).exitCode).toBe(0);
  });
});

test.describe('gate through npm run conformance', () => {
  test.describe.configure({ timeout: 180_000 });
  // The gate reads the summary's statuses, folded over the doors: one door is enough, and a third cheaper.
  const gateRun = (env: Record<string, string>, timeoutMs = 150_000) => runConformance({ TRANSPORTS: 'rest', ...env }, { timeoutMs, keepAllure: false });
  const write = (json: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), 'baseline-')), 'conformance-baseline.json');
    writeFileSync(file, JSON.stringify(json));
    return file;
  };

  test('the listed failure is accepted (exit 0), and the gate is in the summary', async () => {
    const file = write([{ id: MUST, reason: 'cancelled-code-unknown: vendor returns UNKNOWN' }]);
    const run = await gateRun({ REFERENCE_FAULTS: 'cancelled-code-unknown', CONFORMANCE_BASELINE: file });
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain(`baseline: accepted ${MUST} (failed, as listed): cancelled-code-unknown: vendor returns UNKNOWN`);
    expect(run.output).toMatch(/GATE: PASSED \(verdict non-conformant, conformant with 1 accepted failure/);
    const summary = JSON.parse(readFileSync(join(run.dir, 'reports/conformance-summary.json'), 'utf8'));
    expect(summary.verdict).toBe('non-conformant');
    expect(summary.gate).toMatchObject({ status: 'passed', exitCode: 0, baseline: file, accepted: [{ id: MUST }] });

    // The same summary as the previous one of a conformant run: the gate also flags the regression… unless listed.
    const clean = await gateRun({ CONFORMANCE_PREVIOUS_SUMMARY: join(run.dir, 'reports/conformance-summary.json') });
    expect(clean.exitCode, clean.output).toBe(0);
    const regress = await gateRun({ REFERENCE_FAULTS: 'cancelled-code-unknown', CONFORMANCE_PREVIOUS_SUMMARY: join(clean.dir, 'reports/conformance-summary.json') });
    expect(regress.exitCode).toBe(1);
    expect(regress.output).toContain(`previous: REGRESSION ${MUST} passed in`);
  });

  test('a stale entry fails the gate (exit 5) with one line naming it', async () => {
    const file = write([{ id: MUST, reason: 'was broken in 1.2' }]);
    const run = await gateRun({ CONFORMANCE_BASELINE: file });
    expect(run.exitCode, run.output).toBe(GATE_EXIT.gate);
    expect(run.output).toContain(`baseline: STALE ${MUST} is passed now; remove it from ${file}`);
    expect(run.summary?.verdict).toBe('conformant');
  });

  test('an unknown ID or a missing reason is a configuration error before anything runs (exit 3)', async () => {
    const run = await gateRun({ CONFORMANCE_BASELINE: write([{ id: 'cancel.typo', reason: 'x' }, { id: MUST }]) }, 60_000);
    expect(run.exitCode).toBe(3);
    expect(run.output).toContain('configuration error: CONFORMANCE_BASELINE=');
    expect(run.output).toContain('unknown requirement ID "cancel.typo"');
    expect(run.output).toContain('has no "reason"');
    expect(run.summary).toBeUndefined();
  });
});
