// The Replay each exchange carries (src/transport/replay.ts): how its credential is sent again,
// and the TLS and proxy the suite used, as flags a shell can give curl and grpcurl.
import type { Config, Transport } from '../running/config';
import type { Auth, DoorName } from './operations-client';
import { tokenReplay, type IssuerReach, type TokenReplay } from '../credentials/replay';
import { proxyFor } from './tls';
import { shellQuote } from './shell';
import type { Replay, ReplayProxy, ReplayTls } from './replay';

/** The proxy proxyFor() picks for `url`, without its credentials (then named by the variable that holds them). */
export function replayProxy(url: string, env: NodeJS.ProcessEnv = process.env): ReplayProxy | undefined {
  const proxy = proxyFor(url);
  if (!proxy) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(proxy);
  } catch {
    return undefined;
  }
  if (!parsed.username && !parsed.password) return { url: proxy };
  parsed.username = '';
  parsed.password = '';
  const variable = Object.keys(env).find((k) => /proxy/i.test(k) && !!env[k]?.trim() && proxy.endsWith(env[k]!.trim()));
  return { url: parsed.origin, ...(variable ? { variable } : {}) };
}

export function replayTls(t: Transport): ReplayTls {
  const client = t.clientCertificate;
  return {
    ...(t.caFile ? { caFile: t.caFile } : {}),
    ...(client ? { certFile: client.certFile, keyFile: client.keyFile, ...(client.passphrase ? { keyPassphrase: true as const } : {}) } : {}),
    ...(t.insecure ? { insecure: true as const } : {}),
  };
}

/** How a client-credentials export reaches AUTH_TOKEN_URL: the suite trusts TARGET_CA_FILE and the proxy there too. */
function issuerReach(cfg: Config): IssuerReach {
  const url = cfg.clientCredentials?.tokenUrl;
  if (!url) return { curlFlags: [] };
  const proxy = replayProxy(url);
  return {
    curlFlags: [
      ...(cfg.transport.caFile && url.startsWith('https:') ? ['--cacert', shellQuote(cfg.transport.caFile)] : []),
      ...(proxy ? ['--proxy', proxy.variable ? `"$${proxy.variable}"` : shellQuote(proxy.url)] : []),
    ],
  };
}

/** One per door and config: the credential part is kept per Auth object, the rest is the door's. */
export function replayFor(cfg: Config, door: DoorName): (auth: Auth, url: string) => Replay {
  const tokens = new WeakMap<object, TokenReplay | undefined>();
  let issuer: IssuerReach | undefined;
  const credentialOf = (auth: Auth): TokenReplay | undefined => {
    if (auth === 'none' || 'rawAuthorization' in auth) return undefined;
    if (!tokens.has(auth)) tokens.set(auth, tokenReplay(auth, (issuer ??= issuerReach(cfg))));
    return tokens.get(auth);
  };
  const tls = replayTls(cfg.transport);
  const hasTls = Object.keys(tls).length > 0;
  return (auth, url) => {
    const secure = door === 'grpc' ? !cfg.grpc?.plaintext : url.startsWith('https:');
    // The gRPC door tunnels as proxyFor(https://address) decides (grpc/operations-client.ts applyProxyEnvironment).
    const proxy = replayProxy(door === 'grpc' ? `https://${cfg.grpc?.address ?? new URL(url).host}` : url);
    const credential = credentialOf(auth);
    return {
      ...(credential ? { credential } : {}),
      ...(secure && hasTls ? { tls } : {}),
      ...(proxy ? { proxy } : {}),
    };
  };
}
