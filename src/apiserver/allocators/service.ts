// The Service admission that hands out cluster IPs and node ports (the Service REST's
// BeginCreate/BeginUpdate/AfterDelete over Allocators, pkg/registry/core/service/storage).
//
// The stored Services are the only record of what is taken: the bitmaps are rebuilt from them at
// start (as the repair controllers do) before the server serves, and in between they hold exactly
// the stored Services' values plus those of writes in flight. A write's reservation takes its new
// values at once and gives back what it dropped only once the write is stored, so no value is
// ever free while a stored object (or one about to be) holds it.
import { isIPv4 } from 'node:net';
import type { KubeObject } from '../../api/types.js';
import { clone } from '../codec.js';
import { errors, fieldError } from '../errors.js';
import type { RegistryHooks, Reservation } from '../registry.js';
import type { ResourceInfo } from '../resources.js';
import { dropTypeDependentFields } from '../strategy/services.js';
import { AllocationError } from './errors.js';
import type { ClusterIPAllocator } from './ipallocator.js';
import type { NodePortAllocator } from './portallocator.js';
import {
  defaultOnRead,
  healthCheckNodePortOf,
  heldClusterIPs,
  heldNodePorts,
  initIPFamilyFields,
  invalid,
  isMatchingPreferDualStack,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePort,
  NONE,
  nodePortOf,
  normalizeClusterIPs,
  patchAllocatedValues,
  portsOf,
  shouldAllocateNodePorts,
  specOf,
  strings,
} from './servicefields.js';

export interface RepairReport {
  services: number;
  clusterIPs: number;
  nodePorts: number;
  /** One line per problem found (duplicates, values out of range), as the repair controllers log them. */
  problems: string[];
}

const NOTHING: Reservation = { commit() {}, abort() {} };

export function isServiceResource(res: ResourceInfo): boolean {
  return res.group === '' && res.plural === 'services';
}

function key(svc: KubeObject): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

export class ServiceAllocators {
  /** Values found held by more than one stored Service on repair: how many extra holders each has. */
  private readonly sharedIPs = new Map<string, number>();
  private readonly sharedPorts = new Map<number, number>();

