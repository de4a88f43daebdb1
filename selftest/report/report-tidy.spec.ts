// What `npm run report` changes between the run's Allure results and the report
// (src/reporting/check-failure.ts), and how exchanges' JSON bodies are indented
// (src/reporting/pretty-json.ts). No run: results as allure-playwright writes them.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CHECK_MATCHER_LINE, checkMessage, tidyAllureResults, tidyGlobals, tidyResult } from '../../src/reporting/check-failure';
import { prettyJson } from '../../src/reporting/pretty-json';

const failedCheck = {
  uuid: 'u1',
  name: 'is done with error.code 1',
  status: 'failed',
  statusDetails: { message: `Error: error.code is 1: error.code is 2\n\n${CHECK_MATCHER_LINE}`, trace: `Error: error.code is 1: error.code is 2\n\n${CHECK_MATCHER_LINE}\n    at tests/x.spec.ts:39:5` },
  steps: [
    {
      name: 'error.code is 1',
      status: 'failed',
      statusDetails: { message: `Error: error.code is 1: error.code is 2\n\n${CHECK_MATCHER_LINE}` },
      attachments: [],
      steps: [
        { name: '#3 GET /v3/p/operations/o → 200', status: 'passed', attachments: [{ name: '#3 GET /v3/p/operations/o → 200', source: 'a-attachment.txt', type: 'text/plain' }], steps: [] },
        { name: 'Expect "soft toHold"', status: 'failed', statusDetails: { message: `Error: error.code is 1: error.code is 2\n\n${CHECK_MATCHER_LINE}` }, attachments: [], steps: [] },
      ],
    },
  ],
};

test('a failed check reads as the check and what the target did: no matcher line, no matcher step, no "Error:"', () => {
  const tidy = tidyResult(failedCheck);
  expect(tidy.statusDetails).toEqual({ message: 'error.code is 1: error.code is 2', trace: 'error.code is 1: error.code is 2\n    at tests/x.spec.ts:39:5' });
  const check = tidy.steps![0]!;
  expect(check.statusDetails).toEqual({ message: 'error.code is 1: error.code is 2' });
  // The exchange stays in the check's step; the matcher's step is gone.
  expect(check.steps!.map((s) => s.name)).toEqual(['#3 GET /v3/p/operations/o → 200']);
  expect(JSON.stringify(tidy)).not.toMatch(/toHold|expect\(/);
  // Other errors keep their words.
  expect(checkMessage('Error: TypeError: x is undefined')).toBe('TypeError: x is undefined');
  const other = { name: 't', status: 'broken', statusDetails: { message: 'Error: PrerequisiteFailed: no answer' }, steps: [] };
  expect(tidyResult(other)).toEqual(other);
});

test('a skip thrown while a test was set up is the test\'s skip: no Global Error, no failed hook', () => {
  const skip = 'Before Hooks failed: Error: Test is skipped: not-run: no token that may cancel: AUTH_TOKEN_COMMAND exited 127';
  expect(tidyGlobals({ errors: [{ message: skip, trace: 'Error: Test is skipped: …' }], attachments: [] })).toBeUndefined();
  const real = { message: 'Before Hooks failed: Error: ECONNREFUSED' };
  expect(tidyGlobals({ errors: [{ message: skip }, real], attachments: [] })).toEqual({ errors: [real], attachments: [] });
  const result = tidyResult({
    name: 't',
    status: 'skipped',
    statusDetails: { message: 'not-run: no token that may cancel: AUTH_TOKEN_COMMAND exited 127' },
    steps: [{ name: 'Before Hooks', status: 'failed', statusDetails: { message: 'Error: Test is skipped: not-run: no token that may cancel: AUTH_TOKEN_COMMAND exited 127', trace: '…' }, steps: [] }],
  });
  expect(result.steps![0]).toMatchObject({ name: 'Before Hooks', status: 'skipped', statusDetails: { message: 'not-run: no token that may cancel: AUTH_TOKEN_COMMAND exited 127' } });
  // A skip decided as the test was declared: its reason is the message, not a passed step beside it.
  const declared = tidyResult({
    name: 't',
    status: 'skipped',
    statusDetails: { message: 'not-applicable: on the gRPC door: …' },
    steps: [{ name: 'conformance.door: grpc', status: 'passed', steps: [] }, { name: 'conformance.status: not-applicable: on the gRPC door: …', status: 'passed', steps: [] }],
  });
  expect(declared.steps!.map((st) => st.name)).toEqual(['conformance.door: grpc']);
});

test('the report reads a tidied copy; the results directory is left as the run wrote it', () => {
  const from = mkdtempSync(join(tmpdir(), 'tidy-from-'));
  const to = join(mkdtempSync(join(tmpdir(), 'tidy-to-')), 'results');
  const raw = JSON.stringify(failedCheck);
  writeFileSync(join(from, 'u1-result.json'), raw);
  writeFileSync(join(from, 'g1-globals.json'), JSON.stringify({ errors: [{ message: 'Before Hooks failed: Error: Test is skipped: not-applicable: on the gRPC door: …' }], attachments: [] }));
  writeFileSync(join(from, 'a-attachment.txt'), 'GET …');
  writeFileSync(join(from, 'environment.properties'), 'Target=x\n');
  tidyAllureResults(from, to);
  expect(readdirSync(to).sort()).toEqual(['a-attachment.txt', 'environment.properties', 'u1-result.json']);
  expect(readFileSync(join(to, 'u1-result.json'), 'utf8')).not.toContain(CHECK_MATCHER_LINE);
  expect(readFileSync(join(from, 'u1-result.json'), 'utf8')).toBe(raw);
});

test('JSON bodies are indented; numbers keep their spelling, repeated keys stay, other bodies are left alone', () => {
  expect(prettyJson('{"error":{"code":2,"message":"a, b: {c}","details":[]},"done":true}')).toBe(
    '{\n  "error": {\n    "code": 2,\n    "message": "a, b: {c}",\n    "details": []\n  },\n  "done": true\n}',
  );
  expect(prettyJson('{"code":1.0,"big":12345678901234567890,"e":1e2,"code":3}')).toBe('{\n  "code": 1.0,\n  "big": 12345678901234567890,\n  "e": 1e2,\n  "code": 3\n}');
  expect(prettyJson('{ }')).toBe('{}');
  expect(prettyJson('[1,[2,{}],"\\"q\\" \\\\"]')).toBe('[\n  1,\n  [\n    2,\n    {}\n  ],\n  "\\"q\\" \\\\"\n]');
  for (const body of ['', 'null', '"a"', '42', '<html>{</html>', '{"open": ', '{broken}']) expect(prettyJson(body)).toBe(body);
  // Indenting twice changes nothing.
  const once = prettyJson('{"a":[1,2],"b":{"c":null}}');
  expect(prettyJson(once)).toBe(once);
});
