// Malformed and random input, deterministic (seeded): the codec never throws anything but
// WireError, and the server answers every packet with a well-formed response or with silence,
// and still answers correctly right after.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from './server.js';
import { fakeUpstream, frame, TableLookup, TcpClient, udpQuery, type FakeUpstream } from './testing/server-helpers.js';
import { decodeMessage, encodeQuery, encodeResponse, HEADER_LEN, QueryScan, relayResponse, scanQuery, sectionRecords, walkMessage, WireError } from './wire.js';

const HOST = '127.53.3.1';
const SEED = 0x5eed;

function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['svc-1.default.svc.cluster.local', 'nope.default.svc.cluster.local', 'example.org', 'a.b.c.d.e.f.g', ''];

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(flags, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return b;
}
const label = (n: number, c = 0x61) => Buffer.concat([Buffer.from([n]), Buffer.alloc(n, c)]);

/** Hand-made nasties. */
function crafted(id: number): Buffer[] {
  const q = encodeQuery('svc-1.default.svc.cluster.local', 1, { id });
  const withOpt = encodeQuery('svc-1.default.svc.cluster.local', 1, { id, edns: {} });
  const tail = Buffer.from([0, 0, 1, 0, 1]);
  const out = [
    Buffer.alloc(0),
    Buffer.alloc(1),
    q.subarray(0, 11),
    header(id, 0, 0),
    header(id, 0, 1),
    header(id, 0, 65535, 65535, 65535, 65535),
    Buffer.concat([header(id, 0, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), // pointer loop
    Buffer.concat([header(id, 0, 1), Buffer.from([1, 0x61, 0xc0, 12, 0, 1, 0, 1])]), // pointer back into the name
    Buffer.concat([header(id, 0, 1), Buffer.from([0xc0, 0xff, 0, 1, 0, 1])]), // forward pointer
    Buffer.concat([header(id, 0, 1), Buffer.from([0x40, 0x61]), tail]), // extended label type
    Buffer.concat([header(id, 0, 1), label(64), tail]),
    Buffer.concat([header(id, 0, 1), label(63), label(63), label(63), label(63), tail]), // 257 bytes
    Buffer.concat([header(id, 0, 1), label(63)]), // name runs off the end
    Buffer.concat([header(id, 0, 1), label(3), Buffer.from([0, 0, 1])]), // no class
    Buffer.concat([q, Buffer.alloc(600)]), // > 512 bytes without EDNS
    Buffer.concat([withOpt, withOpt.subarray(withOpt.length - 11)]), // two OPTs (ARCOUNT still 1)
    encodeQuery('svc-1.default.svc.cluster.local', 41, { id }), // OPT as qtype
    encodeQuery('svc-1.default.svc.cluster.local', 252, { id }), // AXFR over UDP
    encodeQuery('svc-1.default.svc.cluster.local', 1, { id, class: 3 }), // CHAOS
    encodeQuery('svc-1.default.svc.cluster.local', 1, { id, edns: { version: 255 } }),
    encodeQuery('svc-1.default.svc.cluster.local', 1, { id, edns: { udpSize: 0 } }),
    encodeQuery('svc-1.default.svc.cluster.local', 1, { id, edns: { udpSize: 65535, do: true } }),
  ];
  for (let op = 1; op < 16; op++) out.push(encodeQuery('svc-1.default.svc.cluster.local', 1, { id, opcode: op }));
  const counts = Buffer.from(withOpt);
  counts.writeUInt16BE(3, 10); // ARCOUNT 3, one record present
  out.push(counts);
  const badRdlen = Buffer.from(withOpt);
  badRdlen.writeUInt16BE(40, badRdlen.length - 2);
  out.push(badRdlen);
  const qr = Buffer.from(q);
  qr[2] |= 0x80;
  out.push(qr);
  return out;
}

/** A random packet: noise, a mutated query, a cut query, or a crafted one. */
function randomPacket(r: () => number, id: number): Buffer {
  const kind = r();
  if (kind < 0.25) {
    const len = r() < 0.7 ? Math.floor(r() * 40) : Math.floor(r() * 600);
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(r() * 256);
    if (len >= 2) b.writeUInt16BE(id, 0);
    return b;
  }
  const name = NAMES[Math.floor(r() * NAMES.length)]!;
  const base = encodeQuery(name, [1, 28, 33, 12, 16, 255, 65][Math.floor(r() * 7)]!, { id, edns: r() < 0.5 ? { udpSize: Math.floor(r() * 5000), do: r() < 0.3 } : undefined });
  if (kind < 0.6) {
    const b = Buffer.from(base);
    const flips = 1 + Math.floor(r() * 4);
    for (let i = 0; i < flips; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return b;
  }
  if (kind < 0.8) return base.subarray(0, Math.floor(r() * base.length));
  const c = crafted(id);
  return c[Math.floor(r() * c.length)]!;
}

let srv: DnsServer;
let up: FakeUpstream;
const lookup = new TableLookup();
lookup.add('svc-1.default.svc.cluster.local', { type: 1, data: '10.96.0.1' });

beforeAll(async () => {
  up = await fakeUpstream('127.53.3.2', () => ({ rcode: 3 }));
});
afterAll(async () => {
  await up?.close();
});

async function stillAnswers(): Promise<void> {
  const res = await udpQuery(HOST, srv.udpPort, encodeQuery('svc-1.default.svc.cluster.local', 1, { id: 4242 }));
  expect(res).toBeDefined();
  const m = decodeMessage(res!);
  expect(m).toMatchObject({ id: 4242, rcode: 0 });
  expect(m.answer[0]!.data).toBe('10.96.0.1');
}

/** Every response must decode, be a response, and carry a known rcode. */
function checkResponse(b: Buffer): void {
  let m;
  try {
    m = decodeMessage(b);
  } catch (e) {
    throw new Error(`unparseable response ${b.toString('hex')}: ${(e as Error).message}`);
  }
  expect(m.qr).toBe(true);
  expect([0, 1, 2, 3, 4, 5, 16]).toContain(m.rcode);
}

describe('fuzzing the codec', () => {
  it('throws nothing but WireError on 20,000 random and mutated messages', () => {
    const r = rng(SEED);
    const s = new QueryScan();
    const good = encodeResponse({
      id: 1,
      flags: 0x8180,
      question: encodeQuery('db.example.org', 1).subarray(HEADER_LEN),
      answer: [
        { name: 'db.example.org', type: 5, ttl: 60, data: 'real.example.org' },
        { name: 'real.example.org', type: 1, ttl: 60, data: '192.0.2.7' },
        { name: 'real.example.org', type: 33, ttl: 60, data: { priority: 1, weight: 2, port: 3, target: 'x.example.org' } },
      ],
      authority: [{ name: 'example.org', type: 6, ttl: 5, data: { mname: 'a.example.org', rname: 'b.example.org', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } }],
      edns: { udpSize: 1232, do: false },
    }).buf;
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = i % 2 ? randomPacket(r, i & 0xffff) : Buffer.from(good);
      if (i % 2 === 0) for (let k = 0; k < 1 + (i % 5); k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      scanQuery(b, s);
      try {
        const w = walkMessage(b);
        decodeMessage(b);
        sectionRecords(b, w, 1, 3);
        relayResponse(b, w, 1, 7, 0x100, b.subarray(HEADER_LEN, w.qEnd), { udpSize: 1232, do: false });
        decoded++;
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });
});

// Both UDP paths: native/dns.c parses every datagram first (and answers the cached ones itself).
describe.each(['native', 'js'] as const)('fuzzing the server (%s UDP)', (udp) => {
  beforeAll(async () => {
    srv = await DnsServer.start({ host: HOST, port: 0, lookup, upstreams: [`${up.host}:${up.port}`], upstreamTimeoutMs: 300, tcpIdleTimeoutMs: 2000, udp });
    expect(srv.udpPath).toBe(udp);
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('survives 20,000 random and crafted packets over UDP, answering each well-formed or not at all', async () => {
    const r = rng(SEED + 1);
    const sock = dgram.createSocket('udp4');
    const responses: Buffer[] = [];
    sock.on('message', (m) => responses.push(m));
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    try {
      const c = crafted(1);
      for (const p of c) sock.send(p, srv.udpPort, HOST);
      for (let batch = 0; batch < 80; batch++) {
        for (let i = 0; i < 250; i++) sock.send(randomPacket(r, (batch * 250 + i) & 0xffff), srv.udpPort, HOST);
        await new Promise((res) => setTimeout(res, 15));
        if (batch % 20 === 19) await stillAnswers();
      }
      await new Promise((res) => setTimeout(res, 700)); // forwarded ones (upstream answers at once)
    } finally {
      sock.close();
    }
    for (const b of responses) checkResponse(b);
    // Plenty answered (the rest was silence: no header, or a response).
    expect(responses.length).toBeGreaterThan(10_000);
    const s = srv.stats();
    expect(s.dropped).toBeGreaterThan(100);
    expect(s.byRcode.FORMERR).toBeGreaterThan(100);
    expect(s.byRcode.NOTIMP).toBeGreaterThan(10);
    expect(s.byRcode.BADVERS).toBeGreaterThan(0);
    await stillAnswers();
  });

  it('survives malformed TCP streams: garbage frames, zero-length frames, 65535-byte frames, short frames then close', async () => {
    const r = rng(SEED + 2);
    const all: Buffer[] = [];
    for (let round = 0; round < 40; round++) {
      const clients = await Promise.all(Array.from({ length: 8 }, () => TcpClient.connect(HOST, srv.tcpPort)));
      for (const [k, c] of clients.entries()) {
        const frames: Buffer[] = [];
        for (let i = 0; i < 10; i++) frames.push(randomPacket(r, (round * 100 + k * 10 + i) & 0xffff).subarray(0, 65535));
        const mode = (round * 8 + k) % 5;
        if (mode === 0) frames.push(Buffer.alloc(65535, Math.floor(r() * 256)));
        let bytes = Buffer.concat(frames.filter((f) => f.length >= 12).map((f) => frame(f)));
        if (mode === 1) bytes = Buffer.concat([bytes, Buffer.from([0, 0])]); // zero-length frame: server closes
        if (mode === 2) bytes = Buffer.concat([bytes, Buffer.from([0xff, 0xff, 1, 2, 3])]); // says 65535, sends 3, then closes
        if (mode === 3) bytes = Buffer.concat(frames.map((f) => frame(f))); // frames of 0-11 bytes too
        c.write(bytes);
        if (mode === 2) setTimeout(() => c.socket.end(), 20);
      }
      await Promise.all(clients.map((c) => c.waitFor(1_000_000, 150)));
      for (const c of clients) {
        all.push(...c.responses);
        c.close();
      }
    }
    for (const b of all) checkResponse(b);
    expect(all.length).toBeGreaterThan(500);
    // A well-formed TCP exchange still works.
    const c = await TcpClient.connect(HOST, srv.tcpPort);
    c.write(frame(encodeQuery('svc-1.default.svc.cluster.local', 1, { id: 9 })));
    const [res] = await c.waitFor(1);
    c.close();
    expect(decodeMessage(res!).answer[0]!.data).toBe('10.96.0.1');
    await stillAnswers();
  });
});
