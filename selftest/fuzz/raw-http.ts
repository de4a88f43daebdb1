// A small HTTP client for the fuzz and concurrency tests: node:http for ordinary requests (any
// path bytes, odd headers, chunked bodies) and a raw socket for requests node:http refuses to write.
import http from 'node:http';
import net from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target; characters above U+00FF are sent as their UTF-8 bytes. */
  path: string;
  headers?: Record<string, string>;
  /** A function builds a large body only when the request is sent. */
  body?: string | Buffer | (() => string);
  /** Send the body in two chunks (Transfer-Encoding: chunked) instead of with a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** When the response started and ended (performance.now()). */
  sentAt: number;
  receivedAt: number;
}

/** UTF-8 bytes as a latin1 string: node writes the request line and headers as latin1. */
export const asBytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

export class NoAnswer extends Error {
  override name = 'NoAnswer';
}

export function send(agent: http.Agent, baseUrl: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = asBytes(v);
    // Spaces and control characters cannot go into a request line: percent-encode them.
    const path = asBytes(req.path.replace(/[\u0000-\u0020\u007f]/g, (c) => encodeURIComponent(c)));
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), sentAt, receivedAt: performance.now() });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(new NoAnswer(`response aborted: ${e.message}`));
      });
    });
    const timer = setTimeout(() => {
      r.destroy(new NoAnswer(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (e) => {
      // A server may answer before reading a body it refuses (auth first); the write then fails.
      if (answered) return;
      clearTimeout(timer);
      reject(e instanceof NoAnswer ? e : new NoAnswer(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`));
    });
    const raw = typeof req.body === 'function' ? req.body() : req.body;
    const body = raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
    // node:http frames a GET/DELETE/HEAD/OPTIONS body only when told how.
    if (body && !Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k))) {
      if (req.chunked) r.setHeader('transfer-encoding', 'chunked');
      else r.setHeader('content-length', body.length);
    }
    if (body && req.chunked) {
      const mid = body.length >> 1;
      r.write(body.subarray(0, mid));
      r.end(body.subarray(mid));
    } else {
      r.end(body);
    }
  });
}

/** Writes raw bytes on a fresh connection and parses the one response (the server closes after it). */
export function sendRaw(baseUrl: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.subarray(0, Math.max(0, end)).toString('latin1'));
      if (end < 0 || !m) return reject(new NoAnswer(`no HTTP response (${all.length} bytes: ${JSON.stringify(all.subarray(0, 80).toString('latin1'))})`));
      const headers: http.IncomingHttpHeaders = {};
      for (const line of all.subarray(0, end).toString('latin1').split('\r\n').slice(1)) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let body = all.subarray(end + 4);
      const length = Number(headers['content-length']);
      if (Number.isInteger(length)) body = body.subarray(0, length);
      resolve({ status: Number(m[1]), headers, body, sentAt, receivedAt: performance.now() });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // Stop once a complete Content-Length response is in.
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, Math.max(0, end)).toString('latin1'));
      if (end >= 0 && cl && all.length >= end + 4 + Number(cl[1])) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', () => finish());
    socket.write(bytes);
  });
}
