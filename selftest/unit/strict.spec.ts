// Nothing passes silently (issue 24, point 7): a misspelt variable is named with what it meant,
// a CONFORMANT run says how many MUSTs it checked only in part, CONFORMANCE_STRICT=partial makes
// such a run INCOMPLETE, and GITHUB_STEP_SUMMARY gets the verdict as Markdown.
import { expect, test } from '@playwright/test';
import { describeUnknown, unknownVariables } from '../../src/running/config-variables';
import { ConfigError, parseConfig } from '../../src/running/config';
import { formatVerdict } from '../../src/reporting/console-summary';
import { stepSummary } from '../../src/reporting/step-summary';
import { verdictOf, type RequirementResult } from '../../src/judging/verdict';

const row = (id: string, level: 'MUST' | 'SHOULD', status: RequirementResult['status'], partial?: true): RequirementResult =>
  ({ id, level, title: id, link: '', status, reason: partial ? 'checked in part: no TARGET_OTHER_PARENT' : '', ...(partial ? { partial } : {}), tests: [] });

test('a misspelt variable gets the name it most likely meant; the suite\'s own and unrelated names are left alone', () => {
  const found = unknownVariables(['AUTH_TOKEN_PLATFROM', 'TARGET_BASEURL', 'TARGET_ZONE_COLOUR', 'PATH', 'HOME', 'TARGET_BASE_URL', 'CONFORMANCE_EMBEDDED_PROFILE'], ['MY_OWN_THING']);
  expect(found).toEqual([
    { name: 'AUTH_TOKEN_PLATFROM', meant: 'AUTH_TOKEN_PLATFORM' },
    { name: 'MY_OWN_THING' },
    { name: 'TARGET_BASEURL', meant: 'TARGET_BASE_URL' },
    { name: 'TARGET_ZONE_COLOUR' },
  ]);
  expect(describeUnknown(found[0]!)).toBe('AUTH_TOKEN_PLATFROM is not a variable the suite reads; did you mean AUTH_TOKEN_PLATFORM?');
});

test('CONFORMANCE_STRICT takes partial and variables; anything else is one configuration error naming it', () => {
  expect([...parseConfig({ CONFORMANCE_STRICT: 'partial,variables' }).strict].sort()).toEqual(['partial', 'variables']);
  expect(parseConfig({}).strict.size).toBe(0);
  expect(() => parseConfig({ CONFORMANCE_STRICT: 'everything' })).toThrow(ConfigError);
  expect(() => parseConfig({ CONFORMANCE_STRICT: 'everything' })).toThrow(/^CONFORMANCE_STRICT: "everything" is not a strict mode/);
});

test('MUSTs checked in part: counted at the verdict, and INCOMPLETE under CONFORMANCE_STRICT=partial', () => {
  const rows = [row('a', 'MUST', 'passed', true), row('b', 'MUST', 'passed', true), row('c', 'MUST', 'passed'), row('d', 'SHOULD', 'passed', true)];
  expect(verdictOf(rows)).toBe('conformant');
  expect(formatVerdict('conformant', undefined, 2)).toBe('VERDICT: CONFORMANT (2 MUSTs checked in part)');
  expect(formatVerdict('conformant', undefined, 1)).toBe('VERDICT: CONFORMANT (1 MUST checked in part)');
  expect(formatVerdict('conformant')).toBe('VERDICT: CONFORMANT');
  expect(verdictOf(rows, [], { strictPartial: true })).toBe('incomplete');
  expect(verdictOf([row('c', 'MUST', 'passed'), row('d', 'SHOULD', 'passed', true)], [], { strictPartial: true })).toBe('conformant');
});

test('the GitHub step summary: the verdict as a heading, a column per door, every requirement once', () => {
  const md = stepSummary({
    target: 'embedded reference server (conformant)', verdict: 'conformant', requests: 201, operationsCreated: 14,
    requirements: [
      { ...row('cancel.security.cross-parent', 'MUST', 'passed', true), doors: { rest: { status: 'passed', partial: true }, grpc: { status: 'passed' } } },
      { ...row('cancel.response.json', 'SHOULD', 'passed'), doors: { rest: { status: 'passed' }, grpc: { status: 'not-applicable' } } },
    ],
  });
  const lines = md.split('\n');
  expect(lines[0]).toBe('## Cancel conformance: CONFORMANT (1 MUST checked in part)');
  expect(lines).toContain('| requirement | level | REST | gRPC | reason |');
  expect(lines).toContain('| `cancel.security.cross-parent` | MUST | ✅ pass (in part) | ✅ pass | checked in part: no TARGET_OTHER_PARENT |');
  expect(lines).toContain('| `cancel.response.json` | SHOULD | ✅ pass | n/a |  |');
});
