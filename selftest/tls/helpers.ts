// Shared pieces of the TLS self-tests: one set of certificate files from a CA made for the test
// (good, wrong-host, expired, client), and a loopback forward proxy (the `proxy` package) that
// records what it was asked to do.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';
import { LOOPBACK, createCa, encryptedKey, writeFiles } from './pki';

export const CLIENT_KEY_PASSPHRASE = 'passphrase-canary-6c1e-do-not-leak';

export type CertFiles = Awaited<ReturnType<typeof makeCertFiles>>;

async function makeCertFiles() {
  const ca = await createCa();
  const stranger = await createCa('CN=Some Other Root CA');
  const good = await ca.issue(LOOPBACK);
  const wrongHost = await ca.issue({ commonName: 'translation.zone1.gdc.example', dns: ['translation.zone1.gdc.example'] });
  const expired = await ca.issue({ ...LOOPBACK, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-06-30T00:00:00Z') });
  const client = await ca.issue({ commonName: 'conformance-client', client: true });
  const strangerClient = await stranger.issue({ commonName: 'client-of-another-ca', client: true });
  const files = writeFiles({
    'ca.pem': ca.cert,
    'stranger-ca.pem': stranger.cert,
    'server.pem': good.cert,
    'server.key': good.key,
    'wrong-host.pem': wrongHost.cert,
    'wrong-host.key': wrongHost.key,
    'expired.pem': expired.cert,
    'expired.key': expired.key,
    'client.pem': client.cert,
    'client.key': client.key,
    'client-encrypted.key': encryptedKey(client.key, CLIENT_KEY_PASSPHRASE),
    'stranger-client.pem': strangerClient.cert,
    'stranger-client.key': strangerClient.key,
  });
  return { files, pem: { ca: ca.cert, server: good, wrongHost, expired, client, strangerClient } };
}

let made: Promise<CertFiles> | undefined;
/** One set per worker process: generating keys is cheap, but there is no need to do it per test. */
export const certFiles = () => (made ??= makeCertFiles());

/** REFERENCE_TLS_* for an embedded server presenting `cert`, optionally requiring client certificates from the test CA. */
export function referenceTls(f: CertFiles['files'], cert: 'server' | 'wrong-host' | 'expired', { mtls = false } = {}): Record<string, string> {
  return {
    REFERENCE_TLS_CERT: f[`${cert}.pem`],
    REFERENCE_TLS_KEY: f[`${cert}.key`],
    ...(mtls ? { REFERENCE_TLS_CLIENT_CA: f['ca.pem'] } : {}),
  };
}

export interface RecordingProxy {
  readonly url: string;
  /** "CONNECT host:port" for tunnels, "METHOD absolute-url" for plain forwarded requests. */
  readonly seen: string[];
  close(): Promise<void>;
}

export async function startProxy(): Promise<RecordingProxy> {
  const seen: string[] = [];
  const server = createProxy(createServer());
  // Listeners added beside the package's own: they only record.
  server.prependListener('connect', (req) => seen.push(`CONNECT ${req.url}`));
  server.prependListener('request', (req) => seen.push(`${req.method} ${req.url}`));
  // Tunnels outlive server.close(); they are ended with it.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket.once('close', () => sockets.delete(socket))));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((done) => {
      sockets.forEach((socket) => socket.destroy());
      server.close(() => done());
    }),
  };
}
