// Endpoints (NAME ENDPOINTS AGE) and EndpointSlices (NAME ADDRESSTYPE PORTS ENDPOINTS AGE).
// Both list at most three entries and summarize the rest as "+ N more...".

import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { int, list, optInt, optStr, records, str } from './values.js';

const SHOWN = 3;

/** Up to SHOWN items comma-joined, then " + N more..." for the rest of `total`. */
function firstFew(shown: string[], total: number): string {
  const text = shown.join(',');
  return total > shown.length ? `${text} + ${total - shown.length} more...` : text;
}

/** host:port, bracketing IPv6 hosts as Go's net.JoinHostPort does. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Ready addresses of every subset, crossed with each of the subset's ports ("10.0.0.1:80");
 * headless services without ports list bare IPs. Not-ready addresses are not printed.
 */
function endpointsCell(subsets: unknown): string {
  const sets = records(subsets);
  if (sets.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  for (const ss of sets) {
    const ips = records(ss.addresses).map((a) => str(a.ip));
    const ports = records(ss.ports);
    if (ports.length === 0) {
      total += ips.length;
      for (const ip of ips) if (shown.length < SHOWN) shown.push(ip);
      continue;
    }
    for (const port of ports) {
      total += ips.length;
      for (const ip of ips) if (shown.length < SHOWN) shown.push(joinHostPort(ip, int(port.port)));
    }
  }
  return firstFew(shown, total);
}

export const endpointsPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Endpoints', 'The ready addresses (ip:port) that back the service of the same name.'),
    ageColumn(),
  ],
  row(ep, now) {
    return [ep.metadata.name ?? '', endpointsCell(ep.subsets), age(ep, now)];
  },
};

/** The slice form of firstFew: "<unset>" when there is nothing to list. */
function sliceList(items: string[]): string {
  return items.length === 0 ? '<unset>' : firstFew(items.slice(0, SHOWN), items.length);
}

/** Each port as its number, else its name, else "*" (a slice for all ports). */
function slicePorts(ports: unknown): string {
  return sliceList(
    records(ports).map((p) => {
      const port = optInt(p.port);
      if (port !== undefined) return String(port);
      return optStr(p.name) ?? '*';
    }),
  );
}

function sliceEndpoints(endpoints: unknown): string {
  return sliceList(records(endpoints).flatMap((e) => list(e.addresses).map(str)));
}

export const endpointSlicePrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('AddressType', 'The kind of address in this slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'The ports of the endpoints in this slice.'),
    column('Endpoints', 'The addresses of the endpoints in this slice.'),
    ageColumn(),
  ],
  row(slice, now) {
    return [
      slice.metadata.name ?? '',
      str(slice.addressType),
      slicePorts(slice.ports),
      sliceEndpoints(slice.endpoints),
      age(slice, now),
    ];
  },
};
