// Made-up names, always derived from a name the target itself returned (CONTRACT: never assume
// a shape). `projects/p/locations/l/operations/x`, `projects/p/operations/x`, `operations/x`
// and `operations/svc/method/x` all work.
import type { Config } from '../running/config';

/** Everything before the last segment (`projects/p/operations`), and the last segment (the ID). */
export function splitName(name: string): { collection: string; id: string } {
  const at = name.lastIndexOf('/');
  return at < 0 ? { collection: '', id: name } : { collection: name.slice(0, at), id: name.slice(at + 1) };
}

const join = (collection: string, id: string) => (collection ? `${collection}/${id}` : id);

/**
 * A well-formed name of an operation that does not exist: the same collection, and an ID of the
 * same length and alphabet (each letter or digit moved on within the characters the real ID
 * uses, separators kept), so a server that validates IDs answers NOT_FOUND, not INVALID_ARGUMENT.
 */
export function unknownSibling(name: string): string {
  const { collection, id } = splitName(name);
  const alphabet = [...new Set(id.replace(/[^A-Za-z0-9]/g, ''))].sort();
  const other = alphabet.length < 2 ? `${id}x` : [...id].map((c) => (alphabet.includes(c) ? alphabet[(alphabet.indexOf(c) + 1) % alphabet.length] : c)).join('');
  return join(collection, other);
}

/** Templates of fixtures/malformed-names.json filled from a real name. */
export function fillNameTemplate(template: string, name: string): string {
  const { collection, id } = splitName(name);
  // `{collectionParent}` is what holds the collection: `projects/p/` or nothing.
  const collectionAt = collection.lastIndexOf('/');
  const collectionParent = collectionAt < 0 ? '' : collection.slice(0, collectionAt + 1);
  return template
    .replaceAll('{collectionParent}', collectionParent)
    .replaceAll('{collection}', collection)
    .replaceAll('{id}', id)
    .replaceAll('{long}', 'x'.repeat(5000));
}

export interface OtherParent {
  /** What was swapped, for messages: "project p → p-conformance-other". */
  readonly label: string;
  readonly name: string;
  /** A parent the caller can use (TARGET_OTHER_PARENT): a refusal there proves isolation, not just RBAC. */
  readonly usable: boolean;
}

/**
 * The same ID under another project, and under another location where the name has one (made
 * up: a zone may refuse them for RBAC alone), then under TARGET_OTHER_PARENT when it is set.
 */
export function otherParents(name: string, usableParent?: string): OtherParent[] {
  const segments = name.split('/');
  const swaps: OtherParent[] = [];
  for (const collection of ['projects', 'locations']) {
    const i = segments.indexOf(collection);
    // Only a parent segment counts: `projects/{p}` must come before the operations collection.
    if (i < 0 || i + 1 >= segments.length - 2) continue;
    const other = [...segments];
    other[i + 1] = `${segments[i + 1]}-conformance-other`;
    swaps.push({ label: `${collection === 'projects' ? 'project' : 'location'} ${segments[i + 1]} → ${other[i + 1]}`, name: other.join('/'), usable: false });
  }
  if (usableParent) swaps.push({ label: `the caller's other parent ${usableParent} (TARGET_OTHER_PARENT)`, name: `${usableParent}/operations/${splitName(name).id}`, usable: true });
  return swaps;
}

/**
 * Where the operations around `name` are listed: TARGET_LIST_PATH, else the collection the name
 * lives in (`{prefix}/projects/p/operations`, `{prefix}/operations`); undefined when nothing fits.
 */
export function listPathFor(name: string, cfg: Pick<Config, 'apiPrefix' | 'listPath'>): string | undefined {
  if (cfg.listPath) return cfg.listPath;
  const at = name.lastIndexOf('operations/');
  if (at < 0 || (at > 0 && name[at - 1] !== '/')) return undefined;
  return `${cfg.apiPrefix}/${name.slice(0, at)}operations`;
}
