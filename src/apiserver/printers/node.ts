// Nodes: NAME STATUS ROLES AGE VERSION [INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME].

import type { KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { age } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { bool, rec, records, str, stringMap, type JsonRecord } from './values.js';

// Roles come from node-role.kubernetes.io/<role> labels (any value) and the older
// kubernetes.io/role=<role> label.
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** "Ready", "NotReady" or "Unknown" (no Ready condition), plus ",SchedulingDisabled" when cordoned. */
function statusCell(node: KubeObject): string {
  const ready = records(rec(node.status).conditions).filter((c) => str(c.type) === 'Ready').pop();
  const parts = [ready === undefined ? 'Unknown' : str(ready.status) === 'True' ? 'Ready' : 'NotReady'];
  if (bool(rec(node.spec).unschedulable)) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function rolesCell(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(stringMap(node.metadata.labels))) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === ROLE_LABEL && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

/** The first status.addresses entry of a type, or "<none>". */
function address(status: JsonRecord, type: string): string {
  const found = records(status.addresses).find((a) => str(a.type) === type);
  return found === undefined ? '<none>' : str(found.address);
}

export const nodePrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'Ready, NotReady or Unknown from the Ready condition; SchedulingDisabled when cordoned.'),
    column('Roles', 'The roles named by the node-role.kubernetes.io/<role> labels.'),
    ageColumn(),
    column('Version', 'The version of the kubelet on the node.'),
    wideColumn('Internal-IP', "The node's first InternalIP address."),
    wideColumn('External-IP', "The node's first ExternalIP address."),
    wideColumn('OS-Image', 'The operating system the node reports (e.g. from /etc/os-release).'),
    wideColumn('Kernel-Version', 'The kernel version the node reports (uname -r).'),
    wideColumn('Container-Runtime', 'The container runtime and its version, e.g. containerd://1.7.0.'),
  ],
  row(node, now) {
    const status = rec(node.status);
    const info = rec(status.nodeInfo);
    return [
      node.metadata.name ?? '',
      statusCell(node),
      rolesCell(node),
      age(node, now),
      str(info.kubeletVersion),
      address(status, 'InternalIP'),
      address(status, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};
