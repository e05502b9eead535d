// Namespaces: NAME STATUS AGE.

import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { rec, str } from './values.js';

export const namespacePrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Status', 'The phase of the namespace: Active, or Terminating while it is being deleted.'), ageColumn()],
  row(ns, now) {
    // The namespace registry sets phase Active on create; read an unset phase the same way.
    return [ns.metadata.name ?? '', str(rec(ns.status).phase) || 'Active', age(ns, now)];
  },
};
