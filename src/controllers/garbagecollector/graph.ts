// The garbage collector's ownership graph (pkg/controller/garbagecollector/graph.go): one lean
// node per object of every resource, keyed by uid, and the reverse index owner uid -> dependents.
// The index is kept for owners the graph has never seen (an ownerReference to a uid that does
// not exist), so their dependents can be found and collected.
import type { OwnerReference } from '../../api/types.js';
import type { ResourceRef } from '../../client/index.js';

/** Which object a node is: what the GC needs to GET, PATCH or DELETE it. */
export interface Identity {
  res: ResourceRef;
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: Identity;
  owners: OwnerReference[];
  /** metadata.deletionTimestamp is set. */
  deleting: boolean;
  finalizers: string[];
}

/** The finalizers the API server's delete sets for a propagation policy (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export function hasFinalizer(node: Pick<GraphNode, 'finalizers'>, f: string): boolean {
  return node.finalizers.includes(f);
}

/** Being deleted in the foreground: waits for its blocking dependents (node.isDeletingDependents). */
export function isDeletingDependents(node: GraphNode): boolean {
  return node.deleting && hasFinalizer(node, FOREGROUND_FINALIZER);
}

export class OwnershipGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  all(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  /** Inserts or replaces the node of its uid; returns the previous one. */
  upsert(node: GraphNode): GraphNode | undefined {
    const uid = node.identity.uid;
    const old = this.nodes.get(uid);
    if (old) this.unlink(old);
    this.nodes.set(uid, node);
    for (const ref of node.owners) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }
    return old;
  }

  /** Removes a node; its dependents stay indexed under its uid (they may now be orphans). */
  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.nodes.delete(uid);
    this.unlink(node);
    return node;
  }

  /** Nodes that name `uid` among their owners. */
  dependentsOf(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const node = this.nodes.get(d);
      if (node) out.push(node);
    }
    return out;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: a foreground deletion waits for them. */
  blockingDependentsOf(uid: string): GraphNode[] {
    return this.dependentsOf(uid).filter((d) => d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  }

  /**
   * Whether the cache alone says every owner of `node` is present and not deleting in the
   * foreground. True means nothing for the GC to do; false only means "check with the API".
   */
  ownersSolidInCache(node: GraphNode, isNamespaced: (ref: OwnerReference) => boolean | undefined): boolean {
    return node.owners.every((ref) => {
      const owner = this.nodes.get(ref.uid);
      if (!owner || owner.identity.kind !== ref.kind || owner.identity.name !== ref.name) return false;
      // A namespaced owner counts only in the dependent's own namespace.
      if (isNamespaced(ref) && owner.identity.namespace !== node.identity.namespace) return false;
      return !isDeletingDependents(owner);
    });
  }

  private unlink(node: GraphNode): void {
    for (const ref of node.owners) {
      const set = this.dependents.get(ref.uid);
      if (!set) continue;
      set.delete(node.identity.uid);
      if (set.size === 0) this.dependents.delete(ref.uid);
    }
  }
}
