import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMA_NAMES, assertSchema, createAjv, formatIssues, keptValidatorsFile, loadSchema, loadValidators, validate, type SchemaName } from '../../src/judging/schemas';

interface Bad {
  label: string;
  value: unknown;
  /** A JSON pointer that must be among the reported issue paths. */
  path: string;
  keyword?: string;
}
interface Cases {
  good: [label: string, value: unknown][];
  bad: Bad[];
}

const OP = 'projects/p/locations/us-central1/operations/op-1';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const META = 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentMetadata';
const RESPONSE = { '@type': 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateDocumentResponse', totalPages: '3' };
const cancelledStatus = { code: 1, message: 'Operation cancelled.' };

const CASES: Record<SchemaName, Cases> = {
  status: {
    good: [
      ['the cancelled status', cancelledStatus],
      ['OK with everything omitted', {}],
      ['details carrying an ErrorInfo with extra members', { code: 7, message: 'denied', details: [{ '@type': ERROR_INFO, reason: 'X_Y', domain: 'googleapis.com', extra: 1 }] }],
      ['a negative int32 code', { code: -2147483648 }],
      // Servers are newer than the suite (CONTRACT "Live zones"): members it does not know are ignored, as clients ignore them.
      ['an unknown member', { code: 1, status: 'CANCELLED' }],
    ],
    bad: [
      { label: 'code as the name "CANCELLED"', value: { code: 'CANCELLED' }, path: '/code', keyword: 'type' },
      { label: 'code with a fraction', value: { code: 1.5 }, path: '/code', keyword: 'type' },
      { label: 'code beyond int32', value: { code: 2 ** 31 }, path: '/code', keyword: 'maximum' },
      { label: 'message not a string', value: { code: 1, message: 42 }, path: '/message', keyword: 'type' },
      { label: 'a detail without @type', value: { code: 1, details: [{ reason: 'X' }] }, path: '/details/0', keyword: 'required' },
      { label: 'details not an array', value: { details: {} }, path: '/details', keyword: 'type' },
      { label: 'not an object', value: 'CANCELLED', path: '/', keyword: 'type' },
    ],
  },
  'error-info': {
    good: [
      ['scope insufficient', { '@type': ERROR_INFO, reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: { service: 'translate.googleapis.com', method: 'google.longrunning.Operations.CancelOperation' } }],
      ['without metadata', { '@type': ERROR_INFO, reason: 'CREDENTIALS_MISSING', domain: 'googleapis.com' }],
      ['without domain (proto3: every field is optional)', { '@type': ERROR_INFO, reason: 'CREDENTIALS_MISSING' }],
      ['with an unknown member (Any is open)', { '@type': ERROR_INFO, reason: 'API_DISABLED', domain: 'googleapis.com', metadata: {}, future: true }],
    ],
    bad: [
      { label: 'a different @type', value: { '@type': 'type.googleapis.com/google.rpc.RetryInfo', reason: 'AB', domain: 'd' }, path: '/@type', keyword: 'const' },
      { label: 'a lowercase reason', value: { '@type': ERROR_INFO, reason: 'access_token_expired', domain: 'googleapis.com' }, path: '/reason', keyword: 'pattern' },
      { label: 'a reason ending in _', value: { '@type': ERROR_INFO, reason: 'EXPIRED_', domain: 'googleapis.com' }, path: '/reason', keyword: 'pattern' },
      { label: 'a reason longer than 63', value: { '@type': ERROR_INFO, reason: 'A'.repeat(64), domain: 'googleapis.com' }, path: '/reason', keyword: 'maxLength' },
      { label: 'a metadata value that is not a string', value: { '@type': ERROR_INFO, reason: 'AB', domain: 'd', metadata: { count: 3 } }, path: '/metadata/count', keyword: 'type' },
      { label: 'no reason', value: { '@type': ERROR_INFO, domain: 'googleapis.com' }, path: '/', keyword: 'required' },
      { label: 'no @type', value: { reason: 'AB', domain: 'd' }, path: '/', keyword: 'required' },
    ],
  },
  'error-envelope': {
    good: [
      ['403 with ErrorInfo', { error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED', details: [{ '@type': ERROR_INFO, reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' }] } }],
      ['501 as gapic-showcase sends it', { error: { code: 501, message: 'not implemented', status: 'UNIMPLEMENTED' } }],
      ['with members newer than the suite', { error: { code: 503, message: 'busy', status: 'UNAVAILABLE', retryDelay: '1s' }, traceId: 'abc' }],
      ['400 with an empty message and a legacy errors array', { error: { code: 400, message: '', status: 'INVALID_ARGUMENT', errors: [{ reason: 'invalid' }] } }],
      ['499 CANCELLED', { error: { code: 499, message: 'cancelled', status: 'CANCELLED' } }],
    ],
    bad: [
      { label: 'a lowercase status', value: { error: { code: 403, message: 'm', status: 'permission_denied' } }, path: '/error/status', keyword: 'enum' },
      { label: 'the rpc number as code', value: { error: { code: 7, message: 'm', status: 'PERMISSION_DENIED' } }, path: '/error/code', keyword: 'minimum' },
      { label: 'code as a string', value: { error: { code: '404', message: 'm', status: 'NOT_FOUND' } }, path: '/error/code', keyword: 'type' },
      { label: 'no status', value: { error: { code: 404, message: 'm' } }, path: '/error', keyword: 'required' },
      { label: 'a bare Status (no wrapper)', value: { code: 5, message: 'm' }, path: '/', keyword: 'required' },
      { label: 'a detail without @type', value: { error: { code: 404, message: 'm', status: 'NOT_FOUND', details: [{}] } }, path: '/error/details/0', keyword: 'required' },
    ],
  },
  empty: {
    good: [['{}', {}], ['a fresh object', Object.create(null)], ['JSON.parse("{}")', JSON.parse('{}')]],
    bad: [
      { label: 'a member', value: { name: OP }, path: '/name', keyword: 'additionalProperties' },
      { label: 'null', value: null, path: '/', keyword: 'type' },
      { label: 'an array', value: [], path: '/', keyword: 'type' },
      { label: 'a string', value: '', path: '/', keyword: 'type' },
    ],
  },
  operation: {
    good: [
      ['running, without done', { name: OP, metadata: { '@type': META, state: 'RUNNING' } }],
      ['running, done false', { name: OP, done: false }],
      ['cancelled', { name: OP, done: true, error: cancelledStatus, metadata: { '@type': META, state: 'CANCELLED' } }],
      ['done with a response', { name: OP, done: true, response: RESPONSE }],
      ['with members newer than the suite, at the top and in error', { name: OP, state: 'CANCELLED', done: true, error: { code: 1, status: 'CANCELLED' } }],
      ['done with an error whose code is omitted (proto3 default)', { name: OP, done: true, error: { message: 'ok?' } }],
      ['the GDC name shape', { name: 'projects/my-project/operations/abc', done: true, error: { code: 1 } }],
      ['a generic name with metadata null', { name: 'operations/abc', metadata: null, done: true, error: { code: 1, message: 'cancelled' } }],
      ['unset fields written as null while running', { name: 'operations/abc', metadata: null, done: null, error: null, response: null }],
      ['done with a response and error null', { name: OP, done: true, error: null, response: RESPONSE }],
    ],
    bad: [
      { label: 'error.code as the name "CANCELLED"', value: { name: OP, done: true, error: { code: 'CANCELLED' } }, path: '/error/code', keyword: 'type' },
      { label: 'done true with both error and response', value: { name: OP, done: true, error: cancelledStatus, response: RESPONSE }, path: '/', keyword: 'oneOf' },
      { label: 'done true with neither', value: { name: OP, done: true }, path: '/', keyword: 'oneOf' },
      { label: 'done absent with an error', value: { name: OP, error: cancelledStatus }, path: '/error' },
      { label: 'done false with a response', value: { name: OP, done: false, response: RESPONSE }, path: '/response' },
      { label: 'done as a string', value: { name: OP, done: 'true', error: cancelledStatus }, path: '/done', keyword: 'type' },
      { label: 'no name', value: { done: true, error: cancelledStatus }, path: '/', keyword: 'required' },
      { label: 'metadata without @type', value: { name: OP, metadata: { state: 'RUNNING' } }, path: '/metadata', keyword: 'required' },
    ],
  },
  'list-operations-response': {
    good: [
      ['an empty page', {}],
      ['one running and one cancelled, with a token', { operations: [{ name: OP }, { name: `${OP}2`, done: true, error: cancelledStatus }], nextPageToken: 'abc' }],
      ['with unreachable', { operations: [], unreachable: ['projects/p/locations/eu'] }],
      ['with a member newer than the suite', { operations: [], totalSize: 3 }],
    ],
    bad: [
      { label: 'a listed operation breaking the invariant', value: { operations: [{ name: OP }, { name: OP, done: true, error: cancelledStatus, response: RESPONSE }] }, path: '/operations/1', keyword: 'oneOf' },
      { label: 'a listed cancelled operation with a string code', value: { operations: [{ name: OP, done: true, error: { code: 'CANCELLED' } }] }, path: '/operations/0/error/code', keyword: 'type' },
      { label: 'nextPageToken as a number', value: { nextPageToken: 2 }, path: '/nextPageToken', keyword: 'type' },
      { label: 'operations not an array', value: { operations: { name: OP } }, path: '/operations', keyword: 'type' },
    ],
  },
  'batch-translate-document-metadata': {
    good: [
      ['running, all counters', { '@type': META, state: 'RUNNING', totalPages: '10', translatedPages: '4', failedPages: '0', totalBillablePages: '4', totalCharacters: '1200', translatedCharacters: '500', failedCharacters: '0', totalBillableCharacters: '500', submitTime: '2024-05-01T12:00:00.123456Z' }],
      ['cancelling, defaults omitted', { '@type': META, state: 'CANCELLING' }],
      ['cancelled, with an offset time and an unknown member', { '@type': META, state: 'CANCELLED', submitTime: '2024-05-01T12:00:00+02:00', newField: 'x' }],
      ['only @type', { '@type': META }],
    ],
    bad: [
      { label: 'an int64 counter as a number', value: { '@type': META, state: 'RUNNING', totalPages: 10 }, path: '/totalPages', keyword: 'type' },
      { label: 'a counter that is not an integer string', value: { '@type': META, translatedCharacters: '1.5' }, path: '/translatedCharacters', keyword: 'pattern' },
      { label: 'a state outside the enum', value: { '@type': META, state: 'CANCELED' }, path: '/state', keyword: 'enum' },
      { label: 'state as a number', value: { '@type': META, state: 5 }, path: '/state', keyword: 'enum' },
      { label: 'submitTime not RFC 3339', value: { '@type': META, submitTime: '2024-05-01 12:00' }, path: '/submitTime', keyword: 'format' },
      { label: 'a different @type', value: { '@type': 'type.googleapis.com/google.cloud.translation.v3.BatchTranslateMetadata', state: 'RUNNING' }, path: '/@type', keyword: 'const' },
      { label: 'no @type', value: { state: 'RUNNING' }, path: '/', keyword: 'required' },
    ],
  },
};

