// README's list of deliberate faults is reference-server/faults.ts, rendered: every fault once,
// with what it breaks and the requirement IDs that catch it.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { FAULTS } from '../../reference-server/faults';
import { BEGIN, DOORS_BEGIN, DOORS_END, END, README, faultsTable, withFaultsTable, withGeneratedTables } from '../../scripts/faults-readme';
import { REST_ONLY } from '../../src/judging/doors';
import { CATALOG, isRequirementId } from '../../src/judging/catalog';

test('README lists exactly the faults of reference-server/faults.ts (run npm run faults-readme when this fails)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(withGeneratedTables(readme), 'README.md is stale: run npm run faults-readme').toBe(readme);
  const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  const rows = section.split('\n').filter((l) => /^\| `[a-z0-9-]+` \|/.test(l));
  expect(rows.map((l) => l.match(/^\| `([a-z0-9-]+)`/)![1])).toEqual(Object.keys(FAULTS));
  for (const [name, fault] of Object.entries(FAULTS)) {
    const row = rows.find((l) => l.startsWith(`| \`${name}\` |`))!;
    expect(row, name).toContain(fault.description.replace(/\|/g, '\\|'));
    if (fault.breaks.length === 0) expect(row, name).toMatch(/\| none: what it touches ends `unverified`, never passed \|$/);
    for (const id of fault.breaks) {
      expect(isRequirementId(id), `${name}: ${id}`).toBe(true);
      expect(row.split(' | ').at(-1), name).toContain(`\`${id}\``);
    }
  }
});

test('the generator renders a table row per fault and refuses a README without its markers', () => {
  const table = faultsTable({ 'a-fault': { description: 'Cancel answers 200 | text.', breaks: ['cancel.response.json', 'errors.envelope'], doors: 'rest' } });
  expect(table.split('\n')).toEqual(['| fault | door | what it breaks | caught by |', '|---|---|---|---|', '| `a-fault` | REST | Cancel answers 200 \\| text. | `cancel.response.json`, `errors.envelope` |']);
  expect(() => withFaultsTable('# no markers here')).toThrow(/has no .* section/);
});

test('README lists on which door each requirement applies, and why not where it does not', () => {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf(DOORS_BEGIN), readme.indexOf(DOORS_END));
  const rows = section.split('\n').filter((l) => /^\| `[a-z.-]+` \|/.test(l));
  expect(rows.map((l) => l.match(/^\| `([a-z.-]+)`/)![1])).toEqual(CATALOG.map((r) => r.id));
  for (const [id, why] of Object.entries(REST_ONLY)) expect(rows.find((l) => l.startsWith(`| \`${id}\` |`)), id).toContain(`not applicable: ${why}`);
});
