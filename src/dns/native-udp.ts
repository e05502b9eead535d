// The UDP fast path of native/dns.c (build/Release/tinykube_dns.node): a typed wrapper. The addon
// owns the UDP socket; queries it cannot answer from its table come back here as (datagram,
// address, port), and replies made here go out through it.
import { loadAddon } from '../client/addon.js';

interface Addon {
  open(ip: string, port: number, allow: Uint32Array, onQuery: (msg: Buffer, ip: string, port: number) => void): [unknown, number];
  send(handle: unknown, msg: Buffer, ip: string, port: number): void;
  generation(handle: unknown, gen: number): void;
  put(handle: unknown, gen: number, key: Buffer, answer: Buffer, rcode: number, qtype: number, hasOpt: boolean): void;
  stats(handle: unknown): Float64Array;
  close(handle: unknown): void;
}

/** What the native side answered by itself (server.ts adds it to its own counts). */
export interface NativeUdpStats {
  answered: number;
  /** Queries that could not be handed to JavaScript (its queue full) and got no answer. */
  dropped: number;
  types: Float64Array;
  rcodes: Float64Array;
  /** Counts per server.ts LATENCY_BOUNDS_US bucket, then +Inf. */
  latency: Float64Array;
  latencySumUs: number;
}

export class NativeUdp {
  private closed = false;
  private final: NativeUdpStats | undefined;

  private constructor(
    private readonly addon: Addon,
    private readonly handle: unknown,
    readonly port: number,
  ) {}

  /** Binds ip:port (0: a free port); `allow` as [network, size] pairs of IPv4 ranges answered here. */
  static open(addon: unknown, ip: string, port: number, allow: { network: number; size: number }[], onQuery: (msg: Buffer, ip: string, port: number) => void): NativeUdp {
    const a = addon as Addon;
    const pairs = new Uint32Array(allow.length * 2);
    allow.forEach((c, i) => {
      pairs[2 * i] = c.network;
      pairs[2 * i + 1] = Math.min(c.size, 0xffffffff);
    });
    const [handle, bound] = a.open(ip, port, pairs, onQuery);
    return new NativeUdp(a, handle, bound);
  }

  send(msg: Buffer, ip: string, port: number): void {
    if (!this.closed) this.addon.send(this.handle, msg, ip, port);
  }

  /** The zone's generation now: answers stored for an older one are never served again. */
  generation(gen: number): void {
    if (!this.closed) this.addon.generation(this.handle, gen >>> 0);
  }

  put(gen: number, key: Buffer, answer: Buffer, rcode: number, qtype: number, hasOpt: boolean): void {
    if (!this.closed) this.addon.put(this.handle, gen >>> 0, key, answer, rcode, qtype, hasOpt);
  }

  stats(): NativeUdpStats {
    if (this.final) return this.final;
    const d = this.addon.stats(this.handle);
    return { answered: d[0]!, dropped: d[1]!, types: d.subarray(2, 258), rcodes: d.subarray(258, 290), latency: d.subarray(290, 310), latencySumUs: d[310]! };
  }

  close(): void {
    if (this.closed) return;
    this.final = this.stats();
    this.closed = true;
    this.addon.close(this.handle);
  }
}

let loaded: { addon?: unknown; reason?: string } | undefined;

/** The addon for this thread, or why there is none. */
export function loadNativeDns(): { addon?: unknown; reason?: string } {
  loaded ??= loadAddon<Addon>('tinykube_dns');
  return loaded;
}
