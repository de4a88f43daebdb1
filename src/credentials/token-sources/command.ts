// The command source: a shell command that prints one token (e.g. `gdcloud auth print-identity-token
// --audiences=https://...`). Run when a token is needed; a JWT lives until its `exp`, anything else
// for AUTH_TOKEN_COMMAND_TTL seconds. A failure or a hang gives one message naming the variable;
// the token (stdout) never appears in it, stderr only redacted and clipped.
import { spawn } from 'node:child_process';
import { redact, registerSecret } from '../redact';
import { CredentialError, jwtExpiry, type Minted } from './renewable';

const STDERR_CLIP = 300;
const MAX_OUTPUT = 64 * 1024;

export interface CommandSpec {
  /** The variable that holds the command, named in every message. */
  readonly variable: string;
  readonly command: string;
  readonly ttlS: number;
  readonly timeoutMs: number;
}

function clippedStderr(stderr: string): string {
  const text = redact(stderr.trim()).replace(/\s+/g, ' ');
  if (!text) return '';
  return `; stderr: ${text.length > STDERR_CLIP ? `${text.slice(0, STDERR_CLIP)}…` : text}`;
}

/** Kills the command's whole process group (the shell and whatever it started). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function runTokenCommand(spec: CommandSpec): Promise<Minted> {
  const { variable, command, ttlS, timeoutMs } = spec;
  const fail = (problem: string) => new CredentialError(`${variable}: the token command ${problem}. Fix the command (run it in a shell to see) or unset ${variable}.`);
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever stdout held may be a token: make sure no message can carry it.
      registerSecret(stdout.trim());
      outcome();
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() => reject(fail(`did not finish within AUTH_TOKEN_COMMAND_TIMEOUT (${timeoutMs / 1000} s) and was killed${clippedStderr(stderr)}`)));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.length > MAX_OUTPUT) {
        killGroup(child.pid);
        finish(() => reject(fail(`printed more than ${MAX_OUTPUT} bytes; it must print only the token`)));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => finish(() => reject(fail(`could not be started (${error.message})`))));
    child.on('close', (code, signal) => {
      finish(() => {
        const token = stdout.trim();
        if (code !== 0) return reject(fail(`exited with ${signal ? `signal ${signal}` : `status ${code}`} after ${Date.now() - started} ms${clippedStderr(stderr)}`));
        if (!token) return reject(fail(`printed nothing on stdout${clippedStderr(stderr)}`));
        if (/\s/.test(token)) return reject(fail('printed more than one word on stdout; it must print only the token (no label, no JSON)'));
        // Not rounded down: a token got now lives the whole TTL.
        const exp = jwtExpiry(token) ?? Date.now() / 1000 + ttlS;
        resolvePromise({ token, exp });
      });
    });
  });
}
