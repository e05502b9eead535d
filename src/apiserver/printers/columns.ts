// Column definitions shared by every kind. Names, types, formats and priorities follow
// Kubernetes' printers exactly (kubectl upper-cases the names when it prints the header);
// the descriptions are ours, saying what the Kubernetes ones say.

import type { TableColumnDefinition } from './types.js';

interface ColumnOptions {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  /** 1 for columns that only `-o wide` shows. */
  priority?: 0 | 1;
}

export function column(name: string, description: string, opts: ColumnOptions = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** A wide-only (priority 1) string column. */
export function wideColumn(name: string, description: string): TableColumnDefinition {
  return column(name, description, { priority: 1 });
}

export const NAME_DESCRIPTION =
  "The object's name: unique among objects of its kind in its namespace (or in the cluster, for cluster-scoped kinds), fixed at creation.";
export const CREATED_DESCRIPTION =
  'The server time at which the object was created (metadata.creationTimestamp), in UTC.';

export function nameColumn(): TableColumnDefinition {
  return column('Name', NAME_DESCRIPTION, { format: 'name' });
}

export function ageColumn(): TableColumnDefinition {
  return column('Age', `Time elapsed since creation. ${CREATED_DESCRIPTION}`);
}

/** The CONTAINERS / IMAGES / SELECTOR trio that workload controllers add under -o wide. */
export function workloadWideColumns(selectorDescription: string): TableColumnDefinition[] {
  return [
    wideColumn('Containers', 'The names of the containers in the pod template.'),
    wideColumn('Images', 'The images the pod template\'s containers run.'),
    wideColumn('Selector', selectorDescription),
  ];
}
