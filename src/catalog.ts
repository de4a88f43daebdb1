// The requirement catalog: the single authority for IDs, levels and sources.
// Tests name these IDs; the summary reporter folds results per ID.

export type Level = 'MUST' | 'SHOULD';

export interface Requirement {
  readonly id: string;
  readonly level: Level;
  /** MUST only when the target does not support cancel (CONTRACT: MUST*). */
  readonly conditional?: 'unimplemented' | 'supported';
  readonly feature: string;
  readonly title: string;
  readonly source: string;
  readonly link: string;
}

const GDC_CANCEL =
  'https://cloud.google.com/distributed-cloud/hosted/docs/latest/gdch/apis/vertex-ai/translation/rest/v3/projects.operations/cancel';
const OPERATIONS_PROTO =
  'https://github.com/googleapis/googleapis/blob/master/google/longrunning/operations.proto';
const AIP_193 = 'https://google.aip.dev/193';
const RFC_6750 = 'https://www.rfc-editor.org/rfc/rfc6750#section-3';
const PROTO3_JSON = 'https://protobuf.dev/programming-guides/json/';

const r = (
  id: string,
  level: Level,
  feature: string,
  title: string,
  source: string,
  link: string,
  conditional?: Requirement['conditional'],
): Requirement => ({ id, level, feature, title, source, link, ...(conditional ? { conditional } : {}) });