test.describe('schemas', () => {
  test('every schema compiles under Ajv strict mode without a single warning', () => {
    const complain = (...args: unknown[]) => { throw new Error(`Ajv logged: ${args.map(String).join(' ')}`); };
    const ajv = createAjv({ log: complain, warn: complain, error: complain });
    for (const name of SCHEMA_NAMES) {
      const schema = loadSchema(name);
      expect(schema.$schema, name).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id, name).toBe(`https://lro-cancel-conformance.test/schemas/${name}.schema.json`);
      expect(ajv.getSchema(schema.$id as string), name).toBeInstanceOf(Function);
    }
  });

  test('every schema has good and bad examples', () => {
    for (const name of SCHEMA_NAMES) {
      expect(CASES[name].good.length, `${name} good examples`).toBeGreaterThanOrEqual(3);
      expect(CASES[name].bad.length, `${name} bad examples`).toBeGreaterThanOrEqual(4);
    }
  });

  for (const name of SCHEMA_NAMES) {
    test.describe(name, () => {
      for (const [label, value] of CASES[name].good) {
        test(`accepts ${label}`, () => {
          const result = validate(name, value);
          expect(result.valid, result.valid ? '' : formatIssues(name, result.errors)).toBe(true);
          expect(() => assertSchema(name, value)).not.toThrow();
        });
      }
      for (const { label, value, path, keyword } of CASES[name].bad) {
        test(`rejects ${label} at ${path}`, () => {
          const result = validate(name, value);
          expect(result.valid, `${name} accepted ${JSON.stringify(value)}`).toBe(false);
          if (result.valid) return;
          const issue = result.errors.find((e) => e.path === path && (keyword === undefined || e.keyword === keyword));
          expect(issue, `an issue at ${path}${keyword ? ` (${keyword})` : ''} among:\n${formatIssues(name, result.errors)}`).toBeDefined();
          expect(() => assertSchema(name, value)).toThrow(`${name}.schema.json: ${path} ${issue!.message}`);
        });
      }
    });
  }
});

