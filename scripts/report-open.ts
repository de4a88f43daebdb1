// `npm run report:open [dir]`: serves the generated Allure report on 127.0.0.1 only
// (PORT, default a free port) until Ctrl-C.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveDirectory } from '../src/static-server';

const dir = process.argv[2] ?? join(process.env.REPORTS_DIR ?? 'reports', 'allure-report');
if (!existsSync(join(dir, 'index.html'))) {
  console.error(`report:open: ${dir}/index.html is missing: run npm run report first`);
  process.exit(1);
}
const server = await serveDirectory(dir, { port: Number(process.env.PORT ?? 0) });
console.log(`Allure report of ${dir} on ${server.url} (conformance summary: the button at the bottom right). Ctrl-C stops it.`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
