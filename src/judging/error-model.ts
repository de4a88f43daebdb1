// Reading error replies: the AIP-193 envelope (or, when allowed, a bare google.rpc.Status)
// and the ErrorInfo details it carries.
import { httpStatusForCode } from './codes';
import type { Exchange } from '../transport/evidence';
import { formatIssues, validate } from './schemas';

interface Envelope {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

const isJsonContentType = (ex: Exchange) => /^application\/(.+\+)?json\b/i.test(ex.responseHeaders['content-type'] ?? '');

const envelopeOf = (ex: Exchange): Envelope['error'] | undefined => {
  const error = (ex.json as Partial<Envelope> | undefined)?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
};

const bareOf = (ex: Exchange): { code?: unknown; details?: unknown } | undefined => {
  const json = ex.json as { code?: unknown; error?: unknown } | undefined;
  return json && typeof json === 'object' && json.error === undefined && typeof json.code === 'number' ? json : undefined;
};

/** Over gRPC: the status's details (grpc-status-details-bin) must hold a google.rpc.Status with the same code. */
function grpcStatusProblems(g: NonNullable<Exchange['grpc']>): string[] {
  const d = g.statusDetails;
  if (!d) return [`the ${g.codeName} (${g.code}) status has no grpc-status-details-bin trailer, so no google.rpc.Status with its code`];
  if ('unreadable' in d) return [`grpc-status-details-bin is not a google.rpc.Status: ${d.unreadable}`];
  return d.code === g.code ? [] : [`the google.rpc.Status in grpc-status-details-bin has code ${d.code}, but the gRPC status is ${g.codeName} (${g.code})`];
}

/** Why this error reply breaks the error model; empty when it conforms. */
export function errorModelProblems(ex: Exchange, { allowBareStatus }: { allowBareStatus: boolean }): string[] {
  if (ex.grpc) return grpcStatusProblems(ex.grpc);
  if (!isJsonContentType(ex)) return [`HTTP ${ex.status} answered with content-type "${ex.responseHeaders['content-type'] ?? '(none)'}", not JSON`];
  if (ex.json === undefined) return [`HTTP ${ex.status} body is not JSON: ${JSON.stringify(ex.responseText.slice(0, 120))}`];
  const bare = allowBareStatus ? bareOf(ex) : undefined;
  if (bare) {
    const http = httpStatusForCode(bare.code as number);
    return http === ex.status ? [] : [`bare Status code ${String(bare.code)} maps to HTTP ${http ?? '?'}, but the response is HTTP ${ex.status}`];
  }
  const result = validate('error-envelope', ex.json);
  if (!result.valid) return [formatIssues('error-envelope', result.errors)];
  const { code, status } = envelopeOf(ex)!;
  const problems: string[] = [];
  if (code !== ex.status) problems.push(`error.code is ${code}, but the HTTP status is ${ex.status} (error.code must be the HTTP status)`);
  const expected = httpStatusForCode(status);
  if (expected !== ex.status) problems.push(`error.status ${status} maps to HTTP ${expected}, but the response is HTTP ${ex.status}`);
  return problems;
}

/** The rpc code name a reply carries: envelope `status`, or a bare Status's number mapped to its name. */
export function rpcStatusOf(ex: Exchange, { allowBareStatus }: { allowBareStatus: boolean }): string | undefined {
  const envelope = envelopeOf(ex);
  if (typeof envelope?.status === 'string') return envelope.status;
  const bare = allowBareStatus ? bareOf(ex) : undefined;
  return bare ? RPC_NAME_BY_NUMBER.get(bare.code as number) : undefined;
}

import { RPC_CODES } from './codes';
const RPC_NAME_BY_NUMBER = new Map(RPC_CODES.map((c) => [c.number, c.name]));

export interface ErrorInfo {
  readonly reason?: unknown;
  readonly domain?: unknown;
  readonly metadata?: unknown;
}

export function errorInfosOf(ex: Exchange): ErrorInfo[] {
  const details = envelopeOf(ex)?.details ?? (bareOf(ex)?.details as unknown[] | undefined) ?? [];
  return Array.isArray(details)
    ? details.filter((d): d is ErrorInfo => (d as { '@type'?: unknown })?.['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')
    : [];
}
