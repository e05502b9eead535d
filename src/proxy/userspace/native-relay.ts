// The native TCP relay (native/relay.c, built by `npm ci` into build/Release/tinykube_relay.node):
// loading it, and a typed wrapper over its functions. One addon instance per thread that loads it.
import { loadAddon } from '../../client/addon.js';
import type { EndpointInfo } from '../types.js';
import type { TrafficCounters } from './counters.js';
import type { TrafficClass } from './select.js';

/** The addon's functions as relay.c defines them. */
interface Addon {
  group(random: boolean): number;
  releaseGroup(group: number): void;
  setBackends(group: number, cls: number, endpoints: Uint32Array, affinityTimeoutMs: number): void;
  create(group: number, cls: number, connectTimeoutMs: number): number;
  listen(id: number, ip: string, port: number): void;
  unlisten(id: number): void;
  destroy(id: number): Float64Array;
  stats(id: number): Float64Array;
  setLog(fn: ((id: number, text: string) => void) | null): void;
  info(): RelayInfo;
}

export interface RelayInfo {
  /** Whether the relay thread runs (it does while any listener exists). */
  running: boolean;
  listeners: number;
  groups: number;
  connections: number;
}

/** Counters a native listener keeps: all of TrafficCounters, for its connections only. */
export type ListenerCounters = TrafficCounters;

const CLASS: Record<TrafficClass, number> = { internal: 0, external: 1 };

export class NativeRelay {
  private readonly logs = new Map<number, (text: string) => void>();

  constructor(private readonly addon: Addon) {
    addon.setLog((id, text) => {
      try {
        this.logs.get(id)?.(text);
      } catch {
        // a log sink that throws must not take the relay's messages down with it
      }
    });
  }

  /** A new endpoint group (one per service port: its endpoints and its ClientIP affinity table). */
  group(random: boolean): number {
    return this.addon.group(random);
  }

  /** Drops JavaScript's hold on a group; listeners still using it keep it. */
  releaseGroup(group: number): void {
    this.addon.releaseGroup(group);
  }

  /** Replaces the usable endpoints of one traffic class (IPv4 only); affinityTimeoutMs 0 turns affinity off and forgets it. */
  setBackends(group: number, traffic: TrafficClass, endpoints: readonly Pick<EndpointInfo, 'ip' | 'port'>[], affinityTimeoutMs: number): void {
    const packed = new Uint32Array(endpoints.length * 2);
    let n = 0;
    for (const ep of endpoints) {
      const ip = ipv4ToU32(ep.ip);
      if (ip === undefined) continue;
      packed[n++] = ip;
      packed[n++] = ep.port;
    }
    this.addon.setBackends(group, CLASS[traffic], packed.subarray(0, n), affinityTimeoutMs);
  }

  /** A listener of `group` for `traffic`, not listening yet; `log` gets its failed connects. */
  create(group: number, traffic: TrafficClass, connectTimeoutMs: number, log: (text: string) => void): number {
    const id = this.addon.create(group, CLASS[traffic], connectTimeoutMs);
    this.logs.set(id, log);
    return id;
  }

  /** Binds and listens now; throws the OS error (err.code EADDRINUSE, EACCES, ...). */
  listen(id: number, ip: string, port: number): void {
    this.addon.listen(id, ip, port);
  }

  /** Closes the listening socket; connections go on. */
  unlisten(id: number): void {
    this.addon.unlisten(id);
  }

  /** Closes the listener and resets its connections; returns its final counters. */
  destroy(id: number): ListenerCounters {
    this.logs.delete(id);
    return toCounters(this.addon.destroy(id));
  }

  stats(id: number): ListenerCounters {
    return toCounters(this.addon.stats(id));
  }

  info(): RelayInfo {
    return this.addon.info();
  }
}

function toCounters(a: Float64Array): ListenerCounters {
  return { connectionsTotal: a[0]!, activeConnections: a[1]!, bytesIn: a[2]!, bytesOut: a[3]!, errors: a[4]! };
}

function ipv4ToU32(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

export type NativeRelayLoad = { relay: NativeRelay; reason?: undefined } | { relay: undefined; reason: string };

let loaded: NativeRelayLoad | undefined;

/** The relay for this thread, or why there is none (not built, not Linux, ...). Loads once per thread. */
export function loadNativeRelay(): NativeRelayLoad {
  loaded ??= load();
  return loaded;
}

function load(): NativeRelayLoad {
  const l = loadAddon<Addon>('tinykube_relay');
  return l.addon ? { relay: new NativeRelay(l.addon) } : { relay: undefined, reason: l.reason };
}
