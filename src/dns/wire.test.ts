import { describe, expect, it } from 'vitest';
import { Rcode } from './types.js';
import {
  BADVERS,
  decodeMessage,
  encodeName,
  encodeQuery,
  encodeResponse,
  formatIPv6,
  HEADER_LEN,
  nameLabels,
  parseIPv6,
  QueryScan,
  readName,
  readPlainName,
  relayResponse,
  SCAN_DROP,
  SCAN_OK,
  scanQuery,
  sectionRecords,
  truncateResponse,
  walkMessage,
  WireError,
  type WireRR,
} from './wire.js';

const scan = (b: Buffer) => {
  const s = new QueryScan();
  return [scanQuery(b, s), s] as const;
};

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

describe('scanQuery', () => {
  it('reads the header, the question and the OPT of a query', () => {
    const q = encodeQuery('SvC-1.Default.svc.cluster.local', 28, { id: 0xbeef, edns: { udpSize: 4096, do: true } });
    const [st, s] = scan(q);
    expect(st).toBe(SCAN_OK);
    expect(s.id).toBe(0xbeef);
    expect(s.qtype).toBe(28);
    expect(s.qclass).toBe(1);
    expect(s.qEnd).toBe(HEADER_LEN + encodeName('SvC-1.Default.svc.cluster.local').length + 4);
    expect(s).toMatchObject({ edns: true, udpSize: 4096, do: true, ednsVersion: 0 });
    expect(readPlainName(q, HEADER_LEN)).toBe('SvC-1.Default.svc.cluster.local');
  });

  it('treats a small advertised size as 512, and no OPT as no EDNS', () => {
    expect(scan(encodeQuery('a.b', 1, { edns: { udpSize: 100 } }))[1].udpSize).toBe(512);
    expect(scan(encodeQuery('a.b', 1))[1].edns).toBe(false);
  });

  it('drops what has no header and responses', () => {
    expect(scan(Buffer.alloc(11))[0]).toBe(SCAN_DROP);
    const r = encodeQuery('a.b', 1);
    r[2] |= 0x80;
    expect(scan(r)[0]).toBe(SCAN_DROP);
  });

  it('answers FORMERR for bad counts, names, pointers and truncated questions, with the ID read', () => {
    expect(scan(header(7, 0, 0))).toMatchObject([Rcode.FORMERR, { id: 7 }]);
    expect(scan(header(7, 0, 2))[0]).toBe(Rcode.FORMERR);
    const q = encodeQuery('abc.example', 1);
    expect(scan(q.subarray(0, q.length - 1))[0]).toBe(Rcode.FORMERR);
    expect(scan(q.subarray(0, 15))[0]).toBe(Rcode.FORMERR);
    // A pointer in the question (to itself: a loop).
    expect(scan(Buffer.concat([header(1, 0, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]))[0]).toBe(Rcode.FORMERR);
    // A 64-byte label, and a 256-byte name.
    expect(scan(Buffer.concat([header(1, 0, 1), Buffer.from([64]), Buffer.alloc(64, 97), Buffer.from([0, 0, 1, 0, 1])]))[0]).toBe(Rcode.FORMERR);
    const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 97)])), Buffer.from([0, 0, 1, 0, 1])]);
    expect(scan(Buffer.concat([header(1, 0, 1), long]))[0]).toBe(Rcode.FORMERR);
    // Absurd counts.
    const absurd = Buffer.from(q);
    absurd.writeUInt16BE(65535, 6);
    expect(scan(absurd)[0]).toBe(Rcode.FORMERR);
  });

  it('accepts the longest legal name (255 bytes)', () => {
    const labels = [63, 63, 63, 61].map((n) => 'x'.repeat(n)).join('.');
    expect(encodeName(labels).length).toBe(255);
    expect(scan(encodeQuery(labels, 1))[0]).toBe(SCAN_OK);
    expect(() => encodeName(labels + 'x')).toThrow(WireError);
  });

  it('answers NOTIMP for other opcodes, BADVERS for EDNS versions above 0', () => {
    expect(scan(encodeQuery('a.b', 1, { opcode: 2 }))).toMatchObject([Rcode.NOTIMP, { opcode: 2 }]);
    expect(scan(encodeQuery('a.b', 1, { edns: { version: 1 } }))[0]).toBe(BADVERS);
  });

  it('rejects two OPTs, an OPT with a name, and options that overrun', () => {
    const q = encodeQuery('a.b', 1, { edns: {} });
    const opt = q.subarray(q.length - 11);
    const two = Buffer.concat([q, opt]);
    two.writeUInt16BE(2, 10);
    expect(scan(two)[0]).toBe(Rcode.FORMERR);
    const named = Buffer.concat([q.subarray(0, q.length - 11), Buffer.from([1, 97]), opt.subarray(1)]);
    expect(scan(named)[0]).toBe(Rcode.FORMERR);
    const badOpt = Buffer.concat([q, Buffer.from([0, 10, 0, 9, 1, 2])]);
    badOpt.writeUInt16BE(6, badOpt.length - 8);
    expect(scan(badOpt)[0]).toBe(Rcode.FORMERR);
    const goodOpt = Buffer.concat([q, Buffer.from([0, 10, 0, 2, 1, 2])]);
    goodOpt.writeUInt16BE(6, goodOpt.length - 8);
    expect(scan(goodOpt)[0]).toBe(SCAN_OK);
  });
});

