// The suite proves itself: the real `npm run conformance` against every broken variant of the
// reference server (each must be caught by exactly the requirements it targets) and every
// correct profile (no failure at all). One test per variant, so Playwright's workers keep the two
// cores busy with one run each (more runs at once only made each slower: README, "Performance").
import { expect, test } from '@playwright/test';
import { CATALOG, requirement } from '../../src/judging/catalog';
import { runConformance } from './run-conformance';
import { FAULTS } from '../../reference-server/faults';
import { MATRIX_ROW, type MatrixRow } from './table-reporter';
import { BROKEN_VARIANTS, CORRECT_PROFILES, type Expected, type Variant } from './variants';

const EXIT = { conformant: 0, 'non-conformant': 1, incomplete: 2 } as const;
const OWN_CANCEL_DELAY: ReadonlySet<string> = new Set(['slow-cancel', 'rbac-zone', 'live-zone']);

const expectedOf = (v: Variant, status: Expected) => Object.entries(v.expected).filter(([, s]) => s === status).map(([id]) => id);

function expectedVerdict(v: Variant): keyof typeof EXIT {
  const mustIn = (status: Expected) => expectedOf(v, status).some((id) => requirement(id).level === 'MUST');
  if (mustIn('failed')) return 'non-conformant';
  if (mustIn('unverified') || mustIn('not-run')) return 'incomplete';
  return 'conformant';
}

type Row = { status: string; doors?: Record<string, { status: string }> };

/**
 * A fault of one door is caught on that door and leaves the other door's statuses alone (the doors'
 * verdicts stay independent); parity, judged across both, is the exception.
 */
function doorMismatches(variant: Variant, byId: ReadonlyMap<string, Row>): string[] {
  const door = variant.faults?.map((f) => FAULTS[f].doors).find((d) => d === 'grpc');
  if (!variant.bothDoors || !door) return [];
  return variant.breaks.filter((id) => id !== 'cancel.transport.parity').flatMap((id) => {
    const doors = byId.get(id)?.doors;
    return [
      ...(doors?.[door]?.status === 'failed' ? [] : [`${id}: expected failed on the ${door} door, got ${doors?.[door]?.status ?? 'no per-door status'}`]),
      ...(doors?.rest?.status === 'failed' ? [`${id}: failed on the REST door too, by a fault of the ${door} door`] : []),
    ];
  });
}

test('every catalog requirement has a broken variant that proves it can fail', () => {
  const proven = new Set(BROKEN_VARIANTS.flatMap((v) => v.breaks));
  expect(CATALOG.map((r) => r.id).filter((id) => !proven.has(id))).toEqual([]);
  // Every fault of faults.ts is in the matrix, and names only catalog IDs.
  expect(Object.keys(FAULTS).filter((f) => !BROKEN_VARIANTS.some((v) => v.faults?.includes(f as never)))).toEqual([]);
  const all = [...BROKEN_VARIANTS, ...CORRECT_PROFILES];
  expect(new Set(all.map((v) => v.name)).size, 'variant names are test titles: unique').toBe(all.length);
  for (const v of all) {
    v.breaks.forEach(requirement);
    expect(Object.keys(v.expected).sort(), `${v.name} pins every requirement`).toEqual(CATALOG.map((r) => r.id).sort());
  }
});

test.describe('the suite catches every broken variant and passes every correct profile', () => {
  test.describe.configure({ mode: 'parallel', timeout: 150_000 });
  for (const [index, variant] of [...CORRECT_PROFILES, ...BROKEN_VARIANTS].entries()) {
    test(variant.name, async () => {
      const run = await runConformance({
        REFERENCE_PROFILE: variant.profile ?? 'conformant',
        REFERENCE_FAULTS: (variant.faults ?? []).join(','),
        // The slowest correct cancel lands in 3 s (slow-cancel): a broken variant that never settles need not cost 30 s.
        CANCEL_SETTLE_TIMEOUT: '6',
        // The late faults act 1 s after the call; their variants set a quiet period that outlasts it.
        QUIET_PERIOD: '0.5',
        // CANCELLING for 150 ms, so that the GET straight after a cancel sees it on two busy cores (metadata-state;
        // with 25 ms it missed it in about 1 run of 10). Not on slow-cancel (its own 3 s), nor on the zones: they
        // write CANCELLED 200 ms ahead of done, so with their own 25 ms CANCELLING never shows (pinned partial).
        ...(OWN_CANCEL_DELAY.has(variant.profile ?? 'conformant') ? {} : { REFERENCE_CANCEL_DELAY_MS: '150' }),
        ...(variant.bothDoors ? {} : { TRANSPORTS: 'rest' }),
        ...variant.env,
      }, { keepAllure: false });
      const byId = new Map((run.summary?.requirements ?? []).map((r) => [r.id, r]));
      const actual = Object.fromEntries(CATALOG.map((req) => {
        const r = byId.get(req.id);
        return [req.id, !r ? 'missing' : r.status === 'passed' && r.partial ? 'partial' : r.status];
      }));
      const mismatches = [
        ...CATALOG.filter((req) => actual[req.id] !== variant.expected[req.id])
          .map((req) => `${req.id}: expected ${variant.expected[req.id]}, got ${actual[req.id]}${byId.get(req.id)?.reason ? ` (${byId.get(req.id)!.reason.slice(0, 160)})` : ''}`),
        ...doorMismatches(variant, byId),
      ];
      const verdict = expectedVerdict(variant);
      const row: MatrixRow = {
        index,
        name: variant.name,
        breaks: variant.breaks,
        caught: variant.breaks.filter((id) => actual[id] === 'failed'),
        falseFailures: CATALOG.filter((req) => actual[req.id] === 'failed' && variant.expected[req.id] !== 'failed').map((req) => req.id),
        mismatches,
        verdict: run.summary?.verdict ?? `no summary (exit ${run.exitCode})`,
        ok: mismatches.length === 0 && run.summary?.verdict === verdict && run.exitCode === EXIT[verdict],
        seconds: run.ms / 1000,
      };
      test.info().annotations.push({ type: MATRIX_ROW, description: JSON.stringify(row) });
      const where = `${variant.name} (output in ${run.dir})`;
      expect(run.summary, `${where}: no summary\n${run.output.slice(-2000)}`).toBeDefined();
      expect.soft(mismatches, `${where}: statuses other than pinned`).toEqual([]);
      expect.soft(run.summary?.verdict, `${where}: verdict`).toBe(verdict);
      expect.soft(run.exitCode, `${where}: exit status`).toBe(EXIT[verdict]);
      if (variant.summary) expect.soft(run.summary, `${where}: summary`).toMatchObject(variant.summary);
      // On a correct target the teardown sweeps and takes its last look; one that cancels is left with nothing running.
      if (!variant.faults) expect.soft(run.summary?.teardownRequests, `${where}: teardown requests`).toBeGreaterThan(0);
      if (!variant.faults && variant.profile !== 'unimplemented') expect.soft(run.summary?.operationsLeftRunning, `${where}: operations left running`).toBe(0);
    });
  }
});
