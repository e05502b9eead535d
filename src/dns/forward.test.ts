import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Forwarder, parseUpstream } from './forward.js';
import { DnsServer, type DnsServerOptions } from './server.js';
import { dig, fakeUpstream, parseDig, TableLookup, udpQuery, type FakeUpstream } from './testing/server-helpers.js';
import type { RR } from './types.js';
import { decodeMessage, encodeQuery, encodeResponse, HEADER_LEN, type WireRR } from './wire.js';

// Our server on 127.53.1.x, fake upstreams on 127.53.2.x. Never the host's resolver: every
// server here gets only upstreams this file starts.
const HOST = '127.53.1.1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function soa(ttl: number, minimum: number): RR {
  return { name: 'example.org', type: 6, ttl, data: { mname: 'ns.example.org', rname: 'admin.example.org', serial: 1, refresh: 1, retry: 1, expire: 1, minimum } };
}

/** An upstream that answers A for every name: 192.0.2.N, TTL `ttl`. */
async function upstream(ip: string, answer: Parameters<typeof fakeUpstream>[1] = (q) => ({ answer: [{ name: q.questions[0]!.name, type: 1, ttl: 300, data: '192.0.2.1' }] }), opts: Parameters<typeof fakeUpstream>[2] = {}): Promise<FakeUpstream> {
  const u = await fakeUpstream(ip, answer, opts);
  cleanups.push(() => u.close());
  return u;
}

async function start(upstreams: FakeUpstream[] | string[], opts: Partial<DnsServerOptions> = {}) {
  const lookup = (opts.lookup as TableLookup | undefined) ?? new TableLookup();
  lookup.add('svc-1.default.svc.cluster.local', { type: 1, data: '10.96.0.1' });
  const logs: string[] = [];
  const srv = await DnsServer.start({
    host: HOST,
    port: 0,
    upstreams: upstreams.map((u) => (typeof u === 'string' ? u : `${u.host}:${u.port}`)),
    upstreamTimeoutMs: 500,
    log: (m) => logs.push(m),
    ...opts,
    lookup,
  });
  cleanups.push(() => srv.close());
  const d = async (...args: string[]) => parseDig(await dig(HOST, srv.udpPort, args));
  return { srv, lookup, logs, d };
}

