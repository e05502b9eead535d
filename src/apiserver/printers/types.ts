// The shapes of a server-side Table (meta.k8s.io/v1) that a printer contributes: the column
// definitions and, per object, the row's cells. The API server wraps cells into rows
// ({cells, object}) and rows into the Table.

import type { KubeObject } from '../../api/types.js';

/** meta/v1 TableColumnDefinition. kubectl shows priority-0 columns always, priority 1 with -o wide. */
export interface TableColumnDefinition {
  name: string;
  /** An OpenAPI type: 'string', 'integer', 'number', 'boolean' or 'date'. */
  type: string;
  /** An OpenAPI format; 'name' marks the column holding the object's name. */
  format: string;
  description: string;
  priority: number;
}

/** meta/v1 TableRowCondition; Kubernetes marks terminal pods' rows with type Completed. */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface ResourcePrinter {
  columns: TableColumnDefinition[];
  /**
   * One cell per column, in column order, always including the priority-1 (wide) cells: the
   * server renders wide and kubectl drops what it does not show. Cells are strings or integers.
   */
  row(obj: KubeObject, now: Date): unknown[];
  /** Optional row conditions (TableRow.conditions); only pods have them. */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
