// Evidence of one exchange on either door: a readable, redacted transcript with a line that
// replays it (curl for REST, grpcurl for gRPC): the same request, its credential rebuilt as the
// suite built it, the TLS and proxy the suite used (src/transport/replay.ts).
import { redact, redactHeaders } from '../credentials/redact';
import { grpcParts, grpcSaid } from './grpc/evidence';
import { authorizationWord, curlFlags, replayNotes, type Replay } from './replay';
import { shellQuote } from './shell';
import { prettyJson } from '../reporting/pretty-json';

export interface Exchange {
  readonly method: string;
  readonly url: string;
  /** Who the request claimed to be, e.g. "cloud-translation only (client-credentials)"; never the token. */
  readonly authLabel: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseText: string;
  /** Parsed body when it is JSON; undefined otherwise. */
  readonly json: unknown;
  readonly durationMs: number;
  /** Set when no HTTP answer came (status 0) to a request that had to be answered. */
  readonly transportError?: string;
  /** The transient answers before this one (src/transport/retry.ts), oldest first; this exchange is the last attempt. */
  readonly earlierAttempts?: readonly EarlierAttempt[];
  /** Set when retries ran out and this answer is itself transient: nothing here may be judged. */
  readonly retriesExhausted?: string;
  /**
   * Set on the gRPC door. `status` is then the HTTP status google/rpc/code.proto maps the gRPC code
   * to, and `json` the reply as proto3 JSON, or for an error {error: {code, status, message, details}}
   * built from the gRPC status, its details decoded from grpc-status-details-bin.
   */
  readonly grpc?: GrpcAnswer;
  /** What a replay line needs beyond the request: how the credential is sent again, TLS and proxy. */
  readonly replay?: Replay;
}

