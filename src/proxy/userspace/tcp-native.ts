// TCP through the native relay (native/relay.c): the same semantics as TcpListener, with the
// sockets, endpoint choice, connects and byte copying on the relay's own thread. This side keeps
// the relay's endpoint lists current and folds its counters into the service port's.
import { listenerId, type Listener, type ListenerContext, type ListenerSpec } from './listener.js';
import type { NativeRelay } from './native-relay.js';
import type { TrafficCounters } from './counters.js';
import type { ServicePortRuntime } from './serviceport.js';

/** The relay's endpoint group of a service port, shared by its native listeners. */
interface GroupHold {
  id: number;
  listeners: number;
}

const groups = new WeakMap<ServicePortRuntime, GroupHold>();

export class NativeTcpListener implements Listener {
  readonly address: string;
  readonly port: number;
  readonly protocol = 'TCP' as const;
  readonly traffic: ListenerSpec['traffic'];
  private readonly id: number;
  private readonly group: GroupHold;
  private listening = false;
  private closed = false;

  constructor(
    spec: ListenerSpec,
    readonly owner: ServicePortRuntime,
    private readonly ctx: ListenerContext,
    private readonly relay: NativeRelay,
  ) {
    this.address = spec.address;
    this.port = spec.port;
    this.traffic = spec.traffic;
    this.group = acquireGroup(relay, owner);
    try {
      this.id = relay.create(this.group.id, this.traffic, ctx.connectTimeoutMs, (text) => ctx.connectFailed(owner.key, text));
    } catch (err) {
      releaseGroup(relay, owner, this.group);
      throw err;
    }
  }

  /**
   * Gives the relay this traffic class's usable endpoints, then listens only while there are any:
   * with none, the kernel refuses new connections at once (ECONNREFUSED), as kube-proxy's REJECT
   * rule does. Open connections are not touched.
   */
  async sync(): Promise<Error | undefined> {
    if (this.closed) return undefined;
    const usable = this.owner.usable(this.traffic);
    this.relay.setBackends(this.group.id, this.traffic, usable, this.owner.affinityTimeoutMs());
    if (usable.length === 0) {
      if (this.listening) {
        this.relay.unlisten(this.id);
        this.listening = false;
        this.ctx.log(`proxy: ${listenerId(this)} for ${this.owner.key}: no endpoints, refusing connections`);
      }
      return undefined;
    }
    if (this.listening) return undefined;
    try {
      this.relay.listen(this.id, this.address, this.port);
    } catch (err) {
      return err as Error;
    }
    this.listening = true;
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Service port gone: its connections are reset, and what they counted joins the service's counters.
    this.owner.counters.add(this.relay.destroy(this.id));
    releaseGroup(this.relay, this.owner, this.group);
  }

  liveBytes(): [number, number] {
    const c = this.liveCounters();
    return [c.bytesIn, c.bytesOut];
  }

  liveCounters(): TrafficCounters {
    if (this.closed) return { connectionsTotal: 0, activeConnections: 0, bytesIn: 0, bytesOut: 0, errors: 0 };
    return this.relay.stats(this.id);
  }
}

function acquireGroup(relay: NativeRelay, owner: ServicePortRuntime): GroupHold {
  let hold = groups.get(owner);
  if (!hold) {
    hold = { id: relay.group(owner.mode === 'random'), listeners: 0 };
    groups.set(owner, hold);
  }
  hold.listeners++;
  return hold;
}

/** After the listener is destroyed: the last one of a service port lets the group go. */
function releaseGroup(relay: NativeRelay, owner: ServicePortRuntime, hold: GroupHold): void {
  if (--hold.listeners > 0) return;
  if (groups.get(owner) === hold) groups.delete(owner);
  relay.releaseGroup(hold.id);
}
