// TLS towards the target and the token endpoints (README "TLS"):
// - what Playwright's request contexts get (clientCertificates, proxy, ignoreHTTPSErrors);
// - the transport of the token requests the suite makes itself (TARGET_CA_FILE, HTTPS_PROXY/NO_PROXY);
// - one check before any test runs that turns each TLS failure into one message naming the fix.
// Playwright has no CA option: it trusts Node's default store, which TARGET_CA_FILE joins through
// NODE_EXTRA_CA_CERTS when `npm run conformance` starts Playwright (trustEnvironment).
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { getProxyForUrl } from 'proxy-from-env';
// undici and https-proxy-agent load on first use: every process of a run imports this file, few fetch a token.
import type { Dispatcher, fetch as undiciFetch } from 'undici';
import type { Transport } from '../running/config';
import { registerSecret } from '../credentials/redact';

/** The proxy for a URL from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (either case), read as curl does. */
export const proxyFor = (url: string): string | undefined => getProxyForUrl(url) || undefined;

export interface TargetContextOptions {
  clientCertificates?: { origin: string; certPath: string; keyPath: string; passphrase?: string }[];
  proxy?: { server: string };
  ignoreHTTPSErrors?: true;
}

/** Options for every Playwright request context that talks to the target. */
export function targetContextOptions(baseUrl: string | undefined, transport: Transport): TargetContextOptions {
  const client = transport.clientCertificate;
  if (client?.passphrase) registerSecret(client.passphrase);
  const proxy = baseUrl ? proxyFor(baseUrl) : undefined;
  return {
    ...(client && baseUrl ? { clientCertificates: [{ origin: new URL(baseUrl).origin, certPath: client.certFile, keyPath: client.keyFile, ...(client.passphrase ? { passphrase: client.passphrase } : {}) }] } : {}),
    ...(proxy ? { proxy: { server: proxy } } : {}),
    ...(transport.insecure ? { ignoreHTTPSErrors: true as const } : {}),
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const pemsIn = (file: string | undefined): string[] => {
  try {
    return file ? (readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? []) : [];
  } catch {
    return [];
  }
};
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/**
 * Environment for the Playwright process: NODE_EXTRA_CA_CERTS names TARGET_CA_FILE, or a bundle of
 * it and the NODE_EXTRA_CA_CERTS already set (Node reads that variable once, at process start).
 */
export function trustEnvironment(transport: Transport, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!transport.caFile) return {};
  const existing = env.NODE_EXTRA_CA_CERTS?.trim();
  if (!existing || existing === transport.caFile) return { NODE_EXTRA_CA_CERTS: transport.caFile };
  const bundle = [...new Set([...pemsIn(existing), ...transport.caCertificates])].join('\n') + '\n';
  const file = join(tmpdir(), `lro-cancel-conformance-ca-${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}.pem`);
  if (!existsSync(file)) writeFileSync(file, bundle);
  return { NODE_EXTRA_CA_CERTS: file };
}

/** Does this process's default trust (NODE_EXTRA_CA_CERTS as it started) hold every TARGET_CA_FILE certificate? */
function processTrustsCaFile(transport: Transport): boolean {
  const extra = new Set(pemsIn(process.env.NODE_EXTRA_CA_CERTS).map(fingerprint));
  return transport.caCertificates.every((pem) => extra.has(fingerprint(pem)));
}

// --- token requests

/** Node's default roots (with NODE_EXTRA_CA_CERTS) plus TARGET_CA_FILE; undefined keeps the default store. */
export function trustedCas(transport: Transport): string[] | undefined {
  return transport.caCertificates.length === 0 ? undefined : allTrusted(transport);
}

/**
 * Every root the suite trusts, listed: for a client that takes its roots whole (grpc-js knows
 * neither NODE_EXTRA_CA_CERTS nor Node's store), and for an explicit `ca`, which replaces the default store.
 */
export function allTrusted(transport: Transport): string[] {
  const getDefaults = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  const defaults = getDefaults ? getDefaults('default') : [...tls.rootCertificates, ...pemsIn(process.env.NODE_EXTRA_CA_CERTS)];
  return [...defaults, ...transport.caCertificates];
}

const dispatchers = new WeakMap<Transport, Map<string, Dispatcher>>();

async function dispatcherFor(url: string, transport: Transport): Promise<Dispatcher> {
  const proxy = proxyFor(url) ?? '';
  const cache = dispatchers.get(transport) ?? new Map<string, Dispatcher>();
  dispatchers.set(transport, cache);
  let dispatcher = cache.get(proxy);
  if (!dispatcher) {
    const { Agent, ProxyAgent } = await import('undici');
    const ca = trustedCas(transport);
    const tlsOptions = ca ? { ca } : {};
    dispatcher = proxy ? new ProxyAgent({ uri: proxy, requestTls: tlsOptions, proxyTls: tlsOptions }) : new Agent({ connect: tlsOptions });
    cache.set(proxy, dispatcher);
  }
  return dispatcher;
}

export type TokenFetch = (url: string | URL, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

/**
 * fetch for the token endpoints: TARGET_CA_FILE trusted besides the default roots, proxies as the
 * environment says. Without either, Node's own fetch does the same (default roots, no proxy) and
 * spares the process loading undici (~0.07 s, on the way to the first test).
 */
export const tokenFetch = (transport: Transport): TokenFetch => async (url, init) => {
  if (!proxyFor(String(url)) && !trustedCas(transport)) return (await fetch(url, init as RequestInit)) as unknown as Awaited<ReturnType<typeof undiciFetch>>;
  const [{ fetch: viaDispatcher }, dispatcher] = await Promise.all([import('undici'), dispatcherFor(String(url), transport)]);
  return viaDispatcher(url, { ...init, dispatcher });
};

// --- classifying TLS failures

const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_CHAIN_TOO_LONG',
]);
const VALIDITY = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** Alerts a server sends when it wants a client certificate it did not get, or refuses the one it got. */
const CLIENT_CERT_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
]);
/** OpenSSL's words when the other side speaks no TLS (often surfacing as a bare EPROTO). */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol/i;

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ', ');
const day = (d: string) => new Date(d).toISOString().replace('.000Z', 'Z');
/** The alert's words from an OpenSSL message ("…:tlsv13 alert certificate required:…"). */
const alertOf = (error: Error) => /alert ([a-z ]+)/.exec(error.message)?.[1]?.trim() ?? error.message.split('\n')[0]!.slice(0, 120);

