import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer, type DnsServerOptions } from './server.js';
import { dig, frame, parseDig, TableLookup, TcpClient, tcpQuery, udpQuery } from './testing/server-helpers.js';
import { Rcode } from './types.js';
import { decodeMessage, encodeQuery } from './wire.js';

// Servers on 127.53.0.1-9 (forward.test.ts uses 127.53.1-2.x, fuzz.test.ts 127.53.3.x).
const HOST = '127.53.0.1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function table(): TableLookup {
  const t = new TableLookup();
  for (let i = 0; i < 10; i++) t.add(`svc-${i}.default.svc.cluster.local`, { type: 1, data: `10.96.0.${i}` });
  t.add('big.default.svc.cluster.local', ...Array.from({ length: 100 }, (_, i) => ({ type: 1 as const, data: `10.97.${i}.1` })));
  t.add('web.default.svc.cluster.local', { type: 1, data: '10.96.1.1' }, { type: 28, data: 'fd00:96::1:1' }, { type: 16, data: ['v=1', 'hello world'] });
  t.add('_http._tcp.web.default.svc.cluster.local', { type: 33, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } });
  t.add('1.1.96.10.in-addr.arpa', { type: 12, data: 'web.default.svc.cluster.local' });
  return t;
}

async function start(opts: Partial<DnsServerOptions> = {}): Promise<{ srv: DnsServer; lookup: TableLookup; d: (...args: string[]) => Promise<ReturnType<typeof parseDig>>; raw: (...args: string[]) => Promise<string> }> {
  const lookup = (opts.lookup as TableLookup | undefined) ?? table();
  if (!lookup.zones.includes('in-addr.arpa')) lookup.zones.push('in-addr.arpa');
  const srv = await DnsServer.start({ host: HOST, port: 0, udp: UDP, ...opts, lookup });
  expect(srv.udpPath).toBe(opts.udp ?? UDP);
  cleanups.push(() => srv.close());
  const raw = (...args: string[]) => dig(srv.host, srv.udpPort, args);
  return { srv, lookup, raw, d: async (...args: string[]) => parseDig(await raw(...args)) };
}

