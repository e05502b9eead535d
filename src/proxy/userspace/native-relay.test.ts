import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeRelay, type ListenerCounters, type NativeRelay } from './native-relay.js';
import { tcpBackend, TcpClient, waitFor, type Backend } from './testing/backends.js';

// Listeners 127.79.5.x, backends 127.79.6.x (tcp.test.ts has 127.79.1-2.x): files run in parallel.
const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let relay: NativeRelay;
beforeAll(() => {
  const load = loadNativeRelay();
  if (!load.relay) throw new Error(`the native relay must be built for these tests: ${load.reason}`);
  relay = load.relay;
});

async function backend(name: string, ip: string): Promise<Backend> {
  const b = await tcpBackend(name, ip);
  cleanups.push(() => b.close());
  return b;
}

/** A server on `ip` whose connections get `handle`. */
async function server(ip: string, handle: (s: net.Socket) => void): Promise<{ ip: string; port: number }> {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    handle(s);
  });
  await new Promise<void>((resolve) => srv.listen({ host: ip, port: 0 }, resolve));
  cleanups.push(() => new Promise((resolve) => srv.close(resolve)));
  return { ip, port: (srv.address() as net.AddressInfo).port };
}

interface Opened {
  id: number;
  port: number;
  logs: string[];
  destroy(): ListenerCounters;
}

/** A listening native listener on ip:port for `eps`; destroyed after the test unless the test does. */
function open(ip: string, eps: { ip: string; port: number }[], opts: { connectTimeoutMs?: number } = {}): Opened {
  const group = relay.group(false);
  relay.setBackends(group, 'internal', eps, 0);
  const logs: string[] = [];
  const id = relay.create(group, 'internal', opts.connectTimeoutMs ?? 2000, (text) => logs.push(text));
  relay.releaseGroup(group); // the listener holds it from here on
  let destroyed = false;
  const destroy = () => {
    destroyed = true;
    return relay.destroy(id);
  };
  cleanups.push(() => destroyed || destroy());
  relay.listen(id, ip, 8080);
  return { id, port: 8080, logs, destroy };
}