export interface PeerView {
  /** The leaf certificate the server presented. */
  readonly leaf: X509Certificate;
  /** OpenSSL's verification result against this process's trust (null: trusted). */
  readonly authorizationError: string | null;
}

/** Which door's address a message names: the REST door's trust comes through NODE_EXTRA_CA_CERTS, the gRPC channel's is given. */
export interface DoorAddress {
  readonly variable: 'TARGET_BASE_URL' | 'TARGET_GRPC_ADDRESS';
  readonly trustGiven: boolean;
}
const REST_ADDRESS: DoorAddress = { variable: 'TARGET_BASE_URL', trustGiven: false };
export const GRPC_ADDRESS: DoorAddress = { variable: 'TARGET_GRPC_ADDRESS', trustGiven: true };

/** The problems with the certificate a server presented, each one sentence naming what to fix. */
export function certificateProblems(origin: string, host: string, peer: PeerView, transport: Transport, now = new Date(), door = REST_ADDRESS): string[] {
  const { leaf, authorizationError: verdict } = peer;
  const issuer = oneLine(leaf.issuer);
  const dates = `valid from ${day(leaf.validFrom)} to ${day(leaf.validTo)}`;
  const named = isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host);
  const problems = [
    now > new Date(leaf.validTo) && `the certificate of ${origin} expired on ${day(leaf.validTo)} (${dates}; subject ${oneLine(leaf.subject)}). The server needs a current certificate`,
    now < new Date(leaf.validFrom) && `the certificate of ${origin} is not valid before ${day(leaf.validFrom)} (${dates}). Check this machine's clock, or the server's certificate`,
    !named && `the certificate of ${origin} is for ${leaf.subjectAltName ?? `subject ${oneLine(leaf.subject)} (no subjectAltName)`}, not for ${host} (the host in ${door.variable}). Set ${door.variable} to a name the certificate lists${door === REST_ADDRESS ? exampleUrl(origin, leaf) : ''}, or give the server a certificate that names ${host}`,
    verdict !== null && UNTRUSTED.has(verdict) && untrusted(origin, issuer, verdict, transport, door),
  ].filter((p): p is string => typeof p === 'string');
  // Anything else OpenSSL refused (a bad signature, a CA used as a leaf, ...) is named as it is.
  if (problems.length === 0 && verdict !== null) problems.push(`the certificate of ${origin} (issuer ${issuer}) failed verification: ${verdict}`);
  return problems;
}

