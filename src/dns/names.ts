// Pure name helpers of the cluster zone: where a name sits relative to a zone, the label an
// endpoint answers to, the address a pod label or a reverse name stands for. Names here are
// lowercase and without the trailing dot, as in types.ts.
import { isIPv6 } from 'node:net';
import { ipv4ToNumber } from '../api/ipv4.js';

/** The part of `name` before `.zone` ('' for the zone itself); undefined when `name` is not in `zone`. */
export function relativeName(name: string, zone: string): string | undefined {
  if (name === zone) return '';
  const cut = name.length - zone.length - 1;
  if (cut > 0 && name.endsWith(zone) && name.charCodeAt(cut) === 46 /* . */) return name.slice(0, cut);
  return undefined;
}

/**
 * The label an endpoint answers to below its Service (CoreDNS `endpointHostname`): the endpoint's
 * `hostname`, else its address with dashes (`10.0.0.1` -> `10-0-0-1`, `fd00::1` -> `fd00--1`, and
 * an IPv6 address ending in `::` gets a final `0` so the label does not end in a dash).
 */
export function endpointLabel(address: string, hostname: string | undefined): string {
  if (hostname) return hostname;
  if (address.includes('.')) return address.replaceAll('.', '-');
  const dashed = address.replaceAll(':', '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

/**
 * The address a pod label names (`<a-b-c-d>.<ns>.pod.<zone>`, CoreDNS `findPods`): three dashes
 * and no `--` make an IPv4 address, anything else is tried as IPv6 with dashes for colons.
 */
export function podLabelAddress(label: string): string | undefined {
  let dashes = 0;
  for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) === 45 /* - */) dashes++;
  if (dashes === 3 && !label.includes('--')) {
    const ip = label.replaceAll('-', '.');
    return ipv4ToNumber(ip) === undefined ? undefined : ip;
  }
  const ip = label.replaceAll('-', ':');
  return isIPv6(ip) ? ip : undefined;
}

/** `d.c.b.a` of `d.c.b.a.in-addr.arpa` as the address `a.b.c.d`; undefined unless four valid octets. */
export function reverseIPv4(labels: string): string | undefined {
  const parts = labels.split('.');
  if (parts.length !== 4) return undefined;
  const ip = `${parts[3]}.${parts[2]}.${parts[1]}.${parts[0]}`;
  return ipv4ToNumber(ip) === undefined ? undefined : ip;
}

export function isIPv6Address(address: string): boolean {
  return address.includes(':');
}
