// Pure name helpers of the cluster zone: where a name sits relative to a zone, the label an
// endpoint answers to, the address a pod label or a reverse name stands for. Names here are
// lowercase and without the trailing dot, as in types.ts. Addresses are read and printed as Go's
// net.ParseIP and net.IP.String do, since CoreDNS compares them as those strings.
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
 * and no `--` make an IPv4 address, anything else is tried as IPv6 with dashes for colons. The
 * address is the label's text with dots or colons (what `pods verified` compares with podIP), valid
 * by Go's net.ParseIP (so no `%zone`).
 */
export function podLabelAddress(label: string): string | undefined {
  let dashes = 0;
  for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) === 45 /* - */) dashes++;
  if (dashes === 3 && !label.includes('--')) {
    const ip = label.replaceAll('-', '.');
    return ipv4ToNumber(ip) === undefined ? undefined : ip;
  }
  const ip = label.replaceAll('-', ':');
  return parseIPv6(ip) ? ip : undefined;
}

/** `d.c.b.a` of `d.c.b.a.in-addr.arpa` as the address `a.b.c.d`; undefined unless four valid octets (dnsutil `reverse`). */
export function reverseIPv4(labels: string): string | undefined {
  const parts = labels.split('.');
  if (parts.length !== 4) return undefined;
  const ip = `${parts[3]}.${parts[2]}.${parts[1]}.${parts[0]}`;
  return ipv4ToNumber(ip) === undefined ? undefined : ip;
}

/**
 * The labels before `.ip6.arpa` as an address, as CoreDNS's dnsutil `reverse6` reads them: the
 * labels reversed, each run of four joined into a group (a remainder of fewer than four is
 * dropped), the groups parsed as an IPv6 address and printed as Go does (RFC 5952; an
 * IPv4-mapped address as its IPv4 dotted quad). Undefined when that is no address.
 */
export function reverseIPv6(labels: string): string | undefined {
  const parts = labels.split('.').reverse();
  const groups: string[] = [];
  for (let i = 0; i + 4 <= parts.length; i += 4) groups.push(parts[i]! + parts[i + 1]! + parts[i + 2]! + parts[i + 3]!);
  const b = parseIPv6(groups.join(':'));
  return b ? formatIP(b) : undefined;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * 16 bytes of an IPv6 address by Go's net.ParseIP (netip parseIPv6): groups of one to four hex
 * digits, one `::` standing for at least one zero group, no zone. Text with a dot (an embedded
 * IPv4 part) is refused: the callers' text comes from single DNS labels, which have none.
 */
export function parseIPv6(s: string): Uint8Array | undefined {
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0;
  let p = 0;
  if (s.length >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    ellipsis = 0;
    p = 2;
    if (p === s.length) return ip;
  }
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; p + off < s.length; off++) {
      const d = hexDigit(s.charCodeAt(p + off));
      if (d < 0) break;
      if (off > 3) return undefined;
      acc = acc * 16 + d;
    }
    if (off === 0) return undefined;
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    p += off;
    if (p === s.length) break;
    if (s.charCodeAt(p) !== 58 /* : */ || p + 1 === s.length) return undefined;
    p++;
    if (s.charCodeAt(p) === 58) {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      p++;
      if (p === s.length) break;
    }
  }
  if (p !== s.length) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    ip.copyWithin(ellipsis + n, ellipsis, i);
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return ip;
}

/** An address of 16 bytes as Go's net.IP.String prints it: IPv4-mapped as a dotted quad, else RFC 5952. */
export function formatIP(b: Uint8Array): string {
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let k = 0; mapped && k < 10; k++) mapped = b[k] === 0;
  if (mapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const g = (k: number): number => (b[2 * k]! << 8) | b[2 * k + 1]!;
  // The first longest run of two or more zero groups becomes `::`.
  let zeroStart = -1;
  let zeroLen = 1;
  for (let k = 0; k < 8; k++) {
    let j = k;
    while (j < 8 && g(j) === 0) j++;
    if (j - k > zeroLen) {
      zeroStart = k;
      zeroLen = j - k;
    }
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === zeroStart) {
      out += '::';
      k += zeroLen - 1;
      continue;
    }
    if (k > 0 && !out.endsWith(':')) out += ':';
    out += g(k).toString(16);
  }
  return out;
}

/** CoreDNS parse.go `stripUnderscore`: one leading underscore off (`_http` -> `http`, `_` -> '', `http` -> `http`). */
export function stripUnderscore(label: string): string {
  return label.charCodeAt(0) === 95 /* _ */ ? label.slice(1) : label;
}

export function isIPv6Address(address: string): boolean {
  return address.includes(':');
}
