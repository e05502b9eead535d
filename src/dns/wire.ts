// The DNS wire format (RFC 1035, 3596, 2782, 6891): a hand-written scan of a query's header and
// question (the server's hot path reads no more than that), an encoder with name compression for
// answers, a walker over the records of an upstream response (to relay it with its TTLs aged and
// its OPT replaced), and a full decoder (for decompressing chased records, and for tests).
// Names are strings without the trailing dot; a label byte that is '.', '\' or not printable
// ASCII is written as dig does ("\." "\\" "\DDD").
import net from 'node:net';
import { RRType, Rcode, type RR, type SOAData, type SRVData } from './types.js';

export const HEADER_LEN = 12;
/** Largest DNS message (TCP length prefix). */
export const MAX_MESSAGE = 65535;
/** RFC 1035's UDP limit, for clients without EDNS. */
export const MIN_UDP_SIZE = 512;
/** The UDP payload size we advertise (DNS flag day 2020). */
export const OUR_UDP_SIZE = 1232;
/** Extended rcode (RFC 6891): an EDNS version we do not implement. */
export const BADVERS = 16;
/** Size of our OPT record without options: root name, type, class, TTL, rdlength. */
export const OPT_LEN = 11;

// Header flag bits (the 16-bit word at offset 2).
export const QR = 0x8000;
export const AA = 0x0400;
export const TC = 0x0200;
export const RD = 0x0100;
export const RA = 0x0080;
export const AD = 0x0020;
export const CD = 0x0010;

/** A record whose rdata is already wire bytes (names inside uncompressed): relayed upstream records. */
export interface RawRR {
  name: string;
  type: number;
  class?: number;
  ttl: number;
  raw: Buffer;
}
export type WireRR = RR | RawRR;

export interface Edns {
  /** The UDP payload size to put in our OPT. */
  udpSize: number;
  do: boolean;
  /** Extended rcode bits (rcode >> 4) and version: only BADVERS uses them. */
  extRcode?: number;
}

// ---------------------------------------------------------------------------------------------
// Query scan (hot path)

/** What scanQuery found; one instance is reused, so copy what must outlive the call. */
export class QueryScan {
  id = 0;
  /** The header's flags word. */
  flags = 0;
  opcode = 0;
  /** Offset just past the question (name, type, class). */
  qEnd = 0;
  qtype = 0;
  qclass = 0;
  /** An OPT record was present (the fields below are valid). */
  edns = false;
  udpSize = 0;
  ednsVersion = 0;
  do = false;
}

export const SCAN_OK = 0;
/** Silence: no header to answer, or a response. */
export const SCAN_DROP = -1;

/**
 * Reads a query's header, question and OPT, validating what it reads. Returns SCAN_OK, SCAN_DROP,
 * or the rcode to answer with (FORMERR, NOTIMP, BADVERS); `s.id`/`s.flags` are set whenever a
 * header could be read, `s.qEnd` is > 0 only when the question parsed.
 * Like miekg/dns (CoreDNS): QDCOUNT must be 1, at most 1 answer (NOTIFY), 1 authority (IXFR) and
 * 2 additional records, at most one OPT and with the root as its name.
 */
