// What a replay line needs beyond the request itself, carried on each Exchange (set where the
// call is sent: src/transport/replay-of.ts), and the block that ends a transcript:
//
//   # reproduce:
//   # token: <which token ACCESS_TOKEN must hold, in words>
//   #   export ACCESS_TOKEN=…            (where a command can get it)
//   # note: …                            (what a flag cannot say)
//   curl … | grpcurl …
//
// The console's Failures section and the summary quote the block (src/reporting/test-evidence.ts).
import type { TokenReplay } from '../credentials/replay';
import { shellQuote } from './shell';

export interface Replay {
  /** How the Authorization's token is sent again; absent when none was sent. */
  readonly credential?: TokenReplay;
  /** TLS as the suite spoke it: TARGET_CA_FILE, TARGET_CLIENT_CERT/KEY (+ passphrase), TARGET_TLS_INSECURE. */
  readonly tls?: ReplayTls;
  /** The proxy the request went through (proxyFor). */
  readonly proxy?: ReplayProxy;
}

export interface ReplayTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The key is encrypted: TARGET_CLIENT_KEY_PASSPHRASE decrypts it (named, never written out). */
  readonly keyPassphrase?: boolean;
  readonly insecure?: boolean;
}

export interface ReplayProxy {
  /** Without credentials. */
  readonly url: string;
  /** The variable that holds it whole, when the URL has credentials that must not be written out. */
  readonly variable?: string;
}

/** The variable that holds TARGET_CLIENT_KEY's passphrase: the only way a replay line names it. */
export const PASSPHRASE_VARIABLE = 'TARGET_CLIENT_KEY_PASSPHRASE';

/** The Authorization header a replay sends, as one double-quoted word: the token rebuilt as `replay` says, else read from $ACCESS_TOKEN. */
export function authorizationWord(name: string, value: string, replay: Replay | undefined): string {
  const scheme = value.split(/\s+/)[0] ?? 'Bearer';
  return `"${name}: ${scheme} ${replay?.credential?.shell ?? '$ACCESS_TOKEN'}"`;
}

/** curl's TLS and proxy flags. */
export function curlFlags(r: Replay | undefined): string[] {
  const t = r?.tls;
  return [
    ...(t?.caFile ? ['--cacert', shellQuote(t.caFile)] : []),
    ...(t?.certFile && t.keyFile ? ['--cert', shellQuote(t.certFile), '--key', shellQuote(t.keyFile)] : []),
    ...(t?.certFile && t.keyFile && t.keyPassphrase ? ['--pass', `"$${PASSPHRASE_VARIABLE}"`] : []),
    ...(t?.insecure ? ['-k'] : []),
    ...(r?.proxy ? ['--proxy', r.proxy.variable ? `"$${r.proxy.variable}"` : shellQuote(r.proxy.url)] : []),
  ];
}

/** Where grpcurl finds a decrypted copy of an encrypted client key (it reads no passphrase). */
export const DECRYPTED_KEY_FILE = '/tmp/lro-cancel-conformance-client.key';

/** grpcurl's TLS flags; the proxy is not one (it reads HTTPS_PROXY): see replayBlock's notes. */
export function grpcurlTlsFlags(t: ReplayTls): string[] {
  return [
    ...(t.caFile ? ['-cacert', shellQuote(t.caFile)] : []),
    ...(t.certFile && t.keyFile ? ['-cert', shellQuote(t.certFile), '-key', t.keyPassphrase ? DECRYPTED_KEY_FILE : shellQuote(t.keyFile)] : []),
    ...(t.insecure ? ['-insecure'] : []),
  ];
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The comment lines before the replay line. `sentAuthorization`: whether the request had an
 * Authorization header (an exchange without `replay` cannot say how its token was built).
 */
export function replayNotes(r: Replay | undefined, tool: 'curl' | 'grpcurl', sentAuthorization: boolean): string[] {
  const c = r?.credential;
  const token = !sentAuthorization
    ? ['# token: none (no Authorization was sent)']
    : !c
      ? ['# token: export ACCESS_TOKEN first: the token the suite sent']
      : c.needs
        ? [`# token: ${c.needs.token}`, ...(c.needs.export ? [`#   ${c.needs.export}`] : [])]
        : [`# token: none needed: the line carries the token itself, made by the suite${c.expires !== undefined ? ` (its exp is ${iso(c.expires)}: after that a replay is refused for its expiry alone)` : ''}`];
  const notes: string[] = [];
  if (tool === 'grpcurl' && r?.proxy) {
    notes.push(`# note: grpcurl takes its proxy from the environment, as the suite did: export HTTPS_PROXY=${r.proxy.variable ? `"$${r.proxy.variable}"` : shellQuote(r.proxy.url)} if it is not set`);
  }
  if (tool === 'grpcurl' && r?.tls?.keyPassphrase && r.tls.keyFile) {
    notes.push(`# note: grpcurl reads no encrypted key: first (umask 077; openssl pkey -in ${shellQuote(r.tls.keyFile)} -passin env:${PASSPHRASE_VARIABLE} -out ${DECRYPTED_KEY_FILE}), and remove it after`);
  }
  return ['# reproduce:', ...token, ...notes];
}

/** The replay block of a transcript, read back: the replay line and what goes with it. */
export interface ReplayBlock {
  /** The curl or grpcurl line. */
  readonly line: string;
  /** "# credentials:" of the transcript: how the credential was built. */
  readonly credentials?: string;
  /** Which token ACCESS_TOKEN must hold. */
  readonly token?: string;
  /** The command that exports it. */
  readonly export?: string;
  readonly notes: readonly string[];
}

const lastIndex = (lines: readonly string[], test: (line: string) => boolean, before = lines.length) => {
  for (let i = before - 1; i >= 0; i--) if (test(lines[i]!)) return i;
  return -1;
};

export function readReplayBlock(transcript: string): ReplayBlock | undefined {
  const lines = transcript.split('\n');
  const at = lastIndex(lines, (l) => l.startsWith('curl ') || l.startsWith('grpcurl '));
  if (at < 0) return undefined;
  const start = lastIndex(lines, (l) => l.startsWith('# reproduce'), at);
  const block = start < 0 ? [] : lines.slice(start + 1, at);
  const after = (prefix: string) => block.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  const credentials = lines.find((l) => l.startsWith('# credentials: '))?.slice('# credentials: '.length);
  const token = after('# token: ');
  const exported = after('#   export ');
  return {
    line: lines[at]!,
    ...(credentials ? { credentials } : {}),
    ...(token ? { token } : {}),
    ...(exported ? { export: `export ${exported}` } : {}),
    notes: block.filter((l) => l.startsWith('# note: ')).map((l) => l.slice('# note: '.length)),
  };
}