export const CATALOG: readonly Requirement[] = [
  r('cancel.request.empty-object', 'MUST', 'Request body', 'A `{}` JSON body is accepted',
    'The request body must be empty. (The official Node client sends `{}` with a JSON content type.)', GDC_CANCEL, 'supported'),
  r('cancel.request.zero-length', 'SHOULD', 'Request body', 'A zero-length body is accepted',
    'The request body must be empty. (The official Python client sends zero bytes.)', GDC_CANCEL, 'supported'),
  r('cancel.request.unknown-field', 'SHOULD', 'Request body', 'An unknown field gets 400 INVALID_ARGUMENT and leaves the operation untouched',
    'The request body must be empty. Google rejects it with "Invalid JSON payload received. Unknown name".', GDC_CANCEL, 'supported'),
  r('cancel.request.malformed-json', 'SHOULD', 'Request body', 'Malformed JSON gets 400 and leaves the operation untouched',
    'The request body must be empty.', GDC_CANCEL, 'supported'),
  r('cancel.request.wrong-method', 'SHOULD', 'Request body', 'GET, PUT or DELETE on :cancel is refused (404/405) and does not cancel',
    'HTTP request: POST https://{endpoint}/v3/{name}:cancel', GDC_CANCEL),
  r('cancel.response.empty', 'MUST', 'Response body', 'A successful cancel is 2xx with an empty body or exactly `{}`',
    'If successful, the response body is empty.', GDC_CANCEL, 'supported'),
  r('cancel.response.json', 'SHOULD', 'Response body', 'A successful cancel is 200 `{}` with a JSON content type',
    'If successful, the response body is empty. (google.protobuf.Empty is `{}` in proto3 JSON; the Node client rejects a zero-length reply.)', PROTO3_JSON, 'supported'),
  r('cancel.auth.translation-scope', 'MUST', 'Authorization', 'A token holding only cloud-translation is accepted',
    'Requires one of the following OAuth scopes: https://www.googleapis.com/auth/cloud-translation, https://www.googleapis.com/auth/cloud-platform', GDC_CANCEL),
  r('cancel.auth.platform-scope', 'MUST', 'Authorization', 'A token holding only cloud-platform is accepted',
    'Requires one of the following OAuth scopes: https://www.googleapis.com/auth/cloud-translation, https://www.googleapis.com/auth/cloud-platform', GDC_CANCEL),
  r('cancel.auth.insufficient-scope', 'MUST', 'Authorization', 'Every token without either scope gets 403 PERMISSION_DENIED',
    'Requires one of the following OAuth scopes. (AIP-193: PERMISSION_DENIED with ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT.)', AIP_193),
  r('cancel.auth.missing', 'MUST', 'Authorization', 'No credentials gets 401 UNAUTHENTICATED',
    'Requires one of the following OAuth scopes. (RFC 6750 section 3: a request without credentials gets 401.)', RFC_6750),
  r('cancel.auth.invalid', 'MUST', 'Authorization', 'A malformed, forged or expired token gets 401 UNAUTHENTICATED',
    'RFC 6750 section 3.1: invalid_token, "The access token provided is expired, revoked, malformed, or invalid".', RFC_6750),
  r('cancel.auth.challenge', 'SHOULD', 'Authorization', '401 and 403 carry an RFC 6750 WWW-Authenticate challenge and the ErrorInfo reason',
    'RFC 6750 section 3: the resource server MUST include the WWW-Authenticate response header field.', RFC_6750),
  r('cancel.auth.no-side-effect', 'MUST', 'Authorization', 'A refused cancel leaves the operation running and still cancellable',
    'On an authorization failure the call has no effect (AIP-193: the request was rejected).', AIP_193),
  r('cancel.unimplemented.status', 'MUST', 'Unimplemented fallback', 'A target without cancel answers 501 with the UNIMPLEMENTED envelope',
    "If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED.", GDC_CANCEL, 'unimplemented'),
  r('cancel.unimplemented.no-side-effect', 'MUST', 'Unimplemented fallback', 'An UNIMPLEMENTED cancel leaves the operation unaffected',
    "If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED.", GDC_CANCEL, 'unimplemented'),
  r('cancel.outcome.exists', 'MUST', 'Cancelled operation', 'A cancelled operation still answers GET 200 with the same name',
    'On successful cancellation, the operation is not deleted.', GDC_CANCEL, 'supported'),
  r('cancel.outcome.error-code', 'MUST', 'Cancelled operation', 'A cancelled operation is done with error.code === 1 (a number) and no response',
    'It becomes an operation with an Operation.error value with a google.rpc.Status.code of 1, corresponding to Code.CANCELLED.', GDC_CANCEL, 'supported'),
  r('cancel.outcome.exclusive-result', 'MUST', 'Cancelled operation', 'Every observed state obeys the Operation invariants (no result while running, exactly one when done)',
    'If done == false, neither error or response is set. If done == true, exactly one of error or response can be set.', OPERATIONS_PROTO, 'supported'),
  r('cancel.outcome.completed-anyway', 'MUST', 'Best effort', '"Completed despite cancellation" is a valid, well-formed result',
    'The server makes a best effort to cancel the operation, but success is not guaranteed. Clients can check whether the operation completed despite cancellation.', GDC_CANCEL, 'supported'),
  r('cancel.outcome.listed', 'SHOULD', 'Cancelled operation', 'A cancelled operation is still listed',
    'On successful cancellation, the operation is not deleted.', GDC_CANCEL, 'supported'),
  r('cancel.outcome.wait', 'SHOULD', 'Cancelled operation', ':wait returns the cancelled operation at once',
    'WaitOperation: waits until the specified long-running operation is done or reaching at most a specified timeout, returning the latest state.', OPERATIONS_PROTO, 'supported'),
  r('cancel.outcome.metadata-state', 'SHOULD', 'Cancelled operation', 'Translation metadata reaches CANCELLED (CANCELLING in between)',
    'BatchTranslateDocumentMetadata.state: CANCELLING, the batch is being cancelled; CANCELLED, the batch is done after being cancelled.', 'https://cloud.google.com/translate/docs/reference/rest/v3/BatchTranslateDocumentMetadata', 'supported'),
  r('cancel.semantics.idempotent', 'SHOULD', 'Semantics', 'A repeated cancel succeeds and the operation stays cancelled',
    'The clients treat CancelOperation as idempotent and retry it.', OPERATIONS_PROTO, 'supported'),
  r('cancel.semantics.finished-unchanged', 'MUST', 'Semantics', 'Cancelling a finished operation changes nothing',
    'The server makes a best effort to cancel the operation; a finished operation has its result.', GDC_CANCEL, 'supported'),
  r('cancel.semantics.not-found', 'SHOULD', 'Semantics', 'An unknown operation name gets 404 NOT_FOUND (or 403)',
    'AIP-193: NOT_FOUND for a resource that does not exist; PERMISSION_DENIED when permission is checked first.', AIP_193, 'supported'),
  r('cancel.semantics.malformed-name', 'SHOULD', 'Semantics', 'A malformed name gets 400 or 404, never 5xx',
    'The name of the operation resource to be cancelled.', GDC_CANCEL, 'supported'),
  r('cancel.semantics.concurrent', 'SHOULD', 'Semantics', 'Parallel cancels all succeed and leave one consistent final state',
    'The clients treat CancelOperation as idempotent and retry it.', OPERATIONS_PROTO, 'supported'),
  r('errors.envelope', 'MUST', 'Error model', 'Every error is JSON in the Status model with an HTTP status matching its code',
    'AIP-193: errors use google.rpc.Status; in HTTP/JSON, {"error": {"code": <HTTP status>, "message", "status", "details"}}.', AIP_193),
  r('errors.error-info', 'SHOULD', 'Error model', 'Errors carry a google.rpc.ErrorInfo',
    'AIP-193: all error responses MUST include a google.rpc.ErrorInfo within status.details.', AIP_193),
];

const BY_ID = new Map(CATALOG.map((req) => [req.id, req]));

export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown requirement ID "${id}": it is not in src/catalog.ts`);
  return found;
}

export const isRequirementId = (id: string): boolean => BY_ID.has(id);
