// Leases: NAME HOLDER AGE.

import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { rec, str } from './values.js';

export const leasePrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Holder', 'The identity of the current holder of the lease (spec.holderIdentity).'), ageColumn()],
  row(lease, now) {
    return [lease.metadata.name ?? '', str(rec(lease.spec).holderIdentity), age(lease, now)];
  },
};
