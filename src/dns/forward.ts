// Forwarding to upstream resolvers, as CoreDNS's forward and cache plugins do it: UDP first,
// over TCP again when the answer comes back truncated, ~2 s per try and then the next upstream,
// SERVFAIL when every one failed; answers cached by question (positive up to 1 h, negative up to
// 30 min from the SOA's minimum, RFC 2308), identical questions in flight asked once.
// Upstream queries carry a random ID and a randomly cased name (DNS 0x20), so a query of ours
// that comes back to our own server (a forwarding loop) is recognised by its exact bytes.
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { RRType, Rcode } from './types.js';
import { asciiLower, HEADER_LEN, OPT_LEN, OUR_UDP_SIZE, QR, RD, TC, walkMessage, type Walked } from './wire.js';

export interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
  /** As given, for logs: "10.0.0.2:53". */
  text: string;
}

/** "ADDR", "ADDR:PORT", "[V6]:PORT" or "V6" (port 53); throws on anything else. */
export function parseUpstream(s: string): Upstream {
  let host = s;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (!net.isIPv6(s)) {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1]!;
      port = Number(m[2]);
    }
  }
  const family = net.isIP(host);
  if (family === 0) throw new Error(`upstream ${JSON.stringify(s)} is not ADDR[:PORT] with an IP address`);
  if (!(port >= 1 && port <= 65535)) throw new Error(`upstream ${JSON.stringify(s)} has a bad port`);
  return { host: normalizeIP(host), port, family: family as 4 | 6, text: family === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}

function normalizeIP(ip: string): string {
  if (ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7))) return ip.slice(7);
  return ip.toLowerCase();
}

function localAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) out.add(normalizeIP(a.address));
  return out;
}

/** Throws if an upstream is one of our own listening endpoints (a wildcard listener covers every local address). */
export function refuseSelf(upstreams: readonly Upstream[], self: readonly { host: string; port: number }[]): void {
  let local: Set<string> | undefined;
  for (const u of upstreams) {
    for (const s of self) {
      if (s.port !== u.port) continue;
      const h = normalizeIP(s.host);
      const wildcard = h === '0.0.0.0' || h === '::';
      const same = h === u.host || (wildcard && ((local ??= localAddresses()).has(u.host) || u.host.startsWith('127.')));
      if (same) throw new Error(`upstream ${u.text} is this DNS server's own address (${s.host}:${s.port}): forwarding to it would loop`);
    }
  }
}

export interface ForwarderOptions {
  upstreams: readonly string[];
  /** Our own listening endpoints: an upstream equal to one of them is refused. */
  self?: readonly { host: string; port: number }[];
  /** Per try (one upstream, UDP then maybe TCP). Default 2000. */
  timeoutMs?: number;
  /** Cached answers. Default 10000. */
  cacheSize?: number;
  /** TTL caps, seconds (CoreDNS's cache plugin: 3600 and 1800). */
  maxTtl?: number;
  maxNegativeTtl?: number;
  /** Upstream queries at once; beyond that SERVFAIL at once. Default 10000. */
  maxInFlight?: number;
  /** How long an upstream that looped is skipped, ms. Default 60000. */
  loopQuarantineMs?: number;
  log?: (msg: string) => void;
}

export interface Resolution {
  /** The upstream's response (its question as we sent it), or undefined: every upstream failed. */
  msg: Buffer | undefined;
  walked: Walked | undefined;
  rcode: number;
  /** Whole seconds since it arrived, to take off its TTLs. */
  age: number;
  /** Until when (ms, Date.now()) a response built from it stays exact; 0 when it must not be reused. */
  validUntil: number;
}

export interface ForwardStats {
  /** Questions asked of the forwarder (cache hits included). */
  queries: number;
  cacheHits: number;
  cacheMisses: number;
  cacheEntries: number;
  /** Queries sent to upstreams (UDP datagrams and TCP retries). */
  upstreamQueries: number;
  tcpRetries: number;
  timeouts: number;
  /** Questions answered SERVFAIL because no upstream answered usefully. */
  failures: number;
  /** Our own forwarded queries that came back to us. */
  loops: number;
  inFlight: number;
}

interface CacheEntry {
  msg: Buffer;
  walked: Walked;
  rcode: number;
  storedAt: number;
  expiresAt: number;
}

type TryResult = Buffer | 'timeout' | 'error' | 'loop';

