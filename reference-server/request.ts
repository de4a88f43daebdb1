// Reading request bodies as proto3 JSON: the raw text is classified first (so the cancel body
// policy can be a table), then checked against a small message schema.
import { invalidArgument, invalidPayload, type FieldViolation } from './errors';
import type { Json } from './store';

export type ParsedBody = { kind: 'zeroLength' } | { kind: 'malformed'; message: string } | { kind: 'object'; value: Json };

export function parseBody(raw: unknown): ParsedBody {
  const text = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
  if (!text.trim()) return { kind: 'zeroLength' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'malformed', message: `Invalid JSON payload received. ${(e as Error).message}.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', message: `Invalid JSON payload received. Expected an object at the root, got ${Array.isArray(value) ? 'an array' : typeof value}.` };
  }
  return { kind: 'object', value: value as Json };
}

type FieldType = 'string' | 'bool' | 'stringMap' | 'anyMap' | { list: FieldType } | { message: Schema };

export interface Schema {
  fields: Record<string, FieldType>;
  /** Required fields; a list must be non-empty, a string non-blank. */
  required?: string[];
  /** Exactly one member of this oneof must be set. */
  oneof?: { name: string; members: string[] };
}

/** proto3 JSON parsers accept the original snake_case names too. */
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

const typeOk: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  stringMap: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string'),
  anyMap: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/** Throws INVALID_ARGUMENT for unknown names and wrong types (parse errors); returns missing-field violations. */
export function checkMessage(value: unknown, schema: Schema, path = ''): FieldViolation[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidPayload(`Invalid JSON payload received. Expected an object at '${path || 'root'}'.`, 'MALFORMED_JSON');
  }
  const where = path ? ` at '${path}'` : '';
  const violations: FieldViolation[] = [];
  const present = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key);
    // Own fields only: "constructor" or "toString" must not find Object.prototype's members.
    const type = Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    if (!type) throw invalidPayload(`Invalid JSON payload received. Unknown name "${key}"${where}: Cannot find field.`, 'UNKNOWN_FIELD', path ? `${path}.${key}` : key);
    if (v !== null) present.set(name, v);
    violations.push(...checkField(v, type, path ? `${path}.${name}` : name));
  }
  for (const name of schema.required ?? []) {
    if (isEmpty(present.get(name))) violations.push({ field: path ? `${path}.${name}` : name, description: 'Field is required' });
  }
  const set = schema.oneof?.members.filter((m) => !isEmpty(present.get(m))) ?? [];
  if (schema.oneof && set.length !== 1) {
    violations.push({ field: path ? `${path}.${schema.oneof.name}` : schema.oneof.name, description: set.length ? 'Only one of the oneof members may be set' : `One of ${schema.oneof.members.join(', ')} is required` });
  }
  return violations;
}

function checkField(v: unknown, type: FieldType, path: string): FieldViolation[] {
  if (v === null) return [];
  if (typeof type === 'string') {
    if (!typeOk[type](v)) throw invalidArgument(`Invalid value at '${path}' (${type}), ${JSON.stringify(v)}`, 'INVALID_VALUE', [{ field: path, description: `Expected ${type}` }]);
    return [];
  }
  if ('list' in type) {
    if (!Array.isArray(v)) throw invalidArgument(`Invalid value at '${path}': expected a list.`, 'INVALID_VALUE', [{ field: path, description: 'Expected a list' }]);
    return v.flatMap((item, i) => checkField(item, type.list, `${path}[${i}]`));
  }
  return checkMessage(v, type.message, path);
}

const uriHolder = (field: string): Schema => ({ fields: { [field]: 'string' }, required: [field] });

/** BatchTranslateDocumentRequest; sources and destinations accept both the GCS (public v3) and S3 (GDC) forms. */
export const BATCH_TRANSLATE_DOCUMENT: Schema = {
  fields: {
    parent: 'string',
    sourceLanguageCode: 'string',
    targetLanguageCodes: { list: 'string' },
    inputConfigs: {
      list: { message: { fields: { gcsSource: { message: uriHolder('inputUri') }, s3Source: { message: uriHolder('inputUri') } }, oneof: { name: 'source', members: ['gcsSource', 's3Source'] } } },
    },
    outputConfig: {
      message: {
        fields: { gcsDestination: { message: uriHolder('outputUriPrefix') }, s3Destination: { message: uriHolder('outputUriPrefix') } },
        oneof: { name: 'destination', members: ['gcsDestination', 's3Destination'] },
      },
    },
    models: 'stringMap',
    glossaries: 'anyMap',
    formatConversions: 'stringMap',
    customizedAttribution: 'string',
    enableShadowRemovalNativePdf: 'bool',
    enableRotationCorrection: 'bool',
  },
  required: ['sourceLanguageCode', 'targetLanguageCodes', 'inputConfigs', 'outputConfig'],
};

export const WAIT_OPERATION: Schema = { fields: { timeout: 'string' } };

/** CancelOperationRequest: `name` is a field of it (transcoders let it override the path), nothing else is. */
export const CANCEL_OPERATION: Schema = { fields: { name: 'string' } };

/** The input URIs of a checked BatchTranslateDocumentRequest (snake or camel case). */
export function inputUris(body: Json): string[] {
  const configs = (body.inputConfigs ?? body.input_configs ?? []) as Json[];
  return configs.map((c) => {
    const source = (c.gcsSource ?? c.gcs_source ?? c.s3Source ?? c.s3_source ?? {}) as Json;
    return String(source.inputUri ?? source.input_uri ?? '');
  });
}

export const targetCount = (body: Json) => ((body.targetLanguageCodes ?? body.target_language_codes ?? []) as unknown[]).length;

/** google.protobuf.Duration JSON: "3.5s". */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(s);
  return m ? Number(m[1]) * 1000 + Number(`0.${m[2] ?? '0'}`) * 1000 : undefined;
}