// Every behaviour holds for both UDP paths (native/dns.c, and Node's dgram socket).
let UDP: 'native' | 'js' = 'native';
describe.each(['native', 'js'] as const)('UDP path: %s', (udp) => {
beforeAll(() => {
  UDP = udp;
});

describe('DnsServer with dig', () => {
  it('answers A over UDP: AA, RD copied, RA set, the TTL the Lookup gave', async () => {
    const { d, srv } = await start();
    expect(srv.udpPort).toBe(srv.tcpPort);
    const r = await d('svc-1.default.svc.cluster.local', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'aa', 'rd', 'ra']);
    expect(r.answer).toEqual(['svc-1.default.svc.cluster.local. 30 IN A 10.96.0.1']);
    const nord = await d('+nordflag', 'svc-1.default.svc.cluster.local');
    expect(nord.flags).toEqual(['qr', 'aa', 'ra']);
  });

  it('answers over TCP (+tcp), and several queries per connection (+keepopen)', async () => {
    const { d, raw } = await start();
    const r = await d('+tcp', 'svc-2.default.svc.cluster.local');
    expect(r.status).toBe('NOERROR');
    expect(r.answer[0]).toMatch(/10\.96\.0\.2$/);
    const many = await raw('+tcp', '+keepopen', '+short', 'svc-3.default.svc.cluster.local', 'svc-4.default.svc.cluster.local', 'web.default.svc.cluster.local', 'AAAA');
    expect(many.trim().split('\n')).toEqual(['10.96.0.3', '10.96.0.4', 'fd00:96::1:1']);
  });

  it('truncates a UDP answer over the client size (empty sections, TC) and dig retries over TCP', async () => {
    const { d, raw, srv } = await start();
    const out = await raw('+bufsize=512', 'big.default.svc.cluster.local');
    expect(out).toContain('Truncated, retrying in TCP mode.');
    const r = parseDig(out);
    expect(r.status).toBe('NOERROR');
    expect(r.counts.ANSWER).toBe(100);
    const tc = await d('+bufsize=512', '+ignore', 'big.default.svc.cluster.local');
    expect(tc.flags).toContain('tc');
    expect(tc.counts).toMatchObject({ QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1 });
    // A client that can take it gets it over UDP, from the same cache entry.
    const big = await d('+bufsize=4096', 'big.default.svc.cluster.local');
    expect(big.flags).not.toContain('tc');
    expect(big.counts.ANSWER).toBe(100);
    // Without EDNS the limit is 512.
    const plain = await d('+noedns', '+ignore', 'big.default.svc.cluster.local');
    expect(plain.flags).toContain('tc');
    expect(plain.opt).toBeUndefined();
    expect(srv.stats().truncated).toBe(3);
  });

  it('echoes the question exactly as asked (case preserved) and matches ignoring case', async () => {
    const { d, raw } = await start();
    const r = await d('SvC-1.DeFaUlT.svc.cluster.local');
    expect(r.status).toBe('NOERROR');
    expect(r.question).toBe('SvC-1.DeFaUlT.svc.cluster.local. IN A');
    expect(r.answer).toEqual(['SvC-1.DeFaUlT.svc.cluster.local. 30 IN A 10.96.0.1']);
    // dig checks the question it gets back; no complaint either way.
    expect(await raw('svc-1.DEFAULT.svc.cluster.local')).not.toMatch(/mismatch/i);
  });

  it('echoes an OPT for EDNS queries (our size 1232, or the client\'s smaller one; DO copied), none otherwise', async () => {
    const { d } = await start();
    expect((await d('+edns=0', 'svc-1.default.svc.cluster.local')).opt).toBe('version: 0, flags:; udp: 1232');
    expect((await d('+edns=0', '+bufsize=600', 'svc-1.default.svc.cluster.local')).opt).toBe('version: 0, flags:; udp: 600');
    expect((await d('+dnssec', 'svc-1.default.svc.cluster.local')).opt).toBe('version: 0, flags: do; udp: 1232');
    expect((await d('+noedns', 'svc-1.default.svc.cluster.local')).opt).toBeUndefined();
  });

  it('answers BADVERS to EDNS version 1', async () => {
    const { d, raw } = await start();
    const r = await d('+edns=1', '+noednsnegotiation', 'svc-1.default.svc.cluster.local');
    expect(r.status).toBe('BADVERS');
    expect(r.opt).toBe('version: 0, flags:; udp: 1232');
    expect(r.answer).toEqual([]);
    // dig's default negotiation then retries with version 0.
    const out = await raw('+edns=1', 'svc-1.default.svc.cluster.local');
    expect(out).toContain('BADVERS, retrying with EDNS version 0');
    expect(parseDig(out).status).toBe('NOERROR');
  });

  it('answers NOTIMP to other opcodes', async () => {
    const { d } = await start();
    const r = await d('+opcode=status', '+noedns', 'svc-1.default.svc.cluster.local');
    expect(r.status).toBe('NOTIMP');
    expect(r.answer).toEqual([]);
  });

  it('answers REFUSED to a client outside the allow-list', async () => {
    const { d, srv } = await start({ allow: ['127.53.0.0/24', '::1/128'] });
    expect((await d('-b', '127.53.9.1', 'svc-1.default.svc.cluster.local')).status).toBe('REFUSED');
    expect((await d('-b', '127.53.9.1', '+tcp', 'svc-1.default.svc.cluster.local')).status).toBe('REFUSED');
    expect((await d('-b', '127.53.0.2', 'svc-1.default.svc.cluster.local')).status).toBe('NOERROR');
    expect(srv.stats().byRcode).toMatchObject({ REFUSED: 2, NOERROR: 1 });
  });

  it('answers NXDOMAIN and NODATA with the SOA the Lookup gives, and the other record types', async () => {
    const { d, raw } = await start();
    const nx = await d('nope.default.svc.cluster.local');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.flags).toContain('aa');
    expect(nx.authority[0]).toMatch(/^cluster\.local\.\s+30\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. 1 7200 1800 86400 30$/);
    const nodata = await d('svc-1.default.svc.cluster.local', 'AAAA');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority).toHaveLength(1);
    expect((await raw('+short', 'web.default.svc.cluster.local', 'TXT')).trim()).toBe('"v=1" "hello world"');
    expect((await raw('+short', '_http._tcp.web.default.svc.cluster.local', 'SRV')).trim()).toBe('0 100 80 web.default.svc.cluster.local.');
    expect((await raw('+short', '-x', '10.96.1.1')).trim()).toBe('web.default.svc.cluster.local.');
  });

  it('answers SERVFAIL until the Lookup is ready, and nothing stale after', async () => {
    const { d, lookup } = await start();
    lookup.isReady = false;
    expect((await d('svc-1.default.svc.cluster.local')).status).toBe('SERVFAIL');
    expect((await d('example.com')).status).toBe('SERVFAIL');
    lookup.isReady = true;
    expect((await d('svc-1.default.svc.cluster.local')).status).toBe('NOERROR');
  });

  it('answers SERVFAIL when the Lookup throws, and REFUSED outside its zones without upstreams', async () => {
    const logs: string[] = [];
    const { d, lookup } = await start({ log: (m) => logs.push(m) });
    lookup.throwOn = 'svc-5.default.svc.cluster.local';
    expect((await d('svc-5.default.svc.cluster.local')).status).toBe('SERVFAIL');
    expect(logs.join('\n')).toContain('table exploded');
    expect((await d('example.com')).status).toBe('REFUSED');
  });
});

