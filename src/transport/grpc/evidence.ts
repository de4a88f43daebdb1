// The gRPC side of the evidence: the request and status lines of a transcript, a grpcurl line that
// replays the call (server reflection may be off, so it names the proto files), and "what the server did".
import { relative, isAbsolute } from 'node:path';
import type { DoorParts, Exchange, GrpcAnswer } from '../evidence';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A path as the user can type it from the project folder. */
const local = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
};

/** A grpcurl command that replays the call; the token stays in $ACCESS_TOKEN. */
export function grpcurlLine(ex: Pick<Exchange, 'requestHeaders' | 'requestBody'>, g: GrpcAnswer): string {
  const parts = ['grpcurl'];
  for (const [name, value] of Object.entries(ex.requestHeaders)) {
    if (name.toLowerCase() === 'authorization') parts.push('-H', `"authorization: ${value.split(/\s+/)[0] ?? 'Bearer'} $ACCESS_TOKEN"`);
    else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (g.plaintext) parts.push('-plaintext');
  if (g.tls?.caFile) parts.push('-cacert', shellQuote(g.tls.caFile));
  if (g.tls?.certFile && g.tls.keyFile) parts.push('-cert', shellQuote(g.tls.certFile), '-key', shellQuote(g.tls.keyFile));
  if (g.tls?.insecure) parts.push('-insecure');
  for (const dir of g.importPaths) parts.push('-import-path', shellQuote(local(dir)));
  for (const file of g.protoFiles) parts.push('-proto', file);
  parts.push('-d', shellQuote(ex.requestBody ?? '{}'), g.address, g.method);
  return parts.join(' ');
}

const statusText = (g: GrpcAnswer) => `${g.codeName} (${g.code})${g.message ? ` ${JSON.stringify(g.message)}` : ''}`;

function detailsLines(g: GrpcAnswer): string[] {
  const d = g.statusDetails;
  if (!d) return g.code ? ['# grpc-status-details-bin: absent'] : [];
  if ('unreadable' in d) return [`# grpc-status-details-bin: not a google.rpc.Status (${d.unreadable})`];
  return [`# grpc-status-details-bin: google.rpc.Status ${JSON.stringify({ code: d.code, message: d.message, details: d.details }, null, 2)}`];
}

export function grpcParts(ex: Exchange, g: GrpcAnswer): DoorParts {
  return {
    requestLine: `gRPC ${g.method} at ${g.address}${g.plaintext ? ' (plaintext)' : ' (TLS)'}`,
    statusLine: [
      ex.transportError ? `NO gRPC ANSWER  (${ex.durationMs} ms): ${ex.transportError}` : `gRPC ${statusText(g)}  (${ex.durationMs} ms)${g.replyBytes !== undefined ? `, reply ${g.replyBytes} bytes` : ''}`,
      ...detailsLines(g),
    ].join('\n'),
    replay: ['# reproduce (export ACCESS_TOKEN first):', grpcurlLine(ex, g)],
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** `answered gRPC NOT_FOUND (5) "…"`, `answered gRPC OK with an empty message`, `gave no gRPC answer (…)`. */
export function grpcSaid(ex: Exchange, g: GrpcAnswer): string {
  if (ex.transportError) return `gave no gRPC answer (${ex.transportError})`;
  if (g.code !== 0) return `answered gRPC ${g.codeName} (${g.code})${g.message ? ` ${JSON.stringify(clip(g.message, 100))}` : ''}`;
  return `answered gRPC OK ${g.replyBytes === 0 ? 'with an empty message' : clip(JSON.stringify(ex.json), 160)}`;
}
