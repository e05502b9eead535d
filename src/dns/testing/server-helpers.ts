// Test helpers for the DNS server's tests: a fixed-table Lookup (the server's collaborator, not
// the cluster zone), raw UDP/TCP clients, the real dig, and a scriptable fake upstream resolver.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Answer, Lookup, Question, RR } from '../types.js';
import { asciiLower, decodeMessage, encodeResponse, HEADER_LEN, QR, RA, RD, scanQuery, QueryScan, type DecodedMessage, type WireRR } from '../wire.js';

type Data = { type: 1 | 28; data: string } | { type: 2 | 5 | 12; data: string } | { type: 16; data: string[] } | Omit<Extract<RR, { type: 6 }>, 'name' | 'ttl'> | Omit<Extract<RR, { type: 33 }>, 'name' | 'ttl'>;

export const ZONE_SOA: RR = {
  name: 'cluster.local',
  type: 6,
  ttl: 30,
  data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
};

/**
 * A fixed table standing in for the cluster zone: names under `zones` are answered from `records`
 * (owner names echo the question's case; NXDOMAIN or NODATA with the SOA otherwise); ExternalNames
 * give a CNAME and a chase; anything else is undefined (forwarded).
 */
export class TableLookup implements Lookup {
  isReady = true;
  gen = 1;
  readonly records = new Map<string, Data[]>();
  readonly externals = new Map<string, string>();
  calls = 0;
  throwOn: string | undefined;

  constructor(readonly zones: string[] = ['cluster.local']) {}

  add(name: string, ...data: Data[]): this {
    const k = name.toLowerCase();
    this.records.set(k, [...(this.records.get(k) ?? []), ...data]);
    return this;
  }
  private readonly listeners: ((gen: number) => void)[] = [];
  bump(): void {
    this.gen++;
    for (const l of this.listeners) l(this.gen);
  }
  onChange(listener: (gen: number) => void): void {
    this.listeners.push(listener);
  }
  ready(): boolean {
    return this.isReady;
  }
  generation(): number {
    return this.gen;
  }
  resolve(q: Question): Answer | undefined {
    this.calls++;
    const lower = asciiLower(q.name);
    if (this.throwOn === lower) throw new Error('table exploded');
    if (!this.zones.some((z) => lower === z || lower.endsWith('.' + z))) return undefined;
    const ext = this.externals.get(lower);
    if (ext !== undefined) {
      const answer: RR[] = [{ name: q.name, type: 5, ttl: 30, data: ext }];
      return { rcode: 0, authoritative: true, answer, authority: [], additional: [], ...(q.type === 1 || q.type === 28 ? { chase: { name: ext, type: q.type } } : {}) };
    }
    const rrs = this.records.get(lower);
    if (rrs === undefined) return { rcode: 3, authoritative: true, answer: [], authority: [ZONE_SOA], additional: [] };
    const answer = rrs.filter((d) => d.type === q.type || q.type === 255).map((d) => ({ name: q.name, ttl: 30, ...d }) as RR);
    return { rcode: 0, authoritative: true, answer, authority: answer.length ? [] : [ZONE_SOA], additional: [] };
  }
}

/** One UDP exchange; undefined on timeout. */
export function udpQuery(host: string, port: number, msg: Buffer, opts: { timeoutMs?: number; localAddress?: string } = {}): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), opts.timeoutMs ?? 2000);
    const finish = (r: Buffer | undefined) => {
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    s.on('error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.on('message', (m) => finish(m));
    s.bind(0, opts.localAddress ?? '127.0.0.1', () => s.send(msg, port, host));
  });
}

/** Frames messages for TCP (2-byte length prefix). */
export function frame(...msgs: Buffer[]): Buffer {
  return Buffer.concat(
    msgs.map((m) => {
      const b = Buffer.allocUnsafe(m.length + 2);
      b.writeUInt16BE(m.length, 0);
      m.copy(b, 2);
      return b;
    }),
  );
}

/** A TCP connection that collects length-prefixed responses. */
export class TcpClient {
  readonly socket: net.Socket;
  readonly responses: Buffer[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const n = this.buf.readUInt16BE(0);
        this.responses.push(this.buf.subarray(2, 2 + n));
        this.buf = this.buf.subarray(2 + n);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }
  static connect(host: string, port: number, localAddress?: string): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, localAddress });
      s.once('error', reject);
      s.once('connect', () => resolve(new TcpClient(s)));
    });
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  write(b: Buffer): void {
    this.socket.write(b);
  }
  /** Resolves once `n` responses arrived (or the connection closed, or the timeout). */
  async waitFor(n: number, timeoutMs = 3000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.responses;
  }
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
  close(): void {
    this.socket.destroy();
  }
}

