import type { ResourceInfo } from '../resources.js';
import { configMapStrategy, endpointSliceStrategy, endpointsStrategy, eventStrategy, leaseStrategy, namespaceStrategy, nodeStrategy, secretStrategy } from './core.js';
import { ingressClassStrategy, ingressStrategy } from './ingress.js';
import { podStrategy } from './pods.js';
import { serviceStrategy } from './services.js';
import type { Strategy } from './types.js';
import { deploymentStrategy, replicaSetStrategy } from './workloads.js';

export type { Strategy } from './types.js';

const STRATEGIES: Record<string, Strategy> = {
  '/namespaces': namespaceStrategy,
  '/pods': podStrategy,
  '/services': serviceStrategy,
  '/endpoints': endpointsStrategy,
  '/events': eventStrategy,
  '/configmaps': configMapStrategy,
  '/secrets': secretStrategy,
  '/nodes': nodeStrategy,
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'discovery.k8s.io/endpointslices': endpointSliceStrategy,
  'networking.k8s.io/ingresses': ingressStrategy,
  'networking.k8s.io/ingressclasses': ingressClassStrategy,
  'coordination.k8s.io/leases': leaseStrategy,
};

export function strategyFor(res: ResourceInfo): Strategy {
  const s = STRATEGIES[`${res.group}/${res.plural}`];
  if (!s) throw new Error(`no strategy for ${res.group}/${res.plural}`);
  return s;
}
