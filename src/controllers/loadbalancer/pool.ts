// The LoadBalancer address pool: an IPv4 CIDR whose addresses go to Services, lowest free first
// (as MetalLB hands them out). Every address of the CIDR is usable except, for prefixes of /30
// and shorter, the network and broadcast addresses: a pool may be a slice of the host's LAN,
// where those two are not host addresses (MetalLB's avoidBuggyIPs, made the rule). A /31 or /32
// has no such addresses (RFC 3021), so all of it is used. The default 127.240.0.0/24 thus gives
// 127.240.0.1 to 127.240.0.254.

import { ipv4ToNumber, numberToIPv4 } from '../../api/ipv4.js';


export class PoolError extends Error {}

export class AddressPool {
  /** The CIDR as given, e.g. 127.240.0.0/24. */
  readonly cidr: string;
  /** First and last assignable address, as numbers. */
  private readonly first: number;
  private readonly last: number;
  private readonly holders = new Map<number, string>();
  private readonly byOwner = new Map<string, number>();

  constructor(cidr: string) {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
    const base = m ? ipv4ToNumber(m[1]!) : undefined;
    const prefix = m ? Number(m[2]) : NaN;
    if (base === undefined || !(prefix >= 0 && prefix <= 32)) throw new PoolError(`LoadBalancer pool "${cidr}" is not an IPv4 CIDR such as 127.240.0.0/24`);
    const size = 2 ** (32 - prefix);
    const network = base - (base % size);
    this.cidr = `${numberToIPv4(network)}/${prefix}`;
    const edges = prefix <= 30 ? 1 : 0;
    this.first = network + edges;
    this.last = network + size - 1 - edges;
  }

  /** Assignable addresses in all. */
  get size(): number {
    return this.last - this.first + 1;
  }

  get used(): number {
    return this.holders.size;
  }

  /** An address this pool may hand out (inside the CIDR, not its network or broadcast address). */
  assignable(ip: string): boolean {
    const n = ipv4ToNumber(ip);
    return n !== undefined && n >= this.first && n <= this.last;
  }

  holder(ip: string): string | undefined {
    const n = ipv4ToNumber(ip);
    return n === undefined ? undefined : this.holders.get(n);
  }

  addressOf(owner: string): string | undefined {
    const n = this.byOwner.get(owner);
    return n === undefined ? undefined : numberToIPv4(n);
  }

  /**
   * Gives `ip` to `owner` (dropping any other address the owner held). False when the address
   * is not assignable or another owner holds it.
   */
  assign(ip: string, owner: string): boolean {
    const n = ipv4ToNumber(ip);
    if (n === undefined || n < this.first || n > this.last) return false;
    const h = this.holders.get(n);
    if (h !== undefined) return h === owner;
    this.release(owner);
    this.holders.set(n, owner);
    this.byOwner.set(owner, n);
    return true;
  }

  /** The owner's address, or the lowest free one given to it; undefined when the pool is exhausted. */
  allocate(owner: string): string | undefined {
    const held = this.addressOf(owner);
    if (held !== undefined) return held;
    for (let n = this.first; n <= this.last; n++) {
      if (this.holders.has(n)) continue;
      this.holders.set(n, owner);
      this.byOwner.set(owner, n);
      return numberToIPv4(n);
    }
    return undefined;
  }

  /** Frees the owner's address; returns it, if it held one. */
  release(owner: string): string | undefined {
    const n = this.byOwner.get(owner);
    if (n === undefined) return undefined;
    this.byOwner.delete(owner);
    this.holders.delete(n);
    return numberToIPv4(n);
  }
}
