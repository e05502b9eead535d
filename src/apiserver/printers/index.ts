// Server-side Table printers: the columns and cells `kubectl get` shows for each served kind,
// following Kubernetes' own printers (pkg/printers/internalversion) fact for fact.
//
//   printerFor(group, plural) -> { columns, row(obj, now), conditions?(obj) }
//   humanDuration(ms)         -> the AGE format ("5m10s", "3h2m", "2d3h", "4y")
//
// Rows always hold every column's cell, wide ones included, as kube-apiserver renders them;
// kubectl hides priority-1 columns unless -o wide.

import { deploymentPrinter, replicaSetPrinter } from './apps.js';
import { configMapPrinter, secretPrinter } from './config.js';
import { defaultPrinter } from './default.js';
import { endpointSlicePrinter, endpointsPrinter } from './endpoints.js';
import { eventPrinter } from './event.js';
import { leasePrinter } from './lease.js';
import { namespacePrinter } from './namespace.js';
import { ingressClassPrinter, ingressPrinter } from './networking.js';
import { nodePrinter } from './node.js';
import { podPrinter } from './pod.js';
import { servicePrinter } from './service.js';
import type { ResourcePrinter } from './types.js';

export type { ResourcePrinter, TableColumnDefinition, TableRowCondition } from './types.js';
export { humanDuration } from './duration.js';
export { defaultPrinter } from './default.js';

/** Printers by group resource ("<group>/<plural>"); the version does not change the columns. */
const PRINTERS: ReadonlyMap<string, ResourcePrinter> = new Map([
  ['/namespaces', namespacePrinter],
  ['/pods', podPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/events', eventPrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/nodes', nodePrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
]);

/** The printer of a resource, or the default NAME / CREATED AT printer for kinds without one. */
export function printerFor(group: string, plural: string): ResourcePrinter {
  return PRINTERS.get(`${group}/${plural}`) ?? defaultPrinter;
}