/** Connects, sends `payload` and half-closes, and collects everything until the other end closes. */
function exchange(host: string, port: number, payload: Buffer): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
    socket.end(payload);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('native TCP relay', () => {
  it('carries 200 concurrent connections to the end, and its counters add up', async () => {
    const [a, b] = [await backend('a', '127.79.6.1'), await backend('b', '127.79.6.2')];
    const l = open('127.79.5.1', [a, b]);
    const payloads = Array.from({ length: 200 }, (_, i) => randomBytes(1000 + i * 300));
    const results = await Promise.all(payloads.map((p) => exchange('127.79.5.1', l.port, p)));
    const names = new Map<string, number>();
    results.forEach((r, i) => {
      expect(r.error).toBeUndefined();
      const name = r.data.subarray(0, 2).toString();
      names.set(name, (names.get(name) ?? 0) + 1);
      expect(sha(r.data.subarray(2))).toBe(sha(payloads[i]!));
    });
    expect(names).toEqual(new Map([['a\n', 100], ['b\n', 100]]));
    await waitFor(() => relay.stats(l.id).activeConnections === 0, 'connections to close');
    const sent = payloads.reduce((n, p) => n + p.length, 0);
    expect(relay.stats(l.id)).toEqual({ connectionsTotal: 200, activeConnections: 0, bytesIn: sent, bytesOut: sent + 200 * 2, errors: 0 });
  });

  it('counts the bytes of a connection that is still open', async () => {
    const a = await backend('a', '127.79.6.3');
    const l = open('127.79.5.2', [a]);
    const c = await TcpClient.connect('127.79.5.2', l.port);
    cleanups.push(() => c.close());
    expect(await c.name()).toBe('a');
    c.socket.write('hello\n');
    expect(await c.readUntil('hello\n')).toBe('hello\n');
    expect(relay.stats(l.id)).toEqual({ connectionsTotal: 1, activeConnections: 1, bytesIn: 6, bytesOut: 8, errors: 0 });
  });

  it('gives a client that sends and half-closes the whole answer', async () => {
    // Answers only after the request's end: the SHA-256 of it, 200 times over (bigger than a socket buffer).
    const hasher = await server('127.79.6.4', (s) => {
      const h = createHash('sha256');
      s.on('data', (d: Buffer) => h.update(d));
      s.on('end', () => s.end(h.digest('hex').repeat(200_000 / 64)));
    });
    const l = open('127.79.5.3', [hasher]);
    const request = randomBytes(3 * 1024 * 1024);
    const r = await exchange('127.79.5.3', l.port, request);
    expect(r.error).toBeUndefined();
    expect(r.data.toString()).toBe(sha(request).repeat(200_000 / 64));
  });

  it('resets the client when the endpoint resets', async () => {
    const resetter = await server('127.79.6.5', (s) => s.once('data', () => s.resetAndDestroy()));
    const l = open('127.79.5.4', [resetter]);
    const r = await exchange('127.79.5.4', l.port, Buffer.from('hi'));
    expect(r.error).toBe('ECONNRESET');
    await waitFor(() => relay.stats(l.id).activeConnections === 0, 'connection to close');
  });

  it('reports a refused endpoint and goes on to the next', async () => {
    const a = await backend('a', '127.79.6.6');
    const l = open('127.79.5.5', [{ ip: '127.79.6.7', port: a.port }, a]);
    const c = await TcpClient.connect('127.79.5.5', l.port);
    cleanups.push(() => c.close());
    expect(await c.name()).toBe('a');
    expect(relay.stats(l.id).errors).toBe(1);
    await waitFor(() => l.logs.length === 1, 'the failure to be logged');
    expect(l.logs[0]).toBe(`connect to endpoint 127.79.6.7:${a.port} failed: connect ECONNREFUSED 127.79.6.7:${a.port}`);
  });

  it('gives up on an endpoint that does not answer after the connect timeout, and tries the next', async () => {
    // A listener whose process is stopped: once its accept queue is full, the kernel drops new SYNs.
    const silent = await stoppedListener('127.79.6.8');
    for (let i = 0; i < 2; i++) {
      // backlog 1 holds two handshaken connections (the queue is full when longer than the backlog)
      const filler = net.connect({ host: silent.ip, port: silent.port });
      filler.on('error', () => {});
      cleanups.push(() => filler.destroy());
      await new Promise((resolve) => filler.once('connect', resolve));
    }
    const a = await backend('a', '127.79.6.9');
    const l = open('127.79.5.6', [silent, a], { connectTimeoutMs: 300 });
    expect(await TcpClient.connect('127.79.5.6', l.port).then((c) => c.name().finally(() => c.close()))).toBe('a');
    expect(relay.stats(l.id).errors).toBe(1);
    await waitFor(() => l.logs.length === 1, 'the timeout to be logged');
    expect(l.logs[0]).toBe(`connect to endpoint ${silent.ip}:${silent.port} failed: connect timeout after 300 ms`);
  });

  it('resets live connections when their listener is destroyed, and returns its final counters', async () => {
    const a = await backend('a', '127.79.6.10');
    const l = open('127.79.5.7', [a]);
    const c = await TcpClient.connect('127.79.5.7', l.port);
    let error = '';
    c.socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? ''));
    expect(await c.name()).toBe('a');
    const final = l.destroy();
    expect(final).toEqual({ connectionsTotal: 1, activeConnections: 0, bytesIn: 0, bytesOut: 2, errors: 0 });
    await c.closed;
    expect(error).toBe('ECONNRESET');
  });

  it('refuses connections at once while not listening, and keeps open ones', async () => {
    const a = await backend('a', '127.79.6.11');
    const l = open('127.79.5.8', [a]);
    const c = await TcpClient.connect('127.79.5.8', l.port);
    cleanups.push(() => c.close());
    expect(await c.name()).toBe('a');
    relay.unlisten(l.id);
    await expect(TcpClient.connect('127.79.5.8', l.port)).rejects.toThrow('ECONNREFUSED');
    c.socket.write('still\n');
    expect(await c.readUntil('\n')).toBe('still\n');
    relay.listen(l.id, '127.79.5.8', l.port);
    expect(await TcpClient.connect('127.79.5.8', l.port).then((k) => k.name().finally(() => k.close()))).toBe('a');
  });

  it('throws the OS error when it cannot bind', async () => {
    const a = await backend('a', '127.79.6.12');
    open('127.79.5.9', [a]);
    expect(() => open('127.79.5.9', [a])).toThrow(expect.objectContaining({ code: 'EADDRINUSE', message: 'listen EADDRINUSE: address already in use 127.79.5.9:8080' }));
  });

  it('stops its thread with the last listener and leaves no file descriptor behind', async () => {
    await waitFor(() => !relay.info().running, 'listeners of earlier tests to go');
    const before = fdCount();
    const a = await backend('a', '127.79.6.13');
    const after = fdCount(); // the backend's own listening socket
    const l = open('127.79.5.10', [a]);
    const clients = await Promise.all([1, 2, 3].map(() => TcpClient.connect('127.79.5.10', l.port)));
    for (const c of clients) expect(await c.name()).toBe('a');
    expect(relay.info()).toMatchObject({ running: true, listeners: 1, connections: 3 });
    l.destroy();
    expect(relay.info()).toEqual({ running: false, listeners: 0, groups: 0, connections: 0 });
    await Promise.all(clients.map((c) => c.closed));
    await a.close();
    await waitFor(() => fdCount() === before, `fds back to ${before} (with the backend: ${after})`);
  });

  it('frees everything when the thread that loaded it ends (worker teardown)', async () => {
    await waitFor(() => !relay.info().running, 'listeners of earlier tests to go');
    const a = await backend('a', '127.79.6.14');
    const before = fdCount();
    const addon = join(ROOT, 'build/Release/tinykube_relay.node');
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const r = require(${JSON.stringify(addon)});
       const g = r.group(false);
       r.setBackends(g, 0, new Uint32Array([${ipU32(a.ip)}, ${a.port}]), 0);
       const id = r.create(g, 0, 2000);
       r.listen(id, '127.79.5.11', 8080);
       parentPort.postMessage('ready');
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const c = await TcpClient.connect('127.79.5.11', 8080);
    let error = '';
    c.socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? ''));
    expect(await c.name()).toBe('a');
    await worker.terminate();
    await c.closed;
    expect(error).toBe('ECONNRESET');
    await waitFor(() => fdCount() === before, `fds back to ${before}`);
  });
});

function ipU32(ip: string): number {
  return ip.split('.').reduce((v, p) => v * 256 + Number(p), 0);
}

/** A listening socket in a stopped process: the kernel completes handshakes only until its backlog is full. */
async function stoppedListener(ip: string): Promise<{ ip: string; port: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', `const s = require('node:net').createServer(); s.listen({ host: ${JSON.stringify(ip)}, port: 0, backlog: 1 }, () => console.log(s.address().port));`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => {
    child.kill('SIGKILL');
    return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('listener process exited')));
  });
  child.kill('SIGSTOP');
  await waitFor(() => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T') ?? false, 'the listener process to stop');
  return { ip, port };
}