interface Pending {
  id: number;
  upstream: UpstreamState;
  /** The exact question bytes sent (0x20 cased): the loop detector's key. */
  sentKey: string;
  letters: number;
  /** Lowercased question, to match the response's. */
  question: string;
  timer: NodeJS.Timeout;
  done: (r: TryResult) => void;
}

interface UpstreamState extends Upstream {
  loopUntil: number;
  lastLoopLog: number;
}

/** A question's bytes as a string, the name's letters lowercased (not the type and class bytes). */
function questionKey(b: Buffer, start: number, end: number): string {
  return asciiLower(b.toString('latin1', start, end - 4)) + b.toString('latin1', end - 4, end);
}

const FAILED: Resolution = { msg: undefined, walked: undefined, rcode: Rcode.SERVFAIL, age: 0, validUntil: 0 };

export class Forwarder {
  private readonly upstreams: UpstreamState[];
  private readonly timeoutMs: number;
  private readonly cacheSize: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;
  private readonly maxInFlight: number;
  private readonly quarantineMs: number;
  private readonly log: (msg: string) => void;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private readonly pending = new Map<number, Pending>();
  private readonly sent = new Map<string, Pending>();
  private readonly tcpSockets = new Set<net.Socket>();
  private sock4: dgram.Socket | undefined;
  private sock6: dgram.Socket | undefined;
  private closed = false;
  private readonly random = Buffer.allocUnsafe(4096);
  private randomAt = 4096;
  private readonly counters = { queries: 0, cacheHits: 0, cacheMisses: 0, upstreamQueries: 0, tcpRetries: 0, timeouts: 0, failures: 0, loops: 0 };

  constructor(opts: ForwarderOptions) {
    const ups = opts.upstreams.map(parseUpstream);
    refuseSelf(ups, opts.self ?? []);
    this.upstreams = ups.map((u) => ({ ...u, loopUntil: 0, lastLoopLog: 0 }));
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.maxTtl = opts.maxTtl ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtl ?? 1800;
    this.maxInFlight = opts.maxInFlight ?? 10_000;
    this.quarantineMs = opts.loopQuarantineMs ?? 60_000;
    this.log = opts.log ?? (() => {});
  }

  get configured(): boolean {
    return this.upstreams.length > 0;
  }

  stats(): ForwardStats {
    return { ...this.counters, cacheEntries: this.cache.size, inFlight: this.pending.size };
  }

