// google.rpc.Code with the HTTP mapping from the comments in google/rpc/code.proto,
// the AIP-193 error envelope, and the one place that writes an error reply.
import type { FastifyReply } from 'fastify';

export const RPC_CODES = {
  OK: { code: 0, http: 200 },
  CANCELLED: { code: 1, http: 499 },
  UNKNOWN: { code: 2, http: 500 },
  INVALID_ARGUMENT: { code: 3, http: 400 },
  DEADLINE_EXCEEDED: { code: 4, http: 504 },
  NOT_FOUND: { code: 5, http: 404 },
  ALREADY_EXISTS: { code: 6, http: 409 },
  PERMISSION_DENIED: { code: 7, http: 403 },
  RESOURCE_EXHAUSTED: { code: 8, http: 429 },
  FAILED_PRECONDITION: { code: 9, http: 400 },
  ABORTED: { code: 10, http: 409 },
  OUT_OF_RANGE: { code: 11, http: 400 },
  UNIMPLEMENTED: { code: 12, http: 501 },
  INTERNAL: { code: 13, http: 500 },
  UNAVAILABLE: { code: 14, http: 503 },
  DATA_LOSS: { code: 15, http: 500 },
  UNAUTHENTICATED: { code: 16, http: 401 },
} as const;

export type RpcName = keyof typeof RPC_CODES;

export const SERVICE = 'translate.googleapis.com';
/** The domain of the reasons in google/api/error_reason.proto (the auth ones). */
export const GOOGLE_DOMAIN = 'googleapis.com';
/** What Google's front ends write; fastify itself writes lowercase utf-8. */
export const GOOGLE_JSON_TYPE = 'application/json; charset=UTF-8';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

export interface FieldViolation {
  /** Google leaves it out when the payload could not be parsed at all. */
  field?: string;
  description: string;
}

export interface ErrorDetail {
  /** UPPER_SNAKE reason; auth reasons come from google/api/error_reason.proto. */
  reason: string;
  /** googleapis.com for the reasons of error_reason.proto, the service name otherwise. */
  domain?: string;
  metadata?: Record<string, string>;
  fieldViolations?: FieldViolation[];
  headers?: Record<string, string>;
  /** Overrides the HTTP status of the rpc code (a fault answers UNIMPLEMENTED with 200). */
  httpStatus?: number;
}

export class ApiError extends Error {
  constructor(
    readonly rpc: RpcName,
    message: string,
    readonly detail: ErrorDetail,
  ) {
    super(message);
  }
}

/** How envelopes are written: profiles set the house style, faults switch parts of it off. */
export interface ErrorStyle {
  rpcCodeInBody?: boolean;
  omitErrorInfo?: boolean;
  /** 'auth': ErrorInfo only for error_reason.proto reasons (domain googleapis.com), as Google does. */
  errorInfo?: 'all' | 'auth';
  /** ErrorInfo domain and metadata.service of the server's own reasons. */
  service?: string;
  jsonType?: string;
  plainText?: boolean;
  omitChallenge?: boolean;
  omitChallengeOn403?: boolean;
}

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  body: string;
}

/** Pure: the reply for an error, given the called method (for ErrorInfo metadata) and the style. */
export function renderError(err: ApiError, method: string | undefined, style: ErrorStyle = {}): ErrorReply {
  const { code, http } = RPC_CODES[err.rpc];
  const status = err.detail.httpStatus ?? http;
  const headers = style.omitChallenge || (style.omitChallengeOn403 && status === 403) ? {} : { ...err.detail.headers };
  if (style.plainText) return { status, headers, contentType: 'text/plain; charset=utf-8', body: `Error: ${err.message}` };
  const service = style.service ?? SERVICE;
  const withInfo = !style.omitErrorInfo && (style.errorInfo !== 'auth' || err.detail.domain === GOOGLE_DOMAIN);
  const metadata = { service, ...(method ? { method } : {}), ...err.detail.metadata };
  const details = [
    ...(err.detail.fieldViolations?.length ? [{ '@type': BAD_REQUEST_TYPE, fieldViolations: err.detail.fieldViolations }] : []),
    ...(withInfo ? [{ '@type': ERROR_INFO_TYPE, reason: err.detail.reason, domain: err.detail.domain ?? service, metadata }] : []),
  ];
  const error = { code: style.rpcCodeInBody ? code : http, message: err.message, status: err.rpc, ...(details.length ? { details } : {}) };
  return { status, headers, contentType: style.jsonType ?? GOOGLE_JSON_TYPE, body: JSON.stringify({ error }) };
}

