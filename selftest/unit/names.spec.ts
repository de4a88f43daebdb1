// Made-up names come from the names the target returned, whatever their shape.
import { expect, test } from '@playwright/test';
import { fillNameTemplate, listPathFor, otherParents, splitName, unknownSibling } from '../../src/names';

const SHAPES = {
  public: 'projects/p/locations/us-central1/operations/op-1',
  gdc: 'projects/p/operations/op-1',
  generic: 'operations/op-1',
  nested: 'operations/svc/method/op-1',
};

test.describe('names derived from a returned name', () => {
  test('an unknown sibling keeps the collection and swaps the ID', () => {
    expect(unknownSibling(SHAPES.public, 'x')).toBe('projects/p/locations/us-central1/operations/conformance-missing-x');
    expect(unknownSibling(SHAPES.generic, 'x')).toBe('operations/conformance-missing-x');
    expect(unknownSibling(SHAPES.nested, 'x')).toBe('operations/svc/method/conformance-missing-x');
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
  });

  test('the list path follows the collection, or TARGET_LIST_PATH', () => {
    const cfg = { apiPrefix: '/v3' };
    expect(listPathFor(SHAPES.public, cfg)).toBe('/v3/projects/p/locations/us-central1/operations');
    expect(listPathFor(SHAPES.generic, cfg)).toBe('/v3/operations');
    expect(listPathFor('jobs/op-1', cfg)).toBeUndefined();
    expect(listPathFor('jobs/op-1', { ...cfg, listPath: '/v1/operations?name=operations' })).toBe('/v1/operations?name=operations');
  });
});