describe('names', () => {
  it('escapes odd label bytes as dig does and reads them back', () => {
    const wire = Buffer.from([3, 0x61, 0x2e, 0x5c, 2, 0x20, 0xff, 0]);
    const [name, end] = readName(wire, 0);
    expect(name).toBe('a\\.\\\\.\\032\\255');
    expect(end).toBe(wire.length);
    expect(encodeName(name)).toEqual(wire);
    expect(nameLabels('example.com.')).toEqual(['example', 'com']);
    expect(nameLabels('')).toEqual([]);
  });

  it('follows backward pointers and refuses loops and forward pointers', () => {
    const msg = Buffer.concat([Buffer.from([3, 0x63, 0x6f, 0x6d, 0]), Buffer.from([1, 0x61, 0xc0, 0])]);
    expect(readName(msg, 5)).toEqual(['a.com', 9]);
    expect(() => readName(Buffer.from([0xc0, 0]), 0)).toThrow(WireError);
    expect(() => readName(Buffer.from([1, 0x61, 0xc0, 5, 0, 0]), 0)).toThrow(WireError);
  });

  it('parses and prints IPv6 addresses', () => {
    expect(formatIPv6(parseIPv6('fd00::1')!)).toBe('fd00::1');
    expect(formatIPv6(parseIPv6('::')!)).toBe('::');
    expect(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(parseIPv6('::ffff:10.0.0.1')!.subarray(12)).toEqual(Buffer.from([10, 0, 0, 1]));
    expect(parseIPv6('10.0.0.1')).toBeUndefined();
  });
});

describe('encodeResponse', () => {
  const question = (name: string, type = 1) => {
    const q = encodeQuery(name, type);
    return q.subarray(HEADER_LEN);
  };

  it('round-trips every record type the zone uses, compressing names against the question', () => {
    const q = question('Web.Default.svc.cluster.local', 255);
    const answer: WireRR[] = [
      { name: 'Web.Default.svc.cluster.local', type: 1, ttl: 5, data: '10.96.0.10' },
      { name: 'web.default.svc.cluster.local', type: 28, ttl: 5, data: 'fd00::a' },
      { name: 'web.default.svc.cluster.local', type: 5, ttl: 5, data: 'db.example.org' },
      { name: '10.0.96.10.in-addr.arpa', type: 12, ttl: 5, data: 'web.default.svc.cluster.local' },
      { name: 'web.default.svc.cluster.local', type: 16, ttl: 5, data: ['hello', 'x'.repeat(300), ''] },
      { name: '_http._tcp.web.default.svc.cluster.local', type: 33, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } },
      { name: 'weird', type: 99, ttl: 5, raw: Buffer.from([4, 0x74, 0x65, 0x73, 0x74]) },
    ];
    const authority: WireRR[] = [{ name: 'cluster.local', type: 6, ttl: 30, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 } }];
    const { buf, truncated } = encodeResponse({ id: 42, flags: 0x0400, question: q, answer, authority, edns: { udpSize: 1232, do: true } });
    expect(truncated).toBe(false);
    const m = decodeMessage(buf);
    expect(m).toMatchObject({ id: 42, qr: true, aa: true, rcode: 0, questions: [{ name: 'Web.Default.svc.cluster.local', type: 255, class: 1 }] });
    expect(m.answer.map((r) => r.data)).toEqual([
      '10.96.0.10',
      'fd00::a',
      'db.example.org',
      // Compression matches names ignoring case (as miekg/dns): the PTR target points at the question.
      'Web.Default.svc.cluster.local',
      ['hello', 'x'.repeat(255), 'x'.repeat(45), ''],
      { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
      Buffer.from([4, 0x74, 0x65, 0x73, 0x74]),
    ]);
    // The first owner is a pointer to the question (case from the question).
    expect(m.answer[0]!.name).toBe('Web.Default.svc.cluster.local');
    expect(buf.readUInt16BE(HEADER_LEN + q.length)).toBe(0xc000 | HEADER_LEN);
    expect(m.authority[0]!.data).toMatchObject({ serial: 7, minimum: 4 });
    expect(m.edns).toMatchObject({ udpSize: 1232, do: true, version: 0 });
  });

  it('truncates to header, question and OPT with TC when over the limit', () => {
    const q = question('big.cluster.local');
    const answer: WireRR[] = Array.from({ length: 60 }, (_, i) => ({ name: 'big.cluster.local', type: 1 as const, ttl: 5, data: `10.0.0.${i}` }));
    const { buf, truncated } = encodeResponse({ id: 1, flags: 0, question: q, answer, edns: { udpSize: 512, do: false } }, 512);
    expect(truncated).toBe(true);
    const m = decodeMessage(buf);
    expect(m).toMatchObject({ tc: true, answer: [], authority: [], additional: [] });
    expect(m.edns).toBeDefined();
    const full = encodeResponse({ id: 1, flags: 0, question: q, answer, edns: { udpSize: 512, do: false } }).buf;
    expect(truncateResponse(full, HEADER_LEN + q.length, true)).toEqual(buf);
  });

  it('refuses bad record data', () => {
    expect(() => encodeResponse({ id: 1, flags: 0, answer: [{ name: 'a', type: 1, ttl: 1, data: '1.2.3' }] })).toThrow(WireError);
    expect(() => encodeResponse({ id: 1, flags: 0, answer: [{ name: 'a', type: 28, ttl: 1, data: 'nope' }] })).toThrow(WireError);
  });
});

