// Made-up names come from the names the target returned, whatever their shape.
import { expect, test } from '@playwright/test';
import { fillNameTemplate, listPathFor, otherParents, splitName, unknownSibling } from '../../src/judging/names';

const SHAPES = {
  public: 'projects/p/locations/us-central1/operations/op-1',
  gdc: 'projects/p/operations/op-1',
  generic: 'operations/op-1',
  nested: 'operations/svc/method/op-1',
};

test.describe('names derived from a returned name', () => {
  test('an unknown sibling keeps the collection, and the ID its length and alphabet', () => {
    // op-1 uses 1, o and p: each moves on to the next of them (o→p, p→1, 1→o); the dash stays.
    expect(unknownSibling(SHAPES.public)).toBe('projects/p/locations/us-central1/operations/p1-o');
    expect(unknownSibling(SHAPES.generic)).toBe('operations/p1-o');
    expect(unknownSibling(SHAPES.nested)).toBe('operations/svc/method/p1-o');
    // A UUID stays a string of 36 with hex digits and dashes where they were, so a strict server answers 404, not 400.
    const uuid = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    const sibling = unknownSibling(`projects/p/operations/${uuid}`).split('/').at(-1)!;
    expect(sibling).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sibling).not.toBe(uuid);
    expect(unknownSibling('operations/aaa')).toBe('operations/aaax');
    expect(splitName('op-1')).toEqual({ collection: '', id: 'op-1' });
  });

  test('malformed-name templates fill from the name, never from an invented parent', () => {
    expect(fillNameTemplate('{collection}/..', SHAPES.gdc)).toBe('projects/p/operations/..');
    expect(fillNameTemplate('{collectionParent}operationz/{id}', SHAPES.gdc)).toBe('projects/p/operationz/op-1');
    expect(fillNameTemplate('{collectionParent}operationz/{id}', SHAPES.generic)).toBe('operationz/op-1');
    expect(fillNameTemplate('{collection}/{long}', SHAPES.generic)).toHaveLength('operations/'.length + 5000);
  });

  test('other parents swap the project and the location, and only those', () => {
    expect(otherParents(SHAPES.public).map((o) => o.name)).toEqual([
      'projects/p-conformance-other/locations/us-central1/operations/op-1',
      'projects/p/locations/us-central1-conformance-other/operations/op-1',
    ]);
    expect(otherParents(SHAPES.gdc).map((o) => o.label)).toEqual(['project p → p-conformance-other']);
    expect(otherParents(SHAPES.generic)).toEqual([]);
    expect(otherParents(SHAPES.nested)).toEqual([]);
    // An operation whose ID happens to be "projects" is not a parent.
    expect(otherParents('operations/projects')).toEqual([]);
    // TARGET_OTHER_PARENT: the same ID under a parent the caller can use, after the made-up ones.
    expect(otherParents(SHAPES.gdc, 'projects/q').at(-1)).toEqual({ label: "the caller's other parent projects/q (TARGET_OTHER_PARENT)", name: 'projects/q/operations/op-1', usable: true });
  });

  test('the list path follows the collection, or TARGET_LIST_PATH', () => {
    const cfg = { apiPrefix: '/v3' };
    expect(listPathFor(SHAPES.public, cfg)).toBe('/v3/projects/p/locations/us-central1/operations');
    expect(listPathFor(SHAPES.generic, cfg)).toBe('/v3/operations');
    expect(listPathFor('jobs/op-1', cfg)).toBeUndefined();
    expect(listPathFor('jobs/op-1', { ...cfg, listPath: '/v1/operations?name=operations' })).toBe('/v1/operations?name=operations');
  });
});