export function scanQuery(msg: Buffer, s: QueryScan): number {
  const len = msg.length;
  s.qEnd = 0;
  s.edns = false;
  if (len < HEADER_LEN) return SCAN_DROP;
  s.id = (msg[0]! << 8) | msg[1]!;
  const flags = (msg[2]! << 8) | msg[3]!;
  s.flags = flags;
  if (flags & QR) return SCAN_DROP;
  s.opcode = (flags >> 11) & 0xf;
  const qd = (msg[4]! << 8) | msg[5]!;
  const an = (msg[6]! << 8) | msg[7]!;
  const ns = (msg[8]! << 8) | msg[9]!;
  const ar = (msg[10]! << 8) | msg[11]!;
  if (qd !== 1) return s.opcode !== 0 ? Rcode.NOTIMP : Rcode.FORMERR;
  // The question's name: plain labels only (a pointer in the first name can only loop or point
  // into the header).
  let off = HEADER_LEN;
  let total = 1;
  for (;;) {
    if (off >= len) return Rcode.FORMERR;
    const l = msg[off]!;
    if (l === 0) {
      off++;
      break;
    }
    if (l > 63) return Rcode.FORMERR;
    total += l + 1;
    if (total > 255) return Rcode.FORMERR;
    off += l + 1;
  }
  if (off + 4 > len) return Rcode.FORMERR;
  s.qtype = (msg[off]! << 8) | msg[off + 1]!;
  s.qclass = (msg[off + 2]! << 8) | msg[off + 3]!;
  off += 4;
  s.qEnd = off;
  if (s.opcode !== 0) return Rcode.NOTIMP;
  if (an > 1 || ns > 1 || ar > 2 || s.qtype === RRType.OPT) return Rcode.FORMERR;
  if (an + ns + ar === 0) return SCAN_OK;
  for (let i = 0; i < an + ns + ar; i++) {
    const nameStart = off;
    off = skipName(msg, off);
    if (off < 0 || off + 10 > len) return Rcode.FORMERR;
    const type = (msg[off]! << 8) | msg[off + 1]!;
    const rdlen = (msg[off + 8]! << 8) | msg[off + 9]!;
    const rdata = off + 10;
    if (rdata + rdlen > len) return Rcode.FORMERR;
    if (type === RRType.OPT) {
      if (i < an + ns || s.edns || off !== nameStart + 1) return Rcode.FORMERR;
      // Options: code, length, data; they must tile the rdata exactly.
      let o = rdata;
      while (o < rdata + rdlen) {
        if (o + 4 > rdata + rdlen) return Rcode.FORMERR;
        o += 4 + ((msg[o + 2]! << 8) | msg[o + 3]!);
      }
      if (o !== rdata + rdlen) return Rcode.FORMERR;
      s.edns = true;
      s.udpSize = Math.max(MIN_UDP_SIZE, (msg[off + 2]! << 8) | msg[off + 3]!);
      s.ednsVersion = msg[off + 5]!;
      s.do = (msg[off + 6]! & 0x80) !== 0;
    }
    off = rdata + rdlen;
  }
  if (s.edns && s.ednsVersion !== 0) return BADVERS;
  return SCAN_OK;
}

/**
 * Offset past the name at `off` (a pointer ends it), or -1 when it runs out of the message, has a
 * label over 63 bytes or a forward pointer, or is longer than 255 bytes.
 */
export function skipName(msg: Buffer, off: number): number {
  const len = msg.length;
  let total = 1;
  for (;;) {
    if (off >= len) return -1;
    const l = msg[off]!;
    if (l === 0) return off + 1;
    if ((l & 0xc0) === 0xc0) {
      if (off + 2 > len) return -1;
      const target = ((l & 0x3f) << 8) | msg[off + 1]!;
      return target < off ? off + 2 : -1;
    }
    if (l > 63) return -1;
    total += l + 1;
    if (total > 255) return -1;
    off += l + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Names

const NEEDS_ESCAPE = /[^\x21-\x7e]|[.\\]/;

function escapeLabel(label: string): string {
  if (!NEEDS_ESCAPE.test(label)) return label;
  let out = '';
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2e || c === 0x5c) out += '\\' + label[i];
    else if (c < 0x21 || c > 0x7e) out += '\\' + String(c).padStart(3, '0');
    else out += label[i];
  }
  return out;
}

/** The name of the uncompressed labels at `off` (the question's), case preserved. */
export function readPlainName(msg: Buffer, off: number): string {
  let name = '';
  for (;;) {
    const l = msg[off]!;
    if (l === 0) return name;
    const label = escapeLabel(msg.toString('latin1', off + 1, off + 1 + l));
    name = name === '' ? label : name + '.' + label;
    off += l + 1;
  }
}

