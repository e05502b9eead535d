// UDP: one session per client address:port, each with its own socket connected to the chosen
// endpoint; replies go back to the client from the service address. Sessions end after an idle
// timeout or as soon as their endpoint stops being usable (no stale "conntrack" entry).
import dgram from 'node:dgram';
import { listenerId, type Listener, type ListenerContext, type ListenerSpec } from './listener.js';
import { endpointKey } from './select.js';
import type { ServicePortRuntime } from './serviceport.js';

interface Session {
  clientAddress: string;
  clientPort: number;
  endpoint: string;
  socket: dgram.Socket;
  /** Datagrams that arrived before the session socket finished connecting. */
  pending: Buffer[] | undefined;
  lastActiveMs: number;
  timer: NodeJS.Timeout;
}

export class UdpListener implements Listener {
  readonly address: string;
  readonly port: number;
  readonly protocol = 'UDP' as const;
  readonly traffic: ListenerSpec['traffic'];
  private socket: dgram.Socket | undefined;
  private readonly sessions = new Map<string, Session>();
  private closed = false;

  constructor(
    spec: ListenerSpec,
    readonly owner: ServicePortRuntime,
    private readonly ctx: ListenerContext,
  ) {
    this.address = spec.address;
    this.port = spec.port;
    this.traffic = spec.traffic;
  }

  /**
   * Bound only while the service port has usable endpoints for this traffic class: with none, the
   * kernel answers datagrams with ICMP port unreachable (a connected client sees ECONNREFUSED at
   * once), as kube-proxy's REJECT rule does, and the address is free for whoever serves it.
   */
  async sync(): Promise<Error | undefined> {
    if (this.closed) return undefined;
    for (const [id, s] of this.sessions) if (!this.owner.isUsable(this.traffic, s.endpoint)) this.endSession(id, s);
    if (!this.owner.hasEndpoints(this.traffic)) {
      const socket = this.socket;
      this.socket = undefined;
      if (socket) {
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        this.ctx.log(`proxy: ${listenerId(this)} for ${this.owner.key}: no endpoints, refusing datagrams`);
      }
      return undefined;
    }
    if (this.socket) return undefined;
    const socket = dgram.createSocket({ type: 'udp4' });
    const err = await new Promise<Error | undefined>((resolve) => {
      socket.once('error', resolve);
      socket.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        socket.off('error', resolve);
        resolve(undefined);
      });
    });
    if (err || this.closed) {
      socket.close();
      return err;
    }
    socket.on('error', (e) => this.ctx.log(`proxy: ${listenerId(this)}: ${e.message}`));
    socket.on('message', (msg, rinfo) => this.fromClient(msg, rinfo.address, rinfo.port));
    this.socket = socket;
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [id, s] of this.sessions) this.endSession(id, s);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  liveBytes(): [number, number] {
    return [0, 0]; // datagrams are counted as they pass
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    const counters = this.owner.counters;
    const id = `${address}:${port}`;
    let s = this.sessions.get(id);
    if (!s) {
      const ep = this.owner.pick(this.traffic, address);
      if (!ep) {
        counters.error();
        return;
      }
      this.owner.used(address, ep);
      s = this.openSession(id, address, port, ep.ip, ep.port);
    }
    s.lastActiveMs = Date.now();
    counters.bytes(msg.length, 0);
    if (s.pending) s.pending.push(msg);
    else s.socket.send(msg);
  }

  private openSession(id: string, clientAddress: string, clientPort: number, epIP: string, epPort: number): Session {
    const socket = dgram.createSocket({ type: 'udp4' });
    const timeout = this.ctx.udpIdleTimeoutMs;
    const s: Session = {
      clientAddress,
      clientPort,
      endpoint: endpointKey({ ip: epIP, port: epPort }),
      socket,
      pending: [],
      lastActiveMs: Date.now(),
      timer: setTimeout(() => this.expire(id, s), timeout),
    };
    s.timer.unref();
    this.sessions.set(id, s);
    this.owner.counters.opened();
    // A connected socket hears ICMP errors (ECONNREFUSED when nothing listens at the endpoint):
    // the session ends and the client's next datagram picks an endpoint afresh.
    socket.on('error', (err) => {
      this.owner.counters.error();
      this.ctx.log(`proxy: ${this.owner.key}: UDP endpoint ${s.endpoint}: ${err.message}`);
      this.endSession(id, s);
    });
    socket.on('message', (reply) => {
      if (!this.socket) return;
      s.lastActiveMs = Date.now();
      this.owner.counters.bytes(0, reply.length);
      this.socket.send(reply, s.clientPort, s.clientAddress);
    });
    socket.connect(epPort, epIP, () => {
      const pending = s.pending ?? [];
      s.pending = undefined;
      if (this.sessions.get(id) !== s) return;
      for (const msg of pending) socket.send(msg);
    });
    return s;
  }

  /** Idle expiry without re-arming a timer per datagram: check the last activity when it fires. */
  private expire(id: string, s: Session): void {
    const idle = Date.now() - s.lastActiveMs;
    const timeout = this.ctx.udpIdleTimeoutMs;
    if (idle >= timeout) this.endSession(id, s);
    else {
      s.timer = setTimeout(() => this.expire(id, s), timeout - idle);
      s.timer.unref();
    }
  }

  private endSession(id: string, s: Session): void {
    if (this.sessions.get(id) !== s) return;
    this.sessions.delete(id);
    clearTimeout(s.timer);
    this.owner.counters.closed(0, 0);
    try {
      s.socket.close();
    } catch {
      // already closed
    }
  }
}
