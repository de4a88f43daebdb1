// On which door each requirement of the catalog applies, and in what form over gRPC (CONTRACT "The
// gRPC door"). One table beside the catalog: the gate reads it before a test runs, README prints it.
import { CATALOG } from './catalog';
import type { DoorName } from '../transport/operations-client';

const PROTO3_BINARY = 'a gRPC request is a binary CancelOperationRequest: unknown fields in it are legal proto3 (kept, not refused), and there is no JSON, content type or body framing to vary';

/** The requirements with no gRPC counterpart, and why. */
export const REST_ONLY: Readonly<Record<string, string>> = {
  'cancel.request.zero-length': PROTO3_BINARY,
  'cancel.request.unknown-field': PROTO3_BINARY,
  'cancel.request.malformed-json': PROTO3_BINARY,
  'cancel.request.wrong-method': 'gRPC has no HTTP verbs: the method is the path /google.longrunning.Operations/CancelOperation, and no other maps to it',
  'cancel.response.json': 'the reply is a binary google.protobuf.Empty, not JSON with a content type (cancel.response.empty judges it)',
  'cancel.auth.challenge': 'gRPC has no WWW-Authenticate header: a refusal is a status whose details carry the ErrorInfo (errors.error-info judges it)',
};

/** Judged across both doors, once, in the gRPC door's run. */
export const CROSS_DOOR = new Set(['cancel.transport.parity']);

/** How a requirement reads over gRPC, where its words are REST's. */
export const GRPC_FORM: Readonly<Record<string, string>> = {
  'cancel.request.empty-object': 'CancelOperationRequest{name} is accepted',
  'cancel.response.empty': 'the reply is google.protobuf.Empty: a zero-length message',
  'cancel.auth.insufficient-scope': 'PERMISSION_DENIED (7)',
  'cancel.auth.missing': 'UNAUTHENTICATED (16)',
  'cancel.auth.invalid': 'UNAUTHENTICATED (16)',
  'cancel.unimplemented.status': 'UNIMPLEMENTED (12)',
  'cancel.outcome.exists': 'GetOperation answers OK with the same name',
  'cancel.outcome.listed': 'ListOperations lists it',
  'cancel.outcome.wait': 'WaitOperation returns it at once (not applicable when UNIMPLEMENTED)',
  'cancel.outcome.metadata-state': 'metadata decoded from its Any with the Translation protos',
  'cancel.semantics.not-found': 'NOT_FOUND (5) or PERMISSION_DENIED (7)',
  'cancel.semantics.malformed-name': 'INVALID_ARGUMENT (3) or NOT_FOUND (5), never INTERNAL or UNKNOWN',
  'cancel.security.cross-parent': 'PERMISSION_DENIED (7) or NOT_FOUND (5)',
  'errors.envelope': "the status's details (grpc-status-details-bin) hold a google.rpc.Status with the same code",
  'errors.error-info': 'ErrorInfo decoded from grpc-status-details-bin',
};

/** Why `id` does not apply on `door` of a run with `doors`; undefined when it applies. */
export function notOnDoor(id: string, door: DoorName, doors: readonly DoorName[]): string | undefined {
  if (CROSS_DOOR.has(id)) {
    if (!doors.includes('rest') || !doors.includes('grpc')) return `it compares the REST and gRPC doors, and this run has only ${doors.join(', ')} (TRANSPORTS, TARGET_BASE_URL, TARGET_GRPC_ADDRESS)`;
    return door === 'grpc' ? undefined : 'judged once for both doors, in the gRPC door\'s run';
  }
  return door === 'grpc' ? REST_ONLY[id] : undefined;
}

/** The applicability table of README: each requirement, REST, gRPC, and the reason where it does not apply. */
export function applicabilityRows(): { id: string; level: string; rest: string; grpc: string }[] {
  return CATALOG.map((req) => {
    if (CROSS_DOOR.has(req.id)) return { id: req.id, level: req.level, rest: 'across both doors', grpc: 'across both doors' };
    const reason = REST_ONLY[req.id];
    return { id: req.id, level: req.level, rest: 'applies', grpc: reason ? `not applicable: ${reason}` : GRPC_FORM[req.id] ? `applies: ${GRPC_FORM[req.id]}` : 'applies' };
  });
}
