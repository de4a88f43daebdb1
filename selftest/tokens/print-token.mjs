#!/usr/bin/env node
// A stand-in token command for the self-tests. Each run appends one line to LOG (when given).
//   print-token.mjs jwt <seconds> [LOG]            an (unsigned) JWT that expires in <seconds>
//   print-token.mjs opaque [LOG]                   a random opaque token
//   print-token.mjs issuer <scope> <seconds> [LOG] a real token from the issuer at $AUTH_TOKEN_URL
//                                                  (the embedded one honours expires_in)
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const [mode, ...args] = process.argv.slice(2);
const log = (file) => file && appendFileSync(file, `${process.pid} ${Date.now()}\n`);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

if (mode === 'jwt') {
  const [seconds, file] = args;
  log(file);
  const now = Math.floor(Date.now() / 1000);
  process.stdout.write(`${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + Number(seconds), jti: randomBytes(8).toString('hex') })}.${randomBytes(32).toString('base64url')}\n`);
} else if (mode === 'opaque') {
  log(args[0]);
  process.stdout.write(`opaque-${randomBytes(16).toString('hex')}\n`);
} else if (mode === 'issuer') {
  const [scope, seconds, file] = args;
  log(file);
  const url = process.env.AUTH_TOKEN_URL;
  if (!url) {
    process.stderr.write('AUTH_TOKEN_URL is not set\n');
    process.exit(2);
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('token-command:secret').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, expires_in: seconds }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.access_token !== 'string') {
    process.stderr.write(`issuer answered HTTP ${response.status}\n`);
    process.exit(1);
  }
  process.stdout.write(`${body.access_token}\n`);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(64);
}
