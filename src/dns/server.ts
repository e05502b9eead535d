// The DNS server: UDP and TCP sockets on one address and port, answering from a Lookup (the
// cluster zone) and forwarding the rest upstream. It knows nothing of Kubernetes.
// The hot path reads only the header, question and OPT of a query (wire.ts scanQuery) and answers
// from a cache of encoded responses keyed by the question's exact bytes and the EDNS bits that
// change the answer; an entry holds until Lookup.generation() moves (forwarded answers: until
// their TTLs would tick down a second). A hit is a copy with the ID and RD/CD bits patched.
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseIpv4Cidr, ipv4ToNumber } from '../api/ipv4.js';
import { Forwarder, type ForwardStats, type Resolution } from './forward.js';
import { loadNativeDns, NativeUdp } from './native-udp.js';
import { Rcode, type Answer, type Lookup } from './types.js';
import {
  AA,
  CD,
  encodeName,
  encodeResponse,
  headerOnly,
  HEADER_LEN,
  MAX_MESSAGE,
  MIN_UDP_SIZE,
  OUR_UDP_SIZE,
  parseIPv6,
  QueryScan,
  RA,
  rcodeName,
  RD,
  readPlainName,
  relayResponse,
  SCAN_DROP,
  SCAN_OK,
  scanQuery,
  sectionRecords,
  truncateResponse,
  typeName,
  type Edns,
  type WireRR,
} from './wire.js';

export interface DnsServerOptions {
  /** An IP address to listen on (UDP and TCP). Default 127.0.0.1. */
  host?: string;
  /** Default 53; 0 picks a free port, the same number for UDP and TCP. */
  port?: number;
  lookup: Lookup;
  /** Resolvers for names outside the Lookup's zones: "ADDR[:PORT]". None: such names get REFUSED. */
  upstreams?: readonly string[];
  /** Clients allowed (CIDRs, IPv4 or IPv6); others get REFUSED. Default 127.0.0.0/8. */
  allow?: readonly string[];
  /** Encoded responses kept (0 disables the cache). Default 10000. */
  cacheSize?: number;
  /** Upstream answers kept. Default 10000. */
  forwardCacheSize?: number;
  /** TTL caps for forwarded answers, seconds (CoreDNS: 3600 positive, 1800 negative). */
  ttlCap?: { positive?: number; negative?: number };
  /** Per upstream try, ms. Default 2000. */
  upstreamTimeoutMs?: number;
  /** A TCP connection with no traffic for this long is closed, ms. Default 10000. */
  tcpIdleTimeoutMs?: number;
  /** TCP connections at once; more are closed on arrival. Default 1000. */
  maxTcpConnections?: number;
  /**
   * Who carries UDP: 'native' (native/dns.c: its own thread answers what it can from a table of
   * this server's answers; the default, IPv4 only) or 'js' (a dgram socket). Without the addon,
   * 'js' with one log line.
   */
  udp?: 'native' | 'js';
  log?: (msg: string) => void;
}

/** Upper bounds (µs) of the latency histogram's buckets; a last bucket counts the rest. */
export const LATENCY_BOUNDS_US: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000];

export interface DnsServerStats {
  /** Messages received. */
  requests: { udp: number; tcp: number };
  /** UDP queries the native path answered by itself from its table (counted in the rest too). */
  udpAnsweredNatively: number;
  /** Queries by question type ("A", "AAAA", ..., "TYPE65"): every query whose question parsed. */
  byType: Record<string, number>;
  /** Responses sent, by rcode ("NOERROR", "NXDOMAIN", "BADVERS", ...). */
  byRcode: Record<string, number>;
  /** Messages answered with silence: no header, or a response. */
  dropped: number;
  /** UDP responses sent truncated (TC). */
  truncated: number;
  /** The encoded-response cache (every query that got as far as it). */
  cache: { hits: number; misses: number; entries: number };
  /** Queries for names outside the Lookup's zones and ExternalName targets, and what the forwarder did. */
  forwarded: number;
  forward: ForwardStats;
  /** Receive-to-send time: count per bucket (LATENCY_BOUNDS_US, then +Inf), sum and count. */
  latency: { boundsUs: readonly number[]; counts: number[]; sumUs: number; count: number };
  tcpConnections: number;
}