test.describe('issue reporting', () => {
  test('formats one readable line per issue, with the JSON path', () => {
    const result = validate('operation', { name: OP, done: true, error: { code: 'CANCELLED' } });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.errors).toEqual([{ path: '/error/code', message: 'must be integer', keyword: 'type' }]);
    expect(formatIssues('operation', result.errors)).toBe('operation.schema.json: /error/code must be integer');
  });

  test('explains the Operation invariant instead of a bare combinator message', () => {
    const both = validate('operation', { name: OP, done: true, error: cancelledStatus, response: RESPONSE });
    expect(both.valid ? [] : formatIssues('operation', both.errors)).toBe('operation.schema.json: / done is true: exactly one of error or response must be set');
    const early = validate('operation', { name: OP, error: cancelledStatus });
    expect(early.valid ? [] : formatIssues('operation', early.errors)).toBe('operation.schema.json: /error must be absent (or null) while done is false or absent');
  });

  test('points at the unknown member itself, escaping the JSON pointer', () => {
    const result = validate('empty', { 'a/b~c': 1 });
    expect(result.valid).toBe(false);
    expect(result.valid ? [] : result.errors).toEqual([{ path: '/a~1b~0c', message: 'is not allowed here (unknown member)', keyword: 'additionalProperties' }]);
  });

  test('reports every issue at once (allErrors)', () => {
    const result = validate('batch-translate-document-metadata', { '@type': META, totalPages: 1, failedPages: 2, state: 'DONE' });
    expect(result.valid ? [] : result.errors.map((e) => e.path).sort()).toEqual(['/failedPages', '/state', '/totalPages']);
  });

  test('assertSchema names the schema and lists the issues', () => {
    expect(() => assertSchema('error-envelope', { error: { code: 403, message: 'm', status: 'permission_denied' } })).toThrow(
      /value does not match error-envelope\.schema\.json:\nerror-envelope\.schema\.json: \/error\/status must be equal to one of the allowed values: "OK", "CANCELLED"/,
    );
  });
});

