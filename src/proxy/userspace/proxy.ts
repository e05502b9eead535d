// The userspace backend: renders ProxyState into listening sockets, diffing against the last
// state applied. Like kube-proxy's backends it only renders; what the state is comes from elsewhere.
import { isIPv4 } from 'node:net';
import type { Protocol, ProxyState, ServicePortState } from '../types.js';
import { CounterPair, zeroCounters, type TrafficCounters, type UserspaceProxyStats } from './counters.js';
import { ConnectFailureLog, listenerId, type Listener, type ListenerContext, type ListenerSpec } from './listener.js';
import { loadNativeRelay, type NativeRelay } from './native-relay.js';
import { ServicePortRuntime, type BalancingMode } from './serviceport.js';
import { TcpListener } from './tcp.js';
import { NativeTcpListener } from './tcp-native.js';
import { UdpListener } from './udp.js';

/** What carries TCP: the native relay (native/relay.c, its own thread) or Node sockets. */
export type TcpRelay = 'native' | 'js';

export interface UserspaceProxyOptions {
  /** Addresses node ports listen on. */
  nodeIPs: string[];
  log?: (msg: string) => void;
  /**
   * How long a UDP session lives without traffic either way. Default 30 s, the kernel's
   * nf_conntrack_udp_timeout that iptables/nftables kube-proxy relies on (kube-proxy's old
   * userspace mode used --udp-timeout 250ms, too short for anything but DNS).
   */
  udpIdleTimeoutMs?: number;
  /** How endpoints are chosen for new connections. Default round-robin. */
  mode?: BalancingMode;
  /** Give up on one endpoint's TCP connect after this long and try another. Default 2 s. */
  connectTimeoutMs?: number;
  /**
   * Whether to serve the addresses every node shares (cluster IPs, load-balancer and external IPs)
   * besides this node's node ports. Default true. On one machine those addresses can have only one
   * listener, so in a cluster of several nodes only the first node's proxy serves them.
   */
  serviceAddresses?: boolean;
  /**
   * What carries TCP connections. Default 'native': the relay thread of native/relay.c; when that
   * addon cannot load, the proxy says why once and uses 'js' (Node sockets and pipe()).
   */
  relay?: TcpRelay;
}

export interface BindFailure {
  /** Service port key (servicePortKey) that did not get the address. */
  key: string;
  address: string;
  port: number;
  protocol: Protocol;
  message: string;
}

interface Claim extends ListenerSpec {
  owner: ServicePortRuntime;
  /** listenerId(this) */
  id: string;
}

interface CachedClaims {
  sp: ServicePortState;
  claims: Claim[];
  unsupported: BindFailure[];
}

