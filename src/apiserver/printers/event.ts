// core/v1 Events: LAST SEEN TYPE REASON OBJECT [SUBOBJECT SOURCE] MESSAGE [FIRST SEEN COUNT NAME].
// Events written through events.k8s.io/v1 (eventTime, series, reportingController) print as
// well as the classic ones (firstTimestamp, lastTimestamp, count, source).

import { column, NAME_DESCRIPTION, wideColumn } from './columns.js';
import { parseTime, since } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { int, present, rec, str } from './values.js';

/**
 * "kubelet, node-1": source.component (else the reporting controller, serialized in core/v1 as
 * reportingComponent), then source.host (else reportingInstance) when there is one.
 */
function sourceCell(source: unknown, reportingController: unknown, reportingInstance: unknown): string {
  const s = rec(source);
  const component = str(s.component) || str(reportingController);
  const instance = str(s.host) || str(reportingInstance);
  return instance === '' ? component : `${component}, ${instance}`;
}

/** "pod/web-1", or just the lower-cased kind when the involved object has no name. */
function objectCell(involved: unknown): string {
  const o = rec(involved);
  const kind = str(o.kind).toLowerCase();
  return str(o.name) === '' ? kind : `${kind}/${str(o.name)}`;
}

export const eventPrinter: ResourcePrinter = {
  columns: [
    column('Last Seen', 'Time since the event was last observed.'),
    column('Type', 'Normal or Warning.'),
    column('Reason', 'A short, machine-readable word for why the event happened.'),
    column('Object', 'The object the event is about (involvedObject), as kind/name.'),
    wideColumn('Subobject', 'The part of the object the event is about, e.g. spec.containers{web} (involvedObject.fieldPath).'),
    wideColumn('Source', 'The component, and host, that reported the event.'),
    column('Message', 'A human-readable description of the event.'),
    wideColumn('First Seen', 'Time since the event was first observed.'),
    wideColumn('Count', 'How many times the event has been observed.'),
    column('Name', NAME_DESCRIPTION, { format: 'name', priority: 1 }),
  ],
  row(ev, now) {
    // firstTimestamp, else eventTime (events.k8s.io/v1 writers set only that).
    const firstSeen = since(parseTime(ev.firstTimestamp) !== undefined ? ev.firstTimestamp : ev.eventTime, now);
    let lastSeen = parseTime(ev.lastTimestamp) !== undefined ? since(ev.lastTimestamp, now) : firstSeen;
    // A singleton event has no count in the new API; it was seen once.
    let count = int(ev.count) || 1;
    if (present(ev.series)) {
      // An event series: its last observation and count supersede the event's own.
      lastSeen = since(ev.series.lastObservedTime, now);
      count = int(ev.series.count);
    }
    return [
      lastSeen,
      str(ev.type),
      str(ev.reason),
      objectCell(ev.involvedObject),
      str(rec(ev.involvedObject).fieldPath),
      sourceCell(ev.source, ev.reportingComponent, ev.reportingInstance),
      str(ev.message).trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ];
  },
};
