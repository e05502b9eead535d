#!/usr/bin/env node
// Cluster DNS programming benchmark (issue 6): how long from a Service change to the answer that
// shows it, and the DNS server's memory at 10,000 Services and 100,000 endpoints.
//   npm run build && node bench/dns-programming-bench.mjs [--services 10000 --endpoints 10 --samples 200]
//   node bench/dns-programming-bench.mjs --quick          # 1,000 Services, 40 samples
//
// Two processes besides this client: `tinykube up --no-proxy --no-dns --nodes 0` (API server and
// controllers) and `tinykube dns` against its kubeconfig (its own process, so its RSS and CPU are
// its own; run with --expose-gc and a bench-only preload that collects on SIGUSR2).
//   1. load     SERVICES selector-less Services (every 10th headless) and one EndpointSlice each
//               with ENDPOINTS ready endpoints (headless ones with hostnames), written by this
//               client, CONC requests in flight: 100,000 endpoints without 100,000 pods. The DNS
//               process's memory (RSS, and heap and RSS after a full GC) on the empty cluster, at
//               1,000 Services and at SERVICES, beside CoreDNS's sizing rule (MB = (pods +
//               services) / 1000 + 54, pods = endpoints).
//   2. samples  SAMPLES changes one at a time, cycling through four kinds, each timed from the API
//               response (and from the send) until a UDP query (this client's own, every
//               --poll-ms) gets the new answer:
//                 svc-add       a ClusterIP Service is created -> its A record is the cluster IP
//                 svc-del       it is deleted -> NXDOMAIN
//                 headless-add  a headless Service's EndpointSlice (3 ready) is created -> 3 A records
//                 not-ready     that slice's endpoints turn not ready -> NXDOMAIN
//               Also the delta of the server's coredns_kubernetes_dns_programming_duration_seconds
//               (p50/p99 bucket) and its CPU per change.
// Addresses: node 127.0.0.19, Services 127.220.0.0/16, pods 127.221.0.0/16, DNS 127.0.0.20, a
// REFUSED-only upstream this script runs on 127.0.0.21 (nothing is forwarded off the machine).
// Every phase is bounded (--phase-timeout, --sample-timeout, a --max-seconds watchdog); the work
// dir /tmp/tinykube-dnsprog-* is removed at the end unless --keep; processes started here are
// stopped by PID on every exit path.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'tinykube.js');
const NODE_IP = '127.0.0.19';
const DNS_IP = '127.0.0.20';
const UPSTREAM_IP = '127.0.0.21';
const SERVICE_CIDR = '127.220.0.0/16';
const POD_PREFIX = '127.221';
const NS = 'dnsbench';
const GOAL_MS = 50;
const KINDS = ['svc-add', 'svc-del', 'headless-add', 'not-ready'];

const { values: flag } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    endpoints: { type: 'string', default: '10' },
    samples: { type: 'string', default: '200' },
    quick: { type: 'boolean', default: false },
    conc: { type: 'string', default: '32' },
    'poll-ms': { type: 'string', default: '1' },
    gap: { type: 'string', default: '50' },
    'phase-timeout': { type: 'string', default: '300' },
    'sample-timeout': { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '900' },
    'dns-port': { type: 'string', default: '5300' },
    keep: { type: 'boolean', default: false },
  },
});
const int = (name) => {
  const n = Number(flag[name]);
  if (!Number.isInteger(n) || n < 0) { process.stderr.write(`dns-programming-bench: --${name} "${flag[name]}" is not a count\n`); process.exit(2); }
  return n;
};
const SERVICES = flag.quick ? 1000 : int('services');
const SAMPLES = flag.quick ? 40 : int('samples');
const ENDPOINTS = int('endpoints'), CONC = Math.max(1, int('conc')), POLL_MS = int('poll-ms'), GAP_MS = int('gap');
const PHASE_TIMEOUT_MS = int('phase-timeout') * 1000, SAMPLE_TIMEOUT_MS = int('sample-timeout') * 1000;
const DNS_PORT = int('dns-port');
if (SERVICES > 60_000) { process.stderr.write('dns-programming-bench: at most 60,000 Services (the /16 service range)\n'); process.exit(2); }

