// `npm run report:open [dir]`: serves the generated Allure report on 127.0.0.1 only
// (PORT, default a free port) until Ctrl-C.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveDirectory, type StaticServer } from '../src/reporting/static-server';

function fail(message: string): never {
  console.error(`report:open: ${message}`);
  process.exit(1);
}

const dir = process.argv[2] ?? join(process.env.REPORTS_DIR ?? 'reports', 'allure-report');
if (!existsSync(join(dir, 'index.html'))) fail(`${dir}/index.html is missing: run npm run report first`);
const raw = process.env.PORT?.trim() || '0';
const port = Number(raw);
if (!/^\d+$/.test(raw) || port > 65535) fail(`PORT="${raw}" is not a port number: use 1-65535, or leave it unset for a free port`);
let server: StaticServer;
try {
  server = await serveDirectory(dir, { port });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port ${port} on 127.0.0.1 is already in use: stop what holds it, or choose another PORT (unset picks a free one)`);
  if (code === 'EACCES') fail(`port ${port} on 127.0.0.1 needs privileges: choose a PORT above 1023 (unset picks a free one)`);
  fail(`cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`);
}
console.log(`Allure report of ${dir} on ${server.url} (conformance summary: the button at the bottom right). Ctrl-C stops it.`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
