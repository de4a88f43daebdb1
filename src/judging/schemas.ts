// JSON Schemas (2020-12) of the wire shapes the suite checks, compiled once with Ajv in strict mode.
// The schema files live in schemas/; they reference each other by $id.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
  return JSON.parse(readFileSync(new URL(`../../schemas/${schemaFile(name)}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

type AddFormats = (ajv: Ajv2020) => Ajv2020;

type Logger = { log(...a: unknown[]): unknown; warn(...a: unknown[]): unknown; error(...a: unknown[]): unknown };
// Required on first use (all CommonJS): the runner lists the tests without validating anything.
const require = createRequire(import.meta.url);

/** A strict Ajv with every schema added. The logger lets a caller turn warnings into failures. */
export function createAjv(logger?: Logger, { source = false } = {}): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as AddFormats | { default: AddFormats };
  const addFormats = 'default' in formats ? formats.default : formats;
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, ...(logger ? { logger } : {}), ...(source ? { code: { source: true } } : {}) });
  addFormats(ajv);
  for (const name of SCHEMA_NAMES) ajv.addSchema(loadSchema(name));
  return ajv;
}

/**
 * Compiling the schemas costs each worker ~0.1 s, and a run starts a worker again after every failed
 * test. Ajv's standalone code of all of them is kept in npm's cache folder, named by a hash of the
 * schema files and the Ajv versions, so a changed schema or Ajv compiles anew.
 */
export function keptValidatorsFile(): string {
  const hash = createHash('sha256');
  for (const pkg of ['ajv/package.json', 'ajv-formats/package.json']) hash.update(String((require(pkg) as { version: string }).version));
  for (const name of SCHEMA_NAMES) hash.update(readFileSync(new URL(`../../schemas/${schemaFile(name)}`, import.meta.url)));
  return join(import.meta.dirname, `../node_modules/.cache/lro-cancel-conformance/validators-${hash.digest('hex').slice(0, 16)}.cjs`);
}

type Validators = Record<SchemaName, ValidateFunction>;

/** Every schema's validator: the kept standalone code, else compiled now (and kept for the next process). */
export function loadValidators(file = keptValidatorsFile()): Validators {
  try {
    const kept = require(file) as Partial<Validators>;
    if (SCHEMA_NAMES.every((name) => typeof kept[name] === 'function')) return kept as Validators;
  } catch {
    // not kept yet, or unreadable: compiled below
  }
  const ajv = createAjv(undefined, { source: true });
  const ids = Object.fromEntries(SCHEMA_NAMES.map((name) => [name, loadSchema(name).$id as string]));
  const validators = Object.fromEntries(SCHEMA_NAMES.map((name) => [name, ajv.getSchema(ids[name]!)!])) as Validators;
  try {
    const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, standaloneCode(ajv, ids));
    renameSync(temp, file);
  } catch {
    // a read-only checkout: each process compiles
  }
  return validators;
}

let validators: Validators | undefined;
const validatorFor = (name: SchemaName): ValidateFunction => (validators ??= loadValidators())[name];

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