describe('DnsServer answer cache', () => {
  it('serves hits with the asker\'s ID and RD, and re-asks the Lookup when the generation moves', async () => {
    const { srv, lookup } = await start();
    const ask = async (id: number, rd: boolean) => decodeMessage((await udpQuery(HOST, srv.udpPort, encodeQuery('svc-7.default.svc.cluster.local', 1, { id, rd })))!);
    const a = await ask(100, true);
    const b = await ask(200, false);
    expect([a.id, a.rd, b.id, b.rd]).toEqual([100, true, 200, false]);
    expect(b.answer[0]!.data).toBe('10.96.0.7');
    const calls = lookup.calls;
    expect(srv.stats().cache.hits).toBe(1);
    lookup.records.set('svc-7.default.svc.cluster.local', [{ type: 1, data: '10.96.7.7' }]);
    expect((await ask(3, true)).answer[0]!.data).toBe('10.96.0.7'); // same generation: cached
    lookup.bump();
    expect((await ask(4, true)).answer[0]!.data).toBe('10.96.7.7');
    expect(lookup.calls).toBe(calls + 1);
  });

  it('keeps at most cacheSize entries', async () => {
    const { srv } = await start({ cacheSize: 3 });
    for (let i = 0; i < 8; i++) await udpQuery(HOST, srv.udpPort, encodeQuery(`svc-${i}.default.svc.cluster.local`, 1));
    expect(srv.stats().cache.entries).toBe(3);
  });

  it('works with the cache off', async () => {
    const { srv, d } = await start({ cacheSize: 0 });
    expect((await d('svc-1.default.svc.cluster.local')).answer).toHaveLength(1);
    expect((await d('big.default.svc.cluster.local', '+bufsize=512', '+ignore')).flags).toContain('tc');
    expect(srv.stats().cache).toMatchObject({ hits: 0, entries: 0 });
  });
});

