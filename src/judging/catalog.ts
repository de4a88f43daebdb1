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
  /** Verbatim from `link` when `basis` is 'verbatim'; otherwise it starts by saying what it is derived from. */
  readonly source: string;
  readonly basis: 'verbatim' | 'derived';
  readonly link: string;
  /**
   * MUST only: why the level is MUST when the quoted source carries no MUST-level words, or a lower
   * one (RFC 2119 SHOULD, "best effort"). selftest/unit/catalog-levels.spec.ts requires it there.
   */
  readonly levelBasis?: string;
}

// The GDC page for projects.operations.cancel carries the same text as the public v3 page.
const GDC_CANCEL =
  'https://cloud.google.com/distributed-cloud/hosted/docs/latest/gdch/apis/vertex-ai/translation/rest/v3/projects.operations/cancel';
const OPERATIONS_PROTO =
  'https://github.com/googleapis/googleapis/blob/master/google/longrunning/operations.proto';
const TRANSLATION_PROTO =
  'https://github.com/googleapis/googleapis/blob/master/google/cloud/translate/v3/translation_service.proto';
const AIP_193 = 'https://google.aip.dev/193';
const AIP_211 = 'https://google.aip.dev/211';
const RFC_6750 = 'https://www.rfc-editor.org/rfc/rfc6750#section-3';
const PROTO3_JSON = 'https://protobuf.dev/programming-guides/json/';
const GDC_API_OVERVIEW = 'https://cloud.google.com/distributed-cloud/hosted/docs/latest/gdch/apis/vertex-ai-api-overview';

// Sentences of the cancel page (verbatim).
const BEST_EFFORT = 'Starts asynchronous cancellation on a long-running operation. The server makes a best effort to cancel the operation, but success is not guaranteed.';
const UNIMPLEMENTED = "If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED.";
const DESPITE = 'Clients can use Operations.GetOperation or other methods to check whether the cancellation succeeded or whether the operation completed despite cancellation.';
const CANCELLED_CODE = 'On successful cancellation, the operation is not deleted; instead, it becomes an operation with an Operation.error value with a google.rpc.Status.code of 1, corresponding to Code.CANCELLED.';
const EMPTY_REQUEST = 'The request body must be empty.';
const EMPTY_RESPONSE = 'If successful, the response body is empty.';
const SCOPES = 'Requires one of the following OAuth scopes: https://www.googleapis.com/auth/cloud-translation https://www.googleapis.com/auth/cloud-platform';
const RESULT_ONEOF = 'If `done` == `false`, neither `error` nor `response` is set. If `done` == `true`, exactly one of `error` or `response` can be set.';
const RFC_6750_3 = 'If the protected resource request does not include authentication credentials or does not contain an access token that enables access to the protected resource, the resource server MUST include the HTTP "WWW-Authenticate" response header field';

type Entry = Omit<Requirement, 'conditional' | 'levelBasis'> & { conditional?: Requirement['conditional'] };
const r = (
  id: string,
  level: Level,
  feature: string,
  title: string,
  [basis, source]: ['verbatim' | 'derived', string],
  link: string,
  conditional?: Requirement['conditional'],
): Requirement => ({ id, level, feature, title, source, basis, link, ...(conditional ? { conditional } : {}) } satisfies Entry);
/** A MUST held above what its source says, and why. */
const raised = (req: Requirement, levelBasis: string): Requirement => ({ ...req, levelBasis });
const verbatim = (s: string): ['verbatim', string] => ['verbatim', s];
const derived = (s: string): ['derived', string] => ['derived', s];

