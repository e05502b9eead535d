// The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector,
// EndpointSlices listing the pods it selects. Level-triggered on Service keys: pod events queue
// the Services selecting the pod (old and new labels), Service events queue the Service, and
// changes others make to our slices queue their Service, so a deleted or edited slice comes back.
// A sync reads only the informer caches. A deleted Service's slices are deleted here; their
// ownerReference lets the garbage collector do the same (Kubernetes leaves it to the collector
// alone; tinykube may run without one, e.g. `--controllers` picking only these).
import type { EndpointSlice, Node, Pod, Service } from '../../api/core.js';
import { WorkQueue, isConflict, runWorkers, type Informer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import type { EventRecorder } from '../../client/index.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../resources.js';
import { errorText } from './api-errors.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ENDPOINTSLICE_CONTROLLER } from './labels.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, planEndpointSlices } from './reconciler.js';
import { ServiceSelectionIndex } from './selection.js';
import { SliceIndex } from './slice-index.js';
import { SliceSync } from './slice-sync.js';

export interface EndpointSliceControllerOptions {
  /** Concurrent syncs (--concurrent-service-endpoint-syncs). Default 5, as Kubernetes. */
  workers?: number;
  /** --max-endpoints-per-slice. Default 100. */
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  // Kubernetes backs this controller off from 1 s (not 5 ms): a failing sync can mean many writes.
  private readonly queue = new WorkQueue({ baseDelayMs: 1_000, maxDelayMs: 1_000_000 });
  /** Node name -> Services that left out a pod on that (not yet known) node. */
  private readonly nodeWaiters = new Map<string, Set<string>>();
  private readonly workers: number;
  private readonly maxEndpointsPerSlice: number;
  private recorder!: EventRecorder;
  private log!: (msg: string) => void;
  private services!: Informer<Service>;
  private nodes!: Informer<Node>;
  private selection!: ServiceSelectionIndex;
  private slices!: SliceIndex;
  private sliceSync!: SliceSync;
  private running: Promise<void> | undefined;
  /**
   * TriggerTimeTracker: per Service, when the first change not yet written was seen. The slices a
   * sync writes carry it as endpoints.kubernetes.io/last-change-trigger-time, from which the
   * proxy measures network programming latency. Kubernetes takes the pods' Ready transition times,
   * which the API rounds to the second; the moment this controller sees the change is as exact as
   * the milliseconds the latency is about.
   */
  private readonly firstChange = new Map<string, number>();

  constructor(opts: EndpointSliceControllerOptions = {}) {
    this.workers = opts.workers ?? 5;
    this.maxEndpointsPerSlice = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  }

  setup(ctx: ControllerContext): void {
    this.recorder = ctx.recorder(this.name);
    this.log = ctx.log;
    this.sliceSync = new SliceSync(ctx.client, this.queue, ENDPOINTSLICE_CONTROLLER);
    this.selection = ServiceSelectionIndex.for(ctx.informers);
    this.services = ctx.informers.for<Service>(SERVICES);
    this.nodes = ctx.informers.for<Node>(NODES);
    const slices = ctx.informers.for<EndpointSlice>(ENDPOINTSLICES);
    this.slices = new SliceIndex(slices, ENDPOINTSLICE_CONTROLLER);

    this.services.addEventHandler({
      onAdd: (_s, key) => this.changed(key),
      onUpdate: (_o, _s, key) => this.changed(key),
      onDelete: (_s, key) => this.queue.add(key),
    });
    ctx.informers.for<Pod>(PODS).addEventHandler({
      onAdd: (pod) => this.queuePod(undefined, pod),
      onUpdate: (old, pod) => this.queuePod(old, pod),
      onDelete: (old) => this.queuePod(old, undefined),
    });
    slices.addEventHandler({
      onAdd: (s) => this.sliceSync.onSlice(undefined, s, false),
      onUpdate: (old, s) => this.sliceSync.onSlice(old, s, false),
      onDelete: (s) => this.sliceSync.onSlice(undefined, s, true),
    });
    this.nodes.addEventHandler({ onAdd: (n) => this.onNode(n) });
  }

