// IP and CIDR parsing as Kubernetes validates them (k8s.io/utils/net ParseIPSloppy and
// ParseCIDRSloppy: Go's net parsers from before Go 1.17, which accept IPv4 octets with
// leading zeros), plus the address classes of Go's net.IP that validation asks about.

export interface ParsedIP {
  /** 16 bytes; an IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d), as Go's net.IP does. */
  bytes: Uint8Array;
  /** Whether Go's To4() is non-nil: a dotted IPv4 address or an IPv4-mapped IPv6 one. */
  v4: boolean;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function fromV4(octets: number[]): ParsedIP {
  return { bytes: Uint8Array.from([...V4_MAPPED_PREFIX, ...octets]), v4: true };
}

/** Dotted decimal with 1+ digits per octet (leading zeros allowed, read as decimal), each ≤ 255. */
function parseIPv4Octets(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return undefined;
    const n = Number.parseInt(p, 10);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): ParsedIP | undefined {
  if (s.includes('%')) return undefined; // zones are not IP addresses here
  let tail: number[] = [];
  let text = s;
  // An embedded IPv4 address may end the text (::ffff:1.2.3.4, 64:ff9b::1.2.3.4).
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Octets(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  const v4 = V4_MAPPED_PREFIX.every((b, i) => bytes[i] === b);
  return { bytes, v4 };
}

/** ParseIPSloppy: undefined when `s` is not an IP address. */
export function parseIPSloppy(s: string): ParsedIP | undefined {
  if (s.includes(':')) return parseIPv6(s);
  const v4 = parseIPv4Octets(s);
  return v4 ? fromV4(v4) : undefined;
}

/** ParseCIDRSloppy: the address and prefix length, or undefined when `s` is not a CIDR. */
export function parseCIDRSloppy(s: string): { ip: ParsedIP; bits: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  // The address length decides the prefix range: 32 for dotted IPv4, 128 for anything with a colon.
  const ip = parseIPSloppy(addr);
  if (!ip || !/^[0-9]+$/.test(mask)) return undefined;
  const max = addr.includes(':') ? 128 : 32;
  const bits = Number.parseInt(mask, 10);
  if (bits > max) return undefined;
  return { ip, bits };
}

/** netutils.IsIPv6String: a valid address whose To4() is nil. */
export function isIPv6String(s: string): boolean {
  const ip = parseIPSloppy(s);
  return ip !== undefined && !ip.v4;
}

export function isUnspecified(ip: ParsedIP): boolean {
  return ip.v4 ? ip.bytes.slice(12).every((b) => b === 0) : ip.bytes.every((b) => b === 0);
}

export function isLoopback(ip: ParsedIP): boolean {
  if (ip.v4) return ip.bytes[12] === 127;
  return ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1;
}

/** 169.254.0.0/16, fe80::/10. */
export function isLinkLocalUnicast(ip: ParsedIP): boolean {
  if (ip.v4) return ip.bytes[12] === 169 && ip.bytes[13] === 254;
  return ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80;
}

/** 224.0.0.0/24, ff02::/16 (any flags nibble: ffx2::). */
export function isLinkLocalMulticast(ip: ParsedIP): boolean {
  if (ip.v4) return ip.bytes[12] === 224 && ip.bytes[13] === 0 && ip.bytes[14] === 0;
  return ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02;
}