/** Reads a possibly compressed name; [name, offset past it]; throws on a malformed one. */
export function readName(msg: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  let end = -1;
  let total = 1;
  let pos = off;
  for (;;) {
    if (pos >= msg.length) throw new WireError('name runs past the message');
    const l = msg[pos]!;
    if (l === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (pos + 2 > msg.length) throw new WireError('name runs past the message');
      const target = ((l & 0x3f) << 8) | msg[pos + 1]!;
      // Only backwards: this also rules out loops.
      if (target >= pos) throw new WireError('compression pointer does not point backwards');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (l > 63) throw new WireError('label longer than 63 bytes');
    total += l + 1;
    if (total > 255) throw new WireError('name longer than 255 bytes');
    if (pos + 1 + l > msg.length) throw new WireError('name runs past the message');
    labels.push(escapeLabel(msg.toString('latin1', pos + 1, pos + 1 + l)));
    pos += l + 1;
  }
  return [labels.join('.'), end];
}

/** The wire labels (latin1 strings) of a name; throws if it is not a valid one. */
export function nameLabels(name: string): string[] {
  if (name === '' || name === '.') return [];
  if (name.endsWith('.') && !name.endsWith('\\.')) name = name.slice(0, -1);
  let labels: string[];
  if (!name.includes('\\')) {
    labels = name.split('.');
  } else {
    labels = [];
    let cur = '';
    for (let i = 0; i < name.length; i++) {
      const c = name[i]!;
      if (c === '.') {
        labels.push(cur);
        cur = '';
      } else if (c === '\\') {
        const d = name.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(d) && Number(d) < 256) {
          cur += String.fromCharCode(Number(d));
          i += 3;
        } else if (i + 1 < name.length) {
          cur += name[++i];
        } else throw new WireError(`bad escape in name ${JSON.stringify(name)}`);
      } else cur += c;
    }
    labels.push(cur);
  }
  let total = 1;
  for (const l of labels) {
    if (l.length === 0 || l.length > 63) throw new WireError(`bad label in name ${JSON.stringify(name)}`);
    for (let i = 0; i < l.length; i++) if (l.charCodeAt(i) > 255) throw new WireError(`non-latin1 name ${JSON.stringify(name)}`);
    total += l.length + 1;
  }
  if (total > 255) throw new WireError(`name longer than 255 bytes: ${name.slice(0, 40)}...`);
  return labels;
}

/** DNS compares names ignoring ASCII case only. */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** The wire form of a name (uncompressed). */
export function encodeName(name: string): Buffer {
  const labels = nameLabels(name);
  const out = Buffer.allocUnsafe(labels.reduce((n, l) => n + l.length + 1, 1));
  let off = 0;
  for (const l of labels) {
    out[off++] = l.length;
    off += out.write(l, off, 'latin1');
  }
  out[off] = 0;
  return out;
}

export class WireError extends Error {}

// ---------------------------------------------------------------------------------------------
// Addresses