describe('forwarding', () => {
  it('forwards names outside the zone (no AA, RA set) with a random ID, a 0x20-cased name and our OPT', async () => {
    const up = await upstream('127.53.2.1');
    const { d, srv } = await start([up]);
    const r = await d('ExAmple.ORG');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'rd', 'ra']);
    expect(r.question).toBe('ExAmple.ORG. IN A');
    // The owner name pointed at the question upstream: it reads as the client asked.
    expect(r.answer).toEqual(['ExAmple.ORG. 300 IN A 192.0.2.1']);
    expect(up.queries).toHaveLength(1);
    const sent = up.queries[0]!.msg;
    expect(sent.questions[0]!.name.toLowerCase()).toBe('example.org');
    expect(sent.questions[0]!.name).not.toBe(sent.questions[0]!.name.toLowerCase());
    expect(sent.rd).toBe(true);
    expect(sent.edns).toMatchObject({ udpSize: 1232, do: false });
    expect(srv.stats().forwarded).toBe(1);
    // The client's DO goes upstream.
    await d('+dnssec', 'example.org');
    expect(up.queries[1]!.msg.edns?.do).toBe(true);
  });

  it('caches by name ignoring case, but by exact type and class', async () => {
    const up = await upstream('127.53.2.13', (q) => ({ answer: [{ name: q.questions[0]!.name, type: 16, ttl: 60, data: [`type ${q.questions[0]!.type}`] }] }));
    const { srv } = await start([up]);
    const ask = async (name: string, type: number) => decodeMessage((await udpQuery(HOST, srv.udpPort, encodeQuery(name, type)))!).answer[0]?.data;
    // 65 and 97 are 'A' and 'a' as bytes: a key that lowercased them would mix the two up.
    expect(await ask('example.org', 65)).toEqual(['type 65']);
    expect(await ask('EXAMPLE.org', 97)).toEqual(['type 97']);
    expect(await ask('Example.Org', 65)).toEqual(['type 65']);
    expect(up.queries).toHaveLength(2);
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const many = (q: { questions: { name: string }[] }) => ({ answer: Array.from({ length: 80 }, (_, i) => ({ name: q.questions[0]!.name, type: 1 as const, ttl: 60, data: `192.0.2.${i}` })) });
    const up = await upstream('127.53.2.2', many, { truncateUdp: true });
    const { d, srv } = await start([up]);
    const r = await d('+tcp', 'many.example.org');
    expect(r.status).toBe('NOERROR');
    expect(r.counts.ANSWER).toBe(80);
    expect(up.queries.map((q) => q.proto)).toEqual(['udp', 'tcp']);
    expect(srv.stats().forward.tcpRetries).toBe(1);
    // Over UDP our client gets TC from our cache, then its own TCP retry is a hit.
    const u = await d('+bufsize=512', 'many.example.org');
    expect(u.counts.ANSWER).toBe(80);
    expect(up.queries).toHaveLength(2);
  });

  it('tries the next upstream after a timeout or a SERVFAIL, and answers SERVFAIL when all fail', async () => {
    const silent = await upstream('127.53.2.3', () => undefined);
    const failing = await upstream('127.53.2.4', () => ({ rcode: 2 }));
    const good = await upstream('127.53.2.5');
    const { d, srv } = await start([silent, failing, good], { upstreamTimeoutMs: 300 });
    const r = await d('next.example.org');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toHaveLength(1);
    expect([silent.queries.length, failing.queries.length, good.queries.length]).toEqual([1, 1, 1]);
    expect(srv.stats().forward.timeouts).toBe(1);

    const { d: d2, srv: srv2 } = await start([silent, failing], { upstreamTimeoutMs: 300 });
    const f = await d2('fail.example.org');
    expect(f.status).toBe('SERVFAIL');
    expect(f.question).toBe('fail.example.org. IN A');
    expect(srv2.stats().forward.failures).toBe(1);
    // Failures are not cached.
    expect((await d2('fail.example.org')).status).toBe('SERVFAIL');
    expect(silent.queries.filter((q) => q.msg.questions[0]!.name.toLowerCase() === 'fail.example.org')).toHaveLength(2);
  });

  it('caches positive answers for their TTL, counting it down', async () => {
    const up = await upstream('127.53.2.6', (q) => ({ answer: [{ name: q.questions[0]!.name, type: 1, ttl: 2, data: '192.0.2.2' }] }));
    const { d, srv } = await start([up]);
    const ttl = async () => Number((await d('short.example.org')).answer[0]!.split(/\s+/)[1]);
    expect(await ttl()).toBe(2);
    expect(up.queries).toHaveLength(1);
    await sleep(1100);
    expect(await ttl()).toBe(1);
    expect(up.queries).toHaveLength(1);
    await sleep(1100);
    expect(await ttl()).toBe(2); // expired: asked again
    expect(up.queries).toHaveLength(2);
    expect(srv.stats().forward.cacheHits).toBe(1);
  });

  it('caches negative answers for the SOA minimum (RFC 2308), and not without an SOA', async () => {
    const up = await upstream('127.53.2.7', (q) => {
      const name = q.questions[0]!.name.toLowerCase();
      return { rcode: 3, authority: name.startsWith('soa') ? [soa(3600, 1)] : [] };
    });
    const { d } = await start([up]);
    const nx = await d('soa-nx.example.org');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.authority[0]).toMatch(/^example\.org\.\s+1\s+IN\s+SOA/); // TTL lowered to the cache's
    expect((await d('soa-nx.example.org')).status).toBe('NXDOMAIN');
    expect(up.queries).toHaveLength(1);
    await sleep(1200);
    expect((await d('soa-nx.example.org')).status).toBe('NXDOMAIN');
    expect(up.queries).toHaveLength(2);
    await d('bare-nx.example.org');
    await d('bare-nx.example.org');
    expect(up.queries).toHaveLength(4);
  });

  it('caps TTLs (positive and negative) as configured', async () => {
    const up = await upstream('127.53.2.8', (q) =>
      q.questions[0]!.name.toLowerCase().startsWith('nx') ? { rcode: 3, authority: [soa(100_000, 100_000)] } : { answer: [{ name: q.questions[0]!.name, type: 1, ttl: 100_000, data: '192.0.2.3' }] },
    );
    const { d } = await start([up], { ttlCap: { positive: 5, negative: 3 } });
    expect((await d('long.example.org')).answer[0]).toMatch(/\s5\s+IN\s+A/);
    expect((await d('nx.example.org')).authority[0]).toMatch(/\s3\s+IN\s+SOA/);
  });

  it('asks upstream once for identical questions in flight', async () => {
    const up = await upstream('127.53.2.9', undefined, { delayMs: 200 });
    const { srv } = await start([up]);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => udpQuery(HOST, srv.udpPort, encodeQuery('same.example.org', 1, { id: i }))));
    expect(answers.map((a) => decodeMessage(a!).id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answers.every((a) => decodeMessage(a!).answer.length === 1)).toBe(true);
    expect(up.queries).toHaveLength(1);
  });

  it('ignores an answer from the wrong address or for another question', async () => {
    // A spoofer that sees each query (ID, our port) and answers first, from another address.
    const spoofer = dgram.createSocket('udp4');
    await new Promise<void>((r) => spoofer.bind(0, '127.53.2.30', () => r()));
    cleanups.push(() => new Promise<void>((r) => spoofer.close(() => r())));
    const real = await upstream(
      '127.53.2.10',
      (q, _proto, from) => {
        const name = q.questions[0]!.name;
        const fake = (n: string) => encodeResponse({ id: q.id, flags: 0x8180, question: encodeQuery(n, 1).subarray(HEADER_LEN), answer: [{ name: n, type: 1, ttl: 300, data: '6.6.6.6' }] }).buf;
        spoofer.send(fake(name), from.port, from.address);
        return { answer: [{ name, type: 1, ttl: 300, data: '192.0.2.1' }] };
      },
      { delayMs: 100 },
    );
    const { d } = await start([real]);
    const r = await d('real.example.org');
    expect(r.answer).toEqual(['real.example.org. 300 IN A 192.0.2.1']);
  });
});

