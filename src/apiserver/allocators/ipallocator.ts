// Cluster IPs out of the service CIDR (Kubernetes' ipallocator.Range over a bitmap): the network
// and broadcast addresses are never handed out; a lower band of min(max(16, size/16), 256)
// addresses is left to user-chosen IPs, so dynamic allocation rarely takes an address someone
// means to ask for (the `kubernetes` and `kube-dns` Services' among them).
import { isIPv4 } from 'node:net';
import { AllocationBitmap, RangeAllocator, staticBandSize } from './bitmap.js';
import { AllocationError } from './errors.js';

export function ipv4ToNumber(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.');
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

export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  const prefix = Number(m?.[2]);
  if (!m || !isIPv4(m[1]!) || prefix > 32) throw new Error(`"${cidr}" is not an IPv4 CIDR such as 127.96.0.0/12`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipv4ToNumber(m[1]!) & mask) >>> 0;
  return { network, prefix, size: 2 ** (32 - prefix), text: `${numberToIPv4(network)}/${prefix}` };
}

export class ClusterIPAllocator extends RangeAllocator<string> {
  readonly cidr: Ipv4Cidr;
  /** network+1: offset 0 of the bitmap; the broadcast address lies past its end. */
  private readonly base: number;

  constructor(cidr: string, random?: () => number) {
    const c = parseIpv4Cidr(cidr);
    super(new AllocationBitmap(Math.max(0, c.size - 2), staticBandSize(c.size, 16, 16, 256), random));
    this.cidr = c;
    this.base = c.network + 1;
  }

  offsetOf(ip: string): number | undefined {
    if (!isIPv4(ip)) return undefined;
    const off = ipv4ToNumber(ip) - this.base;
    return off >= 0 && off < this.bitmap.max ? off : undefined;
  }

  /** The address `n` after the network address (1: the first, 10: the cluster DNS's). */
  nth(n: number): string | undefined {
    const ip = numberToIPv4((this.cidr.network + n) >>> 0);
    return this.offsetOf(ip) === undefined ? undefined : ip;
  }

  protected valueAt(offset: number): string {
    return numberToIPv4(this.base + offset);
  }

  protected notInRange(ip: string): AllocationError {
    return new AllocationError('NotInRange', `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`);
  }

  protected alreadyAllocated(): AllocationError {
    return new AllocationError('Allocated', 'provided IP is already allocated');
  }
}