describe('relaying an upstream response', () => {
  it('takes the client ID and question case, ages TTLs, swaps the OPT, clears AA', () => {
    const sent = encodeQuery('WwW.ExAmPlE.org', 1).subarray(HEADER_LEN);
    const up = encodeResponse({
      id: 999,
      flags: 0x0400 | 0x0100 | 0x0080,
      question: sent,
      answer: [
        { name: 'WwW.ExAmPlE.org', type: 5, ttl: 100, data: 'cdn.example.net' },
        { name: 'cdn.example.net', type: 1, ttl: 20, data: '192.0.2.1' },
      ],
      edns: { udpSize: 4096, do: false },
    }).buf;
    const walked = walkMessage(up);
    const client = encodeQuery('www.example.org', 1).subarray(HEADER_LEN);
    const out = relayResponse(up, walked, 5, 0x1234, 0x0100, client, undefined)!;
    const m = decodeMessage(out);
    expect(m).toMatchObject({ id: 0x1234, aa: false, ra: true, rd: true, questions: [{ name: 'www.example.org' }] });
    expect(m.edns).toBeUndefined();
    // The owner was a pointer to the question: it now reads as the client asked.
    expect(m.answer.map((r) => [r.name, r.ttl, r.data])).toEqual([
      ['www.example.org', 95, 'cdn.example.net'],
      ['cdn.example.net', 15, '192.0.2.1'],
    ]);
    const withOpt = decodeMessage(relayResponse(up, walked, 0, 1, 0, client, { udpSize: 1232, do: true })!);
    expect(withOpt.edns).toMatchObject({ udpSize: 1232, do: true });
    expect(relayResponse(up, walked, 0, 1, 0, encodeQuery('other.org', 1).subarray(HEADER_LEN), undefined)).toBeUndefined();
  });

  it('decompresses names inside records it extracts', () => {
    const up = encodeResponse({
      id: 1,
      flags: 0x80,
      question: encodeQuery('db.example.org', 1).subarray(HEADER_LEN),
      answer: [
        { name: 'db.example.org', type: 5, ttl: 60, data: 'real.example.org' },
        { name: 'real.example.org', type: 1, ttl: 60, data: '192.0.2.7' },
      ],
    }).buf;
    const rrs = sectionRecords(up, walkMessage(up), 1, 10);
    expect(rrs.map((r) => [r.name, r.type, r.ttl])).toEqual([
      ['db.example.org', 5, 50],
      ['real.example.org', 1, 50],
    ]);
    expect(rrs[0]!.raw).toEqual(encodeName('real.example.org'));
    // They encode again in another message.
    const again = decodeMessage(encodeResponse({ id: 2, flags: 0, answer: rrs }).buf);
    expect(again.answer.map((r) => r.data)).toEqual(['real.example.org', '192.0.2.7']);
  });

  it('walkMessage refuses malformed messages', () => {
    const good = encodeResponse({ id: 1, flags: 0, question: encodeQuery('a.b', 1).subarray(HEADER_LEN), answer: [{ name: 'a.b', type: 1, ttl: 1, data: '1.2.3.4' }] }).buf;
    expect(() => walkMessage(good)).not.toThrow();
    expect(() => walkMessage(good.subarray(0, good.length - 1))).toThrow(WireError);
    const more = Buffer.from(good);
    more.writeUInt16BE(2, 6);
    expect(() => walkMessage(more)).toThrow(WireError);
  });
});
