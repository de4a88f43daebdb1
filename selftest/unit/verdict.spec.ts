import { expect, test } from '@playwright/test';
import { CATALOG } from '../../src/judging/catalog';
import { withoutInterruptCrashes } from '../../src/reporting/summary-reporter';
import { coverageProblems, foldRequirement, STATUS_ANNOTATION, NOT_RUN_ANNOTATION, PARTIAL_ANNOTATION, summarize, testStatus, type TestOutcome } from '../../src/judging/verdict';

const outcome = (over: Partial<TestOutcome>): TestOutcome => ({ title: 't', file: 'f', requirementIds: ['cancel.outcome.exists'], status: 'passed', annotations: [], ...over });
const mustReq = CATALOG.find((r) => r.id === 'cancel.outcome.exists')!;
const shouldReq = CATALOG.find((r) => r.id === 'cancel.outcome.listed')!;
const allPassed = () => CATALOG.map((r) => outcome({ requirementIds: [r.id] }));

test.describe('verdict', () => {
  test('a test maps to a requirement status', () => {
    expect(testStatus(outcome({}))).toEqual({ status: 'passed', reason: '' });
    expect(testStatus(outcome({ status: 'failed', error: '\u001b[31mexpected 1\u001b[39m\nmore' })).status).toBe('failed');
    expect(testStatus(outcome({ status: 'failed', error: '\u001b[31mexpected 1\u001b[39m\nmore' })).reason).toBe('expected 1');
    expect(testStatus(outcome({ status: 'skipped', annotations: [{ type: STATUS_ANNOTATION, description: 'unverified: never settled' }] }))).toEqual({ status: 'unverified', reason: 'never settled' });
    expect(testStatus(outcome({ status: 'skipped' }))).toEqual({ status: 'not-run', reason: 'skipped without a declared reason' });
    expect(testStatus(outcome({ status: 'failed', annotations: [{ type: NOT_RUN_ANNOTATION, description: 'target down' }] }))).toEqual({ status: 'not-run', reason: 'target down' });
  });

  test('in an interrupted run, tests of a worker the Ctrl-C killed are interrupted, not failed; other failures stay', () => {
    const crashed = outcome({ status: 'failed', error: 'Error: worker process exited unexpectedly (code=null, signal=SIGINT)' });
    const real = outcome({ status: 'failed', error: 'expected 403, got 200' });
    const outcomes = [...allPassed(), crashed];
    expect(summarize(outcomes, []).verdict).toBe('non-conformant');
    expect(summarize(withoutInterruptCrashes(outcomes, { status: 'interrupted' }), []).verdict).toBe('incomplete');
    // Not interrupted: a crashed worker is a failure of the run, and stays one.
    expect(withoutInterruptCrashes([crashed], { status: 'failed' })[0]!.status).toBe('failed');
    expect(withoutInterruptCrashes([real], { status: 'interrupted' })[0]!.status).toBe('failed');
  });

  test('a pass in part is passed, says which part went unchecked, and shows over a full pass', () => {
    const partial = outcome({ annotations: [{ type: PARTIAL_ANNOTATION, description: '403 was not checked' }, { type: PARTIAL_ANNOTATION, description: 'no expired token' }] });
    expect(testStatus(partial)).toEqual({ status: 'passed', reason: 'checked in part: 403 was not checked; no expired token', partial: true });
    const folded = foldRequirement(mustReq, [outcome({}), partial]);
    expect([folded.status, folded.partial, folded.reason]).toEqual(['passed', true, 'checked in part: 403 was not checked; no expired token']);
    // A failure still outranks it.
    expect(foldRequirement(mustReq, [partial, outcome({ status: 'failed', error: 'boom' })]).status).toBe('failed');
    // Partly checked but failed: failed, without the partial flag.
    expect(testStatus({ ...partial, status: 'failed', error: 'boom' })).toEqual({ status: 'failed', reason: 'boom' });
  });

  test('a test with several failed checks lists them all in its reason', () => {
    const failed = outcome({ status: 'failed', error: 'a: the target answered HTTP 200 {}\n\ndetail', failedChecks: ['a: the target answered HTTP 200 {}\n\ndetail', 'b: gave no HTTP answer'] });
    expect(testStatus(failed)).toEqual({ status: 'failed', reason: '2 checks failed: a: the target answered HTTP 200 {}; b: gave no HTTP answer' });
    expect(testStatus({ ...failed, failedChecks: [failed.failedChecks![0]!] }).reason).toBe('a: the target answered HTTP 200 {}');
  });

  test('the worst test decides a requirement, and no test means not-run', () => {
    expect(foldRequirement(mustReq, [outcome({}), outcome({ status: 'failed', error: 'boom' })]).status).toBe('failed');
    expect(foldRequirement(mustReq, []).status).toBe('not-run');
  });

  test('all passed is conformant; a MUST failure is non-conformant; a SHOULD failure only warns', () => {
    expect(summarize(allPassed(), []).verdict).toBe('conformant');
    const mustFails = allPassed().map((t) => (t.requirementIds[0] === mustReq.id ? { ...t, status: 'failed' as const } : t));
    expect(summarize(mustFails, []).verdict).toBe('non-conformant');
    const shouldFails = allPassed().map((t) => (t.requirementIds[0] === shouldReq.id ? { ...t, status: 'failed' as const } : t));
    const s = summarize(shouldFails, []);
    expect(s.verdict).toBe('conformant');
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toContain(shouldReq.id);
  });

  test('an unverified or not-run MUST, or a suite error, makes the verdict incomplete', () => {
    const unverifiedMust = allPassed().map((t) => (t.requirementIds[0] === mustReq.id ? { ...t, status: 'skipped' as const, annotations: [{ type: STATUS_ANNOTATION, description: 'unverified: x' }] } : t));
    expect(summarize(unverifiedMust, []).verdict).toBe('incomplete');
    expect(summarize(allPassed().slice(1), []).verdict).toBe(CATALOG[0]!.level === 'MUST' ? 'incomplete' : 'conformant');
    expect(summarize(allPassed(), ['catalog: x']).verdict).toBe('incomplete');
  });

  test('not-applicable needs no judgement and does not block the verdict', () => {
    const na = allPassed().map((t) => (t.requirementIds[0] === mustReq.id ? { ...t, status: 'skipped' as const, annotations: [{ type: STATUS_ANNOTATION, description: 'not-applicable: target has no cancel' }] } : t));
    expect(summarize(na, []).verdict).toBe('conformant');
  });

  test('coverage: unknown IDs and uncovered catalog entries are reported', () => {
    expect(coverageProblems([{ title: 'a', requirementIds: ['cancel.nope'] }], { requireAll: false })).toEqual(['test "a" names unknown requirement ID "cancel.nope"']);
    expect(coverageProblems([{ title: 'a', requirementIds: [] }], { requireAll: false })).toEqual(['test "a" names no requirement ID']);
    expect(coverageProblems([], { requireAll: true })).toHaveLength(CATALOG.length);
  });
});
