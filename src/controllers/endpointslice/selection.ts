// Which pods a Service selects and which Services select a pod, answered from indexes kept beside
// the shared informers' caches, so neither question scans every pod or every Service: pods are
// indexed by namespace and label pair, Services by namespace and one pair of their selector.
// (Kubernetes lists the namespace's Services per pod event; at 10k Services in one namespace
// that is the cost to avoid.) One index per informer set, shared by the endpoint controllers.
import type { Pod, Service } from '../../api/core.js';
import type { Informer } from '../../client/index.js';
import type { SharedInformers } from '../informers.js';
import { PODS, SERVICES } from '../resources.js';
import { podChange, sameLabels } from './pods.js';

type Selector = Record<string, string>;

interface IndexedService {
  namespace: string;
  selector: Selector;
  /** The `key=value` the Service is filed under; undefined for an empty selector (selects every pod). */
  pair: string | undefined;
}

const shared = new WeakMap<SharedInformers, ServiceSelectionIndex>();

/** True when every pair of the selector is among the labels (labels.SelectorFromSet(selector).Matches). */
export function selectorMatches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  for (const k in selector) if (labels?.[k] !== selector[k]) return false;
  return true;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

function nsOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

export class ServiceSelectionIndex {
  /** namespace -> `key=value` -> pod keys */
  private readonly podsByPair = new Map<string, Map<string, Set<string>>>();
  /** namespace -> every pod key (for empty selectors) */
  private readonly podsByNamespace = new Map<string, Set<string>>();
  private readonly services = new Map<string, IndexedService>();
  /** namespace -> `key=value` -> Service keys */
  private readonly servicesByPair = new Map<string, Map<string, Set<string>>>();
  /** namespace -> Services with an empty selector */
  private readonly selectAll = new Map<string, Set<string>>();

  /** The index of these informers, created (and its handlers registered) on first use. */
  static for(informers: SharedInformers): ServiceSelectionIndex {
    let idx = shared.get(informers);
    if (!idx) shared.set(informers, (idx = new ServiceSelectionIndex(informers.for<Pod>(PODS), informers.for<Service>(SERVICES))));
    return idx;
  }

  constructor(
    private readonly pods: Pick<Informer<Pod>, 'addEventHandler' | 'get'>,
    services: Pick<Informer<Service>, 'addEventHandler'>,
  ) {
    pods.addEventHandler({
      onAdd: (pod, key) => this.indexPod(key, undefined, pod),
      onUpdate: (old, pod, key) => this.indexPod(key, old, pod),
      onDelete: (old, key) => this.indexPod(key, old, undefined),
    });
    services.addEventHandler({
      onAdd: (svc, key) => this.indexService(key, svc),
      onUpdate: (_old, svc, key) => this.indexService(key, svc),
      onDelete: (_old, key) => this.indexService(key, undefined),
    });
  }

  /** The pods in the Service's namespace its selector matches; none without a selector. */
  podsFor(svc: Service): Pod[] {
    const selector = svc.spec.selector;
    const ns = svc.metadata.namespace ?? '';
    if (!selector) return [];
    let candidates: Set<string> | undefined;
    const byPair = this.podsByPair.get(ns);
    const pairs = Object.entries(selector);
    if (pairs.length === 0) candidates = this.podsByNamespace.get(ns);
    else {
      for (const [k, v] of pairs) {
        const set = byPair?.get(`${k}=${v}`);
        if (!set) return [];
        if (!candidates || set.size < candidates.size) candidates = set;
      }
    }
    const out: Pod[] = [];
    for (const key of candidates ?? []) {
      const pod = this.pods.get(key);
      if (pod && selectorMatches(selector, pod.metadata.labels)) out.push(pod);
    }
    return out;
  }

  /** Keys of the Services in `namespace` whose selector matches these labels. */
  servicesFor(namespace: string, labels: Record<string, string> | undefined): Set<string> {
    const out = new Set<string>();
    const byPair = this.servicesByPair.get(namespace);
    if (byPair && labels) {
      for (const k in labels) {
        for (const key of byPair.get(`${k}=${labels[k]}`) ?? []) {
          const s = this.services.get(key);
          if (s && selectorMatches(s.selector, labels)) out.add(key);
        }
      }
    }
    for (const key of this.selectAll.get(namespace) ?? []) out.add(key);
    return out;
  }

  /**
   * The Services to sync for a pod event (GetServicesToUpdate): those selecting it on add and
   * delete; on update nothing unless its endpoint or its labels changed, and when only its
   * labels changed, just the Services it joined or left.
   */
  servicesToUpdate(oldPod: Pod | undefined, pod: Pod | undefined): Set<string> {
    if (!oldPod && !pod) return new Set();
    if (!oldPod) return this.servicesFor(pod!.metadata.namespace ?? '', pod!.metadata.labels);
    if (!pod) return this.servicesFor(oldPod.metadata.namespace ?? '', oldPod.metadata.labels);
    if (oldPod.metadata.resourceVersion !== undefined && oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return new Set();
    const change = podChange(oldPod, pod);
    const ns = pod.metadata.namespace ?? '';
    if (!change.membership) return change.endpoints ? this.servicesFor(ns, pod.metadata.labels) : new Set();
    const now = this.servicesFor(ns, pod.metadata.labels);
    const before = this.servicesFor(ns, oldPod.metadata.labels);
    if (change.endpoints) {
      for (const k of before) now.add(k);
      return now;
    }
    const out = new Set<string>();
    for (const k of now) if (!before.has(k)) out.add(k);
    for (const k of before) if (!now.has(k)) out.add(k);
    return out;
  }

  private indexPod(key: string, old: Pod | undefined, pod: Pod | undefined): void {
    const ns = nsOf(key);
    if (old && pod && sameLabels(old.metadata.labels, pod.metadata.labels)) return;
    if (old) {
      const byPair = this.podsByPair.get(ns);
      if (byPair) for (const [k, v] of Object.entries(old.metadata.labels ?? {})) removeFrom(byPair, `${k}=${v}`, key);
      if (byPair?.size === 0) this.podsByPair.delete(ns);
      if (!pod) removeFrom(this.podsByNamespace, ns, key);
    }
    if (pod) {
      let byPair = this.podsByPair.get(ns);
      if (!byPair) this.podsByPair.set(ns, (byPair = new Map()));
      for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) addTo(byPair, `${k}=${v}`, key);
      addTo(this.podsByNamespace, ns, key);
    }
  }

  private indexService(key: string, svc: Service | undefined): void {
    const prev = this.services.get(key);
    if (prev) {
      this.services.delete(key);
      if (prev.pair === undefined) removeFrom(this.selectAll, prev.namespace, key);
      else {
        const byPair = this.servicesByPair.get(prev.namespace);
        if (byPair) {
          removeFrom(byPair, prev.pair, key);
          if (byPair.size === 0) this.servicesByPair.delete(prev.namespace);
        }
      }
    }
    const selector = svc?.spec.selector;
    if (!svc || !selector) return;
    const namespace = svc.metadata.namespace ?? nsOf(key);
    const first = Object.keys(selector).sort()[0];
    const entry: IndexedService = { namespace, selector, pair: first === undefined ? undefined : `${first}=${selector[first]}` };
    this.services.set(key, entry);
    if (entry.pair === undefined) addTo(this.selectAll, namespace, key);
    else {
      let byPair = this.servicesByPair.get(namespace);
      if (!byPair) this.servicesByPair.set(namespace, (byPair = new Map()));
      addTo(byPair, entry.pair, key);
    }
  }
}
