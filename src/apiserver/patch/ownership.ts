// Moving field ownership after a change (structured-merge-diff Updater.update): every other
// owner loses the fields the change removed, and the fields it modified or added are conflicts
// with their owners. Updates always win (forced); appliers win only with force=true.
import { FieldSet, type Path } from './fieldpath.js';
import type { Comparison } from './compare.js';
import type { Owners } from './managed-fields.js';

export interface Conflict {
  ownerId: string;
  path: Path;
}

/** Fields no owner keeps (stripMeta): object identity and server-set metadata. */
const NEVER_OWNED: FieldSet = new FieldSet([
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
]);

export function withoutNeverOwned(set: FieldSet): FieldSet {
  return set.difference(NEVER_OWNED);
}

/**
 * Applies `cmp` to the owners other than `self`. Returns the conflicts; when there are some
 * and `force` is false, the owners are left untouched.
 */
export function transferOwnership(owners: Owners, cmp: Comparison, self: string, force: boolean): Conflict[] {
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const lost = new Map<string, FieldSet>();
  for (const [id, owner] of owners) {
    if (id === self) continue;
    const taken = owner.set.intersection(changed);
    for (const path of taken.sorted()) conflicts.push({ ownerId: id, path });
    lost.set(id, taken.union(cmp.removed));
  }
  if (conflicts.length > 0 && !force) return conflicts;
  for (const [id, gone] of lost) {
    const owner = owners.get(id)!;
    const set = owner.set.difference(gone);
    if (set.isEmpty()) owners.delete(id);
    else owners.set(id, { ...owner, set });
  }
  return conflicts;
}