/** " (e.g. https://<first DNS name>:<port>)" when the certificate names a host. */
function exampleUrl(origin: string, leaf: X509Certificate): string {
  const dns = /DNS:([^,\s*]+)/.exec(leaf.subjectAltName ?? '')?.[1];
  if (!dns) return '';
  const url = new URL(origin);
  url.hostname = dns;
  return ` (e.g. ${url.origin})`;
}

function untrusted(origin: string, issuer: string, verdict: string, transport: Transport, door: DoorAddress): string {
  if (!transport.caFile) return `the certificate of ${origin} is issued by ${issuer}, which the system roots do not trust (${verdict}). Set TARGET_CA_FILE to your zone's root CA bundle (PEM)`;
  if (!door.trustGiven && !processTrustsCaFile(transport)) {
    return `the certificate of ${origin} (issuer ${issuer}) is not trusted: TARGET_CA_FILE=${transport.caFile} is trusted only when npm run conformance starts Playwright, and this process was started without it. Run npm run conformance, or start Playwright with NODE_EXTRA_CA_CERTS=${transport.caFile}`;
  }
  const bundle = transport.caCertificates.map((pem) => oneLine(new X509Certificate(pem).subject)).join('; ');
  return `the certificate of ${origin} is issued by ${issuer}, which neither TARGET_CA_FILE=${transport.caFile} (${bundle}) nor the system roots trust (${verdict}). Set TARGET_CA_FILE to the root CA bundle that issued it`;
}

/** One sentence for a handshake the server ended, or undefined when the error is not about TLS. */
export function handshakeProblem(origin: string, error: NodeJS.ErrnoException, transport: Transport, { afterHandshake = false, door = REST_ADDRESS } = {}): string | undefined {
  const code = error.code ?? '';
  const client = transport.clientCertificate;
  // Servers that check the certificate after the handshake (Node's own) just close the connection.
  const closedAfterHandshake = afterHandshake && (code === 'ECONNRESET' || /socket hang up/.test(error.message));
  if (CLIENT_CERT_ALERTS.has(code) && !client) {
    return `${origin} asks for a client certificate (the server ended the handshake: ${alertOf(error)}). Set TARGET_CLIENT_CERT and TARGET_CLIENT_KEY (and TARGET_CLIENT_KEY_PASSPHRASE if the key is encrypted)`;
  }
  if (client && (CLIENT_CERT_ALERTS.has(code) || closedAfterHandshake)) {
    const cert = new X509Certificate(readFileSync(client.certFile));
    const how = closedAfterHandshake ? 'it closed the connection right after the handshake, without an answer' : alertOf(error);
    return `${origin} refused the client certificate TARGET_CLIENT_CERT=${client.certFile} (subject ${oneLine(cert.subject)}, issuer ${oneLine(cert.issuer)}, valid to ${day(cert.validTo)}): ${how}. Use a certificate from a CA the server trusts`;
  }
  const notTls = code === 'EPROTO' || code.startsWith('ERR_SSL_') ? NOT_TLS.exec(`${error.message} ${code.replaceAll('_', ' ')}`)?.[0] : undefined;
  if (notTls) {
    return door === REST_ADDRESS
      ? `${origin} did not answer in TLS (OpenSSL: ${notTls.toLowerCase()}). Is it an http:// endpoint? Check the scheme of TARGET_BASE_URL`
      : `${origin} did not answer in TLS (OpenSSL: ${notTls.toLowerCase()}). Is it a plaintext gRPC endpoint? Then set TARGET_GRPC_PLAINTEXT=true`;
  }
  if (isTlsCode(code)) return `the TLS handshake with ${origin} failed: ${error.message.split('\n')[0]} (${code})`;
  return undefined;
}