export async function tcpQuery(host: string, port: number, msg: Buffer): Promise<Buffer | undefined> {
  const c = await TcpClient.connect(host, port);
  try {
    c.write(frame(msg));
    return (await c.waitFor(1))[0];
  } finally {
    c.close();
  }
}

/** Runs the real dig (never against anything but the given loopback server). */
export function dig(server: string, port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/dig', [`@${server}`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 15_000 }, (err, stdout) => {
      if (err && !stdout) reject(err);
      else resolve(stdout);
    });
  });
}

/** The interesting parts of dig's output (the last response when dig retried). */
export function parseDig(out: string): { status: string; flags: string[]; question: string; answer: string[]; authority: string[]; opt: string | undefined; counts: Record<string, number> } {
  const headers = [...out.matchAll(/->>HEADER<<- opcode: \w+, status: (\w+)/g)];
  const last = out.slice(headers.at(-1)?.index ?? 0);
  const flags = /;; flags:([^;]*);/.exec(last)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
  const counts: Record<string, number> = {};
  for (const m of last.matchAll(/(QUERY|ANSWER|AUTHORITY|ADDITIONAL): (\d+)/g)) counts[m[1]!] = Number(m[2]);
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(last);
    // Whitespace collapsed: dig aligns columns with tabs that depend on the name's length.
    return m ? m[1]!.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().replace(/\s+/g, ' ')) : [];
  };
  return {
    status: headers.at(-1)?.[1] ?? 'NONE',
    flags,
    question: section('QUESTION')[0]?.replace(/^;/, '') ?? '',
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    opt: /; EDNS: ([^\n]*)/.exec(last)?.[1],
    counts,
  };
}

export interface FakeUpstream {
  host: string;
  port: number;
  /** Queries received over UDP and TCP, decoded. */
  queries: { proto: 'udp' | 'tcp'; msg: DecodedMessage; raw: Buffer; from: { address: string; port: number } }[];
  close(): Promise<void>;
}

/**
 * A resolver on `host` (UDP and TCP on one port): `answer` gets each decoded query and returns
 * the response's records and rcode, or undefined for silence. `truncateUdp` answers UDP with
 * TC and no records (the real answer only over TCP).
 */
export async function fakeUpstream(
  host: string,
  answer: (q: DecodedMessage, proto: 'udp' | 'tcp', from: { address: string; port: number }) => { rcode?: number; answer?: WireRR[]; authority?: WireRR[] } | undefined,
  opts: { truncateUdp?: boolean; delayMs?: number } = {},
): Promise<FakeUpstream> {
  const queries: FakeUpstream['queries'] = [];
  const respond = (raw: Buffer, proto: 'udp' | 'tcp', from: { address: string; port: number }): Buffer | undefined => {
    const s = new QueryScan();
    if (scanQuery(raw, s) !== 0) return undefined;
    const msg = decodeMessage(raw);
    queries.push({ proto, msg, raw, from });
    const a = answer(msg, proto, from);
    if (!a) return undefined;
    const question = raw.subarray(HEADER_LEN, s.qEnd);
    const flags = RA | (s.flags & RD) | (a.rcode ?? 0);
    if (proto === 'udp' && opts.truncateUdp) return encodeResponse({ id: s.id, flags, question }, 0).buf;
    return encodeResponse({ id: s.id, flags, question, answer: a.answer ?? [], authority: a.authority ?? [], edns: s.edns ? { udpSize: 1232, do: false } : undefined }).buf;
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => {
    const res = respond(m, 'udp', { address: r.address, port: r.port });
    if (!res) return;
    setTimeout(() => {
      try {
        udp.send(res, r.port, r.address);
      } catch {
        // closed meanwhile
      }
    }, opts.delayMs ?? 0);
  });
  await new Promise<void>((r) => udp.bind(0, host, () => r()));
  const port = udp.address().port;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const m = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + m.length);
        const res = respond(Buffer.from(m), 'tcp', { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 });
        if (res) sock.write(frame(res));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => resolve());
  });
  return {
    host,
    port,
    queries,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

export const isResponse = (b: Buffer) => b.length >= HEADER_LEN && (b.readUInt16BE(2) & QR) !== 0;