const log = (m) => process.stderr.write(`${m}\n`);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN; };
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '-');
const mib = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MiB` : '-');
const triple = (a) => `${ms(q(a, 50))} / ${ms(q(a, 99))} / ${ms(a.length ? Math.max(...a) : NaN)}`;

// ---------------------------------------------------------------------------------------------
// Processes, stopped by PID on every exit path.

const work = mkdtempSync('/tmp/tinykube-dnsprog-');
const home = join(work, 'home');
mkdirSync(home, { recursive: true });
const children = [];
let upstream;

async function stopAll() {
  upstream?.close();
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    if (await Promise.race([gone.then(() => true), sleep(10_000).then(() => false)])) continue;
    c.kill('SIGKILL');
    await gone;
  }
  if (!flag.keep) rmSync(work, { recursive: true, force: true });
  else log(`work dir kept: ${work}`);
}
let stopping;
const finish = (code) => { stopping ??= stopAll().finally(() => process.exit(code)); return stopping; };
process.on('SIGINT', () => void finish(130));
process.on('SIGTERM', () => void finish(143));
const watchdog = setTimeout(() => { log(`dns-programming-bench: over --max-seconds ${flag['max-seconds']}, giving up`); void finish(3); }, int('max-seconds') * 1000);
watchdog.unref();

/** Starts `node [nodeArgs] bin/tinykube.js args` and resolves with the first stdout match of `ready`. */
function start(name, args, ready, nodeArgs = [], env = {}) {
  const c = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...process.env, HOME: home, KUBECONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  c.name = name;
  let out = '';
  c.stderr.on('data', (d) => (c.errText = ((c.errText ?? '') + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s:\n${out}${c.errText ?? ''}`)), 60_000);
    c.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) { clearTimeout(timer); resolve({ c, m }); }
    });
    c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}):\n${out}${c.errText ?? ''}`)); });
  });
}

function procStat(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { cpuMs: (Number(v[11]) + Number(v[12])) * 10 };
}
function rssKb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const GC_PRELOAD = `const fs = require('node:fs');
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  fs.appendFileSync(process.env.TK_BENCH_MEM_FILE, JSON.stringify(process.memoryUsage()) + '\\n');
});
`;
const memFile = join(work, 'dns-mem.jsonl');

async function memory(c) {
  const lines = () => (existsSync(memFile) ? readFileSync(memFile, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  const raw = rssKb(c.pid);
  process.kill(c.pid, 'SIGUSR2');
  const end = now() + 10_000;
  while (lines().length <= before && now() < end) await sleep(20);
  const l = lines();
  if (l.length <= before) return { raw, heapKb: NaN, gcRssKb: NaN };
  const m = JSON.parse(l[l.length - 1]);
  await sleep(1000); // freed pages go back to the OS shortly after the collection
  return { raw, heapKb: m.heapUsed / 1024, gcRssKb: rssKb(c.pid) };
}

// ---------------------------------------------------------------------------------------------
// The API with the kubeconfig's credentials, and DNS over UDP with our own packets.

let API;
const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
function api(method, path, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(path, API.server), {
      method, agent, ca: API.ca, timeout: 30_000,
      headers: { authorization: `Bearer ${API.token}`, accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function pool(n, conc, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

const dnsSock = dgram.createSocket('udp4');
let queryId = 0;
const pending = new Map();
dnsSock.on('message', (msg) => {
  const p = pending.get(msg.readUInt16BE(0));
  if (p) { pending.delete(msg.readUInt16BE(0)); p(parseAnswer(msg)); }
});

function encodeQuery(id, name) {
  const labels = name.split('.').filter(Boolean);
  const b = Buffer.alloc(12 + labels.reduce((s, l) => s + l.length + 1, 0) + 5);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(0x0100, 2); // RD
  b.writeUInt16BE(1, 4);
  let o = 12;
  for (const l of labels) { b[o++] = l.length; o += b.write(l, o, 'ascii'); }
  b[o++] = 0;
  b.writeUInt16BE(1, o); // A
  b.writeUInt16BE(1, o + 2); // IN
  return b;
}

function skipName(b, o) {
  for (;;) {
    const len = b[o];
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2;
    o += len + 1;
  }
}

/** rcode and the A records of the answer section. */
function parseAnswer(b) {
  const rcode = b[3] & 0x0f;
  const an = b.readUInt16BE(6);
  let o = skipName(b, 12) + 4;
  const ips = [];
  for (let i = 0; i < an; i++) {
    o = skipName(b, o);
    const type = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 8);
    if (type === 1 && len === 4) ips.push(`${b[o + 10]}.${b[o + 11]}.${b[o + 12]}.${b[o + 13]}`);
    o += 10 + len;
  }
  return { rcode, ips: ips.sort() };
}

function lookup(name, timeoutMs = 500) {
  queryId = (queryId + 1) & 0xffff;
  const id = queryId;
  return new Promise((resolve) => {
    const t = setTimeout(() => { pending.delete(id); resolve({ rcode: -1, ips: [] }); }, timeoutMs);
    pending.set(id, (r) => { clearTimeout(t); resolve(r); });
    dnsSock.send(encodeQuery(id, name), DNS_PORT, DNS_IP);
  });
}

/** Queries every POLL_MS until `ok(answer)`; the time it was seen (ms), or NaN at the deadline. */
async function until(name, ok, deadline) {
  while (now() < deadline) {
    const r = await lookup(name, 200);
    if (ok(r)) return now();
    if (POLL_MS > 0) await sleep(POLL_MS);
  }
  return NaN;
}

async function scrape(url) {
  const text = await new Promise((resolve, reject) => {
    http.get(url, (res) => { let b = ''; res.setEncoding('utf8'); res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }).on('error', reject);
  });
  const m = new Map();
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const i = l.lastIndexOf(' ');
    m.set(l.slice(0, i), Number(l.slice(i + 1)));
  }
  return m;
}

/** A histogram's change between two scrapes, summed over its label sets (le -> count). */
function histDelta(m0, m1, name) {
  const byLe = new Map();
  let count = 0, sum = 0;
  for (const [k, v] of m1) {
    const d = v - (m0.get(k) ?? 0);
    const le = new RegExp(`^${name}_bucket\\{(?:.*,)?le="([^"]+)"`).exec(k);
    if (le) byLe.set(le[1], (byLe.get(le[1]) ?? 0) + d);
    else if (k.startsWith(`${name}_count`)) count += d;
    else if (k.startsWith(`${name}_sum`)) sum += d;
  }
  const buckets = [...byLe].map(([le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n })).sort((a, b) => a.le - b.le);
  const at = (p) => { const want = Math.ceil(p * count); const b = buckets.find((x) => x.n >= want); return count && b ? b.le * 1000 : NaN; };
  return { count, meanMs: count ? (sum / count) * 1000 : NaN, p50: at(0.5), p99: at(0.99) };
}

