// Shared informers (client-go's SharedInformerFactory): one list+watch per resource, however
// many controllers read it. Controllers register handlers and read the cache; none writes it.
import type { KubeObject } from '../api/types.js';
import { Informer, type KubeClient, type ResourceRef } from '../client/index.js';

export class SharedInformers {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly client: KubeClient,
    private readonly onError: (msg: string) => void,
  ) {}

  /** The informer of a resource, created on first use; started with the others (or at once if they already run). */
  for<T extends KubeObject>(res: ResourceRef): Informer<T> {
    const id = `${res.group}/${res.version}/${res.plural}`;
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<KubeObject>(this.client, res, {
        pageSize: 1000,
        // No controller reads managedFields, often half of an object's size (client-go's
        // TransformStripManagedFields, as kube-controller-manager and the scheduler use it).
        transform: (obj) => {
          delete obj.metadata.managedFields;
          return obj;
        },
        onError: (err, phase) => this.onError(`informer ${res.plural}: ${phase}: ${err.message}`),
      });
      this.informers.set(id, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForSync(timeoutMs = 60_000): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.waitForSync({ timeoutMs })));
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }
}
