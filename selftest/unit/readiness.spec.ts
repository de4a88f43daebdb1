// The readiness of each requirement (npm run preflight, npm run config): the same rules and the same
// words as the tests' gate and their notRun/partly reasons (src/judging/reasons.ts).
import { expect, test } from '@playwright/test';
import { CATALOG } from '../../src/judging/catalog';
import { AUTH_MODE_NONE, LIST_ABSENT, NO_403_CHALLENGE, NO_403_PROVOKED, NO_AUTH_REFUSAL, NO_INSUFFICIENT_REFUSAL, NO_INSUFFICIENT_TOKEN, WAIT_ABSENT, gateReason, noExpiredToken, scopeChecksDeclared } from '../../src/judging/reasons';
import { parseConfig } from '../../src/running/config';
import { describeReadiness, mustsNotRun, readiness, readinessLines, readinessOf, unconfiguredTokens, type ReadinessConfig } from '../../src/running/readiness';
import { createTokens } from '../../src/credentials/tokens';

const BOTH: ReadinessConfig = { doors: ['rest', 'grpc'], authMode: 'oauth', cancelSupport: 'auto', listSupport: 'auto', waitSupport: 'auto', otherParent: 'projects/other' };
const REST: ReadinessConfig = { ...BOTH, doors: ['rest'] };
const stateOf = (cfg: ReadinessConfig, id: string, door: 'rest' | 'grpc' = 'rest', missing = {}) => readinessOf(id, door, cfg, missing);

test('everything served, both doors: all will run, except what the door or the probe decides', () => {
  const rows = readiness(BOTH, {});
  expect(rows.map((r) => r.id)).toEqual(CATALOG.map((r) => r.id));
  expect(mustsNotRun(rows)).toEqual([]);
  expect(stateOf(BOTH, 'cancel.auth.invalid', 'grpc')).toEqual({ state: 'will-run' });
  expect(stateOf(BOTH, 'cancel.transport.parity', 'rest')).toEqual({ state: 'not-applicable', because: "on the REST door: judged once for both doors, in the gRPC door's run" });
  expect(stateOf(BOTH, 'cancel.transport.parity', 'grpc')).toEqual({ state: 'will-run' });
  expect(stateOf(BOTH, 'cancel.auth.challenge', 'grpc').state).toBe('not-applicable');
  // CANCEL_SUPPORT=auto: the probe decides the conditional requirements; a declaration decides here.
  expect(stateOf(BOTH, 'cancel.outcome.exists')).toEqual({ state: 'probe-decides', appliesWhen: 'supported' });
  expect(stateOf(BOTH, 'cancel.unimplemented.status')).toEqual({ state: 'probe-decides', appliesWhen: 'unimplemented' });
  expect(stateOf({ ...BOTH, cancelSupport: 'unimplemented' }, 'cancel.outcome.exists')).toEqual({
    state: 'not-applicable', because: "the target's cancel is unimplemented (declared by CANCEL_SUPPORT); this applies only when it is supported",
  });
  expect(stateOf({ ...BOTH, cancelSupport: 'supported' }, 'cancel.outcome.exists')).toEqual({ state: 'will-run' });
  // One line per requirement where both doors agree, one per door where they differ.
  const lines = readinessLines(rows);
  expect(lines.filter((l) => l.includes('cancel.auth.invalid (MUST)'))).toEqual([expect.stringMatching(/\[REST, gRPC\] will run$/)]);
  expect(lines.filter((l) => l.includes('cancel.transport.parity (MUST)'))).toHaveLength(2);
});

