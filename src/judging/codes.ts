// google.rpc.Code: name, number and HTTP mapping, from the comments in google/rpc/code.proto
// (checked against the copy in google-proto-files by selftest/unit/codes.spec.ts).

export interface RpcCode {
  readonly name: RpcCodeName;
  readonly number: number;
  readonly http: number;
}

export const RPC_CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type RpcCodeName = (typeof RPC_CODE_NAMES)[number];

/** The 17 codes in number order (RPC_CODE_NAMES[n] is the name of number n). */
export const RPC_CODES: readonly RpcCode[] = Object.freeze(
  ([
    ['OK', 200], ['CANCELLED', 499], ['UNKNOWN', 500], ['INVALID_ARGUMENT', 400], ['DEADLINE_EXCEEDED', 504], ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409], ['PERMISSION_DENIED', 403], ['RESOURCE_EXHAUSTED', 429], ['FAILED_PRECONDITION', 400], ['ABORTED', 409],
    ['OUT_OF_RANGE', 400], ['UNIMPLEMENTED', 501], ['INTERNAL', 500], ['UNAVAILABLE', 503], ['DATA_LOSS', 500], ['UNAUTHENTICATED', 401],
  ] as const).map(([name, http], number) => Object.freeze({ name, number, http })),
);

const BY_NAME = new Map<string, RpcCode>(RPC_CODES.map((c) => [c.name, c]));
const BY_NUMBER = new Map<number, RpcCode>(RPC_CODES.map((c) => [c.number, c]));

export const isRpcCodeName = (name: unknown): name is RpcCodeName => typeof name === 'string' && BY_NAME.has(name);

/** The code with this exact name (e.g. 'CANCELLED'); undefined for anything else, including lowercase. */
export const codeByName = (name: string): RpcCode | undefined => BY_NAME.get(name);

/** The code with this number (e.g. 1); undefined for anything else. */
export const codeByNumber = (number: number): RpcCode | undefined => BY_NUMBER.get(number);

/** The HTTP status code.proto maps an rpc code (name or number) to; undefined for an unknown code. */
export function httpStatusForCode(code: string | number): number | undefined {
  return (typeof code === 'number' ? BY_NUMBER.get(code) : BY_NAME.get(code))?.http;
}

/** The code a front end means by an HTTP status (the first of code.proto's mapping to it). */
const CANONICAL_FOR_HTTP = new Map<number, RpcCode>([...RPC_CODES].reverse().map((c) => [c.http, c]));
CANONICAL_FOR_HTTP.set(400, BY_NAME.get('INVALID_ARGUMENT')!);
CANONICAL_FOR_HTTP.set(500, BY_NAME.get('INTERNAL')!);

/** How a door names an expected status: "HTTP 401" on REST, "UNAUTHENTICATED (16)" on gRPC. */
export function statusWord(ex: { readonly grpc?: unknown }, http: number): string {
  const code = CANONICAL_FOR_HTTP.get(http);
  return ex.grpc && code ? `${code.name} (${code.number})` : `HTTP ${http}`;
}

/** How a door names the status an answer had: "HTTP 404" or "NOT_FOUND (5)". */
export const answerWord = (ex: { readonly status: number; readonly grpc?: { readonly code?: number; readonly codeName?: string } }) =>
  ex.grpc?.codeName ? `${ex.grpc.codeName} (${ex.grpc.code})` : `HTTP ${ex.status}`;
