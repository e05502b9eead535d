#!/usr/bin/env node
// DNS server benchmark: our server (src/dns/server.ts) against the shared peers with dnsperf.
//   npx tsc -p tsconfig.json && node bench/dns-server-bench.mjs [--rounds 2 --dur 10]
//   node bench/dns-server-bench.mjs --codec        # encoder micro-benchmark: ours vs dns-packet
//
// Every target serves the same data set (/work/shared/bench/dns-gen.js: 1000 names
// svc-N.default.svc.cluster.local A 10.96.x.y, NXDOMAIN + SOA for other names in the zone):
//   ours          this server as up runs it: the native UDP path (native/dns.c) answering from
//                 the table of encoded answers, misses through JavaScript      127.0.0.11:53
//   ours-js       the same with Node's UDP socket (udp: 'js'), answer cache on  127.0.0.14:53
//   ours-nocache  JavaScript UDP, cacheSize 0: every query parsed, looked up and encoded
//   node-dns      the naive dgram + dns-packet server (peers.sh)     127.0.0.54:53
//   unbound       1 thread, local-data (peers.sh)                     127.0.0.53:53
//   node-floor    (only with --targets) dgram in, a fixed answer out: the ceiling of any Node
//                 server on this box (not a DNS server; its rcodes are all NOERROR)  127.0.0.13:53
// Scenarios from dns-bench.sh: hit (all names exist) and nx20 (20% NXDOMAIN), saturating; fixed:
// 10,000 q/s, per-query p50/p99 latency (dnsperf -v).
// (4 clients, 100 in flight, DUR s). Rounds are interleaved, so each round compares the targets
// under the same machine load. Also reported: server CPU µs per answered query (/proc), the
// steadier figure on a shared 2-core box.
// Loopback only; each load is bounded by --dur; peers this script started are stopped by PID.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.SHARED_BENCH ?? resolve(HERE, '../../shared/bench');
const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' }, // internal: HOST:PORT to serve on
    names: { type: 'string' },
    'cache-size': { type: 'string' },
    udp: { type: 'string' },
    dist: { type: 'string', default: join(HERE, '../dist') },
    'run-dir': { type: 'string', default: process.env.RUN_DIR ?? '/tmp/bench-run' },
    rounds: { type: 'string', default: '2' },
    dur: { type: 'string', default: '10' },
    scenarios: { type: 'string', default: 'hit nx20 fixed' },
    targets: { type: 'string', default: 'ours,ours-js,ours-nocache,node-dns,unbound' },
    codec: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false }, // internal: serve the floor
  },
});
const dist = resolve(args.dist);

if (args.serve && args.floor) await floor();
else if (args.serve) await serve();
else if (args.codec) await codec();
else await main();

/** The Lookup every target's data set implies. */
function tableLookup(namesFile) {
  const records = new Map();
  for (const line of readFileSync(namesFile, 'utf8').split('\n')) {
    const [n, a] = line.trim().split(/\s+/);
    if (n && a) records.set(n.toLowerCase(), a);
  }
  const zone = 'cluster.local';
  const soa = { name: zone, type: 6, ttl: 30, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 } };
  return {
    ready: () => true,
    generation: () => 1,
    onChange() {}, // the table never changes: the native path may keep every answer
    resolve(q) {
      const n = q.name.toLowerCase();
      if (!(n === zone || n.endsWith('.' + zone))) return undefined;
      const a = records.get(n);
      if (a === undefined) return { rcode: 3, authoritative: true, answer: [], authority: [soa], additional: [] };
      if (q.type !== 1) return { rcode: 0, authoritative: true, answer: [], authority: [soa], additional: [] };
      return { rcode: 0, authoritative: true, answer: [{ name: q.name, type: 1, ttl: 30, data: a }], authority: [], additional: [] };
    },
  };
}

/**
 * The floor of any Node DNS server: dgram in, one fixed answer copied with the query's ID patched,
 * dgram out (same socket options as ours). Not a DNS server: a ceiling for what the JS can add.
 */
