// src/running/shared.ts: a shared scenario is computed once per run, across worker processes, and a
// failure is replayed rather than retried (each retry would be a billed operation).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { once, sharedDir, storable, SharedFailure } from '../../src/running/shared';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

test.describe('shared scenario results', () => {
  const previous = process.env.REPORTS_DIR;
  test.beforeEach(() => {
    process.env.REPORTS_DIR = mkdtempSync(join(tmpdir(), 'shared-'));
  });
  test.afterEach(() => {
    if (previous === undefined) delete process.env.REPORTS_DIR;
    else process.env.REPORTS_DIR = previous;
  });

  test('three processes asking at once compute the value once and all get it', async () => {
    const log = join(process.env.REPORTS_DIR!, 'computed.log');
    writeFileSync(log, '');
    const child = () => run(process.execPath, ['--import', 'tsx', join(ROOT, 'selftest/unit/shared-once-child.ts'), 'subject', log], { cwd: ROOT, env: process.env });
    const outputs = await Promise.all([child(), child(), child()]);
    const values = outputs.map((o) => JSON.parse(o.stdout) as { by: number });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(new Set(values.map((v) => v.by)).size).toBe(1);
  });

  test('a failure is remembered and replayed with its kind and message', async () => {
    let calls = 0;
    const failing = () => once('broken', async () => {
      calls++;
      throw Object.assign(new Error('no operation name'), { name: 'PrerequisiteFailed' });
    });
    for (let i = 0; i < 2; i++) {
      const error = await failing().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SharedFailure);
      expect([(error as Error).name, (error as Error).message]).toEqual(['PrerequisiteFailed', 'no operation name']);
    }
    expect(calls).toBe(1);
  });

  test('a lock left by a dead process does not block the others', async () => {
    const dir = sharedDir();
    await once('warm-up', async () => 1);
    writeFileSync(join(dir, 'orphan.json.lock'), '2147483646');
    expect(await once('orphan', async () => 'computed anyway', { waitMs: 2000 })).toBe('computed anyway');
  });

  test('stored exchanges keep the scheme of Authorization, never the token', () => {
    const ex = { method: 'POST', url: 'http://127.0.0.1/x', authLabel: 'a', requestHeaders: { authorization: 'Bearer eyJsecret.token.value' }, requestBody: '{}',
      status: 200, responseHeaders: {}, responseText: '{}', json: {}, durationMs: 1 };
    expect(storable(ex).requestHeaders).toEqual({ authorization: 'Bearer [REDACTED]' });
    expect(JSON.stringify(storable(ex))).not.toContain('eyJsecret');
  });
});