interface Entry {
  /** The whole response with ID 0, RD and CD clear. */
  full: Buffer;
  /** The TC=1 form, made when first needed. */
  trunc: Buffer | undefined;
  qEnd: number;
  hasOpt: boolean;
  rcode: number;
  gen: number;
  /** ms (Date.now()); Infinity for the Lookup's answers (until the generation moves). */
  validUntil: number;
}

/** What an answer being made needs from its query (the scan struct is reused). */
interface Ctx {
  id: number;
  flags: number;
  question: Buffer;
  /** The question's name as text. */
  name: string;
  edns: Edns | undefined;
  /** The client's UDP limit. */
  udpSize: number;
  tcp: boolean;
  key: string;
  gen: number;
}

type Reply = Buffer | Promise<Buffer | undefined> | undefined;

const RCODE_SLOTS = 32;

type LookupCb = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The dgram socket's name lookup: every address it sees is an IP literal of its own family (the
 * bind address, clients' addresses), so no dns.lookup (the default costs a validation and a tick
 * per send).
 */
function literalLookup(family: 4 | 6): (host: string, opts: unknown, cb: LookupCb) => void {
  return (host, _opts, cb) => cb(null, host, family);
}

/** The UDP socket, whichever side owns it. */
interface UdpSide {
  send(b: Buffer, port: number, address: string): void;
  close(): Promise<void>;
}

export class DnsServer {
  readonly host: string;
  /** Who carries UDP: 'native' (native/dns.c) or 'js'. */
  readonly udpPath: 'native' | 'js';
  private native: NativeUdp | undefined;
  readonly udpPort: number;
  readonly tcpPort: number;
  private readonly lookup: Lookup;
  private readonly forwarder: Forwarder;
  private readonly log: (msg: string) => void;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Entry>();
  private readonly scan = new QueryScan();
  private readonly acl: Acl;
  private readonly allowMemo = new Map<string, boolean>();
  private readonly conns = new Set<net.Socket>();
  private readonly idleMs: number;
  private readonly typeCounts = new Float64Array(256);
  private readonly otherTypes = new Map<number, number>();
  private readonly rcodes = new Float64Array(RCODE_SLOTS);
  private readonly latencyCounts = new Float64Array(LATENCY_BOUNDS_US.length + 1);
  private latencySum = 0;
  private latencyCount = 0;
  private readonly counters = { udp: 0, tcp: 0, dropped: 0, truncated: 0, cacheHits: 0, cacheMisses: 0, forwarded: 0 };
  private lastErrorLog = 0;
  private closed = false;

  private constructor(
    opts: DnsServerOptions,
    private udp: UdpSide,
    private readonly tcp: net.Server,
    port: number,
  ) {
    this.udpPath = udp instanceof NativeUdpSide ? 'native' : 'js';
    this.host = opts.host ?? '127.0.0.1';
    this.udpPort = this.tcpPort = port;
    this.lookup = opts.lookup;
    this.log = opts.log ?? (() => {});
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.idleMs = opts.tcpIdleTimeoutMs ?? 10_000;
    this.acl = new Acl(opts.allow ?? ['127.0.0.0/8']);
    this.forwarder = new Forwarder({
      upstreams: opts.upstreams ?? [],
      self: [{ host: this.host, port }],
      timeoutMs: opts.upstreamTimeoutMs,
      cacheSize: opts.forwardCacheSize,
      maxTtl: opts.ttlCap?.positive,
      maxNegativeTtl: opts.ttlCap?.negative,
      log: this.log,
    });
    tcp.maxConnections = opts.maxTcpConnections ?? 1000;
    if (udp instanceof NativeUdpSide) {
      this.native = udp.native;
      udp.onQuery = (msg, address, p) => this.onUdp(msg, p, address);
      // The native table serves an answer only for the generation it was made in: the Lookup says
      // when that moves (without such a hook, every query comes here).
      if (this.lookup.onChange) {
        const native = udp.native;
        this.lookup.onChange((gen) => native.generation(gen));
        native.generation(this.lookup.generation());
      }
    } else if (udp instanceof JsUdpSide) {
      udp.socket.on('message', (msg, rinfo) => this.onUdp(msg, rinfo.port, rinfo.address));
      udp.socket.on('error', (err) => this.logError(`dns: UDP socket: ${err.message}`));
    }
    tcp.on('connection', (sock) => this.onConnection(sock));
    tcp.on('error', (err) => this.logError(`dns: TCP server: ${err.message}`));
  }

