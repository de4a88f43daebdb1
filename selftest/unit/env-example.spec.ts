// .env.example is where a newcomer starts: it names every variable the suite reads (as
// src/running/config-variables.ts lists them for npm run config) and every profile of the embedded
// reference server. Issue 24 (8): it listed 4 profiles of 8, and 32 variables were missing.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { VARIABLE_GROUPS, VARIABLES } from '../../src/running/config-variables';
import { PROFILES } from '../../reference-server/profiles';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const lines = example.split('\n');
/** The names of its (commented-out) assignments, `# NAME=value`, in order. */
const assigned = lines.flatMap((l) => l.match(/^#?\s*([A-Za-z][A-Za-z0-9_]*)=/)?.[1] ?? []);

test.describe('.env.example', () => {
  for (const group of VARIABLE_GROUPS) {
    test(`names every ${group.title} variable as an assignment to uncomment`, () => {
      expect(group.variables.map((v) => v.name).filter((name) => !assigned.includes(name))).toEqual([]);
    });
  }

  test('names nothing the suite does not read', () => {
    const known = new Set(VARIABLES.map((v) => v.name));
    expect(assigned.filter((name) => !known.has(name)), 'not in src/running/config-variables.ts (a typo, or a variable to add there)').toEqual([]);
  });

  test('its REFERENCE_PROFILE comment lists every profile of reference-server/profiles.ts', () => {
    const at = lines.findIndex((l) => /^#\s*REFERENCE_PROFILE=/.test(l));
    expect(at).toBeGreaterThan(0);
    // The comment above the assignment, up to the section rule.
    let start = at;
    while (start > 0 && lines[start - 1]!.startsWith('#') && !lines[start - 1]!.startsWith('# ---')) start--;
    const comment = lines.slice(start, at).join(' ');
    const missing = Object.keys(PROFILES).filter((name) => !new RegExp(`(^|[\\s,(])${name}([\\s,.:;)]|$)`).test(comment));
    expect(missing, comment).toEqual([]);
  });

  test('a default it states is the one config-variables.ts states', () => {
    // "(default X)" in the comment above an assignment, where the variable's default is a plain value.
    const stated: string[] = [];
    for (const [i, line] of lines.entries()) {
      const name = line.match(/^#\s*([A-Z][A-Z0-9_]*)=/)?.[1];
      const variable = VARIABLES.find((v) => v.name === name);
      const above = lines[i - 1] ?? '';
      const said = above.match(/\(default ([^;,)]+?)[;,)]/)?.[1];
      if (!variable?.default || !said || !/^[\w./-]+$/.test(said) || !/^[\w./-]+$/.test(variable.default)) continue;
      stated.push(name!);
      expect(variable.default, `${name}: .env.example says default ${said}`).toBe(said);
    }
    expect(stated.length).toBeGreaterThan(5);
  });
});
