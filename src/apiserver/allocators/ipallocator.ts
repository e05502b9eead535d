// Cluster IPs out of the service CIDR (Kubernetes' ipallocator.Range over a bitmap): the network
// and broadcast addresses are never handed out; a lower band of min(max(16, size/16), 256)
// addresses is left to user-chosen IPs, so dynamic allocation rarely takes an address someone
// means to ask for (the `kubernetes` and `kube-dns` Services' among them).
import { ipv4ToNumber as toNumber, numberToIPv4, parseIpv4Cidr as parseCidr, type Ipv4Cidr } from '../../api/ipv4.js';
import { AllocationBitmap, RangeAllocator, staticBandSize } from './bitmap.js';
import { AllocationError } from './errors.js';

export { numberToIPv4, type Ipv4Cidr } from '../../api/ipv4.js';

/** A CIDR such as 127.96.0.0/12; throws on anything else. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`"${cidr}" is not an IPv4 CIDR such as 127.96.0.0/12`);
  return c;
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
    const n = toNumber(ip);
    if (n === undefined) return undefined;
    const off = n - this.base;
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
