// The gRPC door is a transcoding front end in reverse: each call becomes the REST request its
// method transcodes to (the http rules of translate_v3.yaml, with `{name}` any resource name the
// profile routes), and the REST answer becomes the gRPC reply or status.
import { STATUS_CODES } from 'node:http';
import { RPC_CODES, httpToRpc, type RpcName } from '../errors';
import { RPC } from '../routes';
import type { Json } from '../store';

export interface RestCall {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** `body: "*"`: the request's fields that the path does not bind, as proto3 JSON. */
  body?: string;
}

/** What a call ends with: the reply message (proto3 JSON), or a status. */
export type Answer = { ok: Json } | { error: GrpcError };

export interface GrpcError {
  rpc: RpcName;
  message: string;
  /** google.rpc.Status details: proto3 JSON Anys ({"@type", ...}). */
  details: unknown[];
}

/** A name as a path: each segment escaped, its slashes kept (a `{name=**}` variable). */
const pathOf = (name: unknown) => String(name ?? '').split('/').map(encodeURIComponent).join('/');
const bodyWithout = (req: Json, bound: string) => JSON.stringify(Object.fromEntries(Object.entries(req).filter(([k]) => k !== bound)));

function query(params: Record<string, unknown>): string {
  const set = Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== 0);
  return set.length ? `?${new URLSearchParams(set.map(([k, v]) => [k, String(v)]))}` : '';
}

/** The methods with a REST route; a profile serves those its surface routes. */
export const TRANSCODING: Readonly<Record<string, (req: Json) => RestCall>> = {
  [RPC.get]: (r) => ({ method: 'GET', url: `/v3/${pathOf(r.name)}` }),
  // A server without parents (generic-lro) lists under /v3/operations: an empty name.
  [RPC.list]: (r) => ({ method: 'GET', url: `/v3${r.name ? `/${pathOf(r.name)}` : ''}/operations${query({ filter: r.filter, pageSize: r.pageSize, pageToken: r.pageToken })}` }),
  [RPC.delete]: (r) => ({ method: 'DELETE', url: `/v3/${pathOf(r.name)}` }),
  [RPC.cancel]: (r) => ({ method: 'POST', url: `/v3/${pathOf(r.name)}:cancel`, body: bodyWithout(r, 'name') }),
  [RPC.wait]: (r) => ({ method: 'POST', url: `/v3/${pathOf(r.name)}:wait`, body: bodyWithout(r, 'name') }),
  [RPC.create]: (r) => ({ method: 'POST', url: `/v3/${pathOf(r.parent)}:batchTranslateDocument`, body: bodyWithout(r, 'parent') }),
  // conformance.jobs.v1 (fixtures/protos): no parent, every field in the body.
  [RPC.runJob]: (r) => ({ method: 'POST', url: '/v3/jobs:run', body: JSON.stringify(r) }),
};

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const internalError = (message: string): GrpcError => ({ rpc: 'INTERNAL', message, details: [] });
export const unimplemented = (rpc: string): GrpcError => ({ rpc: 'UNIMPLEMENTED', message: `Method not implemented: ${rpc}`, details: [] });

// What gRPC's own HTTP mapping gives a proxy's 502 and 504: transient, like its 503.
const FRONT_END: Partial<Record<number, RpcName>> = { 502: 'UNAVAILABLE', 504: 'UNAVAILABLE' };

/**
 * An error answer: the envelope's status name, message and details; a body that is no envelope
 * (a front end's page, a proxy's text, fastify's own 404 for a name no route fits) by its HTTP status.
 */
function errorOf(call: RestCall, status: number, contentType: string, body: string): GrpcError {
  const error = (parseJson(body) as { error?: unknown } | undefined)?.error;
  const envelope = isPlain(error) ? error : {};
  const named = typeof envelope.status === 'string' && Object.hasOwn(RPC_CODES, envelope.status) ? (envelope.status as RpcName) : undefined;
  const text = contentType.startsWith('text/plain') ? body.trim().slice(0, 500) : '';
  return {
    rpc: named ?? FRONT_END[status] ?? httpToRpc(status),
    message: typeof envelope.message === 'string' ? envelope.message : text || `${STATUS_CODES[status] ?? status}: ${call.method} ${call.url.split('?')[0]}`,
    details: Array.isArray(envelope.details) ? envelope.details : [],
  };
}

/** The REST answer as the gRPC reply; `empty`: the method returns google.protobuf.Empty, whatever the body. */
export function answerOf(call: RestCall, res: { statusCode: number; headers: Record<string, unknown>; body: string }, empty: boolean): Answer {
  if (res.statusCode < 200 || res.statusCode > 299) return { error: errorOf(call, res.statusCode, String(res.headers['content-type'] ?? ''), res.body) };
  if (empty) return { ok: {} };
  const json = parseJson(res.body);
  return isPlain(json) ? { ok: json } : { error: internalError('The method answered a body that is not a JSON object.') };
}