  /**
   * The upstream answer for a question (wire name, type, class; any case): from the cache
   * (synchronously) or from the upstreams.
   */
  resolve(question: Buffer, dnssecOk: boolean): Resolution | Promise<Resolution> {
    this.counters.queries++;
    const key = questionKey(question, 0, question.length) + (dnssecOk ? '\x01' : '\x00');
    const now = Date.now();
    const e = this.cache.get(key);
    if (e !== undefined) {
      if (e.expiresAt > now) {
        this.counters.cacheHits++;
        const age = Math.floor((now - e.storedAt) / 1000);
        return { msg: e.msg, walked: e.walked, rcode: e.rcode, age, validUntil: Math.min(e.expiresAt, e.storedAt + (age + 1) * 1000) };
      }
      this.cache.delete(key);
    }
    this.counters.cacheMisses++;
    let p = this.inflight.get(key);
    if (p === undefined) {
      p = this.ask(question, dnssecOk, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /**
   * Whether an incoming query is one we sent upstream (a forwarding loop): the same 0x20-cased
   * question bytes, and the same ID unless the name had enough letters to make that needless.
   * The try in flight fails at once and its upstream is skipped for a while.
   */
  isLoop(question: Buffer, id: number): boolean {
    if (this.sent.size === 0) return false;
    const p = this.sent.get(question.toString('latin1'));
    if (p === undefined || (p.id !== id && p.letters < 6)) return false;
    this.counters.loops++;
    const u = p.upstream;
    const now = Date.now();
    u.loopUntil = now + this.quarantineMs;
    if (now - u.lastLoopLog > 10_000) {
      u.lastLoopLog = now;
      this.log(`dns: forwarding loop detected: a query we sent to upstream ${u.text} came back to this server; skipping that upstream for ${Math.round(this.quarantineMs / 1000)} s`);
    }
    p.done('loop');
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.done('error');
    for (const s of this.tcpSockets) s.destroy();
    const closing: Promise<void>[] = [];
    for (const s of [this.sock4, this.sock6]) if (s) closing.push(new Promise((r) => s.close(() => r())));
    this.sock4 = this.sock6 = undefined;
    await Promise.all(closing);
    this.cache.clear();
  }

  private async ask(question: Buffer, dnssecOk: boolean, key: string): Promise<Resolution> {
    const now = Date.now();
    const usable = this.upstreams.filter((u) => u.loopUntil <= now);
    for (const u of usable) {
      if (this.closed) break;
      const res = await this.tryUpstream(u, question, dnssecOk);
      if (res === undefined) continue;
      const [msg, walked] = res;
      const rcode = msg[3]! & 0xf;
      if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) continue;
      const storedAt = Date.now();
      const ttl = this.cacheTtl(msg, walked, rcode);
      if (ttl > 0 && !this.closed) {
        // As CoreDNS's cache: no record outlives the entry (the caps apply to what clients see).
        for (const r of walked.records) if (r.type !== RRType.OPT && msg.readUInt32BE(r.ttlAt) > ttl) msg.writeUInt32BE(ttl, r.ttlAt);
        if (this.cache.size >= this.cacheSize) {
          const oldest = this.cache.keys().next();
          if (!oldest.done) this.cache.delete(oldest.value);
        }
        if (this.cacheSize > 0) this.cache.set(key, { msg, walked, rcode, storedAt, expiresAt: storedAt + ttl * 1000 });
      }
      return { msg, walked, rcode, age: 0, validUntil: ttl > 0 ? storedAt + Math.min(ttl, 1) * 1000 : 0 };
    }
    this.counters.failures++;
    return FAILED;
  }

  /** Seconds to cache a response: 0 for not at all. */
  private cacheTtl(msg: Buffer, walked: Walked, rcode: number): number {
    let answers = 0;
    let min = Infinity;
    let soa = Infinity;
    for (const r of walked.records) {
      if (r.type === RRType.OPT) continue;
      const ttl = msg.readUInt32BE(r.ttlAt);
      if (r.section === 1) answers++;
      min = Math.min(min, ttl);
      if (r.section === 2 && r.type === RRType.SOA && r.end - r.rdata >= 22) soa = Math.min(soa, ttl, msg.readUInt32BE(r.end - 4));
    }
    if (rcode === Rcode.NOERROR && answers > 0) return Math.min(min, this.maxTtl);
    // Negative (NXDOMAIN or NODATA): only with an SOA to say for how long (RFC 2308 section 5).
    return soa === Infinity ? 0 : Math.min(soa, this.maxNegativeTtl);
  }

  private randomBytes(n: number): Buffer {
    if (this.randomAt + n > this.random.length) {
      randomFillSync(this.random);
      this.randomAt = 0;
    }
    const b = this.random.subarray(this.randomAt, this.randomAt + n);
    this.randomAt += n;
    return b;
  }

  /** One upstream: UDP, then TCP if truncated. The validated response, or undefined. */
  private async tryUpstream(u: UpstreamState, question: Buffer, dnssecOk: boolean): Promise<[Buffer, Walked] | undefined> {
    if (this.closed || this.pending.size >= this.maxInFlight) return undefined;
    let id: number;
    do {
      const r = this.randomBytes(2);
      id = (r[0]! << 8) | r[1]!;
    } while (this.pending.has(id));
    const query = Buffer.allocUnsafe(HEADER_LEN + question.length + OPT_LEN);
    query.writeUInt16BE(id, 0);
    query.writeUInt16BE(RD, 2);
    query.writeUInt32BE(0x00010000, 4); // QDCOUNT 1, ANCOUNT 0
    query.writeUInt32BE(0x00000001, 8); // NSCOUNT 0, ARCOUNT 1
    question.copy(query, HEADER_LEN);
    const letters = this.randomizeCase(query, HEADER_LEN);
    const o = HEADER_LEN + question.length;
    query[o] = 0;
    query.writeUInt16BE(RRType.OPT, o + 1);
    query.writeUInt16BE(OUR_UDP_SIZE, o + 3);
    query.writeUInt32BE(dnssecOk ? 0x8000 : 0, o + 5);
    query.writeUInt16BE(0, o + 9);

    const lower = questionKey(question, 0, question.length);
    const sentKey = query.toString('latin1', HEADER_LEN, HEADER_LEN + question.length);
    const udp = await this.exchangeUdp(u, id, query, sentKey, letters, lower);
    if (udp === 'loop' || udp === 'timeout' || udp === 'error') return undefined;
    let resp: Buffer = udp;
    if (resp.readUInt16BE(2) & TC) {
      if (this.closed) return undefined;
      this.counters.tcpRetries++;
      const tcp = await this.exchangeTcp(u, query);
      if (!tcp || tcp.readUInt16BE(0) !== id || tcp.readUInt16BE(2) & TC || !this.sameQuestion(tcp, lower)) return undefined;
      resp = tcp;
    }
    try {
      return [resp, walkMessage(resp)];
    } catch {
      return undefined;
    }
  }

  /** Randomizes the case of the letters of the name at `off`, at least one of each case when it has two; returns how many letters. */
  private randomizeCase(b: Buffer, off: number): number {
    const at: number[] = [];
    for (let o = off; b[o] !== 0; o += b[o]! + 1) {
      for (let i = o + 1; i <= o + b[o]!; i++) {
        const c = b[i]! | 0x20;
        if (c >= 0x61 && c <= 0x7a) at.push(i);
      }
    }
    if (at.length === 0) return 0;
    const r = this.randomBytes(Math.ceil(at.length / 8));
    let upper = 0;
    at.forEach((i, k) => {
      const up = (r[k >> 3]! >> (k & 7)) & 1;
      upper += up;
      b[i] = up ? b[i]! & ~0x20 : b[i]! | 0x20;
    });
    if (at.length >= 2 && upper === 0) b[at[0]!] = b[at[0]!]! & ~0x20;
    if (at.length >= 2 && upper === at.length) b[at[0]!] = b[at[0]!]! | 0x20;
    return at.length;
  }

  private sameQuestion(resp: Buffer, lower: string): boolean {
    if (resp.length < HEADER_LEN + lower.length || resp.readUInt16BE(4) !== 1) return false;
    return questionKey(resp, HEADER_LEN, HEADER_LEN + lower.length) === lower;
  }

  private socketFor(family: 4 | 6): dgram.Socket {
    const existing = family === 4 ? this.sock4 : this.sock6;
    if (existing) return existing;
    const s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('message', (msg, rinfo) => this.onResponse(msg, rinfo));
    s.on('error', (err) => this.log(`dns: upstream socket: ${err.message}`));
    s.unref();
    if (family === 4) this.sock4 = s;
    else this.sock6 = s;
    return s;
  }

  private exchangeUdp(u: UpstreamState, id: number, query: Buffer, sentKey: string, letters: number, question: string): Promise<TryResult> {
    return new Promise<TryResult>((resolve) => {
      const p: Pending = {
        id,
        upstream: u,
        sentKey,
        letters,
        question,
        timer: setTimeout(() => {
          this.counters.timeouts++;
          p.done('timeout');
        }, this.timeoutMs),
        done: (r) => {
          if (this.pending.get(id) !== p) return;
          clearTimeout(p.timer);
          this.pending.delete(id);
          if (this.sent.get(sentKey) === p) this.sent.delete(sentKey);
          resolve(r);
        },
      };
      this.pending.set(id, p);
      this.sent.set(sentKey, p);
      this.counters.upstreamQueries++;
      try {
        this.socketFor(u.family).send(query, u.port, u.host, (err) => {
          if (err) p.done('error');
        });
      } catch {
        p.done('error');
      }
    });
  }

  private onResponse(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < HEADER_LEN || !(msg.readUInt16BE(2) & QR)) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (p === undefined) return;
    // Only from the upstream asked, for the question asked (a spoofed answer is ignored, and the real one still awaited).
    if (rinfo.port !== p.upstream.port || normalizeIP(rinfo.address) !== p.upstream.host) return;
    if (!this.sameQuestion(msg, p.question)) return;
    p.done(msg);
  }

  private exchangeTcp(u: UpstreamState, query: Buffer): Promise<Buffer | undefined> {
    this.counters.upstreamQueries++;
    return new Promise((resolve) => {
      const sock = net.connect({ host: u.host, port: u.port });
      this.tcpSockets.add(sock);
      let buf = Buffer.alloc(0);
      let finished = false;
      const done = (r: Buffer | undefined) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.tcpSockets.delete(sock);
        sock.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.counters.timeouts++;
        done(undefined);
      }, this.timeoutMs);
      sock.on('connect', () => {
        const frame = Buffer.allocUnsafe(query.length + 2);
        frame.writeUInt16BE(query.length, 0);
        query.copy(frame, 2);
        sock.write(frame);
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      });
      sock.on('error', () => done(undefined));
      sock.on('close', () => done(undefined));
    });
  }
}
