// `npm run report:open`: serves the report on loopback; a busy or bad PORT is one line, not a stack.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from '../matrix/run-conformance';

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const report = mkdtempSync(join(tmpdir(), 'report-open-'));
writeFileSync(join(report, 'index.html'), '<!doctype html><title>report</title>');

const open = (port: string) => spawnSync(process.execPath, [TSX, 'scripts/report-open.ts', report], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, PORT: port } });

test('a busy PORT is one line naming the port and the fix (exit 1)', async () => {
  const busy: Server = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = String((busy.address() as { port: number }).port);
  try {
    const run = open(port);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n'), run.stderr).toEqual([
      `report:open: port ${port} on 127.0.0.1 is already in use: stop what holds it, or choose another PORT (unset picks a free one)`,
    ]);
  } finally {
    busy.close();
  }
});

test('a PORT that is not a port is one line too', () => {
  const run = open('80a');
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe('report:open: PORT="80a" is not a port number: use 1-65535, or leave it unset for a free port');
});

test('a free port serves the report on 127.0.0.1 until stopped', async () => {
  const child = spawn(process.execPath, [TSX, 'scripts/report-open.ts', report], { cwd: ROOT, env: { ...process.env, PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/); if (m) resolve(m[1]!); });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>report</title>');
  } finally {
    child.kill('SIGTERM');
  }
});
