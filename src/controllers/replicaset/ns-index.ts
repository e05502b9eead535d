// A by-namespace view of a shared informer's cache (client-go's namespace indexer), so a
// reconcile lists one namespace's pods instead of scanning the whole cluster's.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/index.js';

export class NamespaceIndex<T extends KubeObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();

  /** Register before the controller's own handlers, so they already see the index updated. */
  constructor(informer: Informer<T>) {
    informer.addEventHandler({
      onAdd: (obj, key) => this.set(obj, key),
      onUpdate: (_old, obj, key) => this.set(obj, key),
      onDelete: (obj, key) => this.remove(obj, key),
    });
  }

  list(namespace: string | undefined): T[] {
    return [...(this.byNamespace.get(namespace ?? '')?.values() ?? [])];
  }

  private set(obj: T, key: string): void {
    const ns = obj.metadata.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(key, obj);
  }

  private remove(obj: T, key: string): void {
    const ns = obj.metadata.namespace ?? '';
    const m = this.byNamespace.get(ns);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.byNamespace.delete(ns);
  }
}
