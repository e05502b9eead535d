// What kube-apiserver prints for a resource without a printer of its own (its default table
// convertor): NAME and CREATED AT, the creation time as an RFC 3339 date rather than an age.

import type { KubeObject } from '../../api/types.js';
import { column, CREATED_DESCRIPTION, nameColumn } from './columns.js';
import { parseTime } from './duration.js';
import type { ResourcePrinter } from './types.js';

// Go's zero time.Time in RFC 3339, which an unset creationTimestamp prints as.
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 in UTC with whole seconds, e.g. 2024-05-01T10:00:00Z. */
function rfc3339(timestamp: string | undefined): string {
  const t = parseTime(timestamp);
  return t === undefined ? ZERO_TIME : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const defaultPrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Created At', CREATED_DESCRIPTION, { type: 'date' })],
  row(obj: KubeObject) {
    return [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)];
  },
};