export class UserspaceProxy {
  private readonly ctx: ListenerContext;
  private readonly mode: BalancingMode;
  private readonly nodeIPs: string[];
  private readonly serviceAddresses: boolean;
  private readonly native: NativeRelay | undefined;
  /** The TCP relay in use ('native' unless asked for 'js' or the addon could not load). */
  readonly relay: TcpRelay;
  private readonly runtimes = new Map<string, ServicePortRuntime>();
  /** The listener specs of each service port's last state (recomputed when the state changes). */
  private readonly claimsByKey = new Map<string, CachedClaims>();
  /** Listeners whose last bind failed: retried on every apply. */
  private readonly failed = new Set<string>();
  private readonly listeners = new Map<string, Listener>();
  private readonly total = zeroCounters();
  private readonly perService = new Map<string, TrafficCounters>();
  /** apply() and close() run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: UserspaceProxyOptions) {
    this.nodeIPs = [...opts.nodeIPs];
    this.serviceAddresses = opts.serviceAddresses ?? true;
    this.mode = opts.mode ?? 'round-robin';
    const log = opts.log ?? (() => {});
    const failures = new ConnectFailureLog(log);
    this.ctx = {
      log,
      connectFailed: (key, text) => failures.failed(key, text),
      udpIdleTimeoutMs: opts.udpIdleTimeoutMs ?? 30_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 2_000,
    };
    if (opts.relay !== 'js') {
      const load = loadNativeRelay();
      this.native = load.relay;
      if (load.reason !== undefined) this.ctx.log(`proxy: native TCP relay unavailable (${load.reason}); using the JavaScript relay`);
    }
    this.relay = this.native ? 'native' : 'js';
  }

  /** Makes the listeners match `state`; resolves when every listener that should exist is bound or has failed. */
  apply(state: ProxyState): Promise<{ failures: BindFailure[] }> {
    const run = this.queue.then(() => this.applyNow(state));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    const run = this.queue.then(async () => {
      this.closed = true;
      await Promise.all([...this.listeners.values()].map((l) => l.close()));
      this.listeners.clear();
      this.runtimes.clear();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  stats(): UserspaceProxyStats {
    const perService = new Map<string, TrafficCounters>();
    for (const [key, c] of this.perService) perService.set(key, { ...c });
    const result: UserspaceProxyStats = { ...this.total, perService };
    for (const l of this.listeners.values()) {
      let live: TrafficCounters;
      if (l.liveCounters) live = l.liveCounters();
      else {
        const [bytesIn, bytesOut] = l.liveBytes();
        live = { connectionsTotal: 0, activeConnections: 0, bytesIn, bytesOut, errors: 0 };
      }
      addCounters(result, live);
      const c = perService.get(l.owner.key);
      if (c) addCounters(c, live);
    }
    return result;
  }

  private async applyNow(state: ProxyState): Promise<{ failures: BindFailure[] }> {
    if (this.closed) throw new Error('userspace proxy: apply() after close()');
    const failures: BindFailure[] = [];

    // Only what changed is redone: the tracker hands out the same object for an unchanged port.
    const dirty = new Set<string>();
    for (const [key, sp] of state) {
      const rt = this.runtimes.get(key);
      if (rt) {
        if (rt.sp === sp) continue;
        rt.update(sp);
      } else {
        const counters = zeroCounters();
        this.perService.set(key, counters);
        this.runtimes.set(key, new ServicePortRuntime(key, sp, new CounterPair(counters, this.total), this.mode));
      }
      dirty.add(key);
    }
    for (const key of this.runtimes.keys()) {
      if (state.has(key)) continue;
      this.runtimes.delete(key);
      this.perService.delete(key);
      this.claimsByKey.delete(key);
    }

    const desired = this.claims(state, failures);

    // Close what is no longer wanted (or changed hands) first, so its ports are free to rebind.
    const closing: Promise<void>[] = [];
    for (const [id, l] of this.listeners) {
      const want = desired.get(id);
      if (want && want.owner === l.owner && want.traffic === l.traffic) continue;
      this.listeners.delete(id);
      this.failed.delete(id);
      closing.push(l.close());
    }
    await Promise.all(closing);

    const work: [string, Claim][] = [];
    for (const entry of desired) {
      const [id, claim] = entry;
      if (!this.listeners.has(id) || dirty.has(claim.owner.key) || this.failed.has(id)) work.push(entry);
    }
    await Promise.all(
      work.map(async ([id, claim]) => {
        let l = this.listeners.get(id);
        if (!l) {
          l = this.newListener(claim);
          this.listeners.set(id, l);
        }
        // A listener that failed to bind stays in the table and is retried by the next apply().
        const err = await l.sync();
        if (err) this.failed.add(id);
        else this.failed.delete(id);
        if (err) {
          const message = `cannot listen on ${id} for ${claim.owner.key}: ${err.message}`;
          this.ctx.log(`proxy: ${message}`);
          failures.push({ key: claim.owner.key, address: claim.address, port: claim.port, protocol: claim.protocol, message });
        }
      }),
    );
    return { failures };
  }

  private newListener(claim: Claim): Listener {
    if (claim.protocol !== 'TCP') return new UdpListener(claim, claim.owner, this.ctx);
    // The native relay speaks IPv4 (as the proxy does: the tracker keeps IPv4 endpoints only).
    if (this.native && isIPv4(claim.address)) return new NativeTcpListener(claim, claim.owner, this.ctx, this.native);
    return new TcpListener(claim, claim.owner, this.ctx);
  }

  /**
   * Every address:port/protocol the state asks for, one owner each. When two service ports want
   * the same one, the current holder keeps it, else the first in state order; the other fails.
   */
  private claims(state: ProxyState, failures: BindFailure[]): Map<string, Claim> {
    const desired = new Map<string, Claim>();
    for (const [key, sp] of state) {
      let cached = this.claimsByKey.get(key);
      if (cached?.sp !== sp) this.claimsByKey.set(key, (cached = this.claimsOf(key, sp)));
      for (const f of cached.unsupported) failures.push(f);
      for (const claim of cached.claims) {
        const held = desired.get(claim.id);
        if (!held) {
          desired.set(claim.id, claim);
          continue;
        }
        if (held.owner === claim.owner) continue; // e.g. an external IP equal to a cluster IP: first class wins
        const holderNow = this.listeners.get(claim.id)?.owner;
        const [winner, loser] = holderNow === claim.owner ? [claim, held] : [held, claim];
        desired.set(claim.id, winner);
        failures.push({ key: loser.owner.key, ...pick(claim), message: `${claim.id} is already used by Service port ${winner.owner.key}` });
      }
    }
    return desired;
  }

  /** A service port's claims, made once per state object (a sync at scale touches few). */
  private claimsOf(key: string, sp: ServicePortState): CachedClaims {
    const owner = this.runtimes.get(key)!;
    const out: CachedClaims = { sp, claims: [], unsupported: [] };
    for (const spec of listenerSpecs(sp, this.nodeIPs, this.serviceAddresses)) {
      if (spec.protocol === 'SCTP') out.unsupported.push({ key, ...pick(spec), message: `SCTP is not supported by the userspace proxy (${listenerId(spec)})` });
      else out.claims.push({ ...spec, owner, id: listenerId(spec) });
    }
    return out;
  }
}

/** The addresses a service port is reachable on: cluster IPs (internal traffic); node ports, load-balancer and external IPs (external). */
function listenerSpecs(sp: ServicePortState, nodeIPs: string[], serviceAddresses: boolean): ListenerSpec[] {
  if (sp.clusterIPs.length === 0) return []; // headless: DNS points at the pods directly
  const protocol = sp.name.protocol;
  const specs: ListenerSpec[] = [];
  if (serviceAddresses) for (const address of sp.clusterIPs) specs.push({ address, port: sp.port, protocol, traffic: 'internal' });
  if (sp.nodePort) for (const address of nodeIPs) specs.push({ address, port: sp.nodePort, protocol, traffic: 'external' });
  if (serviceAddresses) for (const address of [...sp.loadBalancerIPs, ...sp.externalIPs]) specs.push({ address, port: sp.port, protocol, traffic: 'external' });
  return specs;
}

function addCounters(to: TrafficCounters, c: TrafficCounters): void {
  to.connectionsTotal += c.connectionsTotal;
  to.activeConnections += c.activeConnections;
  to.bytesIn += c.bytesIn;
  to.bytesOut += c.bytesOut;
  to.errors += c.errors;
}

function pick(s: ListenerSpec): { address: string; port: number; protocol: Protocol } {
  return { address: s.address, port: s.port, protocol: s.protocol };
}
