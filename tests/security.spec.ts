// Tenant isolation: an operation's ID under another project or location is another resource.
// A server that resolves operations by their ID alone lets one tenant cancel another's job.
import { said } from '../src/evidence';
import { touched } from '../src/judge';
import { otherParents } from '../src/names';
import { isOperation } from '../src/operation';
import { check, covers, evidence, notApplicable, test } from './fixtures';

test.describe('cancel across parents', () => {
  test("an operation's ID under another project or location never reaches it", covers('cancel.security.cross-parent'), async ({ api, cancelSupport, scenarios }) => {
    const { name, before } = await scenarios.runningRefusalTarget();
    const others = otherParents(name);
    if (others.length === 0) notApplicable(`the target's operation names (${name}) carry no project or location to swap`);
    await evidence('the operation before', [before]);
    for (const other of others) {
      const got = await api.get(other.name);
      const leaked = got.status === 200 && isOperation(got.json);
      await check(`GET with the ${other.label} gets 403 or 404`, [403, 404].includes(got.status),
        () => `the target ${leaked ? `returned an operation for ${other.name}` : said(got)}`, got);
      const cancel = await api.cancel(other.name, { mustAnswer: true });
      // Where cancel is not implemented at all, 501 for any name is the method's honest answer.
      const refused = [403, 404, ...(cancelSupport === 'unimplemented' ? [501] : [])];
      await check(`cancel with the ${other.label} gets ${refused.join(' or ')}`, refused.includes(cancel.status), () => `the target ${said(cancel)}`, cancel);
    }
    const after = await api.get(name);
    await check('the real operation is untouched', touched(after) === undefined, () => touched(after)!, after);
  });
});
