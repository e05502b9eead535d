// The ingress controller: the Ingresses of its IngressClasses (controller tinykube.io/ingress) and
// the Services, EndpointSlices and TLS Secrets they use, from informers, become the data plane's
// configuration in a sync loop that coalesces bursts (the proxy's BoundedFrequencyRunner). It
// publishes the addresses it listens on in each Ingress's status.loadBalancer.ingress. An API
// client like every other component, so it runs against any cluster's kubeconfig.
import { createSecureContext } from 'node:tls';
import type { EndpointSlice, Service } from '../api/core.js';
import {
  ANNOTATION_DEFAULT_INGRESS_CLASS,
  ANNOTATION_INGRESS_CLASS,
  defaultIngressClass,
  INGRESS_CONTROLLER,
  SECRET_TYPE_TLS,
  type Ingress,
  type IngressClass,
  type IngressLoadBalancerIngress,
  type Secret,
} from '../api/networking.js';
import { EventRecorder, Informer, isAlreadyExists, isNotFound, resourceRef, type KubeClient } from '../client/index.js';
import { BoundedFrequencyRunner, ChangeTracker, leanEndpointSlice, leanService } from '../proxy/index.js';
import { leanIngress, leanIngressClass, leanSecret } from './lean.js';
import { compileRoutes, type BackendRef, type Route } from './routes.js';
import { IngressServer, type ListenFailure } from './server.js';
import { CertStore, defaultCertificate } from './tls.js';
import { Upstreams, type Upstream } from './upstreams.js';

const INGRESSES = resourceRef('networking.k8s.io', 'v1', 'ingresses');
const INGRESS_CLASSES = resourceRef('networking.k8s.io', 'v1', 'ingressclasses', false);
const SERVICES = resourceRef('', 'v1', 'services');
const ENDPOINTSLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');
const SECRETS = resourceRef('', 'v1', 'secrets');

export interface IngressControllerOptions {
  client: KubeClient;
  /** Where it listens (every node address) and what it publishes in Ingress status. */
  addresses: string[];
  httpPort: number;
  httpsPort: number;
  /** IngressClasses to create at start when absent (controller tinykube.io/ingress); `default` annotates it the default class. */
  classes?: { name: string; default: boolean }[];
  minSyncPeriodMs?: number;
  log?: (msg: string) => void;
}

export interface IngressStartResult {
  httpPort: number;
  httpsPort: number;
  /** Listeners that could not be bound (the others serve). */
  failures: ListenFailure[];
}

export class IngressController {
  private readonly log: (msg: string) => void;
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly secrets: Informer<Secret>;
  private readonly tracker = new ChangeTracker({ nodeName: '', headless: true });
  private readonly upstreams = new Upstreams();
  private readonly runner: BoundedFrequencyRunner;
  private readonly recorder: EventRecorder;
  private server?: IngressServer;
  private certs?: CertStore;
  private synced = false;
  /** Problems already reported ("ingress\0problem"), so each shows once. */
  private readonly reported = new Set<string>();
  /** Generation last announced with a Sync event, per Ingress. */
  private readonly announced = new Map<string, number>();
  /** Status writes in flight, per Ingress. */
  private readonly statusWrites = new Set<string>();
  private published: IngressLoadBalancerIngress[] = [];
  readonly stats = { syncs: 0, lastSyncMs: 0 };

  constructor(private readonly opts: IngressControllerOptions) {
    this.log = opts.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.recorder = new EventRecorder(opts.client, 'tinykube-ingress-controller', this.log);
    this.runner = new BoundedFrequencyRunner(() => this.sync(), { minIntervalMs: opts.minSyncPeriodMs ?? 2, maxIntervalMs: 30_000, onError: (e) => this.log(`ingress: sync failed: ${e instanceof Error ? e.message : String(e)}`) });
    const onErr = (what: string) => (e: Error, phase: string) => this.log(`ingress: ${what} ${phase}: ${e.message}`);
    const changed = (): void => {
      if (this.synced) this.runner.run();
    };
    const handlers = { onAdd: changed, onUpdate: changed, onDelete: changed };
    this.ingresses = new Informer<Ingress>(opts.client, INGRESSES, { onError: onErr('ingresses'), transform: leanIngress });
    this.classes = new Informer<IngressClass>(opts.client, INGRESS_CLASSES, { onError: onErr('ingressclasses'), transform: leanIngressClass });
    this.secrets = new Informer<Secret>(opts.client, SECRETS, { onError: onErr('secrets'), transform: leanSecret, fieldSelector: `type=${SECRET_TYPE_TLS}` });
    this.services = new Informer<Service>(opts.client, SERVICES, { onError: onErr('services'), transform: leanService });
    this.slices = new Informer<EndpointSlice>(opts.client, ENDPOINTSLICES, { onError: onErr('endpointslices'), transform: leanEndpointSlice });
    for (const i of [this.ingresses, this.classes, this.secrets]) i.addEventHandler(handlers);
    this.services.addEventHandler({
      onAdd: (s) => (this.tracker.onServiceUpsert(s), changed()),
      onUpdate: (_o, s) => (this.tracker.onServiceUpsert(s), changed()),
      onDelete: (s) => (this.tracker.onServiceDelete(s), changed()),
    });
    this.slices.addEventHandler({
      onAdd: (s) => (this.tracker.onEndpointSliceUpsert(s), changed()),
      onUpdate: (_o, s) => (this.tracker.onEndpointSliceUpsert(s), changed()),
      onDelete: (s) => (this.tracker.onEndpointSliceDelete(s), changed()),
    });
  }