  run(): void {
    this.running = runWorkers(this.queue, (key) => this.sync(key), {
      workers: this.workers,
      // A conflict means our cache was behind our own write: routine, retried quietly.
      onError: (err, key) => isConflict(err) || this.log(`${this.name}: syncing Service ${key}: ${errorText(err)}; retrying`),
    });
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Resolves once the workers have exited after stop(). */
  async stopped(): Promise<void> {
    await this.running;
  }

  private queuePod(old: Pod | undefined, pod: Pod | undefined): void {
    // Like getPodTriggerTime (the Ready condition's transition), only a change of what an
    // endpoint says starts the clock: readiness, address, termination, or the pod coming or going
    // with an address. A pod that is created, scheduled or started without one is no trigger.
    const trigger = endpointView(old) !== endpointView(pod);
    for (const key of this.selection.servicesToUpdate(old, pod)) {
      if (trigger) this.changed(key);
      else this.queue.add(key);
    }
  }

  private changed(key: string): void {
    if (!this.firstChange.has(key)) this.firstChange.set(key, Date.now());
    this.queue.add(key);
  }

  private onNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const waiters = this.nodeWaiters.get(name);
    if (!waiters) return;
    this.nodeWaiters.delete(name);
    for (const key of waiters) this.queue.add(key);
  }

  private async sync(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc) {
      this.sliceSync.forget(key);
      const gone = this.slices.slicesFor(key);
      await this.sliceSync.write(key, { create: [], update: [], delete: gone });
      return;
    }
    // ExternalName Services get no endpoints; Services without a selector get theirs from the user.
    if (svc.spec.type === 'ExternalName' || !svc.spec.selector) return;
    const existing = this.slices.slicesFor(key).filter((s) => !s.metadata.deletionTimestamp);
    if (this.sliceSync.stale(key, existing)) return;
    const trigger = this.firstChange.get(key);
    this.firstChange.delete(key);
    const plan = planEndpointSlices({
      service: svc,
      pods: this.selection.podsFor(svc),
      existing,
      node: (name) => this.nodes.get(name),
      maxEndpointsPerSlice: this.maxEndpointsPerSlice,
    });
    for (const n of plan.missingNodes) {
      let set = this.nodeWaiters.get(n);
      if (!set) this.nodeWaiters.set(n, (set = new Set()));
      set.add(key);
    }
    for (const slice of [...plan.create, ...plan.update]) slice.metadata = { ...slice.metadata, annotations: withTriggerTime(slice.metadata.annotations, trigger) };
    try {
      // No new slices for a Service being deleted: they would race the garbage collector.
      await this.sliceSync.write(key, plan, { noCreates: !!svc.metadata.deletionTimestamp });
    } catch (err) {
      // Unwritten: the change still waits, from its first sighting.
      if (trigger !== undefined) this.firstChange.set(key, Math.min(trigger, this.firstChange.get(key) ?? trigger));
      this.recorder.event(
        { kind: 'Service', apiVersion: 'v1', metadata: svc.metadata },
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${key}: ${errorText(err)}`,
      );
      throw err;
    }
  }
}

/** addTriggerTimeAnnotation: the Service's first unwritten change, or no annotation when there is none. */
function withTriggerTime(annotations: Record<string, string> | undefined, trigger: number | undefined): Record<string, string> | undefined {
  const out = { ...(annotations ?? {}) };
  if (trigger === undefined) delete out[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  else out[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = new Date(trigger).toISOString();
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What of a pod its endpoint shows: '' for none (absent, or no address yet). */
function endpointView(pod: Pod | undefined): string {
  if (!pod?.status?.podIP) return '';
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
  return `${pod.status.podIP}|${ready}|${pod.metadata.deletionTimestamp ? 'terminating' : ''}|${JSON.stringify(pod.metadata.labels ?? {})}`;
}