test('the gate is the tests\' gate: AUTH_MODE=none, SCOPE_CHECKS=not-applicable, the door, cancel support', () => {
  const none = { ...REST, authMode: 'none' as const };
  for (const req of CATALOG.filter((r) => r.id.startsWith('cancel.auth.'))) expect(stateOf(none, req.id)).toEqual({ state: 'not-applicable', because: AUTH_MODE_NONE });
  expect(stateOf(none, 'errors.error-info')).toEqual({ state: 'partial', because: [NO_AUTH_REFUSAL] });
  // Without auth, no missing token matters.
  expect(mustsNotRun(readiness(none, { everyday: 'x', translation: 'x', insufficient: NO_INSUFFICIENT_TOKEN }))).toEqual([]);
  const scopeless = { ...REST, scopeChecksNotApplicable: 'GDC identity tokens carry no scopes' };
  for (const id of ['cancel.auth.translation-scope', 'cancel.auth.platform-scope', 'cancel.auth.insufficient-scope']) {
    expect(stateOf(scopeless, id, 'rest', { translation: 'none', platform: 'none', insufficient: NO_INSUFFICIENT_TOKEN })).toEqual({ state: 'not-applicable', because: scopeChecksDeclared('GDC identity tokens carry no scopes') });
  }
  expect(gateReason('cancel.request.zero-length', 'grpc', BOTH)).toMatch(/^on the gRPC door: a gRPC request is a binary CancelOperationRequest/);
  expect(gateReason('cancel.outcome.exists', 'rest', BOTH, { support: 'unimplemented', source: 'probe: POST …:cancel answered 501' }))
    .toBe("the target's cancel is unimplemented (probe: POST …:cancel answered 501); this applies only when it is supported");
  expect(gateReason('cancel.outcome.exists', 'rest', BOTH)).toBeUndefined();
  expect(stateOf({ ...REST, listSupport: 'absent' }, 'cancel.outcome.listed')).toEqual({ state: 'not-applicable', because: LIST_ABSENT });
  expect(stateOf({ ...REST, waitSupport: 'absent' }, 'cancel.outcome.wait')).toEqual({ state: 'not-applicable', because: WAIT_ABSENT });
});

test('a scope set without a token: its MUST is not-run, the requirements that use it are partial', () => {
  const missing = { platform: 'no token for the cloud-platform only scope set: set …', insufficient: NO_INSUFFICIENT_TOKEN, expired: 'no expired token: set AUTH_TOKEN_EXPIRED or a client-credentials issuer' };
  const rows = readiness(REST, missing);
  expect(mustsNotRun(rows)).toEqual([
    { id: 'cancel.auth.platform-scope', why: missing.platform },
    { id: 'cancel.auth.insufficient-scope', why: NO_INSUFFICIENT_TOKEN },
  ]);
  expect(stateOf(REST, 'cancel.auth.translation-scope', 'rest', missing)).toEqual({ state: 'will-run' });
  expect(stateOf(REST, 'cancel.auth.invalid', 'rest', missing)).toEqual({ state: 'partial', because: [noExpiredToken(missing.expired)] });
  expect(stateOf(REST, 'cancel.auth.challenge', 'rest', missing)).toEqual({ state: 'partial', because: [NO_403_CHALLENGE] });
  expect(stateOf(REST, 'cancel.auth.no-side-effect', 'rest', missing)).toEqual({ state: 'partial', because: [NO_INSUFFICIENT_REFUSAL] });
  expect(stateOf(REST, 'errors.envelope', 'rest', missing)).toEqual({ state: 'partial', because: [NO_403_PROVOKED] });
  expect(describeReadiness(stateOf(REST, 'cancel.auth.platform-scope', 'rest', missing))).toBe(`not-run because ${missing.platform}`);
  expect(describeReadiness(stateOf(REST, 'errors.envelope', 'rest', missing))).toBe(`partial because ${NO_403_PROVOKED}`);
  // No second parent: the cross-parent check goes through made-up parents only.
  expect(describeReadiness(stateOf({ ...REST, otherParent: undefined }, 'cancel.security.cross-parent'))).toMatch(/^partial because no TARGET_OTHER_PARENT: .*made-up projects/);
  // Without the everyday token, nothing that applies runs.
  const all = readiness(BOTH, { everyday: 'no token that may cancel' });
  expect(all.flatMap((r) => Object.values(r.doors)).every((r) => r.state === 'not-run' || r.state === 'not-applicable')).toBe(true);
});

test('the unconfigured scope sets carry the words their lookups give the tests; nothing is minted', async () => {
  const cfg = parseConfig({ TARGET_BASE_URL: 'https://translation.zone1.gdc.example', TARGET_PARENT: 'projects/p', AUTH_TOKEN_COMMAND: 'exit 1', AUTH_TOKEN_COMMAND_TRANSLATION: 'exit 1' });
  const missing = await unconfiguredTokens(cfg, false);
  const tokens = createTokens(cfg);
  expect(Object.keys(missing).sort()).toEqual(['expired', 'insufficient', 'platform']);
  expect(missing.platform).toBe(((await tokens.platform()) as { unavailable: string }).unavailable);
  expect(missing.expired).toBe(((await tokens.expired()) as { unavailable: string }).unavailable);
  expect(missing.insufficient).toBe(NO_INSUFFICIENT_TOKEN);
  // The embedded target's issuer serves every scope set.
  expect(await unconfiguredTokens(parseConfig({}), true)).toEqual({});
});
