// Shared pieces of the token-source self-tests: stand-in commands, a service-account key made
// on the spot, and a local token server that checks the assertion like Google's does.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importSPKI, jwtVerify } from 'jose';

export const PRINT_TOKEN = resolve(import.meta.dirname, 'print-token.mjs');
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A shell command running print-token.mjs with these arguments. */
export const printToken = (...args: string[]) => [process.execPath, PRINT_TOKEN, ...args].map(q).join(' ');
/** A shell command running `node -e <code>`. */
export const nodeEval = (code: string) => `${q(process.execPath)} -e ${q(code)}`;

export const tempDir = () => mkdtempSync(join(tmpdir(), 'token-sources-'));
export const runsIn = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

/** Embedded-target env stripped of anything a developer's shell might add. */
export const EXTERNAL = { TARGET_BASE_URL: 'http://127.0.0.1:9', TARGET_PARENT: 'projects/p' } as const;

export interface TokenServer {
  readonly url: string;
  /** The scope string of every grant, in order. */
  readonly scopes: string[];
  /** Access tokens handed out. */
  readonly issued: string[];
  close(): Promise<void>;
}

export interface ServiceAccount {
  readonly keyFile: string;
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly server: TokenServer;
}

/**
 * A service-account JSON key whose token_uri points at a local token server. The server verifies
 * the assertion (RS256 with the key's public half, iss = client_email, aud = token_uri, scope
 * present) and answers { access_token, expires_in } — or `refuse` with 400 invalid_grant.
 */
export async function serviceAccount({ expiresIn = 3600, refuse = false } = {}): Promise<ServiceAccount> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const verifyKey = await importSPKI(publicKey, 'RS256');
  const clientEmail = `conformance@test-project.iam.gserviceaccount.com`;
  const scopes: string[] = [];
  const issued: string[] = [];
  let tokenUri = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const reply = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      const form = new URLSearchParams(body);
      if (req.method !== 'POST' || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return reply(400, { error: 'unsupported_grant_type' });
      if (refuse) return reply(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', verifyKey, { issuer: clientEmail, audience: tokenUri, algorithms: ['RS256'] });
        if (typeof payload.scope !== 'string' || !payload.scope) return reply(400, { error: 'invalid_scope' });
        scopes.push(payload.scope);
        const token = `sa-access-${randomBytes(12).toString('hex')}`;
        issued.push(token);
        return reply(200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer', scope: payload.scope });
      } catch (error) {
        return reply(400, { error: 'invalid_grant', error_description: (error as Error).message });
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  tokenUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const keyFile = join(tempDir(), 'key.json');
  writeFileSync(keyFile, JSON.stringify({
    type: 'service_account', project_id: 'test-project', private_key_id: 'k1', private_key: privateKey, client_email: clientEmail,
    client_id: '1', auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: tokenUri,
  }));
  return {
    keyFile,
    clientEmail,
    privateKey,
    server: { url: tokenUri, scopes, issued, close: () => new Promise<void>((done) => server.close(() => done())) },
  };
}