test.describe('validators kept between processes (Ajv standalone code)', () => {
  // Beside the real one: the kept code requires Ajv's runtime from node_modules.
  const made: string[] = [];
  const keptIn = () => {
    mkdirSync(dirname(keptValidatorsFile()), { recursive: true });
    made.push(mkdtempSync(join(dirname(keptValidatorsFile()), 'selftest-')));
    return join(made.at(-1)!, 'validators.cjs');
  };
  test.afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const errorsOf = (fn: ValidateFunction, value: unknown) => {
    fn(value);
    return (fn.errors ?? []).map((e) => ({ at: e.instancePath, keyword: e.keyword, params: e.params, message: e.message, description: (e.parentSchema as { description?: unknown } | undefined)?.description }));
  };

  test('the kept code gives every case the verdict and errors a fresh compile gives', () => {
    const file = keptIn();
    loadValidators(file);
    expect(readFileSync(file, 'utf8')).toContain('exports.operation');
    const kept = loadValidators(file);
    const ajv = createAjv();
    for (const name of SCHEMA_NAMES) {
      const fresh = ajv.getSchema(loadSchema(name).$id as string)!;
      expect(kept[name], `${name} comes from the kept file`).toBe((createRequire(import.meta.url)(file) as Record<string, unknown>)[name]);
      for (const value of [...CASES[name].good.map(([, v]) => v), ...CASES[name].bad.map((b) => b.value)]) {
        expect(kept[name](value), `${name}: ${JSON.stringify(value)}`).toBe(fresh(value));
        expect(errorsOf(kept[name], value)).toEqual(errorsOf(fresh, value));
      }
    }
  });

  test('a kept file that does not load is compiled anew and replaced', () => {
    const file = keptIn();
    writeFileSync(file, 'module.exports = { operation: 42 };');
    expect(loadValidators(file).operation({ name: 'operations/x' })).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('exports.operation');
  });

  test('the kept file is named by the schemas and the Ajv versions', () => {
    expect(keptValidatorsFile()).toMatch(/node_modules\/\.cache\/lro-cancel-conformance\/validators-[0-9a-f]{16}\.cjs$/);
  });
});
