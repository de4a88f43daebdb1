// Item 17: a source shown as a quotation is one. Verbatim sources are found, word for word, in a
// stored copy of their document; derived ones say what they are derived from.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CATALOG } from '../../src/judging/catalog';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** Proto comments joined into prose; cross-reference brackets and backquotes dropped; whitespace collapsed. */
const prose = (text: string) => text.replace(/^\s*\/\/ ?/gm, ' ').replace(/\[([^\]]+)\]\[[^\]]+\]/g, '$1').replace(/`/g, '').replace(/\s+/g, ' ');

const DOCUMENTS: Record<string, string> = {
  'https://cloud.google.com/distributed-cloud/hosted/docs/latest/gdch/apis/vertex-ai/translation/rest/v3/projects.operations/cancel': 'fixtures/sources/cancel-page.txt',
  'https://www.rfc-editor.org/rfc/rfc6750#section-3': 'fixtures/sources/rfc6750-section-3.txt',
  'https://github.com/googleapis/googleapis/blob/master/google/longrunning/operations.proto': 'node_modules/google-proto-files/google/longrunning/operations.proto',
  'https://github.com/googleapis/googleapis/blob/master/google/cloud/translate/v3/translation_service.proto': 'node_modules/google-proto-files/google/cloud/translate/v3/translation_service.proto',
};

/** The quoted fragments of a source, or the whole source when it quotes nothing. */
const fragments = (source: string) => {
  const quoted = [...source.matchAll(/"([^"]{20,})"/g)].map((m) => m[1]!);
  return quoted.length ? quoted : [source];
};

test.describe('catalog sources', () => {
  for (const req of CATALOG.filter((r) => r.basis === 'verbatim')) {
    test(`${req.id}: its verbatim source is in ${req.link.split('/').at(-1)}`, () => {
      const file = DOCUMENTS[req.link];
      expect(file, `no stored copy of ${req.link}`).toBeDefined();
      const document = prose(read(file!));
      for (const fragment of fragments(req.source)) expect(document).toContain(prose(fragment));
    });
  }

  test('every derived source says what it is derived from', () => {
    const bad = CATALOG.filter((r) => r.basis === 'derived' && !/^(From |Not in )/.test(r.source)).map((r) => r.id);
    expect(bad).toEqual([]);
  });

  test('a quotation of the cancel page inside a derived source is verbatim too', () => {
    const page = prose(read('fixtures/sources/cancel-page.txt'));
    const proto = prose(read('node_modules/google-proto-files/google/longrunning/operations.proto'));
    // Messages quoted from Google's replies are in the golden replies.
    const replies = readdirSync(new URL('../../fixtures/google-errors/', import.meta.url)).map((f) => prose(JSON.parse(read(`fixtures/google-errors/${f}`)).body?.error?.message ?? '')).join(' ');
    for (const req of CATALOG.filter((r) => r.basis === 'derived')) {
      for (const fragment of [...req.source.matchAll(/"([^"]{25,})"/g)].map((m) => prose(m[1]!))) {
        if (fragment.startsWith('{')) continue; // a JSON shape, not a quotation
        const stored = ['fixtures/sources/rfc6750-section-3.txt', 'fixtures/sources/gdc-api-overview.txt'].some((file) => prose(read(file)).includes(fragment));
        expect(page.includes(fragment) || proto.includes(fragment) || replies.includes(fragment) || stored, `${req.id}: "${fragment}"`).toBe(true);
      }
    }
  });
});
