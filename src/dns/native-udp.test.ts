// The native UDP path (native/dns.c) against the JavaScript one: what it answers by itself must be
// byte for byte what the JavaScript path sends, never an answer from before a change, and never
// to a client the allow list refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { DnsServer, type DnsServerOptions } from './server.js';
import { dig, parseDig, TableLookup, udpQuery } from './testing/server-helpers.js';
import { encodeQuery } from './wire.js';

// Servers on 127.53.4.x (server.test.ts uses 127.53.0.x, forward 127.53.1-2.x, fuzz 127.53.3.x).
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function table(): TableLookup {
  const t = new TableLookup(['cluster.local', 'in-addr.arpa']);
  t.add('web.default.svc.cluster.local', { type: 1, data: '10.96.1.1' }, { type: 28, data: 'fd00:96::1:1' }, { type: 16, data: ['v=1', 'hello world'] });
  t.add('_http._tcp.web.default.svc.cluster.local', { type: 33, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } });
  t.add('1.1.96.10.in-addr.arpa', { type: 12, data: 'web.default.svc.cluster.local' });
  t.add('big.default.svc.cluster.local', ...Array.from({ length: 60 }, (_, i) => ({ type: 1 as const, data: `10.97.${i}.1` })));
  return t;
}

async function start(host: string, opts: Partial<DnsServerOptions>): Promise<DnsServer> {
  const srv = await DnsServer.start({ host, port: 0, lookup: table(), ...opts });
  cleanups.push(() => srv.close());
  return srv;
}

describe('native UDP path', () => {
  it('answers hits itself, byte for byte as the JavaScript path answers them', async () => {
    const lookup = table();
    const native = await start('127.53.4.1', { lookup, udp: 'native' });
    const js = await start('127.53.4.2', { lookup, udp: 'js' });
    expect([native.udpPath, js.udpPath]).toEqual(['native', 'js']);
    const queries: Buffer[] = [];
    let id = 1;
    for (const name of ['web.default.svc.cluster.local', 'WeB.DeFault.svc.Cluster.Local', 'nope.default.svc.cluster.local', '_http._tcp.web.default.svc.cluster.local', '1.1.96.10.in-addr.arpa', 'big.default.svc.cluster.local']) {
      for (const type of [1, 28, 16, 33, 12, 255]) {
        for (const edns of [undefined, { udpSize: 4096 }, { udpSize: 1232, do: true }, { udpSize: 100 }, { udpSize: 9000 }]) {
          for (const rd of [true, false]) queries.push(encodeQuery(name, type, { id: id++, rd, edns }));
        }
      }
    }
    // A CD bit, set by hand (encodeQuery has no option for it).
    const cd = encodeQuery('web.default.svc.cluster.local', 1, { id: 4000 });
    cd[3]! |= 0x10;
    queries.push(cd);
    for (const round of [0, 1, 2]) {
      for (const q of queries) {
        q.writeUInt16BE((q.readUInt16BE(0) + round * 7919) & 0xffff, 0); // a new ID each round
        const [a, b] = await Promise.all([udpQuery(native.host, native.udpPort, q), udpQuery(js.host, js.udpPort, q)]);
        expect(a, `query ${q.toString('hex')}`).toBeDefined();
        expect(a!.toString('hex'), `query ${q.toString('hex')}`).toBe(b!.toString('hex'));
      }
    }
    // The first round filled the table, the next two were answered natively (those that fit).
    const s = native.stats();
    expect(s.udpAnsweredNatively).toBeGreaterThan(queries.length);
    expect(s.requests.udp).toBe(js.stats().requests.udp);
    expect(s.byRcode).toEqual(js.stats().byRcode);
    expect(s.byType).toEqual(js.stats().byType);
    expect(s.cache.hits).toBe(js.stats().cache.hits);
    expect(s.latency.count).toBe(js.stats().latency.count);
  });

  it('never serves an answer from before a change', async () => {
    const lookup = table();
    const srv = await start('127.53.4.3', { lookup, udp: 'native' });
    for (let i = 0; i < 60; i++) {
      const ip = `10.98.${i >> 8}.${i & 255}`;
      lookup.records.set('moving.default.svc.cluster.local', [{ type: 1, data: ip }]);
      lookup.bump();
      for (let k = 0; k < 3; k++) {
        const out = await dig(srv.host, srv.udpPort, ['+short', 'moving.default.svc.cluster.local']);
        expect(out.trim()).toBe(ip);
      }
    }
    expect(srv.stats().udpAnsweredNatively).toBeGreaterThanOrEqual(120);
  });

  it('leaves a client outside the allow list to the JavaScript path: REFUSED, even for a cached name', async () => {
    const srv = await start('127.53.4.4', { udp: 'native', allow: ['127.0.0.2/32'] });
    const q = encodeQuery('web.default.svc.cluster.local', 1, { id: 7 });
    for (let i = 0; i < 3; i++) expect((await udpQuery(srv.host, srv.udpPort, q, { localAddress: '127.0.0.2' }))![3]! & 0xf).toBe(0);
    const refused = parseDig(await dig(srv.host, srv.udpPort, ['-b', '127.0.0.3', 'web.default.svc.cluster.local']));
    expect(refused.status).toBe('REFUSED');
    expect(srv.stats().udpAnsweredNatively).toBe(2);
  });

  it('truncates through the JavaScript path when the answer is over the client size', async () => {
    const srv = await start('127.53.4.5', { udp: 'native' });
    for (let i = 0; i < 3; i++) {
      const r = parseDig(await dig(srv.host, srv.udpPort, ['+bufsize=512', '+ignore', 'big.default.svc.cluster.local']));
      expect(r.flags).toContain('tc');
    }
    expect(srv.stats().truncated).toBe(3);
  });

  it('starts and stops many times, several servers at once', async () => {
    for (let i = 0; i < 20; i++) {
      const a = await DnsServer.start({ host: '127.53.4.6', port: 0, lookup: table(), udp: 'native' });
      const b = await DnsServer.start({ host: '127.53.4.7', port: 0, lookup: table(), udp: 'native' });
      expect((await dig(a.host, a.udpPort, ['+short', 'web.default.svc.cluster.local'])).trim()).toBe('10.96.1.1');
      expect((await dig(b.host, b.udpPort, ['+short', 'web.default.svc.cluster.local'])).trim()).toBe('10.96.1.1');
      await Promise.all([a.close(), b.close()]);
      expect(a.stats().requests.udp).toBe(1);
    }
  });
});