  constructor(
    readonly clusterIPs: ClusterIPAllocator,
    readonly nodePorts: NodePortAllocator,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** The registry hooks: admission on Service writes (not their status), release when one is gone. */
  hooks(): RegistryHooks {
    return {
      reserve: (res, obj, old, opts) => (isServiceResource(res) && !opts.subresource ? this.admit(obj, old, opts.dryRun === true) : undefined),
      afterDelete: (res, obj) => {
        if (isServiceResource(res)) this.release(obj);
      },
    };
  }

  /**
   * Marks what the stored Services hold, on fresh allocators, before any write is admitted.
   * Duplicates and values outside the ranges are reported, never fatal: the first holder keeps a
   * duplicate and each further one counts, so deleting one of them does not free it.
   */
  rebuild(services: Iterable<KubeObject>): RepairReport {
    const report: RepairReport = { services: 0, clusterIPs: 0, nodePorts: 0, problems: [] };
    const problem = (msg: string): void => {
      report.problems.push(msg);
      this.log(`allocators: ${msg}`);
    };
    for (const svc of services) {
      report.services++;
      for (const ip of heldClusterIPs(svc)) {
        if (this.clusterIPs.offsetOf(ip) === undefined) {
          problem(`the ClusterIP ${ip} for Service ${key(svc)} is not within the service CIDR ${this.clusterIPs.cidr.text}; please recreate`);
        } else if (this.clusterIPs.has(ip)) {
          this.sharedIPs.set(ip, (this.sharedIPs.get(ip) ?? 0) + 1);
          problem(`the ClusterIP ${ip} for Service ${key(svc)} was assigned to multiple services; please recreate`);
        } else {
          this.clusterIPs.allocate(ip);
          report.clusterIPs++;
        }
      }
      for (const port of heldNodePorts(svc)) {
        if (!this.nodePorts.contains(port)) {
          problem(`the port ${port} for service ${key(svc)} is not within the port range ${this.nodePorts.text}; please recreate`);
        } else if (this.nodePorts.has(port)) {
          this.sharedPorts.set(port, (this.sharedPorts.get(port) ?? 0) + 1);
          problem(`the node port ${port} for service ${key(svc)} was assigned to multiple services; please recreate`);
        } else {
          this.nodePorts.allocate(port);
          report.nodePorts++;
        }
      }
    }
    return report;
  }

  /**
   * Fills in and reserves a Service's cluster IPs and node ports for a create (`old` undefined) or
   * an update. Throws the ApiError Kubernetes gives; a dry run checks everything and holds nothing.
   */
  admit(svc: KubeObject, old: KubeObject | undefined, dryRun: boolean): Reservation {
    const tx = new Transaction(this);
    try {
      const spec = specOf(svc);
      let before: KubeObject | undefined;
      if (old) {
        before = clone(old);
        defaultOnRead(before);
        // The strategy's PrepareForUpdate: a type change clears what the new type does not use, so
        // it is released below. Idempotent, so harmless where the registry has run it already.
        dropTypeDependentFields(svc, before);
        patchAllocatedValues(spec, specOf(before));
      }
      normalizeClusterIPs(spec, before ? specOf(before) : undefined);
      initIPFamilyFields(svc, before);
      this.allocateClusterIPs(tx, svc, before);
      this.allocateNodePorts(tx, svc, before);
      const keepIPs = new Set(heldClusterIPs(svc));
      for (const ip of heldClusterIPs(before)) if (!keepIPs.has(ip)) tx.releaseIPLater(ip);
      const keepPorts = new Set(heldNodePorts(svc));
      for (const port of heldNodePorts(before)) if (!keepPorts.has(port)) tx.releasePortLater(port);
    } catch (e) {
      tx.abort();
      throw e;
    }
    if (dryRun) {
      // Everything was checked against the real ranges; nothing stays held, not even for a moment.
      tx.abort();
      return NOTHING;
    }
    return tx;
  }

  /** A Service left storage: its values may be handed out again. */
  release(svc: KubeObject): void {
    for (const ip of heldClusterIPs(svc)) this.releaseIP(ip);
    for (const port of heldNodePorts(svc)) this.releasePort(port);
  }

  releaseIP(ip: string): void {
    const extra = this.sharedIPs.get(ip) ?? 0;
    if (extra > 1) this.sharedIPs.set(ip, extra - 1);
    else if (extra === 1) this.sharedIPs.delete(ip);
    else this.clusterIPs.release(ip);
  }

  releasePort(port: number): void {
    const extra = this.sharedPorts.get(port) ?? 0;
    if (extra > 1) this.sharedPorts.set(port, extra - 1);
    else if (extra === 1) this.sharedPorts.delete(port);
    else this.nodePorts.release(port);
  }

  /** Cluster IPs for every family that has none, the user's own where given (allocClusterIPs). */
  private allocateClusterIPs(tx: Transaction, svc: KubeObject, old: KubeObject | undefined): void {
    const spec = specOf(svc);
    if (!needsClusterIP(spec)) return;
    const ips = strings(spec['clusterIPs']);
    if (ips[0] === NONE) return;
    if (isMatchingPreferDualStack(spec, old ? specOf(old) : undefined)) return;
    const families = strings(spec['ipFamilies']);
    while (ips.length < families.length) ips.push('');
    const held = new Set(heldClusterIPs(old));
    for (let i = 0; i < ips.length; i++) {
      const ip = ips[i]!;
      if (ip === '') {
        try {
          ips[i] = tx.nextIP();
          if (i === 0) spec['clusterIP'] = ips[0];
        } catch (e) {
          throw errors.internal(`failed to allocate a serviceIP: ${messageOf(e)}`);
        }
      } else if (held.has(ip)) {
        continue;
      } else if (!isIPv4(ip)) {
        throw errors.internal(`failed to parse service IP "${ip}"`);
      } else {
        try {
          tx.takeIP(ip);
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          throw invalid(svc.metadata.name ?? '', [fieldError.invalid('spec.clusterIPs', [...ips], `failed to allocate IP ${ip}: ${e.message}`)]);
        }
      }
    }
    if (ips.length > 0) spec['clusterIPs'] = ips;
  }

  /**
   * Node ports for NodePort and LoadBalancer Services (initNodePorts on create, updateNodePorts on
   * update) and the health check port of LoadBalancer + externalTrafficPolicy Local.
   */
  private allocateNodePorts(tx: Transaction, svc: KubeObject, old: KubeObject | undefined): void {
    const spec = specOf(svc);
    const name = svc.metadata.name ?? '';
    const held = new Set(heldNodePorts(old));
    const take = (port: number, i: number): void => {
      try {
        tx.takePort(port);
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        throw invalid(name, [fieldError.invalid(`spec.ports[${i}].nodePort`, port, e.message)]);
      }
    };
    const next = (): number => {
      try {
        return tx.nextPort();
      } catch (e) {
        throw errors.internal(`failed to allocate a nodePort: ${messageOf(e)}`);
      }
    };
    if (needsNodePort(spec)) {
      const ports = portsOf(spec);
      const allocate = shouldAllocateNodePorts(spec);
      if (!old) {
        // One node port per service port number: TCP and UDP of port 53 share theirs.
        const byPort = new Map<unknown, number>();
        ports.forEach((p, i) => {
          const np = nodePortOf(p);
          if (np === 0 && !allocate) return;
          const given = byPort.get(p['port']);
          if (given === undefined) {
            const requested = ports.find((q) => q['port'] === p['port'] && nodePortOf(q) !== 0);
            if (requested) {
              take(nodePortOf(requested), i);
              p['nodePort'] = nodePortOf(requested);
            } else {
              p['nodePort'] = next();
            }
            byPort.set(p['port'], nodePortOf(p));
          } else if (np !== given) {
            if (np === 0) p['nodePort'] = given;
            else take(np, i);
          }
        });
      } else {
        const taken = new Set<number>();
        ports.forEach((p, i) => {
          const np = nodePortOf(p);
          if (np === 0 && !allocate) return;
          if (np === 0) p['nodePort'] = next();
          else if (!held.has(np) && !taken.has(np)) {
            take(np, i);
            taken.add(np);
          }
        });
      }
    }
    if (needsHealthCheckNodePort(spec)) {
      const hc = healthCheckNodePortOf(spec);
      const oldHc = old && needsHealthCheckNodePort(specOf(old)) ? healthCheckNodePortOf(specOf(old)) : 0;
      if (hc === 0) {
        try {
          spec['healthCheckNodePort'] = tx.nextPort();
        } catch (e) {
          throw errors.internal(`failed to allocate a HealthCheck NodePort 0: ${messageOf(e)}`);
        }
      } else if (hc !== oldHc) {
        try {
          tx.takePort(hc);
        } catch (e) {
          throw errors.internal(`failed to allocate requested HealthCheck NodePort ${hc}: ${messageOf(e)}`);
        }
      }
    }
  }
}

function messageOf(e: unknown): string {
  if (e instanceof AllocationError) return e.message;
  throw e;
}

/** One write's reservation: values taken now (given back on abort), values to give back on commit. */
class Transaction implements Reservation {
  private readonly takenIPs: string[] = [];
  private readonly takenPorts: number[] = [];
  private readonly droppedIPs: string[] = [];
  private readonly droppedPorts: number[] = [];
  private done = false;

  constructor(private readonly alloc: ServiceAllocators) {}

  takeIP(ip: string): void {
    this.alloc.clusterIPs.allocate(ip);
    this.takenIPs.push(ip);
  }

  nextIP(): string {
    const ip = this.alloc.clusterIPs.allocateNext();
    this.takenIPs.push(ip);
    return ip;
  }

  takePort(port: number): void {
    this.alloc.nodePorts.allocate(port);
    this.takenPorts.push(port);
  }

  nextPort(): number {
    const port = this.alloc.nodePorts.allocateNext();
    this.takenPorts.push(port);
    return port;
  }

  releaseIPLater(ip: string): void {
    this.droppedIPs.push(ip);
  }

  releasePortLater(port: number): void {
    this.droppedPorts.push(port);
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    for (const ip of this.droppedIPs) this.alloc.releaseIP(ip);
    for (const port of this.droppedPorts) this.alloc.releasePort(port);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    for (const ip of this.takenIPs) this.alloc.clusterIPs.release(ip);
    for (const port of this.takenPorts) this.alloc.nodePorts.release(port);
  }
}
