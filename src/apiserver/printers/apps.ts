// Deployments (NAME READY UP-TO-DATE AVAILABLE AGE) and ReplicaSets (NAME DESIRED CURRENT READY
// AGE), each with [CONTAINERS IMAGES SELECTOR] under -o wide.

import type { KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, workloadWideColumns } from './columns.js';
import { age } from './duration.js';
import { formatLabelSelector, labelSelectorString } from './selectors.js';
import type { ResourcePrinter } from './types.js';
import { int, optInt, rec, records, str } from './values.js';

/** The pod template's container names and images, each list comma-joined. */
function containerCells(obj: KubeObject): [names: string, images: string] {
  const containers = records(rec(rec(rec(obj.spec).template).spec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** spec.replicas; the API server defaults an unset count to 1. */
function desiredReplicas(obj: KubeObject): number {
  return optInt(rec(obj.spec).replicas) ?? 1;
}

export const deploymentPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'Ready pods out of the desired replicas.'),
    column('Up-to-date', 'Pods that run the current pod template.'),
    column('Available', 'Pods that have been ready for at least minReadySeconds.'),
    ageColumn(),
    ...workloadWideColumns('The label selector of the pods this deployment manages.'),
  ],
  row(deploy, now) {
    const status = rec(deploy.status);
    // Unlike ReplicaSets, an empty selector prints as "" and a malformed one as "<invalid>".
    const selector = labelSelectorString(rec(deploy.spec).selector) ?? '<invalid>';
    return [
      deploy.metadata.name ?? '',
      `${int(status.readyReplicas)}/${desiredReplicas(deploy)}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      age(deploy, now),
      ...containerCells(deploy),
      selector,
    ];
  },
};

export const replicaSetPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'The number of pods wanted (spec.replicas).', { type: 'integer' }),
    column('Current', 'The number of pods that exist (status.replicas).', { type: 'integer' }),
    column('Ready', 'The number of those pods that are ready.', { type: 'integer' }),
    ageColumn(),
    ...workloadWideColumns('The label selector of the pods this replica set manages.'),
  ],
  row(rs, now) {
    const status = rec(rs.status);
    return [
      rs.metadata.name ?? '',
      desiredReplicas(rs),
      int(status.replicas),
      int(status.readyReplicas),
      age(rs, now),
      ...containerCells(rs),
      formatLabelSelector(rec(rs.spec).selector),
    ];
  },
};