/** 16 bytes of an IPv6 address, or undefined. */
export function parseIPv6(s: string): Buffer | undefined {
  if (net.isIPv6(s) === false) return undefined;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const groups: number[] = [];
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const p = g.split('.').map(Number);
        out.push((p[0]! << 8) | p[1]!, (p[2]! << 8) | p[3]!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl))!;
    const tail = parseGroups(s.slice(dbl + 2))!;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else groups.push(...parseGroups(s)!);
  if (groups.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** RFC 5952 text of 16 address bytes. */
export function formatIPv6(b: Buffer, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(off + i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

// ---------------------------------------------------------------------------------------------
// Encoder

class Overflow extends Error {}

/** Names already written whole (escape-free ones): their lowercased text and where they start. */
interface Written {
  lower: string;
  at: number;
  /** Labels from string index `end` on were a pointer, not written here. */
  end: number;
}

const MAX_WRITTEN = 64;

/**
 * One message being written: a scratch buffer and the compression table. The table is a short
 * list of the names written (a name's suffix at string index k sits at its offset + k), searched
 * by string comparison: cheaper than hashing every suffix of every name into a Map for the few
 * names a response has.
 */
class Writer {
  off = 0;
  private readonly written: Written[] = [];
  constructor(readonly buf: Buffer) {}

  reset(): void {
    this.off = 0;
    this.written.length = 0;
  }
  room(n: number): void {
    if (this.off + n > this.buf.length) throw new Overflow();
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.off++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.buf[this.off++] = (v >> 8) & 0xff;
    this.buf[this.off++] = v & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.off);
    this.off += 4;
  }
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.off);
    this.off += b.length;
  }

  /** Makes the question's name (plain labels already written at `off`, text `name`) a compression target. */
  registerQuestion(off: number, name: string): void {
    if (name !== '' && !name.includes('\\')) this.written.push({ lower: asciiLower(name), at: off, end: name.length });
  }

  /** Offset of an earlier copy of `suffix` (lowercased, starting at a label), or -1. */
  private find(suffix: string): number {
    const w = this.written;
    for (let i = 0; i < w.length; i++) {
      const e = w[i]!;
      const k = e.lower.length - suffix.length;
      if (k < 0 || k >= e.end || (k > 0 && e.lower.charCodeAt(k - 1) !== 0x2e)) continue;
      if (e.at + k < 0x4000 && e.lower.endsWith(suffix)) return e.at + k;
    }
    return -1;
  }

  /** Writes a name, as a pointer to the longest suffix already written when `compress`. */
  name(name: string, compress: boolean): void {
    let n = name.length;
    if (n > 0 && name.charCodeAt(n - 1) === 0x2e && !name.endsWith('\\.')) name = name.slice(0, --n);
    if (n === 0) return this.u8(0);
    if (name.includes('\\')) return this.plainLabels(nameLabels(name));
    if (n > 253) throw new WireError(`name longer than 255 bytes: ${name.slice(0, 40)}...`);
    const lower = asciiLower(name);
    const at = this.off;
    let start = 0;
    for (;;) {
      if (compress && this.written.length > 0) {
        const ptr = this.find(start === 0 ? lower : lower.slice(start));
        if (ptr >= 0) {
          this.remember(lower, at, start);
          return this.u16(0xc000 | ptr);
        }
      }
      let end = name.indexOf('.', start);
      if (end < 0) end = n;
      const len = end - start;
      if (len === 0 || len > 63) throw new WireError(`bad label in name ${JSON.stringify(name)}`);
      this.room(len + 1);
      const buf = this.buf;
      let o = this.off;
      buf[o++] = len;
      for (let i = start; i < end; i++) {
        const c = name.charCodeAt(i);
        if (c > 255) throw new WireError(`non-latin1 name ${JSON.stringify(name)}`);
        buf[o++] = c;
      }
      this.off = o;
      if (end === n) break;
      start = end + 1;
    }
    this.u8(0);
    this.remember(lower, at, n);
  }

  private remember(lower: string, at: number, end: number): void {
    if (end > 0 && at < 0x4000 && this.written.length < MAX_WRITTEN) this.written.push({ lower, at, end });
  }

  /** Names with escaped bytes: written whole, no compression either way (rare: relayed odd names). */
  private plainLabels(labels: string[]): void {
    for (const l of labels) {
      this.room(l.length + 1);
      this.buf[this.off++] = l.length;
      this.off += this.buf.write(l, this.off, 'latin1');
    }
    this.u8(0);
  }
}

/** A dotted quad into 4 bytes at the writer's offset. */
function writeIPv4(w: Writer, s: string): void {
  w.room(4);
  const buf = w.buf;
  const off = w.off;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || parts === 3) throw new WireError(`bad A data ${s}`);
      buf[off + parts++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + c - 0x30;
      digits++;
      if (part > 255) throw new WireError(`bad A data ${s}`);
    } else throw new WireError(`bad A data ${s}`);
  }
  if (digits === 0 || parts !== 3) throw new WireError(`bad A data ${s}`);
  buf[off + 3] = part;
  w.off = off + 4;
}

const scratch = new Writer(Buffer.allocUnsafe(MAX_MESSAGE));

function writeRR(w: Writer, rr: WireRR): void {
  w.name(rr.name, true);
  w.u16(rr.type);
  w.u16('raw' in rr ? (rr.class ?? 1) : 1);
  w.u32(Math.max(0, Math.min(rr.ttl, 0x7fffffff)));
  const lenAt = w.off;
  w.u16(0);
  const start = w.off;
  if ('raw' in rr) {
    w.bytes(rr.raw);
  } else {
    switch (rr.type) {
      case 1:
        writeIPv4(w, rr.data);
        break;
      case 28: {
        const b = parseIPv6(rr.data);
        if (!b) throw new WireError(`bad AAAA data ${rr.data}`);
        w.bytes(b);
        break;
      }
      case 2:
      case 5:
      case 12:
        w.name(rr.data, true);
        break;
      case 6: {
        const d: SOAData = rr.data;
        w.name(d.mname, true);
        w.name(d.rname, true);
        w.u32(d.serial);
        w.u32(d.refresh);
        w.u32(d.retry);
        w.u32(d.expire);
        w.u32(d.minimum);
        break;
      }
      case 16:
        for (const s of rr.data) {
          const b = Buffer.from(s, 'utf8');
          if (b.length === 0) w.u8(0);
          for (let i = 0; i < b.length; i += 255) {
            const chunk = b.subarray(i, i + 255);
            w.u8(chunk.length);
            w.bytes(chunk);
          }
        }
        if (rr.data.length === 0) w.u8(0);
        break;
      case 33: {
        const d: SRVData = rr.data;
        w.u16(d.priority);
        w.u16(d.weight);
        w.u16(d.port);
        w.name(d.target, false); // RFC 2782: no compression in SRV targets
        break;
      }
    }
  }
  w.buf.writeUInt16BE(w.off - start, lenAt);
}