// ---------------------------------------------------------------------------------------------
// The objects.

const podIP = (i) => `${POD_PREFIX}.${(i >> 8) & 255}.${i & 255}`;
const service = (name, headless) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ...(headless ? { clusterIP: 'None' } : {}), ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
const slice = (svc, first, n, ready, hostnames) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  // The trigger time the EndpointSlice controller would stamp: the server's programming histogram starts there.
  metadata: { name: `${svc}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': svc }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() } },
  addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: Array.from({ length: n }, (_, j) => ({ addresses: [podIP(first + j)], conditions: { ready }, ...(hostnames ? { hostname: `h${j}` } : {}) })),
});
const fqdn = (svc) => `${svc}.${NS}.svc.cluster.local`;

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => { if (m.length >= 12) { const o = Buffer.from(m); o[2] |= 0x80; o[3] = (o[3] & 0xf0) | 5; upstream.send(o, r.port, r.address); } });
  await new Promise((r) => upstream.bind(0, UPSTREAM_IP, r));
  const upstreamAddr = `${UPSTREAM_IP}:${upstream.address().port}`;

  log(`dns-programming-bench: ${SERVICES.toLocaleString('en-US')} Services x ${ENDPOINTS} endpoints, ${SAMPLES} samples, work dir ${work}`);
  const data = join(work, 'data');
  const { m: upReady } = await start('up', ['up', '--data-dir', data, '--api-port', '0', '--nodes', '0', '--kubelet-port', '0', '--proxy-metrics-port', '0', '--no-proxy', '--no-dns',
    '--node-ip', NODE_IP, '--service-cidr', SERVICE_CIDR, '--pod-cidr', `${POD_PREFIX}.0.0/16`, '--lb-pool', '127.222.0.0/24', '--no-kubeconfig-merge'], /^ready in (\d+) ms: (\S+)/m);
  const upProc = children[0];
  const kc = parseYaml(readFileSync(join(data, 'kubeconfig'), 'utf8'));
  API = { server: kc.clusters[0].cluster.server, ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'), token: kc.users[0].user.token };
  log(`  tinykube up (pid ${upProc.pid}) ready in ${upReady[1]} ms`);

  const preload = join(work, 'gc-preload.cjs');
  writeFileSync(preload, GC_PRELOAD);
  const metricsPort = DNS_PORT + 1;
  const { c: dns } = await start('dns', ['dns', '--kubeconfig', join(data, 'kubeconfig'), '--listen', `${DNS_IP}:${DNS_PORT}`, '--dns-metrics-port', String(metricsPort), '--dns-upstream', upstreamAddr],
    /cluster DNS for/, ['--expose-gc', '--require', preload], { TK_BENCH_MEM_FILE: memFile });
  const metrics = `http://${DNS_IP}:${metricsPort}/metrics`;
  // SERVFAIL until the first sync; then a name in the zone that does not exist is NXDOMAIN.
  if (Number.isNaN(await until(fqdn('nothing-yet'), (r) => r.rcode === 3, now() + 30_000))) throw new Error('cluster DNS did not sync within 30 s');
  log(`  tinykube dns (pid ${dns.pid}) on ${DNS_IP}:${DNS_PORT}, upstream ${upstreamAddr} (answers REFUSED)`);

  await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const rows = [];
  const mem = [['empty', await memory(dns)]];
  const coredns = (svcs) => (svcs * ENDPOINTS + svcs) / 1000 + 54;

  // Load, in two steps so the memory at 1,000 Services is seen too.
  const t0 = now();
  const cpu0 = procStat(dns.pid).cpuMs;
  const steps = SERVICES > 1000 ? [1000, SERVICES] : [SERVICES];
  let done = 0;
  for (const upto of steps) {
    const from = done;
    await pool(upto - from, CONC, async (k) => {
      const i = from + k;
      await api('POST', `/api/v1/namespaces/${NS}/services`, service(`svc-${i}`, i % 10 === 0));
      await api('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice(`svc-${i}`, i * ENDPOINTS, ENDPOINTS, true, i % 10 === 0));
    });
    done = upto;
    const last = `svc-${upto - 1}`;
    const seen = await until(fqdn(last), (r) => r.rcode === 0 && r.ips.length > 0, now() + PHASE_TIMEOUT_MS);
    if (Number.isNaN(seen)) throw new Error(`${fqdn(last)} did not resolve within --phase-timeout`);
    log(`  ${upto.toLocaleString('en-US')} Services written and resolvable ${((now() - t0) / 1000).toFixed(1)} s after the first create`);
    await sleep(2000);
    mem.push([upto, await memory(dns)]);
  }
  const loadS = (now() - t0) / 1000;
  const loadCpuMs = procStat(dns.pid).cpuMs - cpu0;

  // Samples.
  const m0 = await scrape(metrics);
  const cpuS0 = procStat(dns.pid).cpuMs;
  const times = Object.fromEntries(KINDS.map((k) => [k, { fromResponse: [], fromSend: [] }]));
  let failed = 0;
  for (let s = 0; s < SAMPLES; s++) {
    const kind = KINDS[s % 4];
    const round = Math.floor(s / 4);
    const name = kind.startsWith('svc') ? `lat-${round}` : `hl-${round}`;
    let want;
    const sent = now();
    if (kind === 'svc-add') {
      const svc = await api('POST', `/api/v1/namespaces/${NS}/services`, service(name, false));
      want = (r) => r.rcode === 0 && r.ips.length === 1 && r.ips[0] === svc.spec.clusterIP;
    } else if (kind === 'svc-del') {
      await api('DELETE', `/api/v1/namespaces/${NS}/services/${name}`);
      want = (r) => r.rcode === 3;
    } else if (kind === 'headless-add') {
      await api('POST', `/api/v1/namespaces/${NS}/services`, service(name, true));
      await sleep(GAP_MS);
      const t = now();
      await api('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice(name, 500_000 + round * 3, 3, true, false));
      const resp = now();
      const seen = await until(fqdn(name), (r) => r.rcode === 0 && r.ips.length === 3, resp + SAMPLE_TIMEOUT_MS);
      record(kind, t, resp, seen);
      await sleep(GAP_MS);
      continue;
    } else {
      const { metadata, endpoints } = slice(name, 500_000 + round * 3, 3, false, false);
      await api('PATCH', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${name}-1`, { metadata: { annotations: metadata.annotations }, endpoints }, 'application/merge-patch+json');
      want = (r) => r.rcode === 3;
    }
    const resp = now();
    const seen = await until(fqdn(name), want, resp + SAMPLE_TIMEOUT_MS);
    record(kind, sent, resp, seen);
    await sleep(GAP_MS);
  }
  function record(kind, sent, resp, seen) {
    if (Number.isNaN(seen)) { failed++; log(`  a ${kind} change was not seen within --sample-timeout`); return; }
    times[kind].fromResponse.push(seen - resp);
    times[kind].fromSend.push(seen - sent);
  }
  const cpuSamples = procStat(dns.pid).cpuMs - cpuS0;
  const m1 = await scrape(metrics);
  const hist = histDelta(m0, m1, 'coredns_kubernetes_dns_programming_duration_seconds');
  const all = KINDS.flatMap((k) => times[k].fromResponse);

  rows.push(['Services / endpoints written (' + CONC + ' requests in flight), until the last resolves', `${SERVICES.toLocaleString('en-US')} / ${(SERVICES * ENDPOINTS).toLocaleString('en-US')} in ${loadS.toFixed(1)} s; DNS CPU ${(loadCpuMs / 1000).toFixed(2)} s`]);
  for (const k of KINDS) rows.push([`${k} (${times[k].fromResponse.length}): API response -> answer p50 / p99 / max`, `${triple(times[k].fromResponse)} (from the send: p99 ${ms(q(times[k].fromSend, 99))})`]);
  rows.push([`**all ${all.length} samples** p50 / p99 / max (goal p99 < ${GOAL_MS} ms)`, `**${triple(all)}**${failed ? `; ${failed} not seen in time` : ''}`]);
  rows.push(['server histogram coredns_kubernetes_dns_programming_duration_seconds (delta over the samples)', `${hist.count} observations, p50 <= ${hist.p50} ms, p99 <= ${hist.p99} ms, mean ${ms(hist.meanMs)}`]);
  rows.push(['DNS CPU per change', ms(cpuSamples / Math.max(1, SAMPLES))]);
  for (const [at, m] of mem) {
    const label = at === 'empty' ? 'empty cluster' : `${Number(at).toLocaleString('en-US')} Services x ${ENDPOINTS}`;
    const cd = at === 'empty' ? '' : `; CoreDNS's rule: ${coredns(Number(at)).toFixed(0)} MB`;
    rows.push([`DNS memory, ${label}: RSS as found / heap after GC / RSS after GC`, `${mib(m.raw)} / ${mib(m.heapKb)} / ${mib(m.gcRssKb)}${cd}`]);
  }
  rows.push(['API server process RSS (information)', mib(rssKb(upProc.pid))]);

  const cores = cpus().length;
  process.stdout.write(`\n| (${cores} cores) | value |\n| --- | --- |\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n\n`);
  process.stdout.write(`summary: programming p50/p99 ${ms(q(all, 50))} / ${ms(q(all, 99))} (goal < ${GOAL_MS} ms: ${q(all, 99) < GOAL_MS ? 'met' : 'missed'}); ` +
    `memory at ${SERVICES.toLocaleString('en-US')} Services: RSS after GC ${mib(mem.at(-1)[1].gcRssKb)}, heap ${mib(mem.at(-1)[1].heapKb)} (CoreDNS's rule ${coredns(SERVICES).toFixed(0)} MB)\n`);
}

main().then(() => finish(0), (e) => { log(`dns-programming-bench: ${e.stack ?? e}`); return finish(1); });