describe('forwarding loops', () => {
  /** An "upstream" that sends every query on to our server and the answer back (keeping or replacing the ID). */
  async function relay(ip: string, target: () => number, newId: boolean): Promise<{ host: string; port: number }> {
    const s = dgram.createSocket('udp4');
    const out = dgram.createSocket('udp4');
    const waiting = new Map<number, { port: number; address: string; id: number }>();
    let next = 1;
    s.on('message', (m, r) => {
      const id = newId ? next++ : m.readUInt16BE(0);
      waiting.set(id, { port: r.port, address: r.address, id: m.readUInt16BE(0) });
      const fwd = Buffer.from(m);
      fwd.writeUInt16BE(id, 0);
      out.send(fwd, target(), HOST);
    });
    out.on('message', (m) => {
      const w = waiting.get(m.readUInt16BE(0));
      if (!w) return;
      const back = Buffer.from(m);
      back.writeUInt16BE(w.id, 0);
      s.send(back, w.port, w.address);
    });
    await new Promise<void>((r) => s.bind(0, ip, () => r()));
    await new Promise<void>((r) => out.bind(0, ip, () => r()));
    cleanups.push(() => Promise.all([new Promise<void>((r) => s.close(() => r())), new Promise<void>((r) => out.close(() => r()))]));
    return { host: ip, port: s.address().port };
  }

  it.each([false, true])('detects a forwarded query that comes back to us (relay replaces the ID: %s)', async (newId) => {
    let port = 0;
    const r = await relay(newId ? '127.53.2.12' : '127.53.2.11', () => port, newId);
    const { srv, logs, d } = await start([`${r.host}:${r.port}`]);
    port = srv.udpPort;
    const res = await d('loop.example.org');
    expect(res.status).toBe('SERVFAIL');
    expect(logs.join('\n')).toContain('forwarding loop detected');
    expect(srv.stats().forward.loops).toBe(1);
    // The looping upstream is skipped for a while: no more loops, SERVFAIL at once.
    const again = await d('other.example.org');
    expect(again.status).toBe('SERVFAIL');
    expect(srv.stats().forward.loops).toBe(1);
  });

  it('refuses an upstream that is our own address at construction', async () => {
    expect(() => new Forwarder({ upstreams: ['127.53.1.5:5353'], self: [{ host: '127.53.1.5', port: 5353 }] })).toThrow(/own address/);
    expect(() => new Forwarder({ upstreams: ['127.0.0.1:5353'], self: [{ host: '0.0.0.0', port: 5353 }] })).toThrow(/own address/);
    expect(() => new Forwarder({ upstreams: ['127.53.1.5:53'], self: [{ host: '127.53.1.5', port: 5353 }] })).not.toThrow();
    // A real server on a fixed port: the bind is undone.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.53.1.6', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(DnsServer.start({ host: '127.53.1.6', port, lookup: new TableLookup(), upstreams: [`127.53.1.6:${port}`] })).rejects.toThrow(/own address/);
    const ok = await DnsServer.start({ host: '127.53.1.6', port, lookup: new TableLookup() });
    await ok.close();
  });

  it('parses upstream addresses', () => {
    expect(parseUpstream('10.0.0.1')).toMatchObject({ host: '10.0.0.1', port: 53, family: 4 });
    expect(parseUpstream('10.0.0.1:5353')).toMatchObject({ port: 5353 });
    expect(parseUpstream('[::1]:54')).toMatchObject({ host: '::1', port: 54, family: 6 });
    expect(parseUpstream('fd00::53')).toMatchObject({ host: 'fd00::53', port: 53 });
    for (const bad of ['dns.google', '10.0.0.1:0', '10.0.0.1:99999', '', '[::1]']) {
      if (bad === '[::1]') expect(parseUpstream(bad).port).toBe(53);
      else expect(() => parseUpstream(bad)).toThrow();
    }
  });
});

