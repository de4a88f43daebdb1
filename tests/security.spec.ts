// Tenant isolation: an operation's ID under another project or location is another resource.
// A server that resolves operations by their ID alone lets one tenant cancel another's job.
import { said } from '../src/transport/evidence';
import { cancellationShown } from '../src/judging/judge';
import { isOperation } from '../src/judging/operation';
import { check, covers, describeOnEachDoor, evidence, is2xx, notApplicable, partly, test } from './fixtures';

describeOnEachDoor('cancel across parents', () => {
  test("an operation's ID under another project or location never reaches it", covers('cancel.security.cross-parent'), async ({ cancelSupport, scenarios }) => {
    const { target, before, calls, after } = (await scenarios.refusalRound()).crossParent;
    if (calls.length === 0) notApplicable(`the target's operation names (${target}) carry no project or location to swap`);
    await evidence('the operation before, the calls under other parents, and the operation after', [before, ...calls.flatMap((c) => [c.get, c.cancel]), after]);
    const madeUp = calls.filter((c) => !c.usable);
    for (const { label, name, get, cancel, usable } of calls) {
      const leaked = get.status === 200 && isOperation(get.json);
      // A 400 returns no operation, but does not say whether the name would have reached it.
      if (get.status === 400) partly(`GET with the ${label} answered 400 (${said(get)}): no operation came back, but the refusal says nothing of the lookup`);
      else await check(`GET with the ${label} gets 403 or 404`, [403, 404].includes(get.status), () => `the target ${leaked ? `returned an operation for ${name}` : said(get)}`, get);
      // A cancel refused before any lookup (cancel unimplemented, the body refused) proves nothing either way.
      if (cancelSupport === 'unimplemented') {
        partly(`cancel is not implemented, so only GET under another parent was checked (the cancel ${said(cancel)})`);
      } else if (cancel.status >= 400 && cancel.status < 500 && ![403, 404].includes(cancel.status)) {
        partly(`the cancel with the ${label} was refused for another reason (it ${said(cancel)}), so only GET proved the isolation there`);
      } else {
        await check(`cancel with the ${label} gets 403 or 404`, [403, 404].includes(cancel.status), () => `the target ${said(cancel)}`, cancel);
      }
      if (usable) await check(`the ${label} reaches nothing: GET and cancel both refused`, !leaked && !is2xx(cancel), () => `GET ${said(get)}; cancel ${said(cancel)}`, leaked ? get : cancel);
    }
    // A zone answers 403 for a project the caller has no role in before any lookup (CONTRACT "Live zones").
    const rbacOnly = madeUp.filter((c) => c.get.status === 403);
    if (rbacOnly.length && !calls.some((c) => c.usable)) {
      partly(`under the made-up ${rbacOnly.map((c) => c.label).join(' and ')} the target answered 403, which proves only that the caller has no role there; set TARGET_OTHER_PARENT to a second parent the caller can use for the real cross-tenant check`);
    }
    await check('the real operation is untouched', cancellationShown(after) === undefined, () => cancellationShown(after)!, after);
  });
});
