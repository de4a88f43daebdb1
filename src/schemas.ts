// JSON Schemas (2020-12) of the wire shapes the suite checks, compiled once with Ajv in strict mode.
// The schema files live in schemas/; they reference each other by $id.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

export type SchemaName =
  | 'operation'
  | 'status'
  | 'error-envelope'
  | 'empty'
  | 'error-info'
  | 'list-operations-response'
  | 'batch-translate-document-metadata';

export const SCHEMA_NAMES: readonly SchemaName[] = [
  'operation', 'status', 'error-envelope', 'empty', 'error-info', 'list-operations-response', 'batch-translate-document-metadata',
];

export interface SchemaIssue {
  /** JSON pointer into the checked value; '/' is the value itself. */
  path: string;
  message: string;
  /** The failing JSON Schema keyword, e.g. 'type', 'required', 'oneOf'. */
  keyword: string;
}

export type ValidationResult = { valid: true } | { valid: false; errors: SchemaIssue[] };

export const schemaFile = (name: SchemaName) => `${name}.schema.json`;

/** The parsed schema document, read from schemas/ next to src/. */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../schemas/${schemaFile(name)}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

type AddFormats = (ajv: Ajv2020) => Ajv2020;

/** A strict Ajv with every schema added. The logger lets a caller turn warnings into failures. */
export function createAjv(logger?: { log(...a: unknown[]): unknown; warn(...a: unknown[]): unknown; error(...a: unknown[]): unknown }): Ajv2020 {
  // Required on first use (both are CommonJS): the runner lists the tests without validating anything.
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as AddFormats | { default: AddFormats };
  const addFormats = 'default' in formats ? formats.default : formats;
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, ...(logger ? { logger } : {}) });
  addFormats(ajv);
  for (const name of SCHEMA_NAMES) ajv.addSchema(loadSchema(name));
  return ajv;
}

let shared: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();
/** Compiled on first use, one schema (and what it references) at a time. */
function validatorFor(name: SchemaName): ValidateFunction {
  let validator = compiled.get(name);
  if (!validator) {
    shared ??= createAjv();
    compiled.set(name, (validator = shared.getSchema(loadSchema(name).$id as string)!));
  }
  return validator;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** One readable issue per Ajv error. A failing `not`/`oneOf` whose schema has a description says that description instead. */
function toIssue(e: ErrorObject): SchemaIssue {
  const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
  const explained = ['not', 'oneOf', 'anyOf'].includes(e.keyword) && typeof description === 'string';
  let path = e.instancePath;
  let message = explained ? description : (e.message ?? e.keyword);
  if (e.keyword === 'additionalProperties') {
    path += `/${escapePointer(String(e.params.additionalProperty))}`;
    message = 'is not allowed here (unknown member)';
  } else if (e.keyword === 'enum') {
    message += `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message += ` ${JSON.stringify(e.params.allowedValue)}`;
  }
  return { path: path || '/', message, keyword: e.keyword };
}

export function validate(name: SchemaName, value: unknown): ValidationResult {
  const fn = validatorFor(name);
  if (fn(value)) return { valid: true };
  const errors = fn.errors ?? [];
  // The `if` error ("must match then/else schema") only repeats what the branch's own errors say.
  const meaningful = errors.filter((e) => e.keyword !== 'if');
  return { valid: false, errors: (meaningful.length ? meaningful : errors).map(toIssue) };
}

/** One line per issue: `operation.schema.json: /error/code must be integer`. */
export function formatIssues(name: SchemaName, issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `${schemaFile(name)}: ${i.path} ${i.message}`).join('\n');
}

/** Throws an Error listing every issue when the value does not match the schema. */
export function assertSchema(name: SchemaName, value: unknown): void {
  const result = validate(name, value);
  if (!result.valid) throw new Error(`value does not match ${schemaFile(name)}:\n${formatIssues(name, result.errors)}`);
}
