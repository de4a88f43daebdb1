// The suite proves itself: the real `npm run conformance` against every broken variant of the
// reference server (each must be caught by exactly the requirements it targets) and every
// correct profile (no failure at all).
import { expect, test } from '@playwright/test';
import { CATALOG, requirement } from '../../src/catalog';
import { runConformance, type ConformanceRun } from './run-conformance';
import { BROKEN_VARIANTS, CORRECT_PROFILES, type Variant } from './variants';

const CONCURRENCY = Number(process.env.MATRIX_CONCURRENCY ?? 2);
const EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2 } as const;

interface Row {
  variant: Variant;
  run: ConformanceRun;
  expectedFailures: string[];
  failed: string[];
  unverified: string[];
  expectedVerdict: keyof typeof EXIT;
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

function expectedVerdict(v: Variant): keyof typeof EXIT {
  const failing = [...v.breaks, ...(v.alsoFails ?? [])];
  if (failing.some((id) => requirement(id).level === 'MUST')) return 'non-conformant';
  if ((v.unverified ?? []).some((id) => requirement(id).level === 'MUST')) return 'incomplete';
  return 'conformant';
}

async function runVariant(variant: Variant): Promise<Row> {
  const run = await runConformance({
    REFERENCE_PROFILE: variant.profile ?? 'conformant',
    REFERENCE_FAULTS: (variant.faults ?? []).join(','),
    ...variant.env,
  });
  const with_ = (status: string) => sorted((run.summary?.requirements ?? []).filter((r) => r.status === status).map((r) => r.id));
  return {
    variant, run,
    expectedFailures: sorted([...variant.breaks, ...(variant.alsoFails ?? [])]),
    failed: with_('failed'),
    unverified: with_('unverified'),
    expectedVerdict: expectedVerdict(variant),
  };
}

async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  }));
  return results;
}

function table(rows: Row[]): string {
  const width = Math.max(...rows.map((r) => r.variant.name.length));
  const lines = rows.map((r) => {
    const caught = r.variant.breaks.filter((id) => r.failed.includes(id)).length;
    const extra = r.failed.filter((id) => !r.expectedFailures.includes(id));
    const missing = r.expectedFailures.filter((id) => !r.failed.includes(id));
    const verdict = r.run.summary?.verdict ?? `no summary (exit ${r.run.exitCode})`;
    const ok = extra.length === 0 && missing.length === 0 && verdict === r.expectedVerdict ? 'ok  ' : 'MISS';
    const detail = [missing.length ? `not caught: ${missing.join(', ')}` : '', extra.length ? `false failures: ${extra.join(', ')}` : '']
      .filter(Boolean).join('; ');
    return `${ok} ${r.variant.name.padEnd(width)}  caught ${caught}/${r.variant.breaks.length}  ${verdict.padEnd(14)} ${(r.run.ms / 1000).toFixed(1)}s  ${r.variant.breaks.join(', ')} ${detail}`;
  });
  const broken = rows.filter((r) => r.variant.breaks.length > 0);
  const caught = broken.filter((r) => r.variant.breaks.every((id) => r.failed.includes(id))).length;
  const falseFailures = rows.reduce((n, r) => n + r.failed.filter((id) => !r.expectedFailures.includes(id)).length, 0);
  return [...lines, `caught ${caught}/${broken.length} broken variants; ${falseFailures} false failures`].join('\n');
}

test('every catalog requirement has a broken variant that proves it can fail', () => {
  const proven = new Set(BROKEN_VARIANTS.flatMap((v) => v.breaks));
  expect(CATALOG.map((r) => r.id).filter((id) => !proven.has(id))).toEqual([]);
  for (const v of [...BROKEN_VARIANTS, ...CORRECT_PROFILES]) [...v.breaks, ...(v.alsoFails ?? []), ...(v.unverified ?? [])].forEach(requirement);
});

test('the suite catches every broken variant and passes every correct profile', async () => {
  const variants = [...CORRECT_PROFILES, ...BROKEN_VARIANTS].filter((v) => !process.env.MATRIX_ONLY || process.env.MATRIX_ONLY.split(',').includes(v.name));
  test.setTimeout(60_000 + (variants.length * 90_000) / CONCURRENCY);
  const rows = await pool(variants, CONCURRENCY, runVariant);
  console.log(`\nmutation matrix (${rows.length} runs, ${CONCURRENCY} at a time)\n${table(rows)}\n`);
  for (const r of rows) {
    const where = `${r.variant.name} (output in ${r.run.dir})`;
    expect.soft(r.run.summary, `${where}: no summary\n${r.run.output.slice(-2000)}`).toBeDefined();
    expect.soft(r.failed, `${where}: failed requirements`).toEqual(r.expectedFailures);
    expect.soft(r.unverified, `${where}: unverified requirements`).toEqual(sorted(r.variant.unverified ?? []));
    expect.soft(r.run.summary?.verdict, `${where}: verdict`).toBe(r.expectedVerdict);
    expect.soft(r.run.exitCode, `${where}: exit status`).toBe(EXIT[r.expectedVerdict]);
  }
});