describe('DnsServer protocol edges', () => {
  it('answers FORMERR with the ID when a header can be read, silence otherwise, and ignores responses', async () => {
    const { srv } = await start();
    const noQuestion = Buffer.alloc(12);
    noQuestion.writeUInt16BE(0x4242, 0);
    const r = decodeMessage((await udpQuery(HOST, srv.udpPort, noQuestion))!);
    expect(r).toMatchObject({ id: 0x4242, qr: true, rcode: Rcode.FORMERR });
    expect(await udpQuery(HOST, srv.udpPort, Buffer.from([1, 2, 3]), { timeoutMs: 300 })).toBeUndefined();
    const response = encodeQuery('svc-1.default.svc.cluster.local', 1);
    response[2] |= 0x80;
    expect(await udpQuery(HOST, srv.udpPort, response, { timeoutMs: 300 })).toBeUndefined();
    expect(srv.stats().dropped).toBe(2);
  });

  it('answers pipelined TCP queries, split and coalesced arbitrarily', async () => {
    const { srv } = await start();
    const c = await TcpClient.connect(HOST, srv.tcpPort);
    cleanups.push(async () => c.close());
    const queries = Array.from({ length: 50 }, (_, i) => encodeQuery(`svc-${i % 10}.default.svc.cluster.local`, 1, { id: 1000 + i }));
    const bytes = frame(...queries);
    // Odd-sized pieces: some frames split, several in one write.
    for (let off = 0, step = 1; off < bytes.length; off += step, step = (step * 7) % 97 + 1) c.write(bytes.subarray(off, off + step));
    const got = await c.waitFor(50);
    expect(got).toHaveLength(50);
    const byId = new Map(got.map((b) => [b.readUInt16BE(0), decodeMessage(b)]));
    for (let i = 0; i < 50; i++) expect(byId.get(1000 + i)!.answer[0]!.data).toBe(`10.96.0.${i % 10}`);
  });

  it('closes idle TCP connections, connections with a zero-length frame, and bounds connections', async () => {
    const { srv } = await start({ tcpIdleTimeoutMs: 300, maxTcpConnections: 2 });
    const idle = await TcpClient.connect(HOST, srv.tcpPort);
    expect(await idle.waitClosed(3000)).toBe(true);
    const zero = await TcpClient.connect(HOST, srv.tcpPort);
    zero.write(Buffer.from([0, 0]));
    expect(await zero.waitClosed(1000)).toBe(true);
    const a = await TcpClient.connect(HOST, srv.tcpPort);
    const b = await TcpClient.connect(HOST, srv.tcpPort);
    const c = await TcpClient.connect(HOST, srv.tcpPort);
    cleanups.push(async () => [a, b, c].forEach((x) => x.close()));
    expect(await c.waitClosed(1000)).toBe(true);
    a.write(frame(encodeQuery('svc-1.default.svc.cluster.local', 1)));
    expect(await a.waitFor(1)).toHaveLength(1);
  });

  it('answers a 65535-byte TCP query and a query over 512 bytes over UDP (bytes after the message are ignored)', async () => {
    const { srv } = await start();
    const big = Buffer.alloc(65535);
    encodeQuery('svc-1.default.svc.cluster.local', 1, { id: 77 }).copy(big);
    const r = await tcpQuery(HOST, srv.tcpPort, big);
    expect(decodeMessage(r!)).toMatchObject({ id: 77, rcode: 0 }); // trailing bytes are ignored
    const padded = Buffer.concat([encodeQuery('svc-2.default.svc.cluster.local', 1, { id: 78, edns: {} }), Buffer.alloc(600)]);
    expect(decodeMessage((await udpQuery(HOST, srv.udpPort, padded))!)).toMatchObject({ id: 78, rcode: 0 });
  });

  it('binds UDP and TCP to one port; refuses a port in use and a bad host or CIDR', async () => {
    const { srv } = await start();
    await expect(DnsServer.start({ host: HOST, port: srv.udpPort, lookup: table() })).rejects.toThrow(/EADDRINUSE/);
    await expect(DnsServer.start({ host: 'localhost', port: 0, lookup: table() })).rejects.toThrow(/not an IP address/);
    await expect(DnsServer.start({ host: HOST, port: 0, lookup: table(), allow: ['10.0.0.0/33'] })).rejects.toThrow(/not a CIDR/);
    // TCP port taken, UDP free: port 0 finds another pair.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.53.0.2', () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const other = await DnsServer.start({ host: '127.53.0.2', port: 0, lookup: table() });
    cleanups.push(() => other.close());
    expect(other.udpPort).toBe(other.tcpPort);
    expect(other.udpPort).not.toBe((blocker.address() as net.AddressInfo).port);
  });

  it('counts queries by type and rcode, cache hits and latency', async () => {
    const { srv } = await start();
    for (const [name, type] of [['svc-1.default.svc.cluster.local', 1], ['svc-1.default.svc.cluster.local', 1], ['nx.default.svc.cluster.local', 28], ['web.default.svc.cluster.local', 33]] as const) {
      await udpQuery(HOST, srv.udpPort, encodeQuery(name, type));
    }
    await tcpQuery(HOST, srv.tcpPort, encodeQuery('svc-1.default.svc.cluster.local', 1));
    const s = srv.stats();
    expect(s.requests).toEqual({ udp: 4, tcp: 1 });
    expect(s.byType).toEqual({ A: 3, AAAA: 1, SRV: 1 });
    expect(s.byRcode).toEqual({ NOERROR: 4, NXDOMAIN: 1 });
    expect(s.cache).toMatchObject({ hits: 2, misses: 3 });
    expect(s.latency.count).toBe(5);
    expect(s.latency.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(s.latency.sumUs).toBeGreaterThan(0);
  });

  it('closes cleanly with clients connected, and stops answering', async () => {
    const { srv } = await start();
    const c = await TcpClient.connect(HOST, srv.tcpPort);
    await srv.close();
    expect(await c.waitClosed(1000)).toBe(true);
    expect(await udpQuery(HOST, srv.udpPort, encodeQuery('svc-1.default.svc.cluster.local', 1), { timeoutMs: 300 })).toBeUndefined();
    await srv.close(); // twice is fine
  });
});

});