const isTlsCode = (code: string) => code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || UNTRUSTED.has(code) || VALIDITY.has(code);

/** What to fix when a token request failed on TLS (fetch errors carry the reason in `cause`); '' otherwise. */
export function tlsHint(error: unknown, transport: Transport): string {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNTRUSTED.has(code)) {
      return transport.caFile
        ? ` Its certificate is not signed by a CA in TARGET_CA_FILE=${transport.caFile} or the system roots (${code}): add the issuing root CA to that bundle.`
        : ` Its certificate is not trusted (${code}): set TARGET_CA_FILE to the root CA bundle that issued it.`;
    }
    if (isTlsCode(code)) return ` The TLS handshake failed (${code}).`;
  }
  return '';
}

/** Printed as "TLS: <what is wrong>. <what to set>." */
export class TlsError extends Error {
  override name = 'TLS';
}

interface Handshake {
  readonly peer?: PeerView;
  readonly error?: NodeJS.ErrnoException;
  /** The client side of the handshake completed before the error. */
  readonly afterHandshake?: boolean;
}

/** One HEAD request the way Playwright connects (same default trust, client certificate, proxy), verification deferred. */
async function handshake(url: URL, transport: Transport, timeoutMs: number): Promise<Handshake> {
  const client = transport.clientCertificate;
  const proxy = proxyFor(url.href);
  const agent = proxy ? new (await import('https-proxy-agent')).HttpsProxyAgent(proxy, { keepAlive: false }) : false;
  return new Promise((done) => {
    const req = https.request(url, {
      method: 'HEAD',
      rejectUnauthorized: false,
      agent,
      timeout: timeoutMs,
      ...(client ? { cert: readFileSync(client.certFile), key: readFileSync(client.keyFile), ...(client.passphrase ? { passphrase: client.passphrase } : {}) } : {}),
    }, (res) => {
      const socket = res.socket as TLSSocket;
      const leaf = socket.getPeerX509Certificate();
      res.resume();
      req.destroy();
      done(leaf ? { peer: { leaf, authorizationError: socket.authorized ? null : String(socket.authorizationError ?? 'unverified') } } : {});
    });
    let afterHandshake = false;
    req.on('socket', (socket) => socket.once('secureConnect', () => (afterHandshake = true)));
    req.on('timeout', () => req.destroy());
    req.on('error', (error: NodeJS.ErrnoException) => done({ error, afterHandshake }));
    req.end();
  });
}

/**
 * Before any test: connects to an https target once. Throws TlsError with one line naming the fix;
 * returns the warning to record when TARGET_TLS_INSECURE=true let a bad certificate through.
 * A target that cannot be reached at all is left to the cancel-support probe.
 */
export async function checkTargetTls(baseUrl: string, transport: Transport, timeoutMs: number): Promise<string | undefined> {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') return undefined;
  const { peer, error, afterHandshake } = await handshake(url, transport, timeoutMs);
  const problem = error ? handshakeProblem(url.origin, error, transport, { afterHandshake }) : undefined;
  if (problem) throw new TlsError(`${problem}.`);
  return certificateVerdict(url.origin, peer ? certificateProblems(url.origin, url.hostname.replace(/^\[|\]$/g, ''), peer, transport) : [], transport);
}

/** Throws the certificate's problems, unless TARGET_TLS_INSECURE=true lets them through: then the warning to record. */
function certificateVerdict(origin: string, problems: readonly string[], transport: Transport): string | undefined {
  if (!transport.insecure) {
    if (problems.length > 0) throw new TlsError(`${problems.join('. Also, ')}.`);
    return undefined;
  }
  return `TARGET_TLS_INSECURE=true: the certificate of ${origin} was NOT verified${problems.length ? ` (verification would have failed: ${problems.map((p) => p.split('. ')[0]).join('; ')})` : ''}. This run proves nothing about the target's TLS.`;
}

