// Controller references (metav1.GetControllerOf, NewControllerRef) and the ControllerRefManager
// that adopts matching orphans and releases owned objects that stopped matching
// (pkg/controller/controller_ref_manager.go). Both workload controllers claim through it.
import { matchesLabels, type LabelSelector } from '../../api/selectors.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { isNotFound, type KubeClient, type ResourceRef } from '../../client/index.js';

export interface ControllerKind {
  apiVersion: string;
  kind: string;
}

/** The ownerReference with controller: true, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** obj's controller is `owner` (by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRefOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

/** An ownerReference naming `owner` as the controller, blocking its foreground deletion. */
export function newControllerRef(owner: KubeObject, kind: ControllerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface ControllerRefManagerOptions {
  client: KubeClient;
  /** The resource of the claimed objects (pods, replicasets). */
  resource: ResourceRef;
  controller: KubeObject;
  kind: ControllerKind;
  selector: LabelSelector;
  /**
   * Checked once before the first adoption: the controller must still exist with the same uid
   * and not be terminating, read fresh from the API rather than the cache (RecheckDeletionTimestamp).
   */
  canAdopt: () => Promise<void>;
}

/**
 * ClaimObject's rules: an object controlled by someone else is left alone; one we control is
 * kept while it matches and released when it does not (unless we are being deleted); an orphan
 * that matches is adopted unless either side is being deleted.
 */
export class ControllerRefManager<T extends KubeObject> {
  private adoptable: Promise<void> | undefined;

  constructor(private readonly opts: ControllerRefManagerOptions) {}

  /** The objects the controller owns after adopting and releasing; throws the first failure after trying all. */
  async claim(objs: readonly T[]): Promise<T[]> {
    const claimed: T[] = [];
    let firstError: unknown;
    for (const obj of objs) {
      try {
        const kept = await this.claimOne(obj);
        if (kept) claimed.push(kept);
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError !== undefined) throw firstError;
    return claimed;
  }

  private async claimOne(obj: T): Promise<T | undefined> {
    const { controller, selector } = this.opts;
    const ref = controllerRefOf(obj);
    const matches = matchesLabels(selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== controller.metadata.uid) return undefined;
      if (matches) return obj;
      if (controller.metadata.deletionTimestamp) return undefined;
      await this.release(obj);
      return undefined;
    }
    if (controller.metadata.deletionTimestamp || !matches || obj.metadata.deletionTimestamp) return undefined;
    if (obj.metadata.namespace !== controller.metadata.namespace) return undefined;
    return this.adopt(obj);
  }

  private async adopt(obj: T): Promise<T | undefined> {
    this.adoptable ??= this.opts.canAdopt();
    await this.adoptable;
    const ref = newControllerRef(this.opts.controller, this.opts.kind);
    // A strategic merge patch adds our reference beside any others (ownerReferences merge by uid).
    try {
      return await this.opts.client.patch<T>(this.opts.resource, obj.metadata.name ?? '', { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } }, 'strategic', {
        namespace: obj.metadata.namespace,
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async release(obj: T): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.opts.controller.metadata.uid }], uid: obj.metadata.uid } };
    try {
      await this.opts.client.patch(this.opts.resource, obj.metadata.name ?? '', patch, 'strategic', { namespace: obj.metadata.namespace });
    } catch (e) {
      // Gone already: nothing to release.
      if (isNotFound(e)) return;
      throw e;
    }
  }
}

/** The canAdopt check of a controller: a fresh read must show the same, live object. */
export function recheckDeletionTimestamp(client: KubeClient, resource: ResourceRef, controller: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await client.get(resource, controller.metadata.name ?? '', controller.metadata.namespace);
    const { namespace, name, uid } = controller.metadata;
    if (fresh.metadata.uid !== uid) throw new Error(`original ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