function writeOpt(w: Writer, edns: Edns): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(edns.udpSize);
  w.u8(edns.extRcode ?? 0);
  w.u8(0); // version
  w.u16(edns.do ? 0x8000 : 0);
  w.u16(0);
}

export interface ResponseParts {
  id: number;
  /** Header flags (QR is added); the low 4 bits of the rcode go here too. */
  flags: number;
  /** The question as the query had it (name, type, class), echoed byte for byte; none if absent. */
  question?: Buffer | undefined;
  /** The question's name as text (readPlainName of it), if the caller has it already. */
  questionName?: string;
  answer?: readonly WireRR[];
  authority?: readonly WireRR[];
  additional?: readonly WireRR[];
  /** Adds our OPT as the last record. */
  edns?: Edns | undefined;
}

export interface Encoded {
  buf: Buffer;
  /** It did not fit in `maxSize`: header, question and OPT only, TC set. */
  truncated: boolean;
}

/**
 * Encodes a response, compressing names (the question's labels included). If it does not fit in
 * `maxSize`, the result is header + question (+ OPT) with TC set, empty sections, as CoreDNS does.
 */
export function encodeResponse(p: ResponseParts, maxSize = MAX_MESSAGE): Encoded {
  const w = scratch;
  w.reset();
  const an = p.answer ?? [];
  const ns = p.authority ?? [];
  const ar = p.additional ?? [];
  header(w, p.id, p.flags, p.question ? 1 : 0, an.length, ns.length, ar.length + (p.edns ? 1 : 0));
  if (p.question) {
    w.bytes(p.question);
    w.registerQuestion(HEADER_LEN, p.questionName ?? readPlainName(p.question, 0));
  }
  const qEnd = w.off;
  let fits = true;
  try {
    for (const rr of an) writeRR(w, rr);
    for (const rr of ns) writeRR(w, rr);
    for (const rr of ar) writeRR(w, rr);
    if (p.edns) writeOpt(w, p.edns);
  } catch (e) {
    if (!(e instanceof Overflow)) throw e;
    fits = false;
  }
  if (fits && w.off <= maxSize) return { buf: copyOut(w), truncated: false };
  w.off = qEnd;
  w.buf.writeUInt16BE(p.flags | QR | TC, 2);
  w.buf.writeUInt32BE(0, 6);
  w.buf.writeUInt16BE(p.edns ? 1 : 0, 10);
  if (p.edns) writeOpt(w, p.edns);
  return { buf: copyOut(w), truncated: true };
}

function copyOut(w: Writer): Buffer {
  const out = Buffer.allocUnsafe(w.off);
  w.buf.copy(out, 0, 0, w.off);
  return out;
}

function header(w: Writer, id: number, flags: number, qd: number, an: number, ns: number, ar: number): void {
  w.u16(id);
  w.u16(flags | QR);
  w.u16(qd);
  w.u16(an);
  w.u16(ns);
  w.u16(ar);
}