export function sendError(reply: FastifyReply, err: ApiError, method: string | undefined, style?: ErrorStyle): FastifyReply {
  const r = renderError(err, method, style);
  return reply.code(r.status).headers(r.headers).type(r.contentType).send(r.body);
}

/** Maps fastify's own errors (body too large, bad media type, ...) onto rpc codes. */
const FASTIFY_ERRORS: Record<string, { rpc: RpcName; reason: string; message: (e: Error) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { rpc: 'INVALID_ARGUMENT', reason: 'PAYLOAD_TOO_LARGE', message: () => `Request payload size exceeds the limit: ${BODY_LIMIT} bytes.` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { rpc: 'INVALID_ARGUMENT', reason: 'UNSUPPORTED_MEDIA_TYPE', message: () => 'Invalid JSON payload received. Unsupported media type.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { rpc: 'INVALID_ARGUMENT', reason: 'INVALID_CONTENT_LENGTH', message: () => 'Invalid JSON payload received. Bad content length.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { rpc: 'INVALID_ARGUMENT', reason: 'MALFORMED_JSON', message: () => 'Invalid JSON payload received. Unexpected end of string.' },
};

export const BODY_LIMIT = 1024 * 1024;

/** Reverse mapping for fastify errors that only carry an HTTP status; ambiguous statuses pick the usual code. */
const HTTP_TO_RPC: Record<number, RpcName> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 405: 'NOT_FOUND',
  409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};
export const httpToRpc = (status: number): RpcName => HTTP_TO_RPC[status] ?? (status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL');

/** Any thrown value becomes an ApiError; unexpected ones become INTERNAL without leaking a stack. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as Error & { code?: string; statusCode?: number };
  const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
  if (known) return new ApiError(known.rpc, known.message(err), { reason: known.reason });
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  const rpc = httpToRpc(status);
  return new ApiError(rpc, status < 500 ? String(err.message) : 'Internal error encountered.', { reason: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR' });
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', what, { reason: 'NOT_FOUND' });
export const methodNotFound = () => new ApiError('NOT_FOUND', 'Method not found.', { reason: 'METHOD_NOT_FOUND' });
export const invalidArgument = (message: string, reason: string, fieldViolations?: FieldViolation[]) =>
  new ApiError('INVALID_ARGUMENT', message, { reason, fieldViolations });
/** A payload Google could not read: the message again as the one field violation, as its front end does. */
export const invalidPayload = (message: string, reason: string, field?: string) =>
  invalidArgument(message, reason, [{ ...(field ? { field } : {}), description: message }]);
/** IAM's refusal (IAM_PERMISSION_DENIED of error_reason.proto): no role in the project, or a fault's pretence of it. */
export const permissionDenied = (message: string, metadata: Record<string, string>) =>
  new ApiError('PERMISSION_DENIED', message, { reason: 'IAM_PERMISSION_DENIED', domain: GOOGLE_DOMAIN, metadata });
export const UNAVAILABLE_MESSAGE = 'The service is currently unavailable.';
export const unavailable = () => new ApiError('UNAVAILABLE', UNAVAILABLE_MESSAGE, { reason: 'SERVICE_UNAVAILABLE' });