async function floor() {
  const dgram = await import('node:dgram');
  const { encodeQuery, encodeResponse, HEADER_LEN } = await import(pathToFileURL(join(dist, 'dns/wire.js')).href);
  const q = encodeQuery('svc-1.default.svc.cluster.local', 1);
  const answer = encodeResponse({ id: 0, flags: 0x0580, question: q.subarray(HEADER_LEN), answer: [{ name: 'svc-1.default.svc.cluster.local', type: 1, ttl: 30, data: '10.96.0.1' }] }).buf;
  const i = args.serve.lastIndexOf(':');
  const sock = dgram.createSocket({ type: 'udp4', lookup: (h, _o, cb) => cb(null, h, 4) });
  sock.on('message', (m, r) => {
    const out = Buffer.allocUnsafe(answer.length);
    answer.copy(out);
    out[0] = m[0];
    out[1] = m[1];
    sock.send(out, r.port, r.address);
  });
  sock.bind(Number(args.serve.slice(i + 1)), args.serve.slice(0, i), () => {
    sock.setRecvBufferSize(4 << 20);
    sock.setSendBufferSize(4 << 20);
    console.log(`listening ${args.serve}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

async function serve() {
  const { DnsServer } = await import(pathToFileURL(join(dist, 'dns/server.js')).href);
  const i = args.serve.lastIndexOf(':');
  const cacheSize = args['cache-size'] === undefined ? undefined : Number(args['cache-size']);
  const srv = await DnsServer.start({ host: args.serve.slice(0, i), port: Number(args.serve.slice(i + 1)), lookup: tableLookup(args.names), cacheSize, udp: args.udp, log: (m) => console.error(m) });
  console.log(`listening ${args.serve}`);
  const stop = async () => {
    const s = srv.stats();
    console.error(JSON.stringify({ cache: s.cache, byRcode: s.byRcode, latency: { count: s.latency.count, meanUs: +(s.latency.sumUs / Math.max(1, s.latency.count)).toFixed(2) } }));
    await srv.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function cpuTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100/s)
  } catch {
    return NaN;
  }
}

function pidFile(name) {
  return join(args['run-dir'], `${name}.pid`);
}

async function main() {
  for (const tool of ['dnsperf']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      console.error(`${tool} not found: apt-get install -y dnsperf`);
      process.exit(2);
    }
  }
  if (!existsSync(join(dist, 'dns/server.js'))) {
    console.error(`${dist}/dns/server.js missing: npx tsc -p tsconfig.json (or --dist DIR)`);
    process.exit(2);
  }
  const data = join(args['run-dir'], 'dns');
  if (!existsSync(join(data, 'names.txt'))) execFileSync('node', [join(SHARED, 'dns-gen.js'), data], { stdio: 'inherit' });
  const env = { ...process.env, RUN_DIR: args['run-dir'], DATA: data, DUR: args.dur, SCENARIOS: args.scenarios };
  const targets = args.targets.split(',');
  const started = [];
  const children = [];
  const cleanup = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (const p of started) {
      try {
        execFileSync(join(SHARED, 'peers.sh'), ['stop', p], { env, stdio: 'ignore' });
      } catch {}
    }
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const addr = {};
  const pids = {};
  for (const t of targets) {
    if (t === 'ours' || t === 'ours-js' || t === 'ours-nocache' || t === 'node-floor') {
      const listen = { ours: '127.0.0.11:53', 'ours-js': '127.0.0.14:53', 'ours-nocache': '127.0.0.12:53', 'node-floor': '127.0.0.13:53' }[t];
      const extra = { ours: ['--udp', 'native'], 'ours-js': ['--udp', 'js'], 'ours-nocache': ['--cache-size', '0', '--udp', 'js'], 'node-floor': ['--floor'] }[t];
      const c = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', listen, '--names', join(data, 'names.txt'), '--dist', dist, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(c);
      await new Promise((res, rej) => {
        c.stdout.on('data', (d) => String(d).includes('listening') && res());
        c.once('exit', (code) => rej(new Error(`${t} exited ${code}`)));
      });
      addr[t] = listen.split(':');
      pids[t] = c.pid;
    } else if (t === 'node-dns' || t === 'unbound') {
      const pf = pidFile(t);
      let running = false;
      try {
        process.kill(Number(readFileSync(pf, 'utf8')), 0);
        running = true;
      } catch {}
      if (!running) {
        execFileSync(join(SHARED, 'peers.sh'), ['start', t], { env: { ...env, NODE_PATH: process.env.NODE_PATH ?? '/tmp/bench-deps/node_modules' }, stdio: 'inherit' });
        started.push(t);
      }
      addr[t] = t === 'unbound' ? ['127.0.0.53', '53'] : ['127.0.0.54', '53'];
      pids[t] = Number(readFileSync(pf, 'utf8'));
    } else throw new Error(`unknown target ${t}`);
  }

  const rows = [];
  try {
    for (let round = 1; round <= Number(args.rounds); round++) {
      for (const t of targets) {
        const before = cpuTicks(pids[t]);
        const out = execFileSync(join(SHARED, 'dns-bench.sh'), [addr[t][0], addr[t][1], t], { env, encoding: 'utf8' });
        const ticks = cpuTicks(pids[t]) - before;
        for (const line of out.trim().split('\n')) {
          const [label, scenario, qps, avg, p50, p99, lost, rcodes] = line.split('\t');
          rows.push({ round, label, scenario: scenario.startsWith('fixed') ? 'fixed' : scenario, qps: Number(qps), avg, p50, p99, lost, rcodes, ticks });
          console.log(`round ${round}\t${label}\t${scenario}\t${qps} q/s\tavg ${avg} ms\tp50 ${p50} ms\tp99 ${p99} ms\tlost ${lost}\t${rcodes}`);
        }
        // CPU over the whole dns-bench.sh run (all its scenarios): µs per answered query.
        const answered = rows.filter((r) => r.round === round && r.label === t).reduce((n, r) => n + r.qps * Number(args.dur), 0);
        console.log(`round ${round}\t${t}\tserver CPU ${((ticks * 10_000) / answered).toFixed(2)} µs/query`);
      }
    }
  } finally {
    cleanup();
  }
  console.log('\nsummary (q/s per round; ratio to unbound and to node-dns of the same round)');
  for (const sc of args.scenarios.split(' ')) {
    for (const t of targets) {
      const mine = rows.filter((r) => r.label === t && r.scenario === sc);
      const ratio = (peer) => mine.map((r) => {
        const p = rows.find((x) => x.label === peer && x.scenario === sc && x.round === r.round);
        return p ? (r.qps / p.qps).toFixed(2) : '-';
      }).join(' ');
      if (sc === 'fixed') console.log(`fixed (10k q/s)\t${t}\tp50 ${mine.map((r) => r.p50).join(' ')} ms\tp99 ${mine.map((r) => r.p99).join(' ')} ms`);
      else console.log(`${sc}\t${t}\t${mine.map((r) => r.qps).join(' ')}\tvs unbound ${ratio('unbound')}\tvs node-dns ${ratio('node-dns')}`);
    }
  }
}

/** Encoding the responses of the data set: our encoder vs dns-packet's (needs NODE_PATH with dns-packet). */
async function codec() {
  const { encodeResponse, encodeQuery, scanQuery, QueryScan, HEADER_LEN } = await import(pathToFileURL(join(dist, 'dns/wire.js')).href);
  const { createRequire } = await import('node:module');
  const require = createRequire(join(process.env.NODE_PATH ?? '/tmp/bench-deps/node_modules', 'x.js'));
  let packet;
  try {
    packet = require('dns-packet');
  } catch {
    console.error('dns-packet not found: NODE_PATH=/tmp/bench-deps/node_modules (see /work/shared/bench/README.md)');
    process.exit(2);
  }
  const query = encodeQuery('svc-1.default.svc.cluster.local', 1, { id: 7 });
  const soa = { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 };
  const N = 300_000;
  const time = (label, fn) => {
    for (let i = 0; i < 20_000; i++) fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0) / N;
    console.log(`${label}\t${(1e9 / ns / 1000).toFixed(0)}k ops/s\t${(ns / 1000).toFixed(2)} µs/op`);
  };
  const s = new QueryScan();
  time('ours: scan header+question', () => scanQuery(query, s));
  time('dns-packet: decode query', () => packet.decode(query));
  time('ours: encode A answer', () => {
    scanQuery(query, s);
    encodeResponse({ id: 7, flags: 0x0580, question: query.subarray(HEADER_LEN, s.qEnd), answer: [{ name: 'svc-1.default.svc.cluster.local', type: 1, ttl: 30, data: '10.96.0.1' }] });
  });
  time('dns-packet: encode A answer', () => {
    const q = packet.decode(query);
    packet.encode({ type: 'response', id: q.id, flags: 0x0580, questions: q.questions, answers: [{ name: q.questions[0].name, type: 'A', ttl: 30, data: '10.96.0.1' }] });
  });
  time('ours: encode NXDOMAIN + SOA', () => {
    scanQuery(query, s);
    encodeResponse({ id: 7, flags: 0x0583, question: query.subarray(HEADER_LEN, s.qEnd), authority: [{ name: 'cluster.local', type: 6, ttl: 30, data: soa }] });
  });
  time('dns-packet: encode NXDOMAIN + SOA', () => {
    const q = packet.decode(query);
    packet.encode({ type: 'response', id: q.id, flags: 0x0583, questions: q.questions, authorities: [{ name: 'cluster.local', type: 'SOA', ttl: 30, data: soa }] });
  });
  const full = encodeResponse({ id: 0, flags: 0x0580, question: query.subarray(HEADER_LEN, query.length), answer: [{ name: 'svc-1.default.svc.cluster.local', type: 1, ttl: 30, data: '10.96.0.1' }] }).buf;
  time('ours: cache hit (scan, key, copy, patch ID)', () => {
    scanQuery(query, s);
    const key = query.toString('latin1', HEADER_LEN, s.qEnd) + '\x00';
    const out = Buffer.allocUnsafe(full.length);
    full.copy(out);
    out[0] = query[0];
    out[1] = query[1];
    return key;
  });
  console.log(`sizes: ours ${full.length} B, dns-packet ${packet.encode({ type: 'response', id: 7, flags: 0x0580, questions: packet.decode(query).questions, answers: [{ name: 'svc-1.default.svc.cluster.local', type: 'A', ttl: 30, data: '10.96.0.1' }] }).length} B`);
}
