// IPv4 addresses as numbers, and CIDRs: what the allocators, the LoadBalancer pool and the
// flags share.

/** The address as an unsigned 32-bit number; undefined unless it is a dotted quad without leading zeros. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const o = Number(p);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export interface Ipv4Cidr {
  /** The network address as a number. */
  network: number;
  prefix: number;
  /** How many addresses the CIDR spans. */
  size: number;
  /** Normalized text, as Go's net.IPNet.String() prints it (host bits cleared). */
  text: string;
}

/** A CIDR such as 127.96.0.0/12 (host bits are cleared); undefined when it is not one. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  const base = m ? ipv4ToNumber(m[1]!) : undefined;
  const prefix = Number(m?.[2]);
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  return { network, prefix, size, text: `${numberToIPv4(network)}/${prefix}` };
}