export const CATALOG: readonly Requirement[] = [
  r('cancel.request.empty-object', 'MUST', 'Request body', 'A `{}` JSON body is accepted',
    derived(`From "${EMPTY_REQUEST}" and CancelOperationRequest, whose only field is name: an empty message, which the official Node client sends as {} with a JSON content type.`), GDC_CANCEL, 'supported'),
  r('cancel.request.zero-length', 'SHOULD', 'Request body', 'A zero-length body is accepted',
    derived(`From "${EMPTY_REQUEST}": zero bytes is the emptiest body, and what the official Python client sends.`), GDC_CANCEL, 'supported'),
  r('cancel.request.unknown-field', 'SHOULD', 'Request body', 'An unknown field gets 400 INVALID_ARGUMENT and leaves the operation untouched',
    derived(`From "${EMPTY_REQUEST}": a field CancelOperationRequest does not have is a bad request; Google's front ends answer "Invalid JSON payload received. Unknown name".`), GDC_CANCEL, 'supported'),
  r('cancel.request.malformed-json', 'SHOULD', 'Request body', 'Malformed JSON gets 400 and leaves the operation untouched',
    derived(`From "${EMPTY_REQUEST}": a body that is not a JSON object is not an empty request message.`), GDC_CANCEL, 'supported'),
  r('cancel.request.wrong-method', 'SHOULD', 'Request body', 'GET, PUT or DELETE on :cancel is refused (404/405, any body) and does not cancel',
    derived('From the HTTP request line "POST https://translate.googleapis.com/v3/{name=projects/*/locations/*/operations/*}:cancel": no other verb is mapped to CancelOperation; Google front ends answer a route miss with an HTML 404.'), GDC_CANCEL),
  r('cancel.response.empty', 'MUST', 'Response body', 'A successful cancel is 2xx with an empty body or exactly `{}`',
    verbatim(EMPTY_RESPONSE), GDC_CANCEL, 'supported'),
  r('cancel.response.json', 'SHOULD', 'Response body', 'A successful cancel is 200 `{}` with a JSON content type',
    derived(`From "${EMPTY_RESPONSE}" and proto3 JSON, where google.protobuf.Empty is {}; the official Node client rejects a zero-length reply ("Received null response").`), PROTO3_JSON, 'supported'),
  r('cancel.auth.translation-scope', 'MUST', 'Authorization', 'A token holding only cloud-translation is accepted',
    verbatim(SCOPES), GDC_CANCEL),
  r('cancel.auth.platform-scope', 'MUST', 'Authorization', 'A token holding only cloud-platform is accepted',
    verbatim(SCOPES), GDC_CANCEL),
  raised(r('cancel.auth.insufficient-scope', 'MUST', 'Authorization', 'Every token without either scope gets 403 PERMISSION_DENIED',
    derived(`From "${SCOPES}" and RFC 6750 section 3.1 (insufficient_scope: "The resource server SHOULD respond with the HTTP 403 (Forbidden) status code").`), GDC_CANCEL),
  'The refusal is the contract\'s own ("Requires one of the following OAuth scopes"); only the status is a SHOULD in RFC 6750. It is held at 403 ' +
    'PERMISSION_DENIED because the error model Google APIs follow (google/rpc/code.proto) gives that code to "The caller does not have permission to execute the specified operation" ' +
    'and maps it to 403, Google\'s front ends answer exactly that (fixtures/google-errors/403-insufficient-scope.json), and a 401 would tell the client to get a new token ' +
    '(RFC 6750: "The client MAY request a new access token and retry the protected resource request"), which would be refused again for the same scopes.'),
  r('cancel.auth.missing', 'MUST', 'Authorization', 'No credentials gets 401 UNAUTHENTICATED',
    derived(`From "${SCOPES}" (the method is not public) and RFC 6750 section 3, which answers a request without credentials with 401 and a challenge.`), RFC_6750),
  raised(r('cancel.auth.invalid', 'MUST', 'Authorization', 'A malformed, forged or expired token gets 401 UNAUTHENTICATED',
    verbatim('invalid_token: "The access token provided is expired, revoked, malformed, or invalid for other reasons. The resource SHOULD respond with the HTTP 401 (Unauthorized) status code."'), RFC_6750),
  'Refusing is not optional: a malformed, forged or expired token proves none of the scopes the method "Requires one of", and accepting it would let anyone cancel ' +
    'anyone\'s operation. The status is held at 401 UNAUTHENTICATED, above RFC 6750\'s SHOULD, because google/rpc/code.proto, the error model Google APIs follow, says ' +
    '"PERMISSION_DENIED must not be used if the caller can not be identified (use UNAUTHENTICATED instead for those errors)" and maps UNAUTHENTICATED to 401, ' +
    'and Google\'s front ends answer so (fixtures/google-errors/401-invalid-token.json).'),
  r('cancel.auth.challenge', 'SHOULD', 'Authorization', '401 and 403 carry an RFC 6750 WWW-Authenticate challenge and the ErrorInfo reason',
    verbatim(RFC_6750_3), RFC_6750),
  r('cancel.auth.no-side-effect', 'MUST', 'Authorization', 'A refused cancel has no effect on the operation, at once or after a quiet period',
    derived(`From "${SCOPES}": a caller without them may not cancel, so a refused cancel must have no effect.`), GDC_CANCEL),
  r('cancel.unimplemented.status', 'MUST', 'Unimplemented fallback', 'A target without cancel answers 501 with the UNIMPLEMENTED envelope',
    verbatim(UNIMPLEMENTED), GDC_CANCEL, 'unimplemented'),
  r('cancel.unimplemented.no-side-effect', 'MUST', 'Unimplemented fallback', 'An UNIMPLEMENTED cancel leaves the operation unaffected',
    derived(`From "${UNIMPLEMENTED}": a method the server does not support does nothing.`), GDC_CANCEL, 'unimplemented'),
  r('cancel.outcome.exists', 'MUST', 'Cancelled operation', 'A cancelled operation still answers GET 200 with the same name',
    verbatim(CANCELLED_CODE), GDC_CANCEL, 'supported'),
  r('cancel.outcome.error-code', 'MUST', 'Cancelled operation', 'A cancelled operation is done with error.code === 1 (a number) and no response',
    verbatim(CANCELLED_CODE), GDC_CANCEL, 'supported'),
  r('cancel.outcome.exclusive-result', 'MUST', 'Cancelled operation', 'Every observed state obeys the Operation invariants (no result while running, exactly one when done)',
    verbatim(RESULT_ONEOF), OPERATIONS_PROTO, 'supported'),
  raised(r('cancel.outcome.completed-anyway', 'MUST', 'Best effort', '"Completed despite cancellation" is a valid, well-formed result',
    verbatim(`"${BEST_EFFORT}" … "${DESPITE}"`), GDC_CANCEL, 'supported'),
  'The best effort is what makes completing anyway valid, so it never fails this requirement; what is held at MUST is the result such an operation reports: ' +
    'it is a done operation, whose Operation invariants hold as for any other ("If done == true, exactly one of error or response can be set."), ' +
    'and whose response and metadata are well formed, so that a client told to check "whether the operation completed despite cancellation" can read it.'),
  r('cancel.outcome.listed', 'SHOULD', 'Cancelled operation', 'A cancelled operation is still listed',
    derived(`From "${CANCELLED_CODE}": an operation that is not deleted is still listed by ListOperations.`), GDC_CANCEL, 'supported'),
  r('cancel.outcome.wait', 'SHOULD', 'Cancelled operation', ':wait returns the cancelled operation at once',
    verbatim('If the operation is already done, the latest state is immediately returned.'), OPERATIONS_PROTO, 'supported'),
  r('cancel.outcome.metadata-state', 'SHOULD', 'Cancelled operation', 'Translation metadata reaches CANCELLED (CANCELLING in between)',
    verbatim('CANCELLING: "Request is in the process of being canceled after caller invoked longrunning.Operations.CancelOperation on the request id." CANCELLED: "The batch is done after the user has called the longrunning.Operations.CancelOperation."'), TRANSLATION_PROTO, 'supported'),
  r('cancel.semantics.idempotent', 'SHOULD', 'Semantics', 'A repeated cancel succeeds (or is FAILED_PRECONDITION once done) and the operation stays cancelled',
    derived(`From "${BEST_EFFORT}": a second request for the same cancellation asks for nothing new; the official clients retry cancel on transient errors, so a repeat must be harmless.`), GDC_CANCEL, 'supported'),
  r('cancel.semantics.finished-unchanged', 'MUST', 'Semantics', 'Cancelling a finished operation changes nothing',
    derived(`From "${RESULT_ONEOF}" and "${DESPITE}": once done, the result is final; Google answers a late cancel with 400 FAILED_PRECONDITION, others with a no-op 200.`), OPERATIONS_PROTO, 'supported'),
  r('cancel.semantics.not-found', 'SHOULD', 'Semantics', 'An unknown operation name gets 404 NOT_FOUND (or 403)',
    derived('From AIP-193\'s error model: NOT_FOUND (404) for a resource that does not exist, PERMISSION_DENIED (403) where permission is checked before existence.'), AIP_193, 'supported'),
  r('cancel.semantics.malformed-name', 'SHOULD', 'Semantics', 'A malformed name gets 400 or 404, never 5xx',
    derived('From the path parameter "The name of the operation resource to be cancelled." and AIP-193: a bad name is the caller\'s error (INVALID_ARGUMENT or NOT_FOUND), never the server\'s.'), GDC_CANCEL, 'supported'),
  r('cancel.semantics.concurrent', 'SHOULD', 'Semantics', 'Parallel cancels all succeed (or FAILED_PRECONDITION once done) and leave one consistent final state',
    derived(`From "${BEST_EFFORT}": parallel requests for one cancellation are repeats of each other.`), GDC_CANCEL, 'supported'),
  raised(r('cancel.semantics.only-named', 'MUST', 'Semantics', 'A cancel affects only the operation it names: no other operation of the caller becomes CANCELLING or cancelled',
    derived('From the path parameter "The name of the operation resource to be cancelled.": a cancel names one operation, so no other operation of the caller may show its effect.'), GDC_CANCEL, 'supported'),
  'The page states no level for it because it names the one operation the method acts on; a cancel that reaches others stops work the caller did not ask to stop ' +
    '(billed, and not to be resumed), which no reading of the contract allows.'),
  raised(r('cancel.security.cross-parent', 'MUST', 'Security', "An operation's ID under another project or location never reaches it: 403 or 404, and the operation is untouched",
    derived('Not in the cancel page: the tenant isolation a multi-tenant GDC zone promises; AIP-211 makes authorization follow the resource name, so a name under another parent is another resource.'), AIP_211),
  'A security boundary, not a style: a name under one project or location that reaches an operation of another lets one tenant of a zone stop another\'s work. ' +
    'Either refusal (403 or 404) passes; only reaching the operation fails.'),
  raised(r('cancel.transport.parity', 'MUST', 'Transport parity', 'Both doors serve one API: names cross, a cancel through one reads the same through the other, a refusal gets the mapped code on both',
    derived('From GDC\'s API overview: "You can access the pre-trained APIs using gRPC or one of the provided client libraries. The client libraries are built on gRPC. Alternatively, you access some pre-trained APIs using REST." The REST method is the HTTP transcoding of the one RPC, google.longrunning.Operations/CancelOperation, and google/rpc/code.proto maps each code to its HTTP status.'), GDC_API_OVERVIEW),
  'The doors are one method (the REST call is the HTTP transcoding of the one RPC), so one contract holds on both: a target whose doors disagree (a cancel that takes ' +
    'effect through one only, a refusal with another code) breaks the clients of one door, which the page lets a caller choose freely.'),
  raised(r('errors.envelope', 'MUST', 'Error model', "Every error the method returns is JSON in the Status model with an HTTP status matching its code",
    derived("From AIP-193's HTTP/JSON form {\"error\": {\"code\": <HTTP status>, \"message\", \"status\", \"details\"}} and google/rpc/code.proto's HTTP mapping. A front end's route miss (wrong verb, unknown path) is not the method's error and may be HTML."), AIP_193),
  'The quoted form is a shape, not a sentence with a level; AIP-193 itself puts returning a google.rpc.Status with a canonical google.rpc.Code at "must", ' +
    'and the official clients build their errors from that model (its code decides retries and which error is raised).'),
  r('errors.error-info', 'SHOULD', 'Error model', 'Auth refusals carry a google.rpc.ErrorInfo with a reason; other errors carry well-formed details where they carry any',
    derived("From AIP-193, which asks every error for an ErrorInfo; Google's own front ends attach it to auth refusals, BadRequest to payload errors, and nothing to NOT_FOUND."), AIP_193),
];

const BY_ID = new Map(CATALOG.map((req) => [req.id, req]));

export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown requirement ID "${id}": it is not in src/judging/catalog.ts`);
  return found;
}

export const isRequirementId = (id: string): boolean => BY_ID.has(id);
