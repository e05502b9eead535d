// The Service allocators' public face: cluster IPs out of the service CIDR, node ports out of the
// node port range, the Service admission that hands them out, and its repair pass at start.
import type { KubeObject } from '../../api/types.js';
import type { Registry, RegistryHooks, Reservation } from '../registry.js';
import { resourceFor } from '../resources.js';
import { ClusterIPAllocator } from './ipallocator.js';
import { NodePortAllocator, type PortRange } from './portallocator.js';
import { ServiceAllocators, type RepairReport } from './service.js';

export { AllocationError } from './errors.js';
export { ClusterIPAllocator, numberToIPv4, parseIpv4Cidr } from './ipallocator.js';
export { NodePortAllocator, type PortRange } from './portallocator.js';
export { ServiceAllocators, type RepairReport } from './service.js';

export const SERVICES = resourceFor('', 'v1', 'services')!;

export function newServiceAllocators(serviceCidr: string, nodePortRange: PortRange, log?: (msg: string) => void): ServiceAllocators {
  return new ServiceAllocators(new ClusterIPAllocator(serviceCidr), new NodePortAllocator(nodePortRange), log);
}

/** Marks every stored Service's addresses and ports; run before the server admits any write. */
export async function repairFromStorage(registry: Registry, alloc: ServiceAllocators): Promise<RepairReport> {
  const list = await registry.list(SERVICES, undefined, {});
  return alloc.rebuild(list.items as KubeObject[]);
}

/**
 * Runs several sets of registry hooks as one: beforeWrite in turn, every reservation (aborting
 * those already made when a later one refuses), every afterDelete.
 */
export function composeRegistryHooks(...all: RegistryHooks[]): RegistryHooks {
  return {
    beforeWrite(res, obj, old, opts) {
      let out = obj;
      for (const h of all) if (h.beforeWrite) out = h.beforeWrite(res, out, old, opts);
      return out;
    },
    reserve(res, obj, old, opts) {
      const held: Reservation[] = [];
      try {
        for (const h of all) {
          const r = h.reserve?.(res, obj, old, opts);
          if (r) held.push(r);
        }
      } catch (e) {
        for (const r of held) r.abort();
        throw e;
      }
      if (held.length <= 1) return held[0];
      return {
        commit: () => held.forEach((r) => r.commit()),
        abort: () => held.forEach((r) => r.abort()),
      };
    },
    afterDelete(res, obj) {
      for (const h of all) h.afterDelete?.(res, obj);
    },
  };
}
