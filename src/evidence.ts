// Evidence of one HTTP exchange: a readable, redacted transcript with a curl line.
import { redact, redactHeaders } from './redact';

export interface Exchange {
  readonly method: string;
  readonly url: string;
  /** Who the request claimed to be, e.g. "cloud-translation only (client-credentials)"; never the token. */
  readonly authLabel: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseText: string;
  /** Parsed body when it is JSON; undefined otherwise. */
  readonly json: unknown;
  readonly durationMs: number;
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A curl command that replays the request; the token stays in $ACCESS_TOKEN. */
export function curlLine(ex: Pick<Exchange, 'method' | 'url' | 'requestHeaders' | 'requestBody'>): string {
  const parts = ['curl', '-sS', '-i', '-X', ex.method, shellQuote(ex.url)];
  for (const [name, value] of Object.entries(ex.requestHeaders)) {
    if (name.toLowerCase() === 'authorization') {
      const scheme = value.split(/\s+/)[0] ?? 'Bearer';
      parts.push('-H', `"Authorization: ${scheme} $ACCESS_TOKEN"`);
    } else {
      parts.push('-H', shellQuote(`${name}: ${redact(value)}`));
    }
  }
  if (ex.requestBody !== undefined) parts.push('--data-raw', shellQuote(redact(ex.requestBody)));
  return parts.join(' ');
}

const headerLines = (headers: Readonly<Record<string, string>>) =>
  Object.entries(redactHeaders(headers)).map(([k, v]) => `${k}: ${v}`).join('\n');

const MAX_BODY = 16_384;
const clip = (body: string) => (body.length > MAX_BODY ? `${body.slice(0, MAX_BODY)}\n… (${body.length - MAX_BODY} more characters)` : body);

export function transcript(ex: Exchange): string {
  return redact(
    [
      `${ex.method} ${ex.url}`,
      `# credentials: ${ex.authLabel}`,
      headerLines(ex.requestHeaders),
      '',
      ex.requestBody === undefined ? '(no body)' : ex.requestBody === '' ? '(zero-length body)' : clip(ex.requestBody),
      '',
      `HTTP ${ex.status}  (${ex.durationMs} ms)`,
      headerLines(ex.responseHeaders),
      '',
      ex.responseText === '' ? '(zero-length body)' : clip(ex.responseText),
      '',
      '# reproduce (export ACCESS_TOKEN first):',
      curlLine(ex),
    ].join('\n'),
  );
}

/** One line for failure messages: "POST …:cancel → 403 PERMISSION_DENIED". */
export function brief(ex: Exchange): string {
  const status = (ex.json as { error?: { status?: unknown } } | undefined)?.error?.status;
  return redact(`${ex.method} ${new URL(ex.url).pathname} → ${ex.status}${typeof status === 'string' ? ` ${status}` : ''}`);
}