describe('ExternalName chasing', () => {
  function externals(): TableLookup {
    const t = new TableLookup();
    t.externals.set('ext.default.svc.cluster.local', 'db.example.org');
    t.externals.set('gone.default.svc.cluster.local', 'missing.example.org');
    t.externals.set('alias.default.svc.cluster.local', 'svc-1.default.svc.cluster.local');
    return t;
  }
  const answers = (q: { questions: { name: string; type: number }[] }) => {
    const name = q.questions[0]!.name;
    if (name.toLowerCase() === 'missing.example.org') return { rcode: 3, authority: [soa(60, 60)] as WireRR[] };
    if (name.toLowerCase() === 'db.example.org' && q.questions[0]!.type === 1) return { answer: [{ name, type: 5 as const, ttl: 60, data: 'real.example.net' }, { name: 'real.example.net', type: 1 as const, ttl: 60, data: '192.0.2.10' }] };
    return { authority: [soa(60, 60)] as WireRR[] };
  };

  it('appends the upstream answer to the CNAME (AA from the Lookup)', async () => {
    const up = await upstream('127.53.2.20', answers);
    const { d } = await start([up], { lookup: externals() });
    const r = await d('Ext.default.svc.cluster.local');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('aa');
    expect(r.answer.map((l) => l.split(/\s+/).slice(3).join(' '))).toEqual(['CNAME db.example.org.', 'CNAME real.example.net.', 'A 192.0.2.10']);
    expect(r.answer[0]).toMatch(/^Ext\.default\.svc\.cluster\.local\./);
    // Cached with the upstream answer; asked again after it.
    await d('ext.default.svc.cluster.local');
    expect(up.queries).toHaveLength(1);
  });

  it('returns the CNAME alone, NOERROR, when the target fails upstream (as CoreDNS)', async () => {
    const up = await upstream('127.53.2.21', answers);
    const { d } = await start([up], { lookup: externals() });
    const r = await d('gone.default.svc.cluster.local');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toEqual(['gone.default.svc.cluster.local. 30 IN CNAME missing.example.org.']);
    const silent = await upstream('127.53.2.22', () => undefined);
    const { d: d2 } = await start([silent], { lookup: externals(), upstreamTimeoutMs: 200 });
    const r2 = await d2('ext.default.svc.cluster.local');
    expect(r2.status).toBe('NOERROR');
    expect(r2.answer).toHaveLength(1);
  });

  it('resolves a target inside the zone from the Lookup, and gives just the CNAME without upstreams', async () => {
    const { d } = await start([], { lookup: externals() });
    const r = await d('alias.default.svc.cluster.local');
    expect(r.answer.map((l) => l.split(/\s+/).slice(3).join(' '))).toEqual(['CNAME svc-1.default.svc.cluster.local.', 'A 10.96.0.1']);
    const bare = await d('ext.default.svc.cluster.local');
    expect(bare.status).toBe('NOERROR');
    expect(bare.answer).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME db.example.org.']);
  });
});
