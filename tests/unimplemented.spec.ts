// The fallback — "If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED."
// Applies only to targets without cancel (found by the probe, or CANCEL_SUPPORT=unimplemented).
import { statusWord } from '../src/judging/codes';
import { rpcStatusOf } from '../src/judging/error-model';
import { cancellationShown } from '../src/judging/judge';
import { check, checkReply, covers, describeOnEachDoor, evidence, test } from './fixtures';

describeOnEachDoor('cancel on a target that does not implement it', () => {
  test('cancel answers HTTP 501 with status UNIMPLEMENTED', covers('cancel.unimplemented.status'), async ({ cfg, scenarios }) => {
    const { cancel } = await scenarios.cancelSubject();
    await evidence('the cancel of a running operation', [cancel]);
    await checkReply(`the cancel answers ${statusWord(cancel, 501)}`, cancel, (ex) => ex.status === 501);
    await checkReply('the reply says UNIMPLEMENTED', cancel, (ex) => rpcStatusOf(ex, cfg) === 'UNIMPLEMENTED');
  });

  test('an UNIMPLEMENTED cancel leaves the operation unaffected', covers('cancel.unimplemented.no-side-effect'), async ({ api, scenarios }) => {
    const { name, cancel } = await scenarios.cancelSubject();
    await evidence('the cancel of a running operation', [cancel]);
    const now = await api.get(name);
    await check('right after the cancel the operation is untouched', cancellationShown(now) === undefined, () => cancellationShown(now)!, now);
    // A cancellation that lands late shows within a short wait.
    const later = await api.wait(name, 1);
    if (later.status !== 200) await new Promise((resolve) => setTimeout(resolve, 1000));
    const look = later.status === 200 ? later : await api.get(name);
    await check('a second later it is still untouched', cancellationShown(look) === undefined, () => cancellationShown(look)!, look);
  });
});