/** A query (tests, the forwarder). */
export function encodeQuery(
  name: string,
  type: number,
  opts: { id?: number; class?: number; rd?: boolean; opcode?: number; edns?: { udpSize?: number; do?: boolean; version?: number } } = {},
): Buffer {
  const qname = encodeName(name);
  const optLen = opts.edns ? OPT_LEN : 0;
  const b = Buffer.alloc(HEADER_LEN + qname.length + 4 + optLen);
  b.writeUInt16BE(opts.id ?? 0, 0);
  b.writeUInt16BE(((opts.opcode ?? 0) << 11) | (opts.rd === false ? 0 : RD), 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(opts.edns ? 1 : 0, 10);
  qname.copy(b, HEADER_LEN);
  let off = HEADER_LEN + qname.length;
  b.writeUInt16BE(type, off);
  b.writeUInt16BE(opts.class ?? 1, off + 2);
  off += 4;
  if (opts.edns) {
    b[off] = 0;
    b.writeUInt16BE(RRType.OPT, off + 1);
    b.writeUInt16BE(opts.edns.udpSize ?? OUR_UDP_SIZE, off + 3);
    b[off + 6] = opts.edns.version ?? 0;
    b.writeUInt16BE(opts.edns.do ? 0x8000 : 0, off + 7);
  }
  return b;
}

/** Header-only response (FORMERR for a query whose question did not parse). */
export function headerOnly(id: number, queryFlags: number, rcode: number): Buffer {
  const b = Buffer.alloc(HEADER_LEN);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(QR | RA | (queryFlags & (0x7800 | RD | CD)) | (rcode & 0xf), 2);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Walking a message's records (relaying upstream responses)

export interface RecordPos {
  /** Section: 1 answer, 2 authority, 3 additional. */
  section: number;
  start: number;
  type: number;
  /** Offset of the TTL. */
  ttlAt: number;
  rdata: number;
  end: number;
}

export interface Walked {
  /** Offset past the question section. */
  qEnd: number;
  records: RecordPos[];
}

/** Positions of every record, validating names and bounds (pointers only backwards); throws on a malformed message. */
export function walkMessage(msg: Buffer): Walked {
  if (msg.length < HEADER_LEN) throw new WireError('short message');
  const qd = msg.readUInt16BE(4);
  const counts = [msg.readUInt16BE(6), msg.readUInt16BE(8), msg.readUInt16BE(10)];
  let off = HEADER_LEN;
  for (let i = 0; i < qd; i++) {
    off = checkedName(msg, off);
    if (off + 4 > msg.length) throw new WireError('question runs past the message');
    off += 4;
  }
  const qEnd = off;
  const records: RecordPos[] = [];
  for (let section = 1; section <= 3; section++) {
    for (let i = 0; i < counts[section - 1]!; i++) {
      const start = off;
      off = checkedName(msg, off);
      if (off + 10 > msg.length) throw new WireError('record runs past the message');
      const type = msg.readUInt16BE(off);
      const rdlen = msg.readUInt16BE(off + 8);
      const rdata = off + 10;
      if (rdata + rdlen > msg.length) throw new WireError('rdata runs past the message');
      records.push({ section, start, type, ttlAt: off + 4, rdata, end: rdata + rdlen });
      off = rdata + rdlen;
    }
  }
  return { qEnd, records };
}

function checkedName(msg: Buffer, off: number): number {
  readName(msg, off); // full validation, pointers included
  const end = skipName(msg, off);
  if (end < 0) throw new WireError('bad name');
  return end;
}

/** Names inside the rdata of these types may be compressed (RFC 3597 section 4, plus SRV as servers send it). */
function rdataNames(type: number): ((msg: Buffer, rdata: number, end: number) => Buffer) | undefined {
  const names = (prefix: number, count: number) => (msg: Buffer, rdata: number, end: number) => {
    const parts: Buffer[] = [msg.subarray(rdata, rdata + prefix)];
    let off = rdata + prefix;
    for (let i = 0; i < count; i++) {
      const [name, next] = readName(msg, off);
      parts.push(encodeName(name));
      off = next;
    }
    if (off > end) throw new WireError('rdata names run past the rdata');
    parts.push(msg.subarray(off, end));
    return Buffer.concat(parts);
  };
  switch (type) {
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
    case 39: // DNAME
      return names(0, 1);
    case 15: // MX
      return names(2, 1);
    case 6: // SOA
      return names(0, 2);
    case 33: // SRV
      return names(6, 1);
    default:
      return undefined;
  }
}

/** The records of one section as RawRRs with every name decompressed, TTLs less `age`. */
export function sectionRecords(msg: Buffer, walked: Walked, section: number, age = 0): RawRR[] {
  const out: RawRR[] = [];
  for (const r of walked.records) {
    if (r.section !== section || r.type === RRType.OPT) continue;
    const [name] = readName(msg, r.start);
    const expand = rdataNames(r.type);
    out.push({
      name,
      type: r.type,
      class: msg.readUInt16BE(r.ttlAt - 2),
      ttl: Math.max(0, msg.readUInt32BE(r.ttlAt) - age),
      raw: expand ? expand(msg, r.rdata, r.end) : Buffer.from(msg.subarray(r.rdata, r.end)),
    });
  }
  return out;
}

/**
 * A client's response from an upstream's: the client's ID and question bytes (the same name, maybe
 * another case: same length), TTLs less `age`, upstream's OPT (and anything after it) dropped and
 * ours added for an EDNS client, AA cleared, RA set. Records are copied as they are: their
 * compression pointers stay valid because everything before them keeps its offsets.
 * Undefined if the upstream's question is not the client's.
 */
export function relayResponse(up: Buffer, walked: Walked, age: number, id: number, queryFlags: number, question: Buffer, edns: Edns | undefined): Buffer | undefined {
  if (walked.qEnd - HEADER_LEN !== question.length) return undefined;
  let keepEnd = walked.qEnd;
  const counts = [0, 0, 0];
  for (const r of walked.records) {
    if (r.type === RRType.OPT) break;
    counts[r.section - 1]!++;
    keepEnd = r.end;
  }
  const out = Buffer.allocUnsafe(keepEnd + (edns ? OPT_LEN : 0));
  up.copy(out, 0, 0, keepEnd);
  question.copy(out, HEADER_LEN);
  const upFlags = up.readUInt16BE(2);
  const ad = (queryFlags & AD) !== 0 || edns?.do ? upFlags & AD : 0;
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(QR | RA | (queryFlags & (RD | CD)) | ad | (upFlags & 0xf), 2);
  out.writeUInt16BE(counts[0]!, 6);
  out.writeUInt16BE(counts[1]!, 8);
  out.writeUInt16BE(counts[2]! + (edns ? 1 : 0), 10);
  if (age > 0) {
    for (const r of walked.records) {
      if (r.end > keepEnd) break;
      out.writeUInt32BE(Math.max(0, up.readUInt32BE(r.ttlAt) - age), r.ttlAt);
    }
  }
  if (edns) {
    const o = keepEnd;
    out[o] = 0;
    out.writeUInt16BE(RRType.OPT, o + 1);
    out.writeUInt16BE(edns.udpSize, o + 3);
    out.writeUInt32BE(edns.do ? 0x8000 : 0, o + 5);
    out.writeUInt16BE(0, o + 9);
  }
  return out;
}

/** Header + question (+ our OPT, the last OPT_LEN bytes of `full` when `hasOpt`) with TC set, from a full response. */
export function truncateResponse(full: Buffer, qEnd: number, hasOpt: boolean): Buffer {
  const out = Buffer.allocUnsafe(qEnd + (hasOpt ? OPT_LEN : 0));
  full.copy(out, 0, 0, qEnd);
  out[2] = out[2]! | TC >> 8;
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(hasOpt ? 1 : 0, 10);
  if (hasOpt) full.copy(out, qEnd, full.length - OPT_LEN);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Full decoder

export interface DecodedRR {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** A/AAAA: address text; NS/CNAME/PTR/DNAME: name; SOA, SRV, MX, TXT: structured; other types: the bytes. */
  data: string | string[] | SOAData | SRVData | { preference: number; exchange: string } | Buffer;
}

export interface DecodedMessage {
  id: number;
  flags: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** Full rcode (extended bits from the OPT included). */
  rcode: number;
  questions: { name: string; type: number; class: number }[];
  answer: DecodedRR[];
  authority: DecodedRR[];
  /** Without the OPT. */
  additional: DecodedRR[];
  edns?: { udpSize: number; version: number; do: boolean; extRcode: number; options: { code: number; data: Buffer }[] };
}

/** Decodes a whole message; throws WireError on anything malformed. */
export function decodeMessage(msg: Buffer): DecodedMessage {
  const walked = walkMessage(msg);
  const flags = msg.readUInt16BE(2);
  const questions: DecodedMessage['questions'] = [];
  let off = HEADER_LEN;
  for (let i = 0; i < msg.readUInt16BE(4); i++) {
    const [name, next] = readName(msg, off);
    questions.push({ name, type: msg.readUInt16BE(next), class: msg.readUInt16BE(next + 2) });
    off = next + 4;
  }
  const out: DecodedMessage = {
    id: msg.readUInt16BE(0),
    flags,
    qr: (flags & QR) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & AA) !== 0,
    tc: (flags & TC) !== 0,
    rd: (flags & RD) !== 0,
    ra: (flags & RA) !== 0,
    rcode: flags & 0xf,
    questions,
    answer: [],
    authority: [],
    additional: [],
  };
  for (const r of walked.records) {
    const [name] = readName(msg, r.start);
    const cls = msg.readUInt16BE(r.ttlAt - 2);
    const ttl = msg.readUInt32BE(r.ttlAt);
    if (r.type === RRType.OPT) {
      if (r.section !== 3 || out.edns) throw new WireError('misplaced or repeated OPT');
      const options: { code: number; data: Buffer }[] = [];
      for (let o = r.rdata; o < r.end; ) {
        if (o + 4 > r.end) throw new WireError('bad EDNS option');
        const len = msg.readUInt16BE(o + 2);
        if (o + 4 + len > r.end) throw new WireError('bad EDNS option');
        options.push({ code: msg.readUInt16BE(o), data: Buffer.from(msg.subarray(o + 4, o + 4 + len)) });
        o += 4 + len;
      }
      out.edns = { udpSize: cls, extRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff, do: (ttl & 0x8000) !== 0, options };
      out.rcode |= (ttl >>> 24) << 4;
      continue;
    }
    const rr: DecodedRR = { name, type: r.type, class: cls, ttl, data: decodeRdata(msg, r.type, r.rdata, r.end) };
    (r.section === 1 ? out.answer : r.section === 2 ? out.authority : out.additional).push(rr);
  }
  return out;
}

function decodeRdata(msg: Buffer, type: number, start: number, end: number): DecodedRR['data'] {
  const len = end - start;
  const need = (n: number) => {
    if (len < n) throw new WireError(`short rdata for type ${type}`);
  };
  const nameIn = (off: number): [string, number] => {
    const [n, next] = readName(msg, off);
    if (next > end) throw new WireError('name runs past the rdata');
    return [n, next];
  };
  switch (type) {
    case 1:
      if (len !== 4) throw new WireError('A rdata is not 4 bytes');
      return `${msg[start]}.${msg[start + 1]}.${msg[start + 2]}.${msg[start + 3]}`;
    case 28:
      if (len !== 16) throw new WireError('AAAA rdata is not 16 bytes');
      return formatIPv6(msg, start);
    case 2:
    case 5:
    case 12:
    case 39:
      return nameIn(start)[0];
    case 15: {
      need(3);
      return { preference: msg.readUInt16BE(start), exchange: nameIn(start + 2)[0] };
    }
    case 6: {
      const [mname, a] = nameIn(start);
      const [rname, b] = nameIn(a);
      if (b + 20 > end) throw new WireError('short SOA');
      return { mname, rname, serial: msg.readUInt32BE(b), refresh: msg.readUInt32BE(b + 4), retry: msg.readUInt32BE(b + 8), expire: msg.readUInt32BE(b + 12), minimum: msg.readUInt32BE(b + 16) };
    }
    case 16: {
      const strings: string[] = [];
      for (let o = start; o < end; ) {
        const l = msg[o]!;
        if (o + 1 + l > end) throw new WireError('TXT string runs past the rdata');
        strings.push(msg.toString('utf8', o + 1, o + 1 + l));
        o += 1 + l;
      }
      return strings;
    }
    case 33: {
      need(7);
      return { priority: msg.readUInt16BE(start), weight: msg.readUInt16BE(start + 2), port: msg.readUInt16BE(start + 4), target: nameIn(start + 6)[0] };
    }
    default:
      return Buffer.from(msg.subarray(start, end));
  }
}

/** "A", "AAAA", ... or "TYPE65" (metrics labels). */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}
const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 39: 'DNAME',
  41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}
const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
