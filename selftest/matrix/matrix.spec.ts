// The suite proves itself: the real `npm run conformance` against every broken variant of the
// reference server (each must be caught by exactly the requirements it targets) and every
// correct profile (no failure at all).
import { expect, test } from '@playwright/test';
import { CATALOG, requirement } from '../../src/catalog';
import { runConformance, type ConformanceRun } from './run-conformance';
import { FAULTS } from '../../reference-server/faults';
import { BROKEN_VARIANTS, CORRECT_PROFILES, type Expected, type Variant } from './variants';

// Three at a time: each run waits on its target part of the time (settling), so two cores stay busy.
const CONCURRENCY = Number(process.env.MATRIX_CONCURRENCY ?? 3);
const EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2 } as const;

interface Row {
  variant: Variant;
  run: ConformanceRun;
  /** Each requirement's status as the run gave it ('partial' for a pass in part). */
  actual: Record<string, Expected | 'missing'>;
  mismatches: string[];
  expectedVerdict: keyof typeof EXIT;
}

const expectedOf = (v: Variant, status: Expected) => Object.entries(v.expected).filter(([, s]) => s === status).map(([id]) => id);

function expectedVerdict(v: Variant): keyof typeof EXIT {
  const mustIn = (status: Expected) => expectedOf(v, status).some((id) => requirement(id).level === 'MUST');
  if (mustIn('failed')) return 'non-conformant';
  if (mustIn('unverified') || mustIn('not-run')) return 'incomplete';
  return 'conformant';
}

async function runVariant(variant: Variant): Promise<Row> {
  const run = await runConformance({
    REFERENCE_PROFILE: variant.profile ?? 'conformant',
    REFERENCE_FAULTS: (variant.faults ?? []).join(','),
    // The slowest correct cancel lands in 3 s (slow-cancel): a broken variant that never settles need not cost 30 s.
    CANCEL_SETTLE_TIMEOUT: '6',
    ...variant.env,
  }, { keepAllure: false });
  const byId = new Map((run.summary?.requirements ?? []).map((r) => [r.id, r]));
  const actual = Object.fromEntries(CATALOG.map((req) => {
    const r = byId.get(req.id);
    return [req.id, !r ? 'missing' : r.status === 'passed' && r.partial ? 'partial' : (r.status as Expected)];
  })) as Row['actual'];
  const mismatches = CATALOG.filter((req) => actual[req.id] !== variant.expected[req.id])
    .map((req) => `${req.id}: expected ${variant.expected[req.id]}, got ${actual[req.id]}${byId.get(req.id)?.reason ? ` (${byId.get(req.id)!.reason.slice(0, 160)})` : ''}`);
  return { variant, run, actual, mismatches, expectedVerdict: expectedVerdict(variant) };
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
    const caught = r.variant.breaks.filter((id) => r.actual[id] === 'failed').length;
    const verdict = r.run.summary?.verdict ?? `no summary (exit ${r.run.exitCode})`;
    const ok = r.mismatches.length === 0 && verdict === r.expectedVerdict ? 'ok  ' : 'MISS';
    return `${ok} ${r.variant.name.padEnd(width)}  caught ${caught}/${r.variant.breaks.length}  ${verdict.padEnd(14)} ${(r.run.ms / 1000).toFixed(1)}s  ${r.variant.breaks.join(', ')}${r.mismatches.length ? `\n       ${r.mismatches.join('\n       ')}` : ''}`;
  });
  const broken = rows.filter((r) => r.variant.breaks.length > 0);
  const caught = broken.filter((r) => r.variant.breaks.every((id) => r.actual[id] === 'failed')).length;
  const falseFailures = rows.reduce((n, r) => n + Object.entries(r.actual).filter(([id, s]) => s === 'failed' && r.variant.expected[id] !== 'failed').length, 0);
  return [...lines, `caught ${caught}/${broken.length} broken variants; ${falseFailures} false failures; ${rows.filter((r) => r.mismatches.length).length} runs with a status other than pinned`].join('\n');
}

test('every catalog requirement has a broken variant that proves it can fail', () => {
  const proven = new Set(BROKEN_VARIANTS.flatMap((v) => v.breaks));
  expect(CATALOG.map((r) => r.id).filter((id) => !proven.has(id))).toEqual([]);
  // Every fault of faults.ts is in the matrix, and names only catalog IDs.
  expect(Object.keys(FAULTS).filter((f) => !BROKEN_VARIANTS.some((v) => v.faults?.includes(f as never)))).toEqual([]);
  for (const v of [...BROKEN_VARIANTS, ...CORRECT_PROFILES]) {
    v.breaks.forEach(requirement);
    expect(Object.keys(v.expected).sort(), `${v.name} pins every requirement`).toEqual(CATALOG.map((r) => r.id).sort());
  }
});

test('the suite catches every broken variant and passes every correct profile', async () => {
  const variants = [...CORRECT_PROFILES, ...BROKEN_VARIANTS].filter((v) => !process.env.MATRIX_ONLY || process.env.MATRIX_ONLY.split(',').includes(v.name));
  test.setTimeout(60_000 + (variants.length * 90_000) / CONCURRENCY);
  const rows = await pool(variants, CONCURRENCY, runVariant);
  console.log(`\nmutation matrix (${rows.length} runs, ${CONCURRENCY} at a time)\n${table(rows)}\n`);
  for (const r of rows) {
    const where = `${r.variant.name} (output in ${r.run.dir})`;
    expect.soft(r.run.summary, `${where}: no summary\n${r.run.output.slice(-2000)}`).toBeDefined();
    expect.soft(r.mismatches, `${where}: statuses other than pinned`).toEqual([]);
    expect.soft(r.run.summary?.verdict, `${where}: verdict`).toBe(r.expectedVerdict);
    expect.soft(r.run.exitCode, `${where}: exit status`).toBe(EXIT[r.expectedVerdict]);
  }
});
