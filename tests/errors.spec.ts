// The error model (AIP-193) on every error the method itself returned in this run: auth
// refusals, bad bodies, unknown and malformed names. A front end's route miss (a 404/405 page
// for a path no method serves) is not the method's error, and may be HTML.
import { answerWord } from '../src/judging/codes';
import type { Config } from '../src/running/config';
import { errorInfosOf, errorModelProblems } from '../src/judging/error-model';
import { detailsProblems, routeMiss } from '../src/judging/judge';
import type { Labelled, Scenarios } from '../src/running/scenarios';
import { formatIssues, validate } from '../src/judging/schemas';
import { NO_403_PROVOKED, NO_AUTH_REFUSAL } from '../src/judging/reasons';
import { check, covers, describeOnEachDoor, evidence, partly, test } from './fixtures';

interface Provoked extends Labelled {
  /** An auth refusal, which carries ErrorInfo on Google's front ends. */
  readonly auth: boolean;
}

/** The method errors of the shared scenarios; malformed names may be route misses. */
async function methodErrors(scenarios: Scenarios, cfg: Config): Promise<{ errors: Provoked[]; routeMisses: Labelled[]; no403: boolean }> {
  const bodies = await scenarios.refusalRound();
  const names = await scenarios.nameErrors();
  const auth = cfg.authMode === 'none' ? undefined : await scenarios.authRefusals();
  const authCalls = auth ? [{ label: 'no credentials', exchange: auth.none }, ...auth.invalid, ...auth.insufficient] : [];
  const all: Provoked[] = [
    ...authCalls.map((c) => ({ ...c, auth: true })),
    ...[...(bodies.unknownField?.cases ?? []), ...(bodies.malformedJson?.cases ?? []), names.unknown].map((c) => ({ ...c, auth: false })),
  ];
  const malformed = names.malformed.filter((m) => m.exchange.status >= 400);
  return {
    errors: [...all, ...malformed.filter((m) => !routeMiss(m.exchange, cfg)).map((m) => ({ ...m, auth: false }))].filter((e) => e.exchange.status >= 400),
    routeMisses: malformed.filter((m) => routeMiss(m.exchange, cfg)),
    no403: !!auth && auth.insufficient.length === 0,
  };
}

describeOnEachDoor('error replies', () => {
  test('every error the method returns is a JSON Status envelope whose HTTP status matches its code', covers('errors.envelope'), async ({ cfg, scenarios }) => {
    const { errors, routeMisses, no403 } = await methodErrors(scenarios, cfg);
    await evidence('the method errors of this run', errors.map((e) => e.exchange));
    if (routeMisses.length) partly(`${routeMisses.length} malformed-name cancels were answered as route misses (404/405 without a Status envelope: ${[...new Set(routeMisses.map((m) => m.exchange.status))].join('/')}), which the envelope rule does not cover`);
    if (no403) partly(NO_403_PROVOKED);
    await check('the run provoked method errors to judge', errors.length > 0, 'no call of this run was answered with an error');
    for (const { label, exchange } of errors) {
      const problems = errorModelProblems(exchange, cfg);
      await check(`${label} (${answerWord(exchange)}) is ${exchange.grpc ? 'a status whose details hold the same google.rpc.Status' : 'a Status envelope'}`, problems.length === 0, problems.join('; '), exchange);
    }
  });

  test('auth refusals carry a google.rpc.ErrorInfo; every detail is well formed', covers('errors.error-info'), async ({ cfg, scenarios }) => {
    const { errors, no403 } = await methodErrors(scenarios, cfg);
    await evidence('the method errors of this run', errors.map((e) => e.exchange));
    if (cfg.authMode === 'none') partly(NO_AUTH_REFUSAL);
    else if (!errors.some((e) => e.auth && (e.exchange.status === 401 || e.exchange.status === 403))) {
      partly('the target refused no call with 401 or 403, so no ErrorInfo was required (see the cancel.auth requirements)');
    }
    if (no403) partly(NO_403_PROVOKED);
    for (const { label, exchange, auth } of errors) {
      const infos = errorInfosOf(exchange);
      if (auth && (exchange.status === 401 || exchange.status === 403)) {
        await check(`${label} (${answerWord(exchange)}) carries an ErrorInfo`, infos.length > 0, 'its details hold no google.rpc.ErrorInfo', exchange);
      }
      const badDetails = detailsProblems(exchange);
      await check(`${label}: every detail is a typed google.protobuf.Any`, badDetails.length === 0, badDetails.join('; '), exchange);
      for (const info of infos) {
        const result = validate('error-info', info);
        await check(`${label}: the ErrorInfo is well formed`, result.valid, () => (result.valid ? '' : formatIssues('error-info', result.errors)), exchange);
      }
    }
  });
});
