// The slices one controller manages, by the Service they belong to (the lister query
// `kubernetes.io/service-name=<svc>,endpointslice.kubernetes.io/managed-by=<controller>` in the
// Service's namespace), kept up to date from the shared informer so a sync never scans all slices.
import type { EndpointSlice } from '../../api/core.js';
import type { Informer } from '../../client/index.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './labels.js';

/** `namespace/service` of a slice, from its service-name label; undefined without one. */
export function serviceKeyOfSlice(slice: { metadata: { namespace?: string; labels?: Record<string, string> } }): string | undefined {
  const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  if (!svc) return undefined;
  return `${slice.metadata.namespace ?? ''}/${svc}`;
}

export function managedBy(slice: EndpointSlice, controller: string): boolean {
  return slice.metadata.labels?.[LABEL_MANAGED_BY] === controller;
}

export class SliceIndex {
  private readonly byService = new Map<string, Set<string>>();

  constructor(
    private readonly slices: Pick<Informer<EndpointSlice>, 'addEventHandler' | 'get'>,
    private readonly controller: string,
  ) {
    slices.addEventHandler({
      onAdd: (s, key) => this.index(key, undefined, s),
      onUpdate: (old, s, key) => this.index(key, old, s),
      onDelete: (old, key) => this.index(key, old, undefined),
    });
  }

  /** The controller's slices labelled for this Service, as cached. */
  slicesFor(serviceKey: string): EndpointSlice[] {
    const out: EndpointSlice[] = [];
    for (const key of this.byService.get(serviceKey) ?? []) {
      const s = this.slices.get(key);
      if (s) out.push(s);
    }
    return out;
  }

  private keyOf(s: EndpointSlice | undefined): string | undefined {
    return s && managedBy(s, this.controller) ? serviceKeyOfSlice(s) : undefined;
  }

  private index(key: string, old: EndpointSlice | undefined, s: EndpointSlice | undefined): void {
    const before = this.keyOf(old);
    const after = this.keyOf(s);
    if (before === after) return;
    if (before !== undefined) {
      const set = this.byService.get(before);
      set?.delete(key);
      if (set?.size === 0) this.byService.delete(before);
    }
    if (after !== undefined) {
      let set = this.byService.get(after);
      if (!set) this.byService.set(after, (set = new Set()));
      set.add(key);
    }
  }
}
