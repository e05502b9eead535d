// The resources the controllers read and write, as the client addresses them.
import { resourceRef, type ResourceRef } from '../client/index.js';

export const PODS = resourceRef('', 'v1', 'pods');
export const SERVICES = resourceRef('', 'v1', 'services');
export const ENDPOINTS = resourceRef('', 'v1', 'endpoints');
export const EVENTS = resourceRef('', 'v1', 'events');
export const NODES = resourceRef('', 'v1', 'nodes', false);
export const NAMESPACES = resourceRef('', 'v1', 'namespaces', false);
export const CONFIGMAPS = resourceRef('', 'v1', 'configmaps');
export const SECRETS = resourceRef('', 'v1', 'secrets');
export const DEPLOYMENTS = resourceRef('apps', 'v1', 'deployments');
export const REPLICASETS = resourceRef('apps', 'v1', 'replicasets');
export const ENDPOINTSLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');
export const INGRESSES = resourceRef('networking.k8s.io', 'v1', 'ingresses');
export const INGRESSCLASSES = resourceRef('networking.k8s.io', 'v1', 'ingressclasses', false);
export const LEASES = resourceRef('coordination.k8s.io', 'v1', 'leases');

/** Every resource the API serves, with its kind (the garbage collector and namespace controller walk them all). */
export const ALL_RESOURCES: readonly { ref: ResourceRef; kind: string; apiVersion: string }[] = [
  { ref: PODS, kind: 'Pod', apiVersion: 'v1' },
  { ref: SERVICES, kind: 'Service', apiVersion: 'v1' },
  { ref: ENDPOINTS, kind: 'Endpoints', apiVersion: 'v1' },
  { ref: EVENTS, kind: 'Event', apiVersion: 'v1' },
  { ref: CONFIGMAPS, kind: 'ConfigMap', apiVersion: 'v1' },
  { ref: SECRETS, kind: 'Secret', apiVersion: 'v1' },
  { ref: NODES, kind: 'Node', apiVersion: 'v1' },
  { ref: NAMESPACES, kind: 'Namespace', apiVersion: 'v1' },
  { ref: DEPLOYMENTS, kind: 'Deployment', apiVersion: 'apps/v1' },
  { ref: REPLICASETS, kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  { ref: ENDPOINTSLICES, kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  { ref: INGRESSES, kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
  { ref: INGRESSCLASSES, kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1' },
  { ref: LEASES, kind: 'Lease', apiVersion: 'coordination.k8s.io/v1' },
];
