// TCP: accept on the service address, connect to an endpoint (retrying others while nothing has
// been exchanged yet), then splice both ways with backpressure and half-close.
import net from 'node:net';
import { listenerId, plainIPv4, type Listener, type ListenerContext, type ListenerSpec } from './listener.js';
import { endpointKey } from './select.js';
import type { ServicePortRuntime } from './serviceport.js';

interface Connection {
  client: net.Socket;
  upstream: net.Socket | undefined;
}

export class TcpListener implements Listener {
  readonly address: string;
  readonly port: number;
  readonly protocol = 'TCP' as const;
  readonly traffic: ListenerSpec['traffic'];
  private server: net.Server | undefined;
  private readonly connections = new Set<Connection>();
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
   * Listens only while the service port has usable endpoints for this traffic class: with none,
   * the kernel refuses new connections at once (ECONNREFUSED), as kube-proxy's REJECT rule does,
   * instead of accepting and then resetting them. Open connections are not touched.
   */
  async sync(): Promise<Error | undefined> {
    if (this.closed) return undefined;
    if (!this.owner.hasEndpoints(this.traffic)) {
      if (this.server) {
        this.server.close();
        this.server = undefined;
        this.ctx.log(`proxy: ${listenerId(this)} for ${this.owner.key}: no endpoints, refusing connections`);
      }
      return undefined;
    }
    if (this.server) return undefined;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (c) => this.accept(c));
    server.on('error', (err) => this.ctx.log(`proxy: ${listenerId(this)}: ${err.message}`));
    const err = await new Promise<Error | undefined>((resolve) => {
      const onError = (e: Error) => resolve(e);
      server.once('error', onError);
      server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        server.off('error', onError);
        resolve(undefined);
      });
    });
    if (err || this.closed) {
      server.close();
      return err;
    }
    this.server = server;
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const server = this.server;
    this.server = undefined;
    // Service port gone: cut its connections with a reset, so no client mistakes it for a clean end.
    for (const c of this.connections) {
      resetQuietly(c.client);
      if (c.upstream?.connecting) c.upstream.destroy();
      else if (c.upstream) resetQuietly(c.upstream);
    }
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  liveBytes(): [number, number] {
    let bytesIn = 0;
    let bytesOut = 0;
    for (const { client } of this.connections) {
      bytesIn += client.bytesRead;
      bytesOut += client.bytesWritten;
    }
    return [bytesIn, bytesOut];
  }

  private accept(client: net.Socket): void {
    const counters = this.owner.counters;
    const conn: Connection = { client, upstream: undefined };
    this.connections.add(conn);
    counters.opened();
    client.on('error', ignore);
    client.once('close', (hadError) => {
      this.connections.delete(conn);
      counters.closed(client.bytesRead, client.bytesWritten);
      const up = conn.upstream;
      if (up && !up.destroyed) {
        if (hadError) resetQuietly(up);
        else up.end();
      }
    });
    this.connectUpstream(conn, plainIPv4(client.remoteAddress), new Set());
  }

  /** Tries endpoints, each at most once, until one accepts; the client stays paused meanwhile. */
  private connectUpstream(conn: Connection, clientIP: string, tried: Set<string>): void {
    const { client } = conn;
    if (client.destroyed) return;
    const ep = this.owner.pick(this.traffic, clientIP, tried);
    if (!ep) {
      // No endpoint left (or none at all, when the listener closes only at the next sync).
      if (tried.size === 0) this.owner.counters.error();
      resetQuietly(client);
      return;
    }
    const key = endpointKey(ep);
    tried.add(key);
    const upstream = net.connect({ host: ep.ip, port: ep.port, allowHalfOpen: true, noDelay: true });
    conn.upstream = upstream;
    const timer = setTimeout(() => upstream.destroy(new Error(`connect timeout after ${this.ctx.connectTimeoutMs} ms`)), this.ctx.connectTimeoutMs);
    timer.unref();
    const onFail = (err: Error) => {
      clearTimeout(timer);
      upstream.destroy();
      conn.upstream = undefined;
      this.owner.counters.error();
      this.ctx.connectFailed(this.owner.key, `connect to endpoint ${key} failed: ${err.message}`);
      this.connectUpstream(conn, clientIP, tried);
    };
    upstream.once('error', onFail);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', onFail);
      upstream.on('error', ignore);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      this.owner.used(clientIP, ep);
      upstream.once('close', (hadError) => {
        if (client.destroyed) return;
        if (hadError) resetQuietly(client);
        else client.end();
      });
      // pipe() carries backpressure and forwards each FIN (end) separately: allowHalfOpen on both.
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}

function resetQuietly(s: net.Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

function ignore(): void {}