  /** Binds UDP and TCP; rejects on a bad option (an upstream that is this server included) or a port in use. */
  static async start(opts: DnsServerOptions): Promise<DnsServer> {
    const host = opts.host ?? '127.0.0.1';
    const family = net.isIP(host);
    if (family === 0) throw new Error(`DNS server host ${JSON.stringify(host)} is not an IP address`);
    const acl = new Acl(opts.allow ?? ['127.0.0.0/8']); // fails early on a bad CIDR
    const want = opts.port ?? 53;
    let addon: unknown;
    if ((opts.udp ?? 'native') === 'native' && family === 4) {
      const l = loadNativeDns();
      addon = l.addon;
      if (!addon) (opts.log ?? (() => {}))(`dns: native UDP path unavailable (${l.reason}); using Node's UDP socket`);
    }
    for (let attempt = 0; ; attempt++) {
      const udp = addon ? NativeUdpSide.open(addon, host, want, acl.ipv4Ranges()) : await JsUdpSide.open(host, want, family === 6 ? 6 : 4);
      const port = udp.port;
      const tcp = net.createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ port, host, backlog: 511 }, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        await udp.close();
        if (want === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
        throw e;
      }
      try {
        return new DnsServer(opts, udp, tcp, port);
      } catch (e) {
        await udp.close();
        tcp.close();
        throw e;
      }
    }
  }

  stats(): DnsServerStats {
    const byType: Record<string, number> = {};
    this.typeCounts.forEach((n, t) => {
      if (n > 0) byType[typeName(t)] = n;
    });
    for (const [t, n] of this.otherTypes) byType[typeName(t)] = n;
    const byRcode: Record<string, number> = {};
    this.rcodes.forEach((n, r) => {
      if (n > 0) byRcode[rcodeName(r)] = n;
    });
    const c = this.counters;
    const latency = { boundsUs: LATENCY_BOUNDS_US, counts: [...this.latencyCounts], sumUs: this.latencySum, count: this.latencyCount };
    // What the native side answered by itself: cache hits, counted as this side counts its own.
    const n = this.native?.stats();
    if (n) {
      n.types.forEach((k, t) => {
        if (k > 0) byType[typeName(t)] = (byType[typeName(t)] ?? 0) + k;
      });
      n.rcodes.forEach((k, r) => {
        if (k > 0) byRcode[rcodeName(r)] = (byRcode[rcodeName(r)] ?? 0) + k;
      });
      n.latency.forEach((k, i) => (latency.counts[i]! += k));
      latency.sumUs += n.latencySumUs;
      latency.count += n.answered;
    }
    const answered = n?.answered ?? 0;
    return {
      requests: { udp: c.udp + answered, tcp: c.tcp },
      udpAnsweredNatively: answered,
      byType,
      byRcode,
      dropped: c.dropped + (n?.dropped ?? 0),
      truncated: c.truncated,
      cache: { hits: c.cacheHits + answered, misses: c.cacheMisses, entries: this.cache.size },
      forwarded: c.forwarded,
      forward: this.forwarder.stats(),
      latency,
      tcpConnections: this.conns.size,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.conns) s.destroy();
    await Promise.all([
      this.udp.close(),
      new Promise<void>((r) => this.tcp.close(() => r())),
      this.forwarder.close(),
    ]);
    this.cache.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Sockets

  private onUdp(msg: Buffer, rport: number, raddress: string): void {
    const t0 = performance.now();
    this.counters.udp++;
    const r = this.safeHandle(msg, false, raddress);
    if (r === undefined) return;
    if (r instanceof Uint8Array) {
      this.sendUdp(r, rport, raddress, t0);
      return;
    }
    r.then(
      (b) => b && this.sendUdp(b, rport, raddress, t0),
      (e: unknown) => this.logError(`dns: answering ${raddress}: ${(e as Error).message}`),
    );
  }

  private sendUdp(b: Buffer, port: number, address: string, t0: number): void {
    if (this.closed || port === 0) return;
    try {
      this.udp.send(b, port, address);
    } catch (e) {
      this.logError(`dns: UDP send to ${address}:${port}: ${(e as Error).message}`);
    }
    this.observe(t0);
  }

  private onConnection(sock: net.Socket): void {
    if (this.closed) {
      sock.destroy();
      return;
    }
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.idleMs, () => sock.destroy());
    sock.on('error', () => {});
    sock.on('close', () => this.conns.delete(sock));
    sock.on('drain', () => sock.resume());
    const address = sock.remoteAddress ?? '';
    let pending: Buffer | undefined;
    sock.on('data', (chunk: Buffer) => {
      let buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      pending = undefined;
      let off = 0;
      sock.cork();
      while (buf.length - off >= 2) {
        const n = buf.readUInt16BE(off);
        // A frame too short for a header has nothing to answer; miekg/dns drops the connection.
        if (n < HEADER_LEN) {
          sock.uncork();
          sock.destroy();
          return;
        }
        if (buf.length - off - 2 < n) break;
        const t0 = performance.now();
        const frame = buf.subarray(off + 2, off + 2 + n);
        off += 2 + n;
        this.counters.tcp++;
        const r = this.safeHandle(frame, true, address);
        if (r === undefined) continue;
        if (r instanceof Uint8Array) this.sendTcp(sock, r, t0);
        else
          r.then(
            (b) => b && this.sendTcp(sock, b, t0),
            (e: unknown) => this.logError(`dns: answering ${address}: ${(e as Error).message}`),
          );
      }
      sock.uncork();
      if (off < buf.length) {
        buf = buf.subarray(off);
        // Keep a partial frame (its own copy: `chunk` may be large).
        pending = off > 0 ? Buffer.from(buf) : buf;
      }
      // Back-pressure: a client that does not read its answers stops being read.
      if (sock.writableLength > 1 << 20) sock.pause();
    });
  }

  private sendTcp(sock: net.Socket, b: Buffer, t0: number): void {
    if (sock.destroyed) return;
    const frame = Buffer.allocUnsafe(b.length + 2);
    frame.writeUInt16BE(b.length, 0);
    b.copy(frame, 2);
    sock.write(frame);
    this.observe(t0);
  }

  private observe(t0: number): void {
    const us = (performance.now() - t0) * 1000;
    let i = 0;
    while (i < LATENCY_BOUNDS_US.length && us > LATENCY_BOUNDS_US[i]!) i++;
    this.latencyCounts[i]!++;
    this.latencySum += us;
    this.latencyCount++;
  }

  private logError(msg: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 5000) return;
    this.lastErrorLog = now;
    this.log(msg);
  }

  // -------------------------------------------------------------------------------------------
  // Answering

  /** handle(), and silence when the Lookup (or a bug) throws where nothing expects it. */
  private safeHandle(msg: Buffer, tcp: boolean, address: string): Reply {
    try {
      return this.handle(msg, tcp, address);
    } catch (e) {
      this.logError(`dns: answering ${address}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** The response to one message: now, later, or never (undefined: silence). */
  private handle(msg: Buffer, tcp: boolean, address: string): Reply {
    const s = this.scan;
    const st = scanQuery(msg, s);
    if (st === SCAN_DROP) {
      this.counters.dropped++;
      return undefined;
    }
    if (s.qEnd > 0) this.countType(s.qtype);
    if (!this.allowed(address)) return this.reply(msg, Rcode.REFUSED);
    if (st !== SCAN_OK) return this.reply(msg, st);
    if (!this.lookup.ready()) return this.reply(msg, Rcode.SERVFAIL);
    const key = msg.toString('latin1', HEADER_LEN, s.qEnd) + (s.edns ? (s.do ? '\x02' : '\x01') : '\x00');
    const gen = this.lookup.generation();
    const e = this.cache.get(key);
    if (e !== undefined && e.gen === gen && (e.validUntil === Infinity || e.validUntil > Date.now())) {
      this.counters.cacheHits++;
      return this.serve(e, msg[0]!, msg[1]!, s.flags, s.edns ? s.udpSize : MIN_UDP_SIZE, tcp);
    }
    this.counters.cacheMisses++;
    return this.miss(msg, key, gen, tcp);
  }

  private countType(t: number): void {
    if (t < 256) this.typeCounts[t]!++;
    else this.otherTypes.set(t, (this.otherTypes.get(t) ?? 0) + 1);
  }

  /** A copy of an entry for one client: its ID, RD and CD, the size it advertised, truncated if its UDP limit asks. */
  private serve(e: Entry, id0: number, id1: number, flags: number, udpSize: number, tcp: boolean): Buffer {
    let src = e.full;
    if (!tcp && src.length > udpSize) {
      src = e.trunc ??= truncateResponse(e.full, e.qEnd, e.hasOpt);
      this.counters.truncated++;
    }
    const out = Buffer.allocUnsafe(src.length);
    src.copy(out);
    out[0] = id0;
    out[1] = id1;
    out[2] = out[2]! | ((flags & RD) >> 8);
    out[3] = out[3]! | (flags & CD);
    if (e.hasOpt) out.writeUInt16BE(Math.min(OUR_UDP_SIZE, udpSize), out.length - 8);
    this.rcodes[e.rcode]!++;
    return out;
  }

  /** A response made here, not cached: REFUSED, SERVFAIL, FORMERR, NOTIMP, BADVERS. */
  private reply(msg: Buffer, rcode: number): Buffer {
    const s = this.scan;
    this.rcodes[rcode < RCODE_SLOTS ? rcode : Rcode.SERVFAIL]!++;
    if (s.qEnd === 0 || rcode === Rcode.FORMERR) return headerOnly(s.id, s.flags, rcode);
    const edns = s.edns ? { udpSize: Math.min(OUR_UDP_SIZE, s.udpSize), do: s.do, extRcode: rcode >> 4 } : undefined;
    const flags = (s.flags & (0x7800 | RD | CD)) | RA | (rcode & 0xf);
    return encodeResponse({ id: s.id, flags, question: msg.subarray(HEADER_LEN, s.qEnd), edns }, s.edns ? s.udpSize : MIN_UDP_SIZE).buf;
  }

  private failed(c: Ctx, rcode: number): Buffer {
    this.rcodes[rcode]!++;
    const flags = (c.flags & (RD | CD)) | RA | rcode;
    return encodeResponse({ id: c.id, flags, question: c.question, edns: c.edns }, c.tcp ? MAX_MESSAGE : c.udpSize).buf;
  }

  private miss(msg: Buffer, key: string, gen: number, tcp: boolean): Reply {
    const s = this.scan;
    const c: Ctx = {
      id: s.id,
      flags: s.flags,
      question: Buffer.from(msg.subarray(HEADER_LEN, s.qEnd)),
      name: readPlainName(msg, HEADER_LEN),
      edns: s.edns ? { udpSize: Math.min(OUR_UDP_SIZE, s.udpSize), do: s.do } : undefined,
      udpSize: s.edns ? s.udpSize : MIN_UDP_SIZE,
      tcp,
      key,
      gen,
    };
    // Only class IN is served or forwarded (CoreDNS core/dnsserver: other classes are REFUSED).
    if (s.qclass !== 1) return this.failed(c, Rcode.REFUSED);
    let ans: Answer | undefined;
    try {
      ans = this.lookup.resolve({ name: c.name, type: s.qtype, class: s.qclass });
    } catch (e) {
      this.logError(`dns: lookup failed: ${(e as Error).message}`);
      return this.failed(c, Rcode.SERVFAIL);
    }
    if (ans === undefined) return this.forward(c);
    if (ans.chase) return this.chase(c, ans).catch((e: unknown) => {
      this.logError(`dns: chasing ${ans.chase?.name}: ${(e as Error).message}`);
      return this.failed(c, Rcode.SERVFAIL);
    });
    return this.answer(c, ans.rcode, ans.authoritative, ans.answer, ans.authority, ans.additional, Infinity);
  }

  /** Encodes (once, into the cache when it may be reused) and serves. */
  private answer(c: Ctx, rcode: number, aa: boolean, an: readonly WireRR[], ns: readonly WireRR[], ar: readonly WireRR[], validUntil: number): Buffer {
    let full: Buffer;
    try {
      full = encodeResponse({ id: 0, flags: RA | (aa ? AA : 0) | (rcode & 0xf), question: c.question, questionName: c.name, answer: an, authority: ns, additional: ar, edns: c.edns }).buf;
    } catch (e) {
      this.logError(`dns: cannot encode the answer: ${(e as Error).message}`);
      return this.failed(c, Rcode.SERVFAIL);
    }
    return this.store(c, full, rcode & 0xf, validUntil);
  }

  private store(c: Ctx, full: Buffer, rcode: number, validUntil: number): Buffer {
    const e: Entry = { full, trunc: undefined, qEnd: HEADER_LEN + c.question.length, hasOpt: c.edns !== undefined, rcode, gen: c.gen, validUntil };
    if (this.cacheSize > 0 && validUntil > Date.now() && !this.closed) {
      if (this.cache.size >= this.cacheSize && !this.cache.has(c.key)) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(c.key, e);
      // The zone's answers (valid until the generation moves) are answered natively from now on.
      if (this.native && validUntil === Infinity) {
        this.native.put(c.gen, Buffer.from(c.key, 'latin1'), full, rcode, c.question.readUInt16BE(c.question.length - 4), e.hasOpt);
      }
    }
    return this.serve(e, c.id >> 8, c.id & 0xff, c.flags, c.udpSize, c.tcp);
  }

  private forward(c: Ctx): Reply {
    if (!this.forwarder.configured) return this.failed(c, Rcode.REFUSED);
    if (this.forwarder.isLoop(c.question, c.id)) return this.failed(c, Rcode.SERVFAIL);
    this.counters.forwarded++;
    const r = this.forwarder.resolve(c.question, c.edns?.do ?? false);
    if (r instanceof Promise) return r.then((res) => this.relayed(c, res));
    return this.relayed(c, r);
  }

  private relayed(c: Ctx, r: Resolution): Buffer {
    if (!r.msg || !r.walked) return this.failed(c, Rcode.SERVFAIL);
    const full = relayResponse(r.msg, r.walked, r.age, 0, 0, c.question, c.edns);
    if (!full) return this.failed(c, Rcode.SERVFAIL);
    return this.store(c, full, r.rcode, r.validUntil);
  }

  /**
   * An ExternalName: the Lookup's records (a CNAME) and then the target's, from the Lookup if the
   * target is in its zones, else from upstream; the target's rcode when it fails (as CoreDNS).
   */
  private async chase(c: Ctx, first: Answer): Promise<Buffer> {
    const an: WireRR[] = [...first.answer];
    let rcode = first.rcode;
    let validUntil = Infinity;
    let chase = first.chase;
    for (let depth = 0; chase && depth < 8; depth++) {
      const local = this.lookup.resolve({ name: chase.name, type: chase.type, class: 1 });
      if (local) {
        an.push(...local.answer);
        rcode = local.rcode;
        chase = local.chase;
        continue;
      }
      if (!this.forwarder.configured) break;
      const question = Buffer.concat([encodeName(chase.name), Buffer.from([chase.type >> 8, chase.type & 0xff, 0, 1])]);
      this.counters.forwarded++;
      // CoreDNS (backend_lookup.go) keeps the CNAME whatever the upstream says: its records when
      // it has some, else the CNAME alone, NOERROR.
      const r = await this.forwarder.resolve(question, c.edns?.do ?? false);
      if (r.msg && r.walked && r.rcode === Rcode.NOERROR) {
        an.push(...sectionRecords(r.msg, r.walked, 1, r.age));
        validUntil = r.validUntil;
      }
      break;
    }
    return this.answer(c, rcode, first.authoritative, an, first.authority, first.additional, validUntil);
  }

  private allowed(address: string): boolean {
    let ok = this.allowMemo.get(address);
    if (ok === undefined) {
      ok = this.acl.allows(address);
      if (this.allowMemo.size >= 4096) this.allowMemo.clear();
      this.allowMemo.set(address, ok);
    }
    return ok;
  }
}

/** An allow-list of CIDRs, IPv4 and IPv6 (an IPv4-mapped IPv6 client counts as IPv4). */
export class Acl {
  private readonly v4: { network: number; size: number }[] = [];
  private readonly v6: { bytes: Buffer; prefix: number }[] = [];

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const v4 = parseIpv4Cidr(c.includes('/') ? c : `${c}/32`);
      if (v4) {
        this.v4.push(v4);
        continue;
      }
      const [addr, len] = c.split('/');
      const bytes = parseIPv6(addr ?? '');
      const prefix = len === undefined ? 128 : Number(len);
      if (!bytes || !(Number.isInteger(prefix) && prefix >= 0 && prefix <= 128)) throw new Error(`allow-list entry ${JSON.stringify(c)} is not a CIDR`);
      this.v6.push({ bytes, prefix });
    }
  }

  /** The IPv4 ranges, for the native UDP path (which answers IPv4 clients only). */
  ipv4Ranges(): { network: number; size: number }[] {
    return this.v4.map(({ network, size }) => ({ network, size }));
  }

  allows(address: string): boolean {
    const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
    const n = ipv4ToNumber(plain);
    if (n !== undefined) return this.v4.some((c) => n >= c.network && n < c.network + c.size);
    const b = parseIPv6(plain);
    if (!b) return false;
    return this.v6.some(({ bytes, prefix }) => {
      for (let bit = 0; bit < prefix; bit += 8) {
        const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
        if ((b[bit >> 3]! & mask) !== (bytes[bit >> 3]! & mask)) return false;
      }
      return true;
    });
  }
}

/** UDP on a Node dgram socket. */
class JsUdpSide implements UdpSide {
  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  static async open(host: string, port: number, family: 4 | 6): Promise<JsUdpSide> {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup(family) });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      throw e;
    }
    for (const set of [() => socket.setRecvBufferSize(4 << 20), () => socket.setSendBufferSize(4 << 20)]) {
      try {
        set();
      } catch {
        // the kernel's limit (net.core.rmem_max) applies; the default still works
      }
    }
    return new JsUdpSide(socket, socket.address().port);
  }

  send(b: Buffer, port: number, address: string): void {
    this.socket.send(b, port, address);
  }

  close(): Promise<void> {
    return new Promise<void>((r) => this.socket.close(() => r()));
  }
}

/** UDP on native/dns.c's socket and thread; queries it does not answer itself come to onQuery. */
class NativeUdpSide implements UdpSide {
  onQuery: (msg: Buffer, address: string, port: number) => void = () => {};
  private constructor(readonly native: NativeUdp) {}

  get port(): number {
    return this.native.port;
  }

  static open(addon: unknown, host: string, port: number, allow: { network: number; size: number }[]): NativeUdpSide {
    let side: NativeUdpSide | undefined;
    const native = NativeUdp.open(addon, host, port, allow, (msg, ip, p) => side?.onQuery(msg, ip, p));
    side = new NativeUdpSide(native);
    return side;
  }

  send(b: Buffer, port: number, address: string): void {
    this.native.send(b, address, port);
  }

  async close(): Promise<void> {
    this.native.close();
  }
}