/** What a gRPC call was and got, beyond the normalised fields. */
export interface GrpcAnswer {
  /** "google.longrunning.Operations/CancelOperation". */
  readonly method: string;
  /** host:port */
  readonly address: string;
  readonly plaintext: boolean;
  /** The gRPC status; absent when no status came (status 0, `transportError`). */
  readonly code?: number;
  readonly codeName?: string;
  readonly message?: string;
  /** The google.rpc.Status of grpc-status-details-bin; absent when the trailer is. */
  readonly statusDetails?: { readonly code?: number; readonly message?: string; readonly details: readonly unknown[] } | { readonly unreadable: string };
  /** Size of the reply message on the wire: google.protobuf.Empty is zero bytes. */
  readonly replyBytes?: number;
  /** What a replay needs: -import-path and -proto of grpcurl. */
  readonly importPaths: readonly string[];
  readonly protoFiles: readonly string[];
  /** TARGET_CA_FILE, TARGET_CLIENT_CERT/KEY: -cacert, -cert, -key. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly insecure?: boolean };
}

/** One transient answer that was retried: what came back, and the pause before the next attempt. */
export interface EarlierAttempt {
  readonly attempt: number;
  readonly cause: string;
  readonly status: number;
  /** On the gRPC door: "UNAVAILABLE (14)", or none when no status came. */
  readonly grpcStatus?: string;
  readonly grpc?: true;
  readonly contentType?: string;
  readonly body: string;
  readonly durationMs: number;
  readonly pauseMs: number;
}

const attemptLines = (ex: Exchange) =>
  (ex.earlierAttempts ?? []).map((a) =>
    `# attempt ${a.attempt}: ${a.grpcStatus ? `gRPC ${a.grpcStatus}` : a.status === 0 ? `no ${a.grpc ? 'gRPC' : 'HTTP'} answer` : `HTTP ${a.status}${a.contentType ? ` ${a.contentType}` : ''}`} (${a.durationMs} ms) ${JSON.stringify(a.body.slice(0, 160))}: ${a.cause}; sent again after ${a.pauseMs} ms`);

/** A curl command that sends the request again: a token from the user's stays in $ACCESS_TOKEN. */
export function curlLine(ex: Pick<Exchange, 'method' | 'url' | 'requestHeaders' | 'requestBody' | 'replay'>): string {
  const parts = ['curl', '-sS', '-i', '-X', ex.method, shellQuote(ex.url), ...curlFlags(ex.replay)];
  for (const [name, value] of Object.entries(ex.requestHeaders)) {
    if (name.toLowerCase() === 'authorization') parts.push('-H', authorizationWord('Authorization', value, ex.replay));
    else parts.push('-H', shellQuote(`${name}: ${redact(value)}`));
  }
  if (ex.requestBody !== undefined) parts.push('--data-raw', shellQuote(redact(ex.requestBody)));
  return parts.join(' ');
}

const sentAuthorization = (ex: Pick<Exchange, 'requestHeaders'>) => Object.keys(ex.requestHeaders).some((k) => k.toLowerCase() === 'authorization');

const headerLines = (headers: Readonly<Record<string, string>>) =>
  Object.entries(redactHeaders(headers)).map(([k, v]) => `${k}: ${v}`).join('\n');

const MAX_BODY = 16_384;
const clip = (body: string) => (body.length > MAX_BODY ? `${body.slice(0, MAX_BODY)}\n… (${body.length - MAX_BODY} more characters)` : body);

/** The parts of a transcript that differ between the doors. */
export interface DoorParts {
  readonly requestLine: string;
  readonly statusLine: string;
  readonly replay: readonly string[];
}

const httpParts = (ex: Exchange): DoorParts => ({
  requestLine: `${ex.method} ${ex.url}`,
  statusLine: ex.transportError ? `NO HTTP ANSWER  (${ex.durationMs} ms): ${ex.transportError}` : `HTTP ${ex.status}  (${ex.durationMs} ms)`,
  replay: [...replayNotes(ex.replay, 'curl', sentAuthorization(ex)), curlLine(ex)],
});

export function transcript(ex: Exchange): string {
  const parts = ex.grpc ? grpcParts(ex, ex.grpc) : httpParts(ex);
  return redact(
    [
      parts.requestLine,
      `# credentials: ${ex.replay?.credential?.built ?? ex.authLabel}`,
      headerLines(ex.requestHeaders),
      '',
      ex.requestBody === undefined ? '(no body)' : ex.requestBody === '' ? '(zero-length body)' : clip(prettyJson(ex.requestBody)),
      '',
      ...attemptLines(ex),
      ...(ex.earlierAttempts?.length ? [`# attempt ${ex.earlierAttempts.length + 1}${ex.retriesExhausted ? ` (the last: retries ran out on ${ex.retriesExhausted})` : ' (judged)'}:`] : []),
      parts.statusLine,
      headerLines(ex.responseHeaders),
      '',
      ex.responseText === '' ? '(zero-length body)' : clip(prettyJson(ex.responseText)),
      '',
      ...parts.replay,
    ].join('\n'),
  );
}

const clipText = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * What the server did, for failure reasons ("the target …"): `answered HTTP 403 PERMISSION_DENIED "Request had …"`,
 * `answered HTTP 200 {}`, `answered HTTP 404 text/html; charset=UTF-8 "<!DOCTYPE html>…"`, `gave no HTTP answer (socket hang up)`.
 */
export function said(ex: Exchange): string {
  if (ex.grpc) return redact(grpcSaid(ex, ex.grpc));
  if (ex.transportError) return `gave no HTTP answer (${ex.transportError})`;
  const type = ex.responseHeaders['content-type'];
  const error = (ex.json as { error?: { status?: unknown; message?: unknown } } | undefined)?.error;
  let body: string;
  if (ex.responseText.trim() === '') body = 'with an empty body';
  else if (typeof error?.status === 'string') body = `${error.status}${typeof error.message === 'string' ? ` ${JSON.stringify(clipText(error.message, 100))}` : ''}`;
  else if (ex.json !== undefined && /json/i.test(type ?? '')) body = clipText(JSON.stringify(ex.json), 160);
  else body = `${type ?? '(no content type)'} ${JSON.stringify(clipText(ex.responseText.trim(), 60))}`;
  return redact(`answered HTTP ${ex.status} ${body}`);
}
