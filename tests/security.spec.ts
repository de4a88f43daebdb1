// Tenant isolation: an operation's ID under another project or location is another resource.
// A server that resolves operations by their ID alone lets one tenant cancel another's job.
import { said } from '../src/evidence';
import { touched } from '../src/judge';
import { isOperation } from '../src/operation';
import { check, covers, evidence, notApplicable, partly, test } from './fixtures';

test.describe('cancel across parents', () => {
  test("an operation's ID under another project or location never reaches it", covers('cancel.security.cross-parent'), async ({ cancelSupport, scenarios }) => {
    const { target, before, calls, after } = (await scenarios.refusalRound()).crossParent;
    if (calls.length === 0) notApplicable(`the target's operation names (${target}) carry no project or location to swap`);
    await evidence('the operation before, the calls under other parents, and the operation after', [before, ...calls.flatMap((c) => [c.get, c.cancel]), after]);
    for (const { label, name, get, cancel } of calls) {
      const leaked = get.status === 200 && isOperation(get.json);
      await check(`GET with the ${label} gets 403 or 404`, [403, 404].includes(get.status), () => `the target ${leaked ? `returned an operation for ${name}` : said(get)}`, get);
      // A cancel refused before any lookup (cancel unimplemented, the body refused) proves nothing either way.
      if (cancelSupport === 'unimplemented') {
        partly(`cancel is not implemented, so only GET under another parent was checked (the cancel ${said(cancel)})`);
      } else if (cancel.status >= 400 && cancel.status < 500 && ![403, 404].includes(cancel.status)) {
        partly(`the cancel with the ${label} was refused for another reason (it ${said(cancel)}), so only GET proved the isolation there`);
      } else {
        await check(`cancel with the ${label} gets 403 or 404`, [403, 404].includes(cancel.status), () => `the target ${said(cancel)}`, cancel);
      }
    }
    await check('the real operation is untouched', touched(after) === undefined, () => touched(after)!, after);
  });
});
