// How a replay line rebuilds the credential a request carried, with what a shell has:
// - a token from a source (static, command, service account, issuer) is read from $ACCESS_TOKEN,
//   and the line says which token to export, and how where a command can get it;
// - a token the suite derived from the user's token (tampered) is rebuilt from $ACCESS_TOKEN by a
//   shell expression that gives exactly the bytes the suite sent, never written out;
// - a token the suite made from nothing secret (forged, unsigned, made up) is written out as it was
//   sent (redact() leaves those in clear: src/credentials/redact.ts).
import { INSUFFICIENT_SCOPE_SETS, PLATFORM_SCOPE, TRANSLATION_SCOPE, type Credential } from './tokens';
import { shellQuote } from '../transport/shell';

/** How a replay line sends the token a request carried. */
export interface TokenReplay {
  /** The token inside a double-quoted shell word: `$ACCESS_TOKEN`, `${ACCESS_TOKEN%????}AAAA`, or the self-made token itself. */
  readonly shell: string;
  /** How the credential was built, in words. */
  readonly built: string;
  /** The token ACCESS_TOKEN must hold, in words, and a command that exports it where one can; absent when the line needs none. */
  readonly needs?: { readonly token: string; readonly export?: string };
  /** A written-out token's expiry (epoch seconds), after which a replay is refused for that alone. */
  readonly expires?: number;
}

/** The issuer's side of a client-credentials export: flags that reach AUTH_TOKEN_URL as the suite did (its CA, its proxy). */
export interface IssuerReach {
  readonly curlFlags: readonly string[];
}

const short = (scope: string) => scope.replace('https://www.googleapis.com/auth/', '');

/** The scope set a credential's label names, as a noun ("cloud-translation-only token"), and the scopes to ask an issuer for. */
function scopeSet(label: string): { noun: string; scopes?: readonly string[] } {
  switch (label) {
    case 'cloud-translation only':
      return { noun: 'cloud-translation-only token', scopes: [TRANSLATION_SCOPE] };
    case 'cloud-platform only':
      return { noun: 'cloud-platform-only token', scopes: [PLATFORM_SCOPE] };
    case 'cloud-translation + cloud-platform':
      return { noun: 'token with both scopes (cloud-translation and cloud-platform)', scopes: [TRANSLATION_SCOPE, PLATFORM_SCOPE] };
    case 'expired':
      return { noun: 'expired token', scopes: [TRANSLATION_SCOPE] };
    case 'AUTH_TOKEN_COMMAND_INSUFFICIENT':
      return { noun: 'token holding neither scope' };
  }
  if (label.startsWith('everyday')) return { noun: 'everyday token' };
  const numbered = /^AUTH_TOKEN_INSUFFICIENT #(\d+)$/.exec(label);
  if (numbered) return { noun: `token #${numbered[1]} (holding neither scope)` };
  const set = INSUFFICIENT_SCOPE_SETS.find((s) => s.label === label);
  if (set) return { noun: `token holding only ${short(set.scope)} (${label}, neither allowed scope)`, scopes: [set.scope] };
  return { noun: `${label} token` };
}

/**
 * A credential from a source, as a noun phrase ("the cloud-platform-only token in AUTH_TOKEN_PLATFORM"),
 * with the command that exports it where one can.
 */
export function describeCredential(c: Pick<Credential, 'label' | 'source'>, issuer: IssuerReach): { words: string; export?: string } {
  const { noun, scopes } = scopeSet(c.label);
  const staticVar = /^static (\S+)/.exec(c.source)?.[1];
  if (staticVar === 'AUTH_TOKEN_INSUFFICIENT') {
    // As config.ts reads it: comma-separated, each trimmed, empty ones left out.
    const n = /#(\d+)$/.exec(c.label)?.[1] ?? '1';
    return { words: `the ${noun} in AUTH_TOKEN_INSUFFICIENT`, export: `export ACCESS_TOKEN="$(printf %s "$AUTH_TOKEN_INSUFFICIENT" | tr , '\\n' | tr -d ' \\t\\r' | grep . | sed -n ${n}p)"` };
  }
  if (staticVar) return { words: `the ${noun} in ${staticVar}`, export: `export ACCESS_TOKEN="$${staticVar}"` };
  const commandVar = /^command (\S+)/.exec(c.source)?.[1];
  // The suite runs the command with /bin/sh -c and takes what it prints, trimmed.
  if (commandVar) return { words: `the ${noun} that the command in ${commandVar} prints`, export: `export ACCESS_TOKEN="$(sh -c "$${commandVar}")"` };
  const account = /^service account (.+)$/.exec(c.source)?.[1];
  if (account) return { words: `the ${noun} minted for service account ${account} (GOOGLE_APPLICATION_CREDENTIALS)${scopes ? ` with scope ${scopes.join(' ')}` : ''}` };
  if (c.source.startsWith('client-credentials')) {
    const expiresIn = /expires_in=(-?\d+)/.exec(c.source)?.[1];
    const form = [
      '-d grant_type=client_credentials',
      ...(scopes ? [`--data-urlencode ${shellQuote(`scope=${scopes.join(' ')}`)}`] : []),
      ...(expiresIn ? [`-d expires_in=${expiresIn}`] : []),
    ];
    return {
      words: `the ${noun} that the client-credentials issuer (AUTH_TOKEN_URL) mints${expiresIn ? ` with expires_in=${expiresIn}` : ''}`,
      export: `export ACCESS_TOKEN="$(curl -sS ${[...issuer.curlFlags, '-u "$AUTH_CLIENT_ID:$AUTH_CLIENT_SECRET"', ...form].join(' ')} "$AUTH_TOKEN_URL" | jq -r .access_token)"`,
    };
  }
  return { words: `the ${noun} (${c.source})` };
}

/** A literal inside double quotes. */
const inDoubleQuotes = (s: string) => s.replace(/[\\"$`]/g, (c) => `\\${c}`);

/** How a replay sends `c`'s token. */
export function tokenReplay(c: Credential, issuer: IssuerReach): TokenReplay {
  const built = c.built;
  if (!built) {
    const it = describeCredential(c, issuer);
    return { shell: '$ACCESS_TOKEN', built: it.words, needs: { token: it.words, ...(it.export ? { export: it.export } : {}) } };
  }
  const origin = built.from ? describeCredential(built.from, issuer) : undefined;
  const how = built.how.replaceAll('{from}', origin?.words ?? 'the token it was built from');
  if ('literal' in built) return { shell: inDoubleQuotes(c.token), built: how, ...(built.exp !== undefined ? { expires: built.exp } : {}) };
  return {
    shell: built.shell,
    built: how,
    needs: { token: `${origin?.words ?? 'the token it was built from'}: the suite built this credential from it`, ...(origin?.export ? { export: origin.export } : {}) },
  };
}
