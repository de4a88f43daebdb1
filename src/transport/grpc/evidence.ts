// The gRPC side of the evidence: the request and status lines of a transcript, a grpcurl line that
// replays the call (server reflection may be off, so it names the proto files), and "what the server did".
import { relative, isAbsolute } from 'node:path';
import type { DoorParts, Exchange, GrpcAnswer } from '../evidence';
import { authorizationWord, grpcurlTlsFlags, replayNotes } from '../replay';
import { shellQuote } from '../shell';

/** A path as the user can type it from the project folder. */
const local = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
};

/**
 * A grpcurl command that sends the call again: a token from the user's stays in $ACCESS_TOKEN. The
 * proxy is no flag (grpcurl reads HTTPS_PROXY): the notes before it say so (replay.ts replayNotes).
 */
export function grpcurlLine(ex: Pick<Exchange, 'requestHeaders' | 'requestBody' | 'replay'>, g: GrpcAnswer): string {
  const parts = ['grpcurl'];
  for (const [name, value] of Object.entries(ex.requestHeaders)) {
    if (name.toLowerCase() === 'authorization') parts.push('-H', authorizationWord('authorization', value, ex.replay));
    else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (g.plaintext) parts.push('-plaintext');
  // The exchange's own TLS where it carries one (with the key's passphrase); the door's otherwise.
  const tls = ex.replay?.tls ?? g.tls;
  if (tls) parts.push(...grpcurlTlsFlags(tls));
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
    replay: [...replayNotes(ex.replay, 'grpcurl', Object.keys(ex.requestHeaders).some((k) => k.toLowerCase() === 'authorization')), grpcurlLine(ex, g)],
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** `answered gRPC NOT_FOUND (5) "…"`, `answered gRPC OK with an empty message`, `gave no gRPC answer (…)`. */
export function grpcSaid(ex: Exchange, g: GrpcAnswer): string {
  if (ex.transportError) return `gave no gRPC answer (${ex.transportError})`;
  if (g.code !== 0) return `answered gRPC ${g.codeName} (${g.code})${g.message ? ` ${JSON.stringify(clip(g.message, 100))}` : ''}`;
  return `answered gRPC OK ${g.replyBytes === 0 ? 'with an empty message' : clip(JSON.stringify(ex.json), 160)}`;
}
