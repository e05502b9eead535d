import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { servicePortKey } from '../types.js';
import { UserspaceProxy, type TcpRelay, type UserspaceProxyOptions } from './index.js';
import { connectError, endpoint, servicePort, stateOf, tcpBackend, TcpClient, waitFor, whoAnswers, type Backend } from './testing/backends.js';

// Service addresses 127.79.1.x, backends 127.79.2.x (UDP tests use 127.79.3-4.x): files run in parallel.
const NODE_IP = '127.79.1.254';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newProxyWith(relay: TcpRelay, opts: Partial<UserspaceProxyOptions> = {}): UserspaceProxy {
  const p = new UserspaceProxy({ nodeIPs: [NODE_IP], relay, ...opts });
  cleanups.push(() => p.close());
  // The native relay must really be in use (no silent fallback to the JavaScript one).
  expect(p.relay).toBe(relay);
  return p;
}

async function backends(...specs: [string, string][]): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const [name, ip] of specs) {
    const b = await tcpBackend(name, ip);
    cleanups.push(() => b.close());
    out.push(b);
  }
  return out;
}

/** How a connection that sends nothing ends: the error code, or '' for a clean close. */
function endError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.once('close', () => resolve(''));
    socket.resume();
  });
}

async function tally(n: number, host: string, port = 8080, localAddress?: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const name = await whoAnswers(host, port, localAddress);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

// Every behaviour holds for both relays; the two runs share addresses (tests in a file run in turn).
describe.each(['native', 'js'] as const)('UserspaceProxy TCP (%s relay)', (relay) => {
  const newProxy = (opts: Partial<UserspaceProxyOptions> = {}) => newProxyWith(relay, opts);

  it('spreads connections round-robin over exactly the ready endpoints', async () => {
    const [a, b, c, d] = await backends(['a', '127.79.2.1'], ['b', '127.79.2.2'], ['c', '127.79.2.3'], ['d', '127.79.2.4']);
    const proxy = newProxy();
    const sp = servicePort('rr', { clusterIPs: ['127.79.1.1'], endpoints: [endpoint(a!), endpoint(b!), endpoint(c!), endpoint(d!, { ready: false, serving: false })] });
    expect((await proxy.apply(stateOf(sp))).failures).toEqual([]);
    expect(await tally(9, '127.79.1.1')).toEqual(new Map([['a', 3], ['b', 3], ['c', 3]]));
    const s = proxy.stats();
    expect(s.connectionsTotal).toBe(9);
    expect(s.perService.get(servicePortKey(sp.name))?.connectionsTotal).toBe(9);
    await waitFor(() => proxy.stats().activeConnections === 0, 'connections to close');
    expect(proxy.stats().bytesOut).toBe(9 * 2); // "a\n" each
  });

  it('random mode reaches every ready endpoint', async () => {
    const [a, b] = await backends(['a', '127.79.2.5'], ['b', '127.79.2.6']);
    const proxy = newProxy({ mode: 'random' });
    await proxy.apply(stateOf(servicePort('random', { clusterIPs: ['127.79.1.2'], endpoints: [endpoint(a!), endpoint(b!)] })));
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 2; i++) seen.add(await whoAnswers('127.79.1.2', 8080));
    expect(seen).toEqual(new Set(['a', 'b']));
  });

  it('refuses at once without endpoints and accepts again when they return', async () => {
    const [a] = await backends(['a', '127.79.2.7']);
    const proxy = newProxy();
    const none = servicePort('none', { clusterIPs: ['127.79.1.3'] });
    expect((await proxy.apply(stateOf(none))).failures).toEqual([]);
    expect(await connectError('127.79.1.3', 8080)).toBe('ECONNREFUSED');

    await proxy.apply(stateOf({ ...none, endpoints: [endpoint(a!)] }));
    const live = await TcpClient.connect('127.79.1.3', 8080);
    cleanups.push(() => live.close());
    expect(await live.name()).toBe('a');

    // Endpoints gone: new connections are refused, the open one keeps working.
    await proxy.apply(stateOf({ ...none, endpoints: [endpoint(a!, { ready: false, serving: false })] }));
    expect(await connectError('127.79.1.3', 8080)).toBe('ECONNREFUSED');
    live.socket.write('still here\n');
    expect(await live.readUntil('\n')).toBe('still here\n');

    await proxy.apply(stateOf({ ...none, endpoints: [endpoint(a!)] }));
    expect(await whoAnswers('127.79.1.3', 8080)).toBe('a');
  });

  it('retries a dead endpoint on another one before any byte is exchanged', async () => {
    const [a] = await backends(['a', '127.79.2.8']);
    const dead = { ip: '127.79.2.9', port: a!.port }; // nothing listens there
    const proxy = newProxy();
    await proxy.apply(stateOf(servicePort('dead', { clusterIPs: ['127.79.1.4'], endpoints: [endpoint(dead), endpoint(a!)] })));
    expect(await tally(4, '127.79.1.4')).toEqual(new Map([['a', 4]]));
    expect(proxy.stats().errors).toBeGreaterThanOrEqual(2); // round-robin sent every other connection to the dead one first
  });

  it('resets the client when every endpoint fails', async () => {
    const proxy = newProxy();
    await proxy.apply(stateOf(servicePort('alldead', { clusterIPs: ['127.79.1.5'], endpoints: [endpoint({ ip: '127.79.2.10', port: 9 }), endpoint({ ip: '127.79.2.11', port: 9 })] })));
    // The reset may come before Node reports the connect (the native relay is that quick): either way, a reset.
    expect(await endError('127.79.1.5', 8080)).toBe('ECONNRESET');
    expect(proxy.stats().errors).toBe(2);
  });

  it('keeps a client on its endpoint with ClientIP affinity, and moves it when that endpoint goes', async () => {
    const [a, b, c] = await backends(['a', '127.79.2.12'], ['b', '127.79.2.13'], ['c', '127.79.2.14']);
    const proxy = newProxy();
    const sp = servicePort('sticky', {
      clusterIPs: ['127.79.1.6'],
      sessionAffinity: { clientIP: true, timeoutSeconds: 10800 },
      endpoints: [endpoint(a!), endpoint(b!), endpoint(c!)],
    });
    await proxy.apply(stateOf(sp));
    const first = await tally(6, '127.79.1.6', 8080, '127.79.1.100');
    expect(first.size).toBe(1);
    const [stuck] = [...first.keys()];
    await proxy.apply(stateOf({ ...sp, endpoints: sp.endpoints.filter((_, i) => ['a', 'b', 'c'][i] !== stuck) }));
    const second = await tally(6, '127.79.1.6', 8080, '127.79.1.100');
    expect(second.size).toBe(1);
    expect(second.has(stuck!)).toBe(false);
  });

  it('uses only local endpoints under internalTrafficPolicy Local, and all of them for external traffic', async () => {
    const [a, b, c] = await backends(['a', '127.79.2.15'], ['b', '127.79.2.16'], ['c', '127.79.2.17']);
    const proxy = newProxy();
    const sp = servicePort('local', {
      clusterIPs: ['127.79.1.7'],
      externalIPs: ['127.79.1.8'],
      internalTrafficPolicyLocal: true,
      endpoints: [endpoint(a!, { local: true }), endpoint(b!), endpoint(c!, { local: true })],
    });
    await proxy.apply(stateOf(sp));
    expect(await tally(6, '127.79.1.7')).toEqual(new Map([['a', 3], ['c', 3]]));
    expect(await tally(6, '127.79.1.8')).toEqual(new Map([['a', 2], ['b', 2], ['c', 2]]));
  });

  it('falls back to serving terminating endpoints when none is ready', async () => {
    const [a, b] = await backends(['a', '127.79.2.18'], ['b', '127.79.2.19']);
    const proxy = newProxy();
    await proxy.apply(
      stateOf(
        servicePort('term', {
          clusterIPs: ['127.79.1.9'],
          endpoints: [endpoint(a!, { ready: false, serving: true, terminating: true }), endpoint(b!, { ready: false, serving: false, terminating: true })],
        }),
      ),
    );
    expect(await tally(3, '127.79.1.9')).toEqual(new Map([['a', 3]]));
  });

  it('lets a live connection survive an apply that removes its endpoint and others', async () => {
    const [a, b, c] = await backends(['a', '127.79.2.20'], ['b', '127.79.2.21'], ['c', '127.79.2.22']);
    const proxy = newProxy();
    const sp = servicePort('survive', { clusterIPs: ['127.79.1.10'], endpoints: [endpoint(a!), endpoint(b!), endpoint(c!)] });
    await proxy.apply(stateOf(sp));
    const live = await TcpClient.connect('127.79.1.10', 8080);
    cleanups.push(() => live.close());
    expect(await live.name()).toBe('a');
    await proxy.apply(stateOf({ ...sp, endpoints: [endpoint(c!)] }));
    live.socket.write('ping\n');
    expect(await live.readUntil('\n')).toBe('ping\n');
    expect(await whoAnswers('127.79.1.10', 8080)).toBe('c');
  });

  it('closes live connections when their Service is deleted', async () => {
    const [a] = await backends(['a', '127.79.2.23']);
    const proxy = newProxy();
    const sp = servicePort('deleted', { clusterIPs: ['127.79.1.11'], endpoints: [endpoint(a!)] });
    const other = servicePort('kept', { clusterIPs: ['127.79.1.12'], endpoints: [endpoint(a!)] });
    await proxy.apply(stateOf(sp, other));
    const gone = await TcpClient.connect('127.79.1.11', 8080);
    const kept = await TcpClient.connect('127.79.1.12', 8080);
    cleanups.push(() => kept.close());
    expect(await gone.name()).toBe('a');
    expect(await kept.name()).toBe('a');
    await proxy.apply(stateOf(other));
    await gone.closed;
    expect(await connectError('127.79.1.11', 8080)).toBe('ECONNREFUSED');
    kept.socket.write('ping\n');
    expect(await kept.readUntil('\n')).toBe('ping\n');
    expect([...proxy.stats().perService.keys()]).toEqual([servicePortKey(other.name)]);
  });

  it('listens on node ports, load-balancer IPs and external IPs (external traffic policy applies there)', async () => {
    const [a, b] = await backends(['a', '127.79.2.24'], ['b', '127.79.2.25']);
    const proxy = newProxy();
    const sp = servicePort('lb', {
      clusterIPs: ['127.79.1.13'],
      nodePort: 30080,
      loadBalancerIPs: ['127.79.1.14'],
      externalIPs: ['127.79.1.15'],
      externalTrafficPolicyLocal: true,
      endpoints: [endpoint(a!, { local: true }), endpoint(b!)],
    });
    expect((await proxy.apply(stateOf(sp))).failures).toEqual([]);
    expect(await tally(2, '127.79.1.13')).toEqual(new Map([['a', 1], ['b', 1]]));
    expect(await tally(2, NODE_IP, 30080)).toEqual(new Map([['a', 2]]));
    expect(await tally(2, '127.79.1.14')).toEqual(new Map([['a', 2]]));
    expect(await tally(2, '127.79.1.15')).toEqual(new Map([['a', 2]]));
  });

  it('reaches its own Service from the endpoint address (hairpin)', async () => {
    const [a] = await backends(['a', '127.79.2.26']);
    const proxy = newProxy();
    await proxy.apply(stateOf(servicePort('hairpin', { clusterIPs: ['127.79.1.16'], endpoints: [endpoint(a!)] })));
    expect(await whoAnswers('127.79.1.16', 8080, a!.ip)).toBe('a');
  });

  it('reports a conflicting Service port and keeps the first', async () => {
    const [a, b] = await backends(['a', '127.79.2.27'], ['b', '127.79.2.28']);
    const proxy = newProxy();
    const first = servicePort('first', { clusterIPs: ['127.79.1.17'], endpoints: [endpoint(a!)] });
    const second = servicePort('second', { clusterIPs: ['127.79.1.18'], externalIPs: ['127.79.1.17'], endpoints: [endpoint(b!)] });
    const udp = servicePort('udp', { protocol: 'UDP', clusterIPs: ['127.79.1.17'], endpoints: [endpoint(b!)] });
    const { failures } = await proxy.apply(stateOf(first, second, udp));
    expect(failures).toEqual([
      { key: servicePortKey(second.name), address: '127.79.1.17', port: 8080, protocol: 'TCP', message: expect.stringContaining('default/first/TCP') },
    ]);
    expect(await whoAnswers('127.79.1.17', 8080)).toBe('a');
    expect(await whoAnswers('127.79.1.18', 8080)).toBe('b');
    // The holder keeps it even when the other comes first in a later state.
    expect((await proxy.apply(stateOf(second, first))).failures.map((f) => f.key)).toEqual([servicePortKey(second.name)]);
    // Once the holder is gone, the other takes the address.
    expect((await proxy.apply(stateOf(second))).failures).toEqual([]);
    expect(await whoAnswers('127.79.1.17', 8080)).toBe('b');
  });

  it('reports SCTP as unsupported on every apply, and serves the rest', async () => {
    const [a] = await backends(['a', '127.79.2.29']);
    const proxy = newProxy();
    const sctp = servicePort('sctp', { protocol: 'SCTP', clusterIPs: ['127.79.1.19'], endpoints: [endpoint(a!)] });
    const tcp = servicePort('tcp', { clusterIPs: ['127.79.1.19'], endpoints: [endpoint(a!)] });
    const want = [{ key: servicePortKey(sctp.name), address: '127.79.1.19', port: 8080, protocol: 'SCTP', message: 'SCTP is not supported by the userspace proxy (127.79.1.19:8080/SCTP)' }];
    expect((await proxy.apply(stateOf(sctp, tcp))).failures).toEqual(want);
    expect((await proxy.apply(stateOf(sctp, tcp))).failures).toEqual(want);
    expect(await whoAnswers('127.79.1.19', 8080)).toBe('a');
  });

  it('reports a port in use with the OS reason, and binds it on a later apply once free', async () => {
    const [a] = await backends(['a', '127.79.2.29']);
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.79.1.19', port: 8080 }, resolve));
    const proxy = newProxy();
    const state = stateOf(servicePort('busy', { clusterIPs: ['127.79.1.19'], endpoints: [endpoint(a!)] }));
    const { failures } = await proxy.apply(state);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain('EADDRINUSE');
    await new Promise((resolve) => squatter.close(resolve));
    expect((await proxy.apply(state)).failures).toEqual([]);
    expect(await whoAnswers('127.79.1.19', 8080)).toBe('a');
  });

  it('reports a privileged port it may not bind', async () => {
    const [a] = await backends(['a', '127.79.2.30']);
    const proxy = newProxy();
    const { failures } = await proxy.apply(stateOf(servicePort('http', { clusterIPs: ['127.79.1.20'], port: 80, endpoints: [endpoint(a!)] })));
    const unprivilegedStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    const mayBind = process.getuid?.() === 0 || unprivilegedStart <= 80;
    if (mayBind) {
      // root (or a lowered ip_unprivileged_port_start): the bind succeeds, which is what we check instead.
      expect(failures).toEqual([]);
      expect(await whoAnswers('127.79.1.20', 80)).toBe('a');
    } else {
      expect(failures).toHaveLength(1);
      expect(failures[0]!.message).toContain('EACCES');
    }
  });

  it('carries 10 MiB both ways intact, with half-close', async () => {
    const [a] = await backends(['a', '127.79.2.31']);
    const proxy = newProxy();
    await proxy.apply(stateOf(servicePort('bulk', { clusterIPs: ['127.79.1.21'], endpoints: [endpoint(a!)] })));
    const payload = randomBytes(10 * 1024 * 1024);
    const socket = net.connect({ host: '127.79.1.21', port: 8080, allowHalfOpen: true });
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    const ended = new Promise<void>((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    });
    socket.end(payload); // FIN after the payload: the echo ends only once it has all arrived
    await ended;
    socket.destroy();
    const all = Buffer.concat(received);
    expect(all.subarray(0, 2).toString()).toBe('a\n');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(all.subarray(2))).toBe(sha(payload));
    await waitFor(() => proxy.stats().activeConnections === 0, 'connection to close');
    const s = proxy.stats();
    expect(s.bytesIn).toBe(payload.length);
    expect(s.bytesOut).toBe(payload.length + 2);
  });
});