/** A socket to host:port: through the proxy (a CONNECT tunnel, as grpc-js makes one) when HTTPS_PROXY says so. */
function connectThrough(host: string, port: number, timeoutMs: number): Promise<Socket | undefined> {
  const proxy = proxyFor(`https://${host}:${port}`);
  if (!proxy) return Promise.resolve(undefined);
  return new Promise((done, fail) => {
    const req = http.request(proxy, { method: 'CONNECT', path: `${host}:${port}`, timeout: timeoutMs });
    req.on('connect', (res, socket) => (res.statusCode === 200 ? done(socket) : fail(Object.assign(new Error(`the proxy ${proxy} answered ${res.statusCode} to CONNECT ${host}:${port}`), { code: 'EPROXY' }))));
    req.on('timeout', () => req.destroy());
    req.on('error', fail);
    req.end();
  });
}

/** One TLS handshake the way the gRPC channel connects (HTTP/2 by ALPN, the same trust, client certificate and proxy), verification deferred. */
async function grpcHandshake(host: string, port: number, transport: Transport, timeoutMs: number): Promise<Handshake> {
  const client = transport.clientCertificate;
  let tunnel: Socket | undefined;
  try {
    tunnel = await connectThrough(host, port, timeoutMs);
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
  return new Promise((done) => {
    let afterHandshake = false;
    const socket = tls.connect({
      host, port, ALPNProtocols: ['h2'], rejectUnauthorized: false, timeout: timeoutMs,
      ...(tunnel ? { socket: tunnel } : {}),
      ...(isIP(host) ? {} : { servername: host }),
      ...(trustedCas(transport) ? { ca: trustedCas(transport) } : {}),
      ...(client ? { cert: readFileSync(client.certFile), key: readFileSync(client.keyFile), ...(client.passphrase ? { passphrase: client.passphrase } : {}) } : {}),
    }, () => {
      afterHandshake = true;
      const leaf = socket.getPeerX509Certificate();
      // A server that checks the client certificate after the handshake closes the connection at once.
      setTimeout(() => {
        socket.destroy();
        done(leaf ? { peer: { leaf, authorizationError: socket.authorized ? null : String(socket.authorizationError ?? 'unverified') } } : {});
      }, 50);
    });
    socket.on('timeout', () => socket.destroy());
    socket.on('error', (error: NodeJS.ErrnoException) => done({ error, afterHandshake }));
  });
}

/** checkTargetTls for the gRPC door (TARGET_GRPC_ADDRESS without TARGET_GRPC_PLAINTEXT). */
export async function checkGrpcTls(address: string, transport: Transport, timeoutMs: number): Promise<string | undefined> {
  const [, rawHost, port] = /^\[?(.*?)\]?:(\d+)$/.exec(address)!;
  const host = rawHost!;
  const origin = `grpcs://${address}`;
  const { peer, error, afterHandshake } = await grpcHandshake(host, Number(port), transport, timeoutMs);
  const problem = error ? handshakeProblem(origin, error, transport, { afterHandshake, door: GRPC_ADDRESS }) : undefined;
  if (problem) throw new TlsError(`${problem}.`);
  return certificateVerdict(origin, peer ? certificateProblems(origin, host, peer, transport, new Date(), GRPC_ADDRESS) : [], transport);
}

/** The TLS warning the global setup leaves for the reporters. */
export const TLS_WARNING_VARIABLE = 'CONFORMANCE_TLS_WARNING';
/** One per door whose certificate was let through (one line each). */
export const tlsWarnings = (env: NodeJS.ProcessEnv): string[] => (env[TLS_WARNING_VARIABLE] ? env[TLS_WARNING_VARIABLE]!.split('\n') : []);

/** No TARGET_CA_FILE, no client certificate, verification on: the transport of callers that pass none. */
export const NO_TLS_SETTINGS: Transport = { caCertificates: [], insecure: false };
