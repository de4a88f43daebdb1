// A MUST is a MUST because its source says so, or because its catalog row says why it is held
// above its source (`levelBasis`). Issue 24 (8): cancel.auth.invalid was a MUST quoting a SHOULD.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CATALOG, type Requirement } from '../../src/judging/catalog';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** As catalog-sources.spec.ts: proto comments joined into prose, backquotes dropped, whitespace collapsed. */
const prose = (text: string) => text.replace(/^\s*\/\/ ?/gm, ' ').replace(/\[([^\]]+)\]\[[^\]]+\]/g, '$1').replace(/`/g, '').replace(/\s+/g, ' ');

/**
 * Words that make a sentence binding. RFC 2119's keywords in either case, and the contract's own
 * indicative: a Google API reference states what the method does ("it returns", "the response body
 * is empty", "it becomes", "Requires ... scopes", "exactly one of"), and that is its promise.
 */
const MUST_LEVEL: readonly RegExp[] = [/\bMUST\b/, /\bREQUIRED\b/, /\bSHALL\b/, /\bmust\b/, /\bshall\b/,
  /\bRequires\b/, /\bit returns\b/, /\bis empty\b/, /\bit becomes\b/, /\bexactly one of\b/];
/** Words that put a sentence below MUST: RFC 2119's lower keywords, and the contract's own hedge. */
const BELOW_MUST: readonly RegExp[] = [/\bSHOULD\b/, /\bRECOMMENDED\b/, /\bMAY\b/, /\bOPTIONAL\b/, /\bbest effort\b/, /\bnot guaranteed\b/];

/**
 * What the source quotes: a verbatim source is a quotation as a whole; a derived one quotes what is
 * between its double quotes, and its own words (the suite's derivation) carry no level.
 */
const quoted = (req: Requirement): string[] =>
  req.basis === 'verbatim' ? [req.source] : [...req.source.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).filter((q) => !q.startsWith('{'));

const found = (patterns: readonly RegExp[], texts: readonly string[]) => [...new Set(texts.flatMap((t) => patterns.flatMap((p) => t.match(p) ?? [])))];

/** Why a MUST needs a levelBasis; undefined when its quoted source carries the MUST itself. */
function unsupported(req: Requirement): string | undefined {
  const texts = quoted(req);
  if (texts.length === 0) return 'it quotes nothing';
  const must = found(MUST_LEVEL, texts);
  const below = found(BELOW_MUST, texts);
  if (must.length === 0) return `its quoted source carries no MUST-level word${below.length ? `, and says ${below.join(', ')}` : ''}`;
  if (below.length) return `its quoted source says ${below.join(', ')} (beside ${must.join(', ')})`;
  return undefined;
}

const MUSTS = CATALOG.filter((r) => r.level === 'MUST');

test.describe('catalog levels', () => {
  for (const req of MUSTS) {
    test(`${req.id}: MUST because its source says so, or its row says why`, () => {
      const why = unsupported(req);
      if (why === undefined) return;
      expect(req.levelBasis?.trim(), `${req.id} is MUST, but ${why}: lower it to SHOULD, or give its row a levelBasis saying why it is held higher`).toBeTruthy();
      // A reason, not a label: it names what a lower level would let through, or the stronger source.
      expect(req.levelBasis!.length, req.id).toBeGreaterThan(80);
    });
  }

  test('the rules read the catalog as expected: the MUSTs held above their source are exactly these', () => {
    // Pinned, so a change of a source or a level is a decision seen in review, not a drift.
    expect(MUSTS.filter((r) => unsupported(r) !== undefined).map((r) => r.id).sort()).toEqual([
      'cancel.auth.insufficient-scope', // Requires (MUST) + RFC 6750's SHOULD for the status
      'cancel.auth.invalid', // RFC 6750's SHOULD only
      'cancel.outcome.completed-anyway', // best effort
      'cancel.security.cross-parent', // quotes nothing
      'cancel.semantics.only-named', // the path parameter's description
      'cancel.transport.parity', // the API overview's "you can access"
      'errors.envelope', // a JSON shape
    ]);
    expect(unsupported(CATALOG.find((r) => r.id === 'cancel.auth.invalid')!)).toBe('its quoted source carries no MUST-level word, and says SHOULD');
  });

  test('a levelBasis is only on a MUST that needs one', () => {
    expect(CATALOG.filter((r) => r.levelBasis !== undefined && (r.level !== 'MUST' || unsupported(r) === undefined)).map((r) => r.id)).toEqual([]);
  });

  test('what a levelBasis quotes is verbatim in a stored copy of its document', () => {
    const stored = [
      'fixtures/sources/cancel-page.txt', 'fixtures/sources/rfc6750-section-3.txt', 'fixtures/sources/gdc-api-overview.txt',
      'node_modules/google-proto-files/google/longrunning/operations.proto', 'node_modules/google-proto-files/google/rpc/code.proto',
    ].map((f) => prose(read(f)));
    const replies = readdirSync(new URL('../../fixtures/google-errors/', import.meta.url)).map((f) => prose(read(`fixtures/google-errors/${f}`)));
    const documents = [...stored, ...replies];
    for (const req of CATALOG.filter((r) => r.levelBasis)) {
      // Quotations pair up in order; the short ones (a word or two) are not checked.
      for (const fragment of [...req.levelBasis!.matchAll(/"([^"]*)"/g)].map((m) => prose(m[1]!)).filter((q) => q.length >= 25)) {
        expect(documents.some((d) => d.includes(fragment)), `${req.id}: "${fragment}"`).toBe(true);
      }
      // A file it points to is there.
      for (const file of req.levelBasis!.match(/fixtures\/[\w./-]+\.json/g) ?? []) expect(() => read(file), `${req.id}: ${file}`).not.toThrow();
    }
  });

  test('the words are read as meant: a SHOULD is not a MUST, the contract\'s indicative is', () => {
    const row = (source: string, basis: 'verbatim' | 'derived' = 'verbatim') => ({ ...MUSTS[0]!, source, basis, levelBasis: undefined });
    expect(unsupported(row('The resource SHOULD respond with the HTTP 401 (Unauthorized) status code.'))).toMatch(/no MUST-level word, and says SHOULD/);
    expect(unsupported(row("If the server doesn't support this method, it returns google.rpc.Code.UNIMPLEMENTED."))).toBeUndefined();
    expect(unsupported(row('The request body must be empty.'))).toBeUndefined();
    // A derivation's own "must" is the suite's word, not the source's.
    expect(unsupported(row('From "The name of the operation resource to be cancelled.": no other operation must show its effect.', 'derived'))).toMatch(/no MUST-level word/);
    expect(unsupported(row('Not in the cancel page: tenant isolation must hold.', 'derived'))).toBe('it quotes nothing');
  });
});
