// A private CA made on the spot (like a GDC zone's root CA), and the certificates the TLS
// self-tests need from it: server certificates for chosen names and dates, client certificates.
// @peculiar/x509 builds them over WebCrypto (P-256 keys, fast); tsyringe inside it needs the polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  readonly cert: string;
  /** PKCS#8 PEM, unencrypted. */
  readonly key: string;
}

export interface LeafOptions {
  readonly commonName: string;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** A client certificate (extended key usage clientAuth) instead of a server one. */
  readonly client?: boolean;
}

export interface TestCa extends Issued {
  readonly name: string;
  issue(options: LeafOptions): Promise<Issued>;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, '0');
const keyPem = async (keys: CryptoKeyPair) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey), 'PRIVATE KEY');
const newKeys = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

export async function createCa(name = 'CN=Conformance Zone Root CA,O=Selftest'): Promise<TestCa> {
  const keys = await newKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    name,
    cert: caCert.toString('pem'),
    key: await keyPem(keys),
    async issue(o) {
      const leafKeys = await newKeys();
      const names = [...(o.dns ?? []).map((value) => ({ type: 'dns' as const, value })), ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value }))];
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: nextSerial(),
        subject: `CN=${o.commonName}`,
        issuer: caCert.subject,
        notBefore: o.notBefore ?? new Date(Date.now() - DAY),
        notAfter: o.notAfter ?? new Date(Date.now() + 7 * DAY),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([o.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
          ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        ],
      });
      return { cert: leaf.toString('pem'), key: await keyPem(leafKeys) };
    },
  };
}

/** The key as PKCS#8 PEM encrypted with the passphrase (what TARGET_CLIENT_KEY_PASSPHRASE opens). */
export const encryptedKey = (key: string, passphrase: string) =>
  createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;

/** Writes files into a fresh temporary folder; returns their paths by name. */
export function writeFiles<T extends Record<string, string>>(files: T): { readonly [K in keyof T]: string } & { readonly dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-selftest-'));
  const paths = Object.fromEntries(Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return [name, path];
  }));
  return { ...paths, dir } as { readonly [K in keyof T]: string } & { readonly dir: string };
}

/** A server certificate for the names the reference server answers on (127.0.0.1, localhost). */
export const LOOPBACK = { commonName: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'] } as const;
