import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { UserspaceProxy, type UserspaceProxyOptions } from './index.js';
import { endpoint, servicePort, stateOf, udpBackend, udpClient, waitFor, type Backend } from './testing/backends.js';

// Service addresses 127.79.3.x, backends 127.79.4.x, clients 127.79.5.x.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newProxy(opts: Partial<UserspaceProxyOptions> = {}): UserspaceProxy {
  const p = new UserspaceProxy({ nodeIPs: [], ...opts });
  cleanups.push(() => p.close());
  return p;
}

async function backends(...specs: [string, string][]): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const [name, ip] of specs) {
    const b = await udpBackend(name, ip);
    cleanups.push(() => b.close());
    out.push(b);
  }
  return out;
}

async function client(ip: string) {
  const c = await udpClient(ip);
  cleanups.push(() => c.close());
  return c;
}

const udp = (name: string, over: Parameters<typeof servicePort>[1]) => servicePort(name, { protocol: 'UDP', port: 5353, ...over });

describe('UserspaceProxy UDP', () => {
  it('relays datagrams and replies from the service address, one session per client', async () => {
    const [a] = await backends(['a', '127.79.4.1']);
    const proxy = newProxy();
    expect((await proxy.apply(stateOf(udp('echo', { clusterIPs: ['127.79.3.1'], endpoints: [endpoint(a!)] })))).failures).toEqual([]);
    const c = await client('127.79.5.1');
    expect(await c.ask('127.79.3.1', 5353, 'hello')).toBe('a:hello');
    expect(await c.ask('127.79.3.1', 5353, 'again')).toBe('a:again');
    const s = proxy.stats();
    expect(s.connectionsTotal).toBe(1);
    expect(s.activeConnections).toBe(1);
    expect(s.bytesIn).toBe(10);
    expect(s.bytesOut).toBe(14);
  });

  it('moves a session to a fresh endpoint when its endpoint stops being usable', async () => {
    const [a, b] = await backends(['a', '127.79.4.2'], ['b', '127.79.4.3']);
    const proxy = newProxy();
    const sp = udp('moves', { clusterIPs: ['127.79.3.2'], endpoints: [endpoint(a!), endpoint(b!)] });
    await proxy.apply(stateOf(sp));
    const c = await client('127.79.5.2');
    expect(await c.ask('127.79.3.2', 5353, '1')).toBe('a:1');
    expect(await c.ask('127.79.3.2', 5353, '2')).toBe('a:2'); // same session, same endpoint
    await proxy.apply(stateOf({ ...sp, endpoints: [endpoint(a!, { ready: false, serving: false }), endpoint(b!)] }));
    expect(await c.ask('127.79.3.2', 5353, '3')).toBe('b:3');
  });

  it('ends sessions after the idle timeout', async () => {
    const [a] = await backends(['a', '127.79.4.4']);
    const proxy = newProxy({ udpIdleTimeoutMs: 50 });
    await proxy.apply(stateOf(udp('idle', { clusterIPs: ['127.79.3.3'], endpoints: [endpoint(a!)] })));
    const c = await client('127.79.5.3');
    expect(await c.ask('127.79.3.3', 5353, 'x')).toBe('a:x');
    await waitFor(() => proxy.stats().activeConnections === 0, 'the session to expire');
    expect(await c.ask('127.79.3.3', 5353, 'y')).toBe('a:y');
    expect(proxy.stats().connectionsTotal).toBe(2);
  });

  it('no endpoints: nothing listens, so a connected client is refused at once; endpoints: it answers', async () => {
    const proxy = newProxy();
    const sp = udp('empty', { clusterIPs: ['127.79.3.4'] });
    await proxy.apply(stateOf(sp));
    const socket = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    await new Promise<void>((resolve) => socket.connect(5353, '127.79.3.4', resolve));
    const refused = new Promise<string>((resolve) => socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)));
    socket.send('lost');
    expect(await refused).toBe('ECONNREFUSED');
    expect(proxy.stats().connectionsTotal).toBe(0);
    const [a] = await backends(['a', '127.79.4.9']);
    await proxy.apply(stateOf({ ...sp, endpoints: [endpoint(a!)] }));
    const c = await client('127.79.5.4');
    expect(await c.ask('127.79.3.4', 5353, 'x')).toBe('a:x');
  });

  it('keeps ClientIP affinity across client ports', async () => {
    const [a, b, c3] = await backends(['a', '127.79.4.5'], ['b', '127.79.4.6'], ['c', '127.79.4.7']);
    const proxy = newProxy();
    await proxy.apply(
      stateOf(udp('sticky', { clusterIPs: ['127.79.3.5'], sessionAffinity: { clientIP: true, timeoutSeconds: 60 }, endpoints: [endpoint(a!), endpoint(b!), endpoint(c3!)] })),
    );
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const c = await client('127.79.5.5'); // a new source port each time: a new session, same client IP
      names.add((await c.ask('127.79.3.5', 5353, 'q')).split(':')[0]!);
    }
    expect(names.size).toBe(1);
  });

  it('closes sessions when the Service is deleted', async () => {
    const [a] = await backends(['a', '127.79.4.8']);
    const proxy = newProxy();
    await proxy.apply(stateOf(udp('gone', { clusterIPs: ['127.79.3.6'], endpoints: [endpoint(a!)] })));
    const c = await client('127.79.5.6');
    expect(await c.ask('127.79.3.6', 5353, 'x')).toBe('a:x');
    await proxy.apply(stateOf());
    const s = proxy.stats();
    expect(s.activeConnections).toBe(0);
    expect(s.perService.size).toBe(0);
  });
});