  /**
   * Binds the listeners, makes the IngressClasses it was asked for, lists and watches, serves the
   * first configuration, then keeps syncing. Throws when no listener could be bound.
   */
  async start(): Promise<IngressStartResult> {
    const defaultCert = await defaultCertificate();
    this.certs = new CertStore(createSecureContext({ cert: defaultCert.certPem, key: defaultCert.keyPem }));
    const server = new IngressServer({ addresses: this.opts.addresses, httpPort: this.opts.httpPort, httpsPort: this.opts.httpsPort, certs: this.certs, defaultCert, log: this.log });
    const failures = await server.listen();
    if (failures.length === this.opts.addresses.length * 2) {
      await server.close();
      throw new IngressListenError(failures);
    }
    this.server = server;
    this.published = this.opts.addresses.map((ip) => ({ ip }));
    await this.ensureClasses();
    const informers = [this.ingresses, this.classes, this.secrets, this.services, this.slices];
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync({ timeoutMs: 60_000 })));
    this.synced = true;
    await this.sync();
    this.runner.loop();
    return { httpPort: server.httpPort, httpsPort: server.httpsPort, failures };
  }

  async stop(): Promise<void> {
    this.runner.stop();
    for (const i of [this.ingresses, this.classes, this.secrets, this.services, this.slices]) i.stop();
    await this.server?.close();
    await this.recorder.flush();
  }

  /** What the data plane counted (requests, error responses, upgrades). */
  counters(): IngressServer['counters'] | undefined {
    return this.server?.counters;
  }

  private async ensureClasses(): Promise<void> {
    for (const c of this.opts.classes ?? []) {
      const obj: IngressClass = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: c.name, ...(c.default && { annotations: { [ANNOTATION_DEFAULT_INGRESS_CLASS]: 'true' } }) },
        spec: { controller: INGRESS_CONTROLLER },
      };
      try {
        await this.opts.client.create(INGRESS_CLASSES, obj);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }

  /** The Ingresses this controller serves: their class is one of ours; without a class, when the default class is ours. */
  private ours(): Ingress[] {
    const classes = this.classes.list();
    const byName = new Map(classes.map((c) => [c.metadata.name ?? '', c]));
    const mine = (name: string | undefined): boolean => name !== undefined && byName.get(name)?.spec?.controller === INGRESS_CONTROLLER;
    const defaultIsMine = mine(defaultIngressClass(classes)?.metadata.name);
    return this.ingresses.list().filter((ing) => {
      const name = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[ANNOTATION_INGRESS_CLASS];
      return name === undefined ? defaultIsMine : mine(name);
    });
  }

  private async sync(): Promise<void> {
    const server = this.server;
    const certs = this.certs;
    if (!server || !certs) return;
    const t0 = performance.now();
    const ours = this.ours();
    const table = compileRoutes(ours, (ing, p) => this.problem(ing, p));
    const used: BackendRef[] = [];
    for (const r of table.routes) if (r.backend) used.push(r.backend);
    this.upstreams.sync(used, this.tracker.state());
    const byRoute = new Map<Route, Upstream>();
    for (const r of table.routes) if (r.backend) byRoute.set(r, this.upstreams.get(r.backend));
    const secrets = new Map<string, Secret>();
    for (const s of this.secrets.list()) secrets.set(`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`, s);
    certs.update(ours, secrets, (ing, p) => this.problem(ing, p));
    server.setConfig({ table, upstream: (r) => byRoute.get(r) });
    this.stats.syncs++;
    this.stats.lastSyncMs = performance.now() - t0;
    for (const ing of ours) {
      this.announce(ing);
      this.publishStatus(ing);
    }
  }

  /** A Normal "Sync" Event when an Ingress is first served and when its spec changes (as ingress-nginx). */
  private announce(ing: Ingress): void {
    const key = `${ing.metadata.namespace ?? ''}/${ing.metadata.name ?? ''}`;
    const gen = ing.metadata.generation ?? 0;
    if (this.announced.get(key) === gen) return;
    this.announced.set(key, gen);
    this.recorder.event({ kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: ing.metadata }, 'Normal', 'Sync', 'Scheduled for sync');
  }

  private publishStatus(ing: Ingress): void {
    const key = `${ing.metadata.namespace ?? ''}/${ing.metadata.name ?? ''}`;
    const want = this.published;
    if (JSON.stringify(ing.status?.loadBalancer?.ingress ?? []) === JSON.stringify(want) || this.statusWrites.has(key)) return;
    this.statusWrites.add(key);
    const patch = { status: { loadBalancer: { ingress: want } } };
    this.opts.client
      .patch(INGRESSES, ing.metadata.name ?? '', patch, 'merge', { namespace: ing.metadata.namespace, subresource: 'status' })
      .catch((e: unknown) => {
        if (!isNotFound(e)) this.log(`ingress: status of ${key}: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => this.statusWrites.delete(key));
  }

  private problem(ingress: string, problem: string): void {
    const id = `${ingress}\u0000${problem}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.log(`ingress: ${ingress}: ${problem}`);
    const [namespace, name] = ingress.split('/');
    const ing = this.ingresses.get(ingress);
    this.recorder.event({ kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: ing?.metadata ?? { namespace, name } }, 'Warning', 'BadConfig', problem);
  }
}

/** No listener could be bound: every address and port failed. */
export class IngressListenError extends Error {
  constructor(readonly failures: ListenFailure[]) {
    super(failures.map((f) => `cannot listen on ${f.address}:${f.port} (${f.scheme}): ${f.code}`).join('; '));
  }
}
