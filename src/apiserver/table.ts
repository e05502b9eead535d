// Server-side printing: objects -> meta.k8s.io Table, the only thing `kubectl get` prints from.
import type { KubeObject } from '../api/types.js';
import { printerFor } from './printers/index.js';
import { apiVersionOfResource, type ResourceInfo } from './resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  /** Omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  tableVersion: 'v1' | 'v1beta1';
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export function toTable(res: ResourceInfo, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const printer = printerFor(res.group, res.plural);
  const now = new Date();
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: printer.row(o, now) };
    const conditions = printer.conditions?.(o);
    if (conditions) row['conditions'] = conditions;
    if (opts.includeObject === 'Object') row['object'] = { ...o, apiVersion: apiVersionOfResource(res), kind: res.kind };
    else if (opts.includeObject === 'Metadata') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.tableVersion}`, metadata: o.metadata };
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.continue) metadata['continue'] = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata['remainingItemCount'] = opts.remainingItemCount;
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${opts.tableVersion}`, metadata };
  if (!opts.noHeaders) table['columnDefinitions'] = printer.columns;
  table['rows'] = rows;
  return table;
}
