// Both doors of a zone serve one API — GDC: "You can access the pre-trained APIs using gRPC or one
// of the provided client libraries … Alternatively, you access some pre-trained APIs using REST."
// Judged once, in the gRPC door's run, on what both doors' shared scenarios saw, read across.
import { answerWord } from '../src/judging/codes';
import { rpcStatusOf } from '../src/judging/error-model';
import { isOperation, resultKey } from '../src/judging/operation';
import { DOOR_LABEL } from '../src/judging/verdict';
import { said } from '../src/transport/evidence';
import { check, covers, describeOnEachDoor, evidence, partly, test } from './fixtures';

const label = (door: string) => DOOR_LABEL[door] ?? door;

describeOnEachDoor('one API behind both doors', () => {
  test('names cross, a cancel reads the same through both doors, a refusal gets the mapped code on both', covers('cancel.transport.parity'), async ({ cfg, scenarios }) => {
    const { observations, crossReads, paired } = await scenarios.parity();
    await evidence('each door\'s operation read through the other door', crossReads.map((c) => c.read));
    await evidence('the same calls answered by both doors', paired.flatMap((p) => Object.values(p.answers)));

    for (const { from, via, name, own, read } of crossReads) {
      const got = read.status === 200 && isOperation(read.json) ? read.json : undefined;
      await check(`${name}, returned by the ${label(from)} door, is found through the ${label(via)} door`, got?.name === name,
        () => `the ${label(via)} door ${said(read)}`, read);
      if (!own || !got) continue;
      // A cancelled operation reads the same through both: done, error.code 1, no response.
      await check(`${name}, cancelled through the ${label(from)} door, reads the same through the ${label(via)} door`, resultKey(got) === resultKey(own),
        () => `the ${label(from)} door shows ${resultKey(own)}, the ${label(via)} door ${resultKey(got)}`, read);
    }

    // Best effort is the backend's, not the door's: the same kind of operation cancels through both, or through neither.
    const kinds = Object.entries(observations);
    const cancelledOn = kinds.filter(([, o]) => o.kind === 'cancelled').map(([door]) => label(door));
    const ignoredOn = kinds.filter(([, o]) => o.kind === 'completed-anyway' || o.untouched)
      .map(([door, o]) => `${label(door)} (${o.kind === 'completed-anyway' ? 'every operation completed despite its accepted cancel' : `still running after CANCEL_SETTLE_TIMEOUT=${cfg.settleTimeoutMs / 1000} s with no sign of the accepted cancel: ${o.untouched}`})`);
    await check('an accepted cancel takes effect through either door', !(cancelledOn.length && ignoredOn.length),
      () => `operations from the same OPERATION_CREATE_BODY were cancelled through ${cancelledOn.join(', ')}, but not through ${ignoredOn.join('; ')}`);
    const unsettled = kinds.filter(([, o]) => o.kind !== 'cancelled' && o.kind !== 'completed-anyway' && !o.untouched);
    if (unsettled.length) partly(`no settled cancellation to compare on ${unsettled.map(([door, o]) => `${label(door)} (${o.kind})`).join(', ')}`);

    for (const { label: what, answers } of paired) {
      const [rest, grpc] = [answers.rest, answers.grpc];
      if (!rest || !grpc) continue;
      // Only errors are compared: two successes agree, and a success on one door alone is the other door's own failure too.
      if (rest.status < 400 && grpc.status < 400) continue;
      const restCode = rpcStatusOf(rest, cfg);
      await check(`${what}: the REST and gRPC doors answer the mapped codes`, rest.status === grpc.status && restCode === grpc.grpc?.codeName,
        () => `REST answered ${answerWord(rest)}${restCode ? ` ${restCode}` : ''}, gRPC ${answerWord(grpc)}, which google/rpc/code.proto maps to HTTP ${grpc.status}`, grpc);
    }
  });
});
