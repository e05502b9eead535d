#!/usr/bin/env node
// Cluster DNS programming benchmark (issue 6): how long from a Service change to the answer that
// shows it ("programming latency p99 < 50 ms from Service create to resolvable"), and the DNS
// server's memory at 10,000 Services and 100,000 endpoints (CoreDNS's sizing rule: MB =
// (pods + services) / 1000 + 54).
//   npm run build && node bench/dns-programming-bench.mjs [--services 10000 --endpoints 10 --samples 200]
//   node bench/dns-programming-bench.mjs --quick          # 1,000 Services, 40 samples
//
//   Two processes besides this client: `tinykube up --nodes 0 --no-proxy --no-dns` (API server and
//   controllers) and `tinykube dns` against its kubeconfig (its own process, so its RSS and CPU are
//   its own; run with --expose-gc and a bench-only preload that does a full GC and writes
//   process.memoryUsage() on SIGUSR2). Both run from a copy of dist/, bin/ and build/Release
//   taken at the start (others rebuild them meanwhile).
//   1. load     SERVICES selector-less Services (every --headless-every-th headless, the rest
//               ClusterIP) and one EndpointSlice each with ENDPOINTS ready endpoints (hostnames on
//               the headless ones), written by this client over HTTPS with the kubeconfig's
//               credentials, CONC requests in flight: 100,000 endpoints without 100,000 pods. In
//               steps (1,000, then SERVICES): after each, until the last Service resolves, then
//               every Service is queried once and checked (its cluster IP, or its ENDPOINTS
//               addresses), then the DNS process's memory: RSS as found, heap and RSS after a full
//               GC, beside CoreDNS's rule (pods = endpoints); the API server's RSS for information.
//   2. samples  SAMPLES changes one at a time at that scale, cycling through four kinds, each timed
//               from the API response (and from the send) until a UDP query (this client's own
//               packets, every --poll-ms) gets the new answer:
//                 svc-add       a ClusterIP Service is created -> NOERROR, A = its cluster IP
//                 svc-del       it is deleted -> NXDOMAIN
//                 headless-add  a headless Service (created --gap ms before) gets an EndpointSlice
//                               of 3 ready endpoints -> 3 A records
//                 not-ready     that slice's endpoints turn not ready -> NXDOMAIN
//               Also the delta of the server's own coredns_kubernetes_dns_programming_duration_seconds
//               (p50/p99 bucket; as in CoreDNS only headless Services are observed, from the slice's
//               endpoints.kubernetes.io/last-change-trigger-time, which this client sets) and the DNS
//               process's CPU per change.
//   3. qps      (optional, --qps-seconds, 0 skips) dnsperf (/usr/bin/dnsperf) against the DNS server at
//               that scale for a few seconds, 4 clients, 100 queries in flight: names of the loaded
//               Services (ClusterIP and headless) and 10% names that do not exist; the rate, dnsperf's
//               latency, the rcodes and the DNS process's CPU per answered query. A sanity line, not
//               a throughput benchmark (dns-server-bench.mjs is that): dnsperf shares the 2 cores.
//
// Addresses: node 127.0.0.19, Services 127.220.0.0/16, pods 127.222.0.0/15 (100,000 endpoints, all
// distinct), LB pool 127.224.0.0/24, DNS on 127.0.0.20:--dns-port, and an upstream on 127.0.0.21
// that this script runs and that answers REFUSED to everything (the DNS server never forwards to
// /etc/resolv.conf: nothing leaves the machine). Every load is bounded in count and time
// (--phase-timeout per phase, --sample-timeout per change, a --max-seconds watchdog); the work dir
// /tmp/tinykube-dnsprog-* is removed at the end unless --keep; the processes started here are
// stopped by PID on every exit path (a leftover child of `up` is killed by PID and start time).

import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const NODE_IP = '127.0.0.19';
const DNS_IP = '127.0.0.20';
const UPSTREAM_IP = '127.0.0.21';
const SERVICE_CIDR = '127.220.0.0/16';
const POD_CIDR = '127.222.0.0/15'; // 131,072 addresses: the load's endpoints, then the samples'
const LB_POOL = '127.224.0.0/24';
const SAMPLE_POD_BASE = 120_000; // the samples' endpoints start at this offset in the pod range
const NS = 'dnsbench';
const GOAL_MS = 50;
const KINDS = ['svc-add', 'svc-del', 'headless-add', 'not-ready'];
const SAMPLE_EPS = 3;

const { values: flag } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    endpoints: { type: 'string', default: '10' },
    samples: { type: 'string', default: '200' },
    'headless-every': { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    conc: { type: 'string', default: '32' },
    'poll-ms': { type: 'string', default: '1' },
    gap: { type: 'string', default: '50' },
    settle: { type: 'string', default: '2' },
    'phase-timeout': { type: 'string', default: '300' },
    'sample-timeout': { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '600' },
    'quiet-wait': { type: 'string', default: '10' },
    'dns-port': { type: 'string', default: '5300' },
    'qps-seconds': { type: 'string', default: '5' },
    app: { type: 'string', default: '' },
    json: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const FLAGS_HELP = '\nflags: --services 10000 --endpoints 10 --samples 200 --quick (= --services 1000 --samples 40) --headless-every 10\n' +
  '       --conc 32 --poll-ms 1 --gap 50 (ms between changes) --settle 2 (s before each memory reading)\n' +
  '       --phase-timeout 300 --sample-timeout 10 --max-seconds 600 --quiet-wait 10 --dns-port 5300 (metrics on the next port)\n' +
  '       --qps-seconds 5 (dnsperf at the loaded scale; 0 skips it, at most 10)\n' +
  '       --app DIR (a tree with dist/ and bin/ to run instead of a copy of this one\'s) --json FILE --keep\n';
if (flag.help) {
  const lines = readFileSync(SELF, 'utf8').split('\n');
  process.stdout.write(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + FLAGS_HELP);
  process.exit(0);
}
if (flag.quick) {
  if (!process.argv.includes('--services')) flag.services = '1000';
  if (!process.argv.includes('--samples')) flag.samples = '40';
}

const die = (m) => { process.stderr.write(`dns-programming-bench: ${m}\n`); process.exit(2); };
const int = (name, min = 0) => {
  const v = Number(flag[name]);
  if (!Number.isInteger(v) || v < min) die(`--${name}: "${flag[name]}" is not an integer >= ${min}`);
  return v;
};
const SERVICES = int('services', 1), ENDPOINTS = int('endpoints', 1), SAMPLES = int('samples'), CONC = int('conc', 1);
const HEADLESS_EVERY = int('headless-every', 1);
const POLL_MS = int('poll-ms'), GAP_MS = int('gap'), SETTLE = int('settle'), QUIET_WAIT = int('quiet-wait');
const PHASE_TIMEOUT_MS = int('phase-timeout', 1) * 1000, SAMPLE_TIMEOUT_MS = int('sample-timeout', 1) * 1000, MAX_SECONDS = int('max-seconds', 1);
const DNS_PORT = int('dns-port', 1024);
const QPS_SECONDS = int('qps-seconds');
if (QPS_SECONDS > 10) die('--qps-seconds: at most 10');
if (DNS_PORT > 65534) die('--dns-port: at most 65534 (the metrics take the next port)');
if (SERVICES > 20_000) die('at most 20,000 Services');
if (SERVICES * ENDPOINTS > SAMPLE_POD_BASE) die(`at most ${SAMPLE_POD_BASE.toLocaleString('en-US')} endpoints (distinct addresses in ${POD_CIDR})`);
if (ENDPOINTS > 100) die('at most 100 endpoints per Service (one slice each)');
if (SAMPLES > 2000) die('at most 2,000 samples');

const log = (m) => process.stderr.write(`${m}\n`);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN; };
const stats = (a) => ({ n: a.length, p50: q(a, 50), p90: q(a, 90), p99: q(a, 99), max: a.length ? Math.max(...a) : NaN });
const fmtMs = (v) => (Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`) : '-');
const mib = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MiB` : '-');
const mb = (kb) => (Number.isFinite(kb) ? `${((kb * 1024) / 1e6).toFixed(0)} MB` : '-');
const triple = (s) => `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}`;
const n0 = (n) => n.toLocaleString('en-US');
let TICK = 100;
try { TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { /* 100 */ }

const results = { services: SERVICES, endpoints: ENDPOINTS, headlessEvery: HEADLESS_EVERY, samples: SAMPLES, conc: CONC, pollMs: POLL_MS, oddities: [] };
const oddity = (m) => { results.oddities.push(m); log(`  ODD: ${m}`); };

// ---------------------------------------------------------------------------------------------
// /proc readers.

/** utime+stime (s), state, ppid and start time (ticks) of a process; undefined when gone. */
function procStat(pid) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, start: Number(f[19]) };
  } catch { return undefined; }
}

/** VmRSS, VmHWM, RssAnon (kB) of a process. */
function procMem(pid) {
  const out = { VmRSS: NaN, VmHWM: NaN, RssAnon: NaN };
  try {
    for (const l of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(VmRSS|VmHWM|RssAnon):\s+(\d+)/.exec(l);
      if (m) out[m[1]] = Number(m[2]);
    }
  } catch { /* gone */ }
  return out;
}

const cmdline = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; } };
/** CPU time (ms, ns resolution) of a process's live threads: the sum of each /proc/<pid>/task/<tid>/schedstat (utime+stime counts in 10 ms ticks). */
function cpuMsFine(pid) {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]); } catch { /* thread gone */ }
    }
  } catch { return NaN; }
  return ns / 1e6;
}
const threads = (pid) => { try { return readdirSync(`/proc/${pid}/task`).length; } catch { return NaN; } };

/** Busy and total jiffies of the whole machine (/proc/stat). */
function boxJiffies() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
}
const boxBusyPct = (b0, b1) => ((b1.busy - b0.busy) / Math.max(1, b1.total - b0.total)) * cpus().length * 100;

/** Waits up to --quiet-wait s for the box to be idle (< 25% of a core busy over 1 s); returns the load seen. */
async function awaitQuiet(what) {
  const end = Date.now() + QUIET_WAIT * 1000;
  let busy;
  for (;;) {
    const b0 = boxJiffies();
    await sleep(1000);
    busy = boxBusyPct(b0, boxJiffies());
    if (busy < 25 || Date.now() >= end) break;
  }
  log(`  machine ${busy < 25 ? 'idle' : `still busy (${busy.toFixed(0)}% of a core)`} before ${what}`);
  results[`busy_before_${what}_pct`] = busy;
  return busy;
}

// ---------------------------------------------------------------------------------------------
// Run state and cleanup: every process this bench starts, by PID (and start time).

const work = mkdtempSync('/tmp/tinykube-dnsprog-');
const children = new Map(); // pid -> { name, child, start, exited, errLines, adopted }
let agent;
let upstream;
let dnsSock;
let cleaning;

async function stopPid(pid, graceMs) {
  const alive = () => { const s = procStat(pid); return !!s && s.state !== 'Z'; };
  if (!alive()) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const end = Date.now() + graceMs;
  while (alive() && Date.now() < end) await sleep(50);
  if (alive()) {
    oddity(`pid ${pid} (${children.get(pid)?.name ?? '?'}) did not stop within ${graceMs / 1000} s of SIGTERM; SIGKILL`);
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function cleanup() {
  cleaning ??= cleanupOnce();
  return cleaning;
}

async function cleanupOnce() {
  for (const w of watches) w.stop();
  agent?.destroy();
  try { upstream?.close(); } catch { /* closed */ }
  try { dnsSock?.close(); } catch { /* closed */ }
  // DNS first (it would only log the API server going away), then up.
  const order = [...children.entries()].sort(([, a], [, b]) => (a.name === 'dns' ? -1 : b.name === 'dns' ? 1 : 0));
  for (const [pid, c] of order) if (!c.adopted) await stopPid(pid, c.name === 'up' ? 30_000 : 10_000);
  // up's own children stop with it; one still alive (same pid and start time) is a leak.
  await sleep(300);
  for (const [pid, c] of children) {
    if (!c.adopted) continue;
    const s = procStat(pid);
    if (s && s.start === c.start && s.state !== 'Z') {
      oddity(`${c.name} (pid ${pid}) outlived tinykube up; SIGKILL`);
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  if (!flag.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

process.on('exit', () => {
  for (const [pid, c] of children) {
    const s = procStat(pid);
    if (s && s.start === c.start && s.state !== 'Z') try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`dns-programming-bench: ${sig}, stopping`); cleanup().finally(() => process.exit(130)); });
const watchdog = setTimeout(() => { log(`dns-programming-bench: over --max-seconds ${MAX_SECONDS}, giving up`); cleanup().finally(() => process.exit(3)); }, MAX_SECONDS * 1000);
watchdog.unref();

/** Spawns `node [nodeArgs] <app>/bin/tinykube.js args`; resolves with the first stdout line matching `ready`. */
function startTinykube(name, app, args, ready, env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(app, 'bin', 'tinykube.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const c = { name, child, pid: child.pid, start: procStat(child.pid)?.start, exited: null, errLines: [], stderrCount: 0, kinds: new Map(), outLines: [] };
  children.set(child.pid, c);
  const logFile = createWriteStream(join(work, `${name}.log`));
  createInterface({ input: child.stderr }).on('line', (l) => {
    logFile.write(`E ${l}\n`);
    c.stderrCount++;
    c.errLines.push(l);
    if (c.errLines.length > 200) c.errLines.splice(0, 100);
    const k = l.replace(/\d+(\.\d+)*/g, 'N').slice(0, 200); // distinct lines, numbers folded
    c.kinds.set(k, (c.kinds.get(k) ?? 0) + 1);
  });
  child.on('exit', (code, sig) => { c.exited = code ?? sig; });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: no ready line within 90 s; stderr:\n${c.errLines.slice(-20).join('\n')}`)), 90_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      logFile.write(`O ${l}\n`);
      if (c.outLines.length < 50) c.outLines.push(l);
      const m = ready.exec(l);
      if (m) { clearTimeout(t); resolve({ c, m }); }
    });
    child.once('exit', (code, sig) => { clearTimeout(t); reject(new Error(`${name} exited (${code ?? sig}) during start; stderr:\n${c.errLines.slice(-20).join('\n')}`)); });
  });
}

/** DNS must stay up for the whole run; a crash ends it with its last words. */
function checkAlive(c) {
  if (c.exited !== null) throw new Error(`${c.name} (pid ${c.pid}) exited (${c.exited}); its stderr ended:\n${c.errLines.slice(-20).join('\n')}`);
}

const GC_PRELOAD = `const fs = require('node:fs');
let n = 0;
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  fs.appendFileSync(process.env.TK_BENCH_MEM_FILE, JSON.stringify({ n: ++n, ...process.memoryUsage() }) + '\\n');
});
`;

/** RSS as found, then heap used and RSS after a full GC (the preload above, on SIGUSR2). */
async function memAfterGc(c, file) {
  const count = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  const before = count();
  const raw = procMem(c.pid);
  process.kill(c.pid, 'SIGUSR2');
  const end = now() + 10_000;
  while (count() <= before && now() < end) await sleep(20);
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  if (lines.length <= before) { oddity(`${c.name}: no memory report within 10 s of SIGUSR2`); return { rawKb: raw.VmRSS, heapUsedKb: NaN, externalKb: NaN, rssGcKb: NaN }; }
  const m = JSON.parse(lines[lines.length - 1]);
  await sleep(1000); // V8 returns freed pages to the OS shortly after, not during, the collection
  return { rawKb: raw.VmRSS, heapUsedKb: m.heapUsed / 1024, heapTotalKb: m.heapTotal / 1024, externalKb: m.external / 1024, arrayBuffersKb: m.arrayBuffers / 1024, rssGcKb: procMem(c.pid).VmRSS, peakKb: procMem(c.pid).VmHWM };
}

// ---------------------------------------------------------------------------------------------
// The API, as kubectl would talk to it: the kubeconfig's server, CA and bearer token.

let API;

function api(method, path, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(path, API.server), {
      method, agent, timeout: 30_000,
      headers: { authorization: `Bearer ${API.token}`, accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, body: json, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function apiOk(method, path, body, ok = [200, 201], contentType) {
  const r = await api(method, path, body, contentType);
  if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

const watches = [];

/** A watch from resourceVersion rv; onEvent(type, obj, t) per event (t: when its bytes arrived). */
function watch(path, rv, onEvent) {
  let req;
  let stopped = false;
  const opened = new Promise((resolve, reject) => {
    req = https.request(new URL(`${path}?watch=true&resourceVersion=${rv}&timeoutSeconds=3600`, API.server), {
      agent: false, ca: API.ca, headers: { authorization: `Bearer ${API.token}`, accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${path}: ${res.statusCode}`)); return; }
      resolve();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        const t = now();
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          let ev;
          try { ev = JSON.parse(line); } catch { oddity(`watch ${path}: unparsable line ${line.slice(0, 120)}`); continue; }
          if (ev.type === 'ERROR') { oddity(`watch ${path}: ERROR ${JSON.stringify(ev.object).slice(0, 200)}`); continue; }
          if (ev.type === 'BOOKMARK') continue;
          onEvent(ev.type, ev.object, t);
        }
      });
      res.on('end', () => { if (!stopped) oddity(`the watch on ${path} ended early`); });
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (!stopped) reject(e); });
    req.end();
  });
  const w = { opened, stop() { stopped = true; req?.destroy(); } };
  watches.push(w);
  return w;
}

/** Runs fn(i) for i in [from, to), conc at a time, none started after `deadline`; the errors by message and how many ran. */
async function pool(from, to, conc, deadline, fn) {
  let next = from, ran = 0;
  const errors = new Map();
  await Promise.all(Array.from({ length: Math.min(conc, to - from) }, async () => {
    while (next < to && now() < deadline) {
      const i = next++;
      try { await fn(i); ran++; } catch (e) { const m = String(e.message).slice(0, 160); errors.set(m, (errors.get(m) ?? 0) + 1); }
    }
  }));
  return { errors, ran, next };
}

// ---------------------------------------------------------------------------------------------
// DNS over UDP with this client's own packets: an A query per name, the rcode and A records back.

let queryId = 0;
const pending = new Map(); // id -> { name, done }
let queriesSent = 0, queryTimeouts = 0, strayAnswers = 0;

function encodeQuery(id, name) {
  const labels = name.split('.').filter(Boolean);
  const b = Buffer.alloc(12 + labels.reduce((s, l) => s + l.length + 1, 0) + 5);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(0x0100, 2); // RD
  b.writeUInt16BE(1, 4); // QDCOUNT
  let o = 12;
  for (const l of labels) { b[o++] = l.length; o += b.write(l, o, 'ascii'); }
  b[o++] = 0;
  b.writeUInt16BE(1, o); // QTYPE A
  b.writeUInt16BE(1, o + 2); // QCLASS IN
  return b;
}

/** The name at offset o (pointers followed) and the offset after it in place. */
function readName(b, o) {
  const labels = [];
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = b[o];
    if (len === undefined) throw new Error('truncated name');
    if ((len & 0xc0) === 0xc0) { if (end < 0) end = o + 2; o = ((len & 0x3f) << 8) | b[o + 1]; continue; }
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: end < 0 ? o + 1 : end };
    labels.push(b.toString('latin1', o + 1, o + 1 + len));
    o += len + 1;
  }
  throw new Error('name pointer loop');
}

/** rcode, TC, the question's name and the A records of the answer section (sorted). */
function parseAnswer(b) {
  const rcode = b[3] & 0x0f, tc = (b[2] & 0x02) !== 0;
  const qd = b.readUInt16BE(4), an = b.readUInt16BE(6);
  let o = 12, qname = '';
  for (let i = 0; i < qd; i++) { const r = readName(b, o); qname = r.name; o = r.end + 4; }
  const ips = [];
  for (let i = 0; i < an; i++) {
    o = readName(b, o).end;
    const type = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 8);
    if (type === 1 && len === 4) ips.push(`${b[o + 10]}.${b[o + 11]}.${b[o + 12]}.${b[o + 13]}`);
    o += 10 + len;
  }
  return { rcode, tc, qname, ips: ips.sort() };
}

function openDnsClient() {
  dnsSock = dgram.createSocket('udp4');
  dnsSock.on('message', (msg) => {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const p = pending.get(id);
    let a;
    try { a = parseAnswer(msg); } catch (e) { oddity(`unparsable DNS answer (${e.message})`); return; }
    // A late answer to a query that timed out must not be taken for a newer one with the same id.
    if (!p || a.qname !== p.name) { strayAnswers++; return; }
    pending.delete(id);
    p.done(a);
  });
  return new Promise((r) => dnsSock.bind(0, '127.0.0.1', r));
}

function lookup(name, timeoutMs = 200) {
  let id;
  do { queryId = (queryId + 1) & 0xffff; id = queryId; } while (pending.has(id));
  queriesSent++;
  return new Promise((resolve) => {
    const t = setTimeout(() => { pending.delete(id); queryTimeouts++; resolve({ rcode: -1, ips: [] }); }, timeoutMs);
    pending.set(id, { name: name.toLowerCase(), done: (r) => { clearTimeout(t); resolve(r); } });
    dnsSock.send(encodeQuery(id, name), DNS_PORT, DNS_IP);
  });
}

/** Queries every POLL_MS until ok(answer); the time it was seen and the queries it took (t NaN at the deadline). */
async function until(name, ok, deadline) {
  let polls = 0, last;
  const trail = []; // the distinct answers in the order seen ("rcode/A count"), for the JSON
  for (;;) {
    last = await lookup(name);
    const t = now();
    polls++;
    const a = `${last.rcode}/${last.ips.length}`;
    if (trail.at(-1) !== a && trail.length < 8) trail.push(a);
    if (ok(last)) return { t, polls, last, trail };
    if (t > deadline) return { t: NaN, polls, last, trail };
    if (POLL_MS > 0) await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// The DNS server's /metrics.

async function scrape(url) {
  const text = await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
      res.on('error', reject);
    }).on('error', reject);
  });
  const m = new Map();
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const i = l.lastIndexOf(' ');
    m.set(l.slice(0, i), Number(l.slice(i + 1)));
  }
  return m;
}

/** A histogram's change between two scrapes, summed over its other labels: buckets (le -> count), count, sum; and the count by `by`. */
function histDelta(m0, m1, name, by) {
  const byLe = new Map(), byLabel = {};
  let count = 0, sum = 0;
  for (const [k, v] of m1) {
    const d = v - (m0?.get(k) ?? 0);
    const le = new RegExp(`^${name}_bucket\\{(?:.*,)?le="([^"]+)"`).exec(k);
    if (le) byLe.set(le[1], (byLe.get(le[1]) ?? 0) + d);
    else if (k === `${name}_count` || k.startsWith(`${name}_count{`)) {
      count += d;
      const l = by && new RegExp(`${by}="([^"]*)"`).exec(k);
      if (l && d) byLabel[l[1]] = (byLabel[l[1]] ?? 0) + d;
    } else if (k === `${name}_sum` || k.startsWith(`${name}_sum{`)) sum += d;
  }
  const buckets = [...byLe].map(([le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum, byLabel };
}

/** The upper bound (ms) of the bucket holding quantile p of a histogram delta ('<= x ms'). */
function bucketQuantile(h, p) {
  if (!h.count) return NaN;
  const want = Math.ceil(p * h.count);
  for (const b of h.buckets) if (b.n >= want) return +(b.le * 1000).toPrecision(6);
  return Infinity;
}
const fmtBucket = (ms) => (Number.isFinite(ms) ? `<= ${ms} ms` : ms === Infinity ? '> last bucket' : '-');

// ---------------------------------------------------------------------------------------------
// The objects.

/** The i-th address of the pod range 127.222.0.0/15. */
const podIP = (i) => `127.${222 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const isHeadless = (i) => i % HEADLESS_EVERY === 0;
const svcName = (i) => `svc-${String(i).padStart(5, '0')}`;
const service = (name, headless) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS },
  spec: { ...(headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }), ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
});
const slice = (svc, first, n, ready, hostnames) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  // The trigger time the EndpointSlice controller would stamp: the server's programming histogram starts there.
  metadata: {
    name: `${svc}-1`, namespace: NS,
    labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'dns-programming-bench' },
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
  },
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: Array.from({ length: n }, (_, j) => ({ addresses: [podIP(first + j)], conditions: { ready, serving: ready, terminating: false }, ...(hostnames ? { hostname: `h${j}` } : {}) })),
});
const fqdn = (svc) => `${svc}.${NS}.svc.cluster.local`;

// ---------------------------------------------------------------------------------------------
// The run.

async function main() {
  // The build every process of the run uses: a copy of dist/, bin/ and the native addons.
  let app;
  if (flag.app) app = resolve(flag.app);
  else {
    app = join(work, 'app');
    mkdirSync(app, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
    if (existsSync(join(ROOT, 'build', 'Release'))) {
      for (const f of readdirSync(join(ROOT, 'build', 'Release')).filter((n) => n.endsWith('.node'))) {
        mkdirSync(join(app, 'build', 'Release'), { recursive: true });
        copyFileSync(join(ROOT, 'build', 'Release', f), join(app, 'build', 'Release', f));
      }
    }
    copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  }
  if (!existsSync(join(app, 'dist', 'cli', 'index.js'))) throw new Error(`${app}/dist is missing: npm run build`);
  const help = execFileSync(process.execPath, [join(app, 'bin', 'tinykube.js'), '--help'], { encoding: 'utf8' });
  if (!help.includes('--no-dns') || !help.includes('\n  dns ')) throw new Error(`${app}/dist predates \`up --no-dns\` and \`tinykube dns\`: npm run build`);

  // The upstream: REFUSED to everything, so nothing the DNS server forwards leaves the machine.
  upstream = dgram.createSocket('udp4');
  let upstreamQueries = 0;
  upstream.on('message', (m, r) => {
    if (m.length < 12) return;
    upstreamQueries++;
    const o = Buffer.from(m);
    o[2] = (o[2] | 0x80) & ~0x02; // QR, not TC
    o[3] = (o[3] & 0xf0) | 5; // REFUSED
    upstream.send(o, r.port, r.address);
  });
  await new Promise((r, j) => { upstream.once('error', j); upstream.bind(0, UPSTREAM_IP, r); });
  const upstreamAddr = `${UPSTREAM_IP}:${upstream.address().port}`;
  await openDnsClient();

  log(`dns-programming-bench: ${n0(SERVICES)} Services x ${ENDPOINTS} endpoints (every ${HEADLESS_EVERY}th headless), ${SAMPLES} samples, ${CONC} requests in flight, work dir ${work}`);
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  const dataDir = join(work, 'data');
  const tUp = now();
  const { c: up, m: upReady } = await startTinykube('up', app, ['up', '--data-dir', dataDir, '--api-port', '0', '--no-ingress', '--nodes', '0', '--kubelet-port', '0', '--proxy-metrics-port', '0',
    '--no-proxy', '--no-dns', '--node-ip', NODE_IP, '--service-cidr', SERVICE_CIDR, '--pod-cidr', POD_CIDR, '--lb-pool', LB_POOL, '--no-kubeconfig-merge'],
  /^ready in (\d+) ms: (https:\/\/\S+)/, { HOME: home, KUBECONFIG: join(home, 'kubeconfig') });
  log(`  tinykube up (pid ${up.pid}) ready in ${upReady[1]} ms (${Math.round(now() - tUp)} ms from spawn) at ${upReady[2]}`);
  results.up_ready_ms = Number(upReady[1]);
  // up's own children (none expected with --nodes 0), so a leftover can be found by PID and start time.
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(d);
    if (s?.ppid === up.pid) children.set(Number(d), { name: `up's child ${cmdline(d).slice(0, 80)}`, start: s.start, adopted: true, exited: null, errLines: [] });
  }

  const kcPath = join(dataDir, 'kubeconfig');
  const kc = readFileSync(kcPath, 'utf8');
  API = {
    server: /server:\s*(\S+)/.exec(kc)[1],
    ca: Buffer.from(/certificate-authority-data:\s*(\S+)/.exec(kc)[1], 'base64').toString('utf8'),
    token: /token:\s*(\S+)/.exec(kc)[1],
  };
  agent = new https.Agent({ keepAlive: true, maxSockets: CONC, ca: API.ca });

  const preload = join(work, 'gc-probe.cjs');
  const memFile = join(work, 'dns-memory.jsonl');
  writeFileSync(preload, GC_PRELOAD);
  const { c: dns, m: dm } = await startTinykube('dns', app, ['dns', '--kubeconfig', kcPath, '--listen', `${DNS_IP}:${DNS_PORT}`, '--dns-metrics-port', String(DNS_PORT + 1), '--dns-upstream', upstreamAddr],
    /cluster DNS for .* metrics (http:\/\/\S+\/metrics)/, { HOME: home, TK_BENCH_MEM_FILE: memFile }, ['--expose-gc', '--require', preload]);
  const metricsUrl = dm[1];
  // Which UDP path answers: the native one (native/dns.c) loads tinykube_dns.node; `tinykube dns` does not say.
  let udpPath = 'js';
  try { if (readFileSync(`/proc/${dns.pid}/maps`, 'utf8').includes('tinykube_dns.node')) udpPath = 'native'; } catch { /* gone */ }
  if (dns.errLines.some((l) => l.includes('native UDP path unavailable'))) udpPath = 'js';
  results.udp_path = udpPath;
  // SERVFAIL until the first sync; then a name in the zone that does not exist is NXDOMAIN.
  const synced = await until(fqdn('nothing-yet'), (r) => r.rcode === 3, now() + 30_000);
  if (!Number.isFinite(synced.t)) throw new Error(`cluster DNS answered no NXDOMAIN within 30 s (last rcode ${synced.last.rcode})`);
  log(`  tinykube dns (pid ${dns.pid}, ${threads(dns.pid)} threads, UDP path: ${udpPath}) on ${DNS_IP}:${DNS_PORT}, ${metricsUrl}, upstream ${upstreamAddr} (REFUSED)`);
  const cpuOf = (c) => procStat(c.pid)?.cpu ?? NaN;

  // -- 1. load ----------------------------------------------------------------------------------
  await apiOk('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, [201]);
  await sleep(SETTLE * 1000);
  await awaitQuiet('baseline');
  const mem = [];
  const reading = async (services) => {
    checkAlive(dns);
    const g = await memAfterGc(dns, memFile);
    const upKb = procMem(up.pid).VmRSS;
    const eps = services * ENDPOINTS;
    const corednsMB = (eps + services) / 1000 + 54;
    mem.push({ services, endpoints: eps, ...g, upRssKb: upKb, corednsMB, corednsKb: (corednsMB * 1e6) / 1024, cpuSec: cpuOf(dns) });
    log(`  DNS at ${n0(services)} Services / ${n0(eps)} endpoints: RSS ${mib(g.rawKb)}; after a full GC heap ${mib(g.heapUsedKb)}, RSS ${mib(g.rssGcKb)} ` +
      `(CoreDNS's rule ${corednsMB.toFixed(0)} MB); API server RSS ${mib(upKb)}`);
  };
  await reading(0);

  const steps = SERVICES > 1000 ? [1000, SERVICES] : [SERVICES];
  const loadDeadline = now() + PHASE_TIMEOUT_MS;
  const loadSteps = [];
  const clusterIPs = new Map(); // i -> cluster IP
  const tLoad = now(), cpuL0 = cpuOf(dns), bL0 = boxJiffies();
  let done = 0;
  for (const upto of steps) {
    const from = done;
    const cpuS = cpuOf(dns), t0 = now();
    const r = await pool(from, upto, CONC, loadDeadline, async (i) => {
      const headless = isHeadless(i);
      const s = await apiOk('POST', `/api/v1/namespaces/${NS}/services`, service(svcName(i), headless), [201]);
      if (!headless) clusterIPs.set(i, s.spec.clusterIP);
      await apiOk('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slice(svcName(i), i * ENDPOINTS, ENDPOINTS, true, headless), [201]);
    });
    const tWritten = now();
    if (r.errors.size) oddity(`writes failed: ${[...r.errors].map(([m, k]) => `${k}x ${m}`).join('; ')}`);
    if (r.next < upto) oddity(`--phase-timeout: only Services ${from}..${r.next - 1} of ${from}..${upto - 1} were written`);
    const last = r.next - 1;
    const want = (i) => (isHeadless(i) ? ENDPOINTS : 1);
    const lastSeen = await until(fqdn(svcName(last)), (a) => a.rcode === 0 && a.ips.length === want(last), loadDeadline);
    checkAlive(dns);
    if (!Number.isFinite(lastSeen.t)) oddity(`${fqdn(svcName(last))} did not resolve by the --phase-timeout (last answer rcode ${lastSeen.last.rcode}, ${lastSeen.last.ips.length} A)`);
    const cpuWritten = cpuOf(dns) - cpuS;
    // Every Service once, checked: its cluster IP, or its ENDPOINTS ready addresses.
    const tVerify = now();
    let right = 0;
    const wrong = [];
    await pool(0, r.next, 64, loadDeadline + 60_000, async (i) => {
      const a = await lookup(fqdn(svcName(i)), 2000);
      const ok = a.rcode === 0 && (isHeadless(i)
        ? a.ips.join() === Array.from({ length: ENDPOINTS }, (_, j) => podIP(i * ENDPOINTS + j)).sort().join()
        : a.ips.length === 1 && a.ips[0] === clusterIPs.get(i));
      if (ok) right++;
      else if (wrong.length < 5) wrong.push(`${svcName(i)}: rcode ${a.rcode}, ${a.ips.join(' ') || 'no A'}`);
    });
    if (right < r.next) oddity(`${r.next - right} of ${r.next} Services did not answer as written, e.g. ${wrong.join('; ')}`);
    const step = {
      services: r.next, written: r.next - from, write_ms: tWritten - t0, writes_per_s: ((r.next - from) * 2) / ((tWritten - t0) / 1000),
      last_resolvable_ms: lastSeen.t - t0, last_resolvable_after_writes_ms: lastSeen.t - tWritten,
      verified_right: right, verify_ms: now() - tVerify, dns_cpu_sec: cpuWritten,
    };
    loadSteps.push(step);
    log(`  Services ${n0(from)}..${n0(r.next - 1)}: written in ${fmtMs(step.write_ms)} (${step.writes_per_s.toFixed(0)} writes/s), the last resolvable ${fmtMs(step.last_resolvable_after_writes_ms)} after; ` +
      `${n0(right)}/${n0(r.next)} answer right (checked in ${fmtMs(step.verify_ms)}); DNS CPU ${cpuWritten.toFixed(2)} s`);
    done = r.next;
    await sleep(SETTLE * 1000);
    await reading(done);
    if (done < upto) break;
  }
  const loadBusy = boxBusyPct(bL0, boxJiffies());
  results.load = { steps: loadSteps, total_ms: now() - tLoad, dns_cpu_sec: cpuOf(dns) - cpuL0, box_busy_pct: loadBusy };
  results.memory = mem;
  const loaded = done;

  // -- 2. samples -------------------------------------------------------------------------------
  // The bench's own watch on Services and EndpointSlices splits a change into API (send -> the
  // event on this watch) and DNS (the event -> resolvable); the DNS server's watch is another one.
  const seenOnWatch = new Map(); // "TYPE kind/name" -> time of the first such event
  const onEv = (res) => (type, obj, t) => { if (obj.metadata?.namespace !== NS) return; const k = `${type} ${res}/${obj.metadata?.name}`; if (!seenOnWatch.has(k)) seenOnWatch.set(k, t); };
  const rvOf = async (path) => (await apiOk('GET', `${path}?limit=1`)).metadata.resourceVersion;
  await Promise.all([
    // Cluster-wide, as the DNS server's own watches are.
    watch('/api/v1/services', await rvOf('/api/v1/services'), onEv('service')).opened,
    watch('/apis/discovery.k8s.io/v1/endpointslices', await rvOf('/apis/discovery.k8s.io/v1/endpointslices'), onEv('slice')).opened,
  ]);
  const watchEvent = async (key) => {
    const end = now() + 2000;
    while (!seenOnWatch.has(key) && now() < end) await sleep(1);
    return seenOnWatch.get(key) ?? NaN;
  };
  const busy = await awaitQuiet('samples');
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const met0 = await scrape(metricsUrl);
  const cpu0 = cpuOf(dns), b0 = boxJiffies(), q0 = queriesSent, err0 = dns.stderrCount;
  const samples = [];
  const cpuByKind = Object.fromEntries(KINDS.map((k) => [k, 0]));
  let lastLog = now();
  for (let k = 0; k < SAMPLES; k++) {
    checkAlive(dns);
    const kind = KINDS[k % KINDS.length];
    const round = Math.floor(k / KINDS.length);
    const s = { kind, k };
    const c0 = cpuMsFine(dns.pid);
    // Polls start at the send, alongside the request: the answer may change before the response
    // reaches this client (the watch event leaves the API server before its response does).
    const change = async (ok, request) => {
      s.send = now();
      const seen = until(fqdn(s.service), ok, s.send + SAMPLE_TIMEOUT_MS);
      const body = await request();
      s.resp = now();
      // And a query at once on the response, not after the poller's sleep: whichever sees it first.
      const [a, b] = await Promise.all([seen, until(fqdn(s.service), ok, s.send + SAMPLE_TIMEOUT_MS)]);
      const first = !Number.isFinite(a.t) ? b : !Number.isFinite(b.t) || a.t <= b.t ? a : b;
      Object.assign(s, { t: first.t, polls: a.polls + b.polls, last: first.last, trail: a.trail.join(' '), trailAfterResponse: b.trail.join(' ') });
      return body;
    };
    if (kind === 'svc-add') {
      s.service = `lat-${round}`;
      // A new name: any A record in the service range is the new Service's (checked below).
      const svc = await change((a) => a.rcode === 0 && a.ips.length === 1 && a.ips[0].startsWith('127.220.'),
        () => apiOk('POST', `/api/v1/namespaces/${NS}/services`, service(s.service, false), [201]));
      if (Number.isFinite(s.t) && s.last.ips[0] !== svc.spec.clusterIP) oddity(`${s.service}: answered ${s.last.ips[0]}, its cluster IP is ${svc.spec.clusterIP}`);
    } else if (kind === 'svc-del') {
      s.service = `lat-${round}`;
      await change((a) => a.rcode === 3, () => apiOk('DELETE', `/api/v1/namespaces/${NS}/services/${s.service}`, undefined, [200, 202]));
    } else if (kind === 'headless-add') {
      s.service = `hl-${round}`;
      await apiOk('POST', `/api/v1/namespaces/${NS}/services`, service(s.service, true), [201]);
      await sleep(GAP_MS); // the Service alone is in the zone before its endpoints come
      const body = slice(s.service, SAMPLE_POD_BASE + round * SAMPLE_EPS, SAMPLE_EPS, true, false);
      const want = body.endpoints.map((e) => e.addresses[0]).sort().join();
      await change((a) => a.rcode === 0 && a.ips.join() === want, () => apiOk('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, body, [201]));
    } else {
      s.service = `hl-${round}`;
      const { metadata, endpoints } = slice(s.service, SAMPLE_POD_BASE + round * SAMPLE_EPS, SAMPLE_EPS, false, false);
      await change((a) => a.rcode === 3,
        () => apiOk('PATCH', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${s.service}-1`, { metadata: { annotations: metadata.annotations }, endpoints }, [200], 'application/merge-patch+json'));
    }
    cpuByKind[kind] += cpuMsFine(dns.pid) - c0;
    const evKey = { 'svc-add': `ADDED service/${s.service}`, 'svc-del': `DELETED service/${s.service}`, 'headless-add': `ADDED slice/${s.service}-1`, 'not-ready': `MODIFIED slice/${s.service}-1` }[kind];
    s.watch = await watchEvent(evKey);
    s.apiPart = s.watch - s.send;
    s.dnsPart = s.t - s.watch; // negative: the DNS server's watch was ahead of this one
    s.beforeResp = s.t < s.resp;
    s.fromResp = Math.max(0, s.t - s.resp); // 0: resolvable when the response came
    s.fromSend = s.t - s.send;
    s.lastRcode = s.last.rcode;
    delete s.last;
    samples.push(s);
    if (!Number.isFinite(s.t)) oddity(`${kind} ${s.service}: no new answer within --sample-timeout (last rcode ${s.lastRcode})`);
    if (now() - lastLog > 10_000) { lastLog = now(); log(`    ${k + 1}/${SAMPLES} samples`); }
    if (GAP_MS) await sleep(GAP_MS);
  }
  lag.disable();
  const met1 = await scrape(metricsUrl);
  const cpu1 = cpuOf(dns);
  const sampleBusy = boxBusyPct(b0, boxJiffies());
  const prog = histDelta(met0, met1, 'coredns_kubernetes_dns_programming_duration_seconds', 'service_kind');
  const progAll = histDelta(undefined, met1, 'coredns_kubernetes_dns_programming_duration_seconds', 'service_kind');
  const ok = samples.filter((x) => Number.isFinite(x.t));
  const byKind = {};
  for (const kind of KINDS) {
    const ss = ok.filter((x) => x.kind === kind);
    byKind[kind] = {
      n: ss.length,
      from_response_ms: stats(ss.map((x) => x.fromResp)),
      from_send_ms: stats(ss.map((x) => x.fromSend)),
      api_round_trip_ms: stats(ss.map((x) => x.resp - x.send)),
      polls_p50: q(ss.map((x) => x.polls), 50),
      resolvable_before_response: ss.filter((x) => x.beforeResp).length,
      api_to_watch_ms: stats(ss.filter((x) => Number.isFinite(x.watch)).map((x) => x.apiPart)),
      watch_to_resolvable_ms: stats(ss.filter((x) => Number.isFinite(x.watch)).map((x) => x.dnsPart)),
      response_to_watch_ms: stats(ss.filter((x) => Number.isFinite(x.watch)).map((x) => x.watch - x.resp)),
      dns_cpu_ms_per_change: cpuByKind[kind] / Math.max(1, samples.filter((x) => x.kind === kind).length),
    };
  }
  results.samples = {
    loaded_services: loaded, busy_before_pct: busy, box_busy_pct: sampleBusy,
    by_kind: byKind,
    all_from_response_ms: stats(ok.map((x) => x.fromResp)),
    all_from_send_ms: stats(ok.map((x) => x.fromSend)),
    all_api_round_trip_ms: stats(ok.map((x) => x.resp - x.send)),
    all_watch_to_resolvable_ms: stats(ok.filter((x) => Number.isFinite(x.watch)).map((x) => x.dnsPart)),
    not_on_watch: ok.filter((x) => !Number.isFinite(x.watch)).length,
    resolvable_before_response: ok.filter((x) => x.beforeResp).length,
    not_seen: samples.length - ok.length,
    queries: queriesSent - q0,
    // monitorEventLoopDelay counts the whole 10 ms interval: the delay is what exceeds it.
    client_loop_delay_ms: { p99: Math.max(0, lag.percentile(99) / 1e6 - 10), max: Math.max(0, lag.max / 1e6 - 10) },
    programming_histogram: {
      count: prog.count, by_kind: prog.byLabel, p50_bucket_ms: bucketQuantile(prog, 0.5), p99_bucket_ms: bucketQuantile(prog, 0.99), mean_ms: (prog.sum / Math.max(1, prog.count)) * 1000,
      buckets: prog.buckets.filter((b) => Number.isFinite(b.le) && b.le <= 1.1).map((b) => [b.le, b.n]),
    },
    programming_histogram_whole_run: { count: progAll.count, by_kind: progAll.byLabel, p99_bucket_ms: bucketQuantile(progAll, 0.99) },
    dns_cpu_sec: cpu1 - cpu0,
    dns_stderr_lines: dns.stderrCount - err0,
    list: samples,
  };
  log(`  samples: send -> resolvable p50/p99/max ${triple(results.samples.all_from_send_ms)}; after the response ${triple(results.samples.all_from_response_ms)}; server histogram ${prog.count} observations, p99 ${fmtBucket(results.samples.programming_histogram.p99_bucket_ms)}`);
  const after = await memAfterGc(dns, memFile);
  results.memory_after_samples = after;

  // -- 3. qps -----------------------------------------------------------------------------------
  if (QPS_SECONDS > 0) {
    checkAlive(dns);
    results.qps = await qps(dns, loaded, clusterIPs);
    checkAlive(dns);
  }
  results.dns = {
    pid: dns.pid, udp_path: udpPath, threads: threads(dns.pid), cpu_total_sec: cpuOf(dns), peak_rss_kb: procMem(dns.pid).VmHWM,
    stderr: { lines: dns.stderrCount, last: dns.errLines.slice(-10), distinct: distinct(dns.kinds) },
  };
  results.up_stderr = { lines: up.stderrCount, distinct: distinct(up.kinds) };
  results.client = { queries: queriesSent, timeouts: queryTimeouts, stray_answers: strayAnswers, upstream_queries: upstreamQueries };
}

/** dnsperf for QPS_SECONDS against the DNS server: hits over the loaded Services, 10% names that do not exist. */
async function qps(dns, loaded, clusterIPs) {
  const DNSPERF = '/usr/bin/dnsperf';
  if (!existsSync(DNSPERF)) { oddity(`${DNSPERF} not found (apt-get install dnsperf): no QPS line`); return undefined; }
  const names = [];
  let nx = 0, headless = 0;
  for (let j = 0; j < 10_000; j++) {
    if (j % 10 === 9) { names.push(`${fqdn(`nope-${j}`)} A`); nx++; continue; }
    const i = (j * 7919) % loaded; // spread over the loaded Services
    if (isHeadless(i)) headless++;
    else if (!clusterIPs.has(i)) continue;
    names.push(`${fqdn(svcName(i))} A`);
  }
  const file = join(work, 'qps-names.txt');
  writeFileSync(file, names.join('\n') + '\n');
  await awaitQuiet('qps');
  const cpu0 = cpuMsFine(dns.pid), b0 = boxJiffies(), t0 = now();
  const child = spawn(DNSPERF, ['-s', DNS_IP, '-p', String(DNS_PORT), '-d', file, '-l', String(QPS_SECONDS), '-c', '4', '-q', '100', '-t', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c = { name: 'dnsperf', child, pid: child.pid, start: procStat(child.pid)?.start, exited: null, errLines: [] };
  children.set(child.pid, c);
  let out = '', err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const code = await new Promise((r) => {
    const t = setTimeout(() => { oddity(`dnsperf still running ${QPS_SECONDS + 10} s after its start; SIGKILL`); try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, (QPS_SECONDS + 10) * 1000);
    child.on('exit', (cd, sig) => { clearTimeout(t); c.exited = cd ?? sig; r(cd ?? sig); });
  });
  children.delete(child.pid);
  const cpuMs = cpuMsFine(dns.pid) - cpu0, busy = boxBusyPct(b0, boxJiffies()), wall = now() - t0;
  const num = (re) => { const m = re.exec(out); return m ? Number(m[1]) : NaN; };
  const r = {
    seconds: QPS_SECONDS, names: names.length, nx_names: nx, headless_names: headless, exit: code,
    sent: num(/Queries sent:\s+(\d+)/), completed: num(/Queries completed:\s+(\d+)/), lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/), avg_ms: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    max_ms: num(/Average Latency \(s\):.*max ([\d.]+)/) * 1000, stddev_ms: num(/Latency StdDev \(s\):\s+([\d.]+)/) * 1000,
    rcodes: (/Response codes:\s+(.*)/.exec(out)?.[1] ?? '').trim(),
    dns_cpu_ms: cpuMs, dns_cpu_us_per_query: (cpuMs * 1000) / Math.max(1, num(/Queries completed:\s+(\d+)/)), box_busy_pct: busy, wall_ms: wall,
  };
  if (code !== 0 || !Number.isFinite(r.qps)) oddity(`dnsperf exited ${code}: ${(err || out).trim().split('\n').slice(-3).join(' | ')}`);
  log(`  dnsperf ${QPS_SECONDS} s: ${Number.isFinite(r.qps) ? r.qps.toFixed(0) : '-'} q/s, ${r.completed}/${r.sent} answered (${r.rcodes}), avg ${r.avg_ms.toFixed(2)} ms, DNS CPU ${r.dns_cpu_us_per_query.toFixed(1)} µs/query, box ${busy.toFixed(0)}%`);
  return r;
}

/** The most frequent distinct stderr lines. */
function distinct(kinds) {
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${v}x ${k}`);
}

function report(seconds) {
  const r = results, s = r.samples, l = r.load;
  const out = [''];
  out.push(`Cluster DNS programming: ${n0(r.services)} selector-less Services (every ${r.headlessEvery}th headless) x ${r.endpoints} endpoints = ${n0(r.services * r.endpoints)} endpoints; \`tinykube dns\` in its own process (UDP path: ${r.udp_path}); ${cpus().length} cores; ${seconds.toFixed(0)} s`);
  out.push('');
  out.push('| | value |', '| --- | --- |');
  for (const st of l.steps) {
    out.push(`| Services up to ${n0(st.services)} (+ ${n0(st.written)} Services and slices, ${r.conc} in flight): written in / the last resolvable after the last write | ${fmtMs(st.write_ms)} (${st.writes_per_s.toFixed(0)} writes/s) / ${fmtMs(st.last_resolvable_after_writes_ms)}; ${n0(st.verified_right)}/${n0(st.services)} answer right; DNS CPU ${st.dns_cpu_sec.toFixed(2)} s |`);
  }
  if (s) {
    for (const kind of KINDS) {
      const k = s.by_kind[kind];
      out.push(`| ${kind} (${k.n}): send -> resolvable p50 / p99 / max; after the API response p50 / p99 | ${triple(k.from_send_ms)}; ${fmtMs(k.from_response_ms.p50)} / ${fmtMs(k.from_response_ms.p99)} (${k.resolvable_before_response}/${k.n} before the response; API round trip p50 ${fmtMs(k.api_round_trip_ms.p50)}) |`);
    }
    out.push(`| split on this client's own watch, p50 / p99: send -> the event; the event -> resolvable; API response -> the event, by kind | ${KINDS.map((kind) => { const k = s.by_kind[kind]; return `${kind} ${fmtMs(k.api_to_watch_ms.p50)} / ${fmtMs(k.api_to_watch_ms.p99)}; ${fmtMs(k.watch_to_resolvable_ms.p50)} / ${fmtMs(k.watch_to_resolvable_ms.p99)}; ${fmtMs(k.response_to_watch_ms.p50)}`; }).join('. ')}${s.not_on_watch ? ` (${s.not_on_watch} not on the watch)` : ''} |`);
    out.push(`| **all ${s.all_from_send_ms.n} changes, send -> resolvable** p50 / p99 / max (goal p99 < ${GOAL_MS} ms) | **${triple(s.all_from_send_ms)}**${s.not_seen ? `; ${s.not_seen} not seen in time` : ''} |`);
    out.push(`| all changes, API response -> resolvable (0 when it already was) p50 / p99 / max; API round trip p50 / p99 | ${triple(s.all_from_response_ms)} (${s.resolvable_before_response}/${s.all_from_send_ms.n} resolvable before the response); ${fmtMs(s.all_api_round_trip_ms.p50)} / ${fmtMs(s.all_api_round_trip_ms.p99)} |`);
    out.push(`| this client's event-loop delay p99 / max (its timers and answers late by as much) | ${fmtMs(s.client_loop_delay_ms.p99)} / ${fmtMs(s.client_loop_delay_ms.max)} |`);
    const h = s.programming_histogram;
    out.push(`| server histogram coredns_kubernetes_dns_programming_duration_seconds, delta over the samples | ${h.count} observations (${Object.entries(h.by_kind).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), p50 ${fmtBucket(h.p50_bucket_ms)}, p99 ${fmtBucket(h.p99_bucket_ms)}, mean ${fmtMs(h.mean_ms)} |`);
    out.push(`| DNS CPU per change: ${KINDS.join(' / ')} | ${KINDS.map((k) => fmtMs(s.by_kind[k].dns_cpu_ms_per_change)).join(' / ')} (incl. answering the polls: ${n0(s.queries)} queries in all) |`);
    out.push(`| box busy during the samples (200 = both cores); before them | ${s.box_busy_pct.toFixed(0)}%; ${s.busy_before_pct.toFixed(0)}% of a core |`);
  }
  for (const m of r.memory) {
    const label = m.services ? `${n0(m.services)} Services / ${n0(m.endpoints)} endpoints` : 'empty cluster';
    out.push(`| DNS memory, ${label}: RSS as found / heap used (of total) after GC / **RSS after GC** (CoreDNS's rule) | ${mib(m.rawKb)} / ${mib(m.heapUsedKb)} (of ${mib(m.heapTotalKb)}) / **${mib(m.rssGcKb)}** = ${mb(m.rssGcKb)} (${m.corednsMB.toFixed(0)} MB) |`);
  }
  const m0 = r.memory[0], mN = r.memory.at(-1);
  if (mN.services) {
    const per = 1000 / mN.services;
    out.push(`| DNS per 1,000 Services (x ${r.endpoints} endpoints), loaded - empty: RSS after GC / heap after GC | ${mib((mN.rssGcKb - m0.rssGcKb) * per)} / ${mib((mN.heapUsedKb - m0.heapUsedKb) * per)} (CoreDNS's rule: ${1 + r.endpoints} MB) |`);
  }
  if (r.qps) {
    const p = r.qps;
    out.push(`| dnsperf at ${n0(mN.services)} Services, ${p.seconds} s, 4 clients, 100 in flight (${n0(p.names)} names, ${n0(p.nx_names)} absent): q/s; answered / sent; latency avg / max; DNS CPU per query | ${Number.isFinite(p.qps) ? n0(Math.round(p.qps)) : '-'}; ${n0(p.completed)} / ${n0(p.sent)} (${p.rcodes}); ${fmtMs(p.avg_ms)} / ${fmtMs(p.max_ms)}; ${p.dns_cpu_us_per_query.toFixed(1)} µs (box ${p.box_busy_pct.toFixed(0)}% busy) |`);
  }
  if (r.memory_after_samples) out.push(`| DNS after the samples: RSS after GC / heap; peak RSS of the run | ${mib(r.memory_after_samples.rssGcKb)} / ${mib(r.memory_after_samples.heapUsedKb)}; ${mib(r.dns?.peak_rss_kb)} |`);
  out.push(`| API server (tinykube up) RSS, for information: ${r.memory.map((m) => n0(m.services)).join(' / ')} Services | ${r.memory.map((m) => mib(m.upRssKb)).join(' / ')} |`);
  if (r.dns) out.push(`| DNS CPU: load / samples / whole run | ${l.dns_cpu_sec.toFixed(2)} s / ${(s?.dns_cpu_sec ?? NaN).toFixed(2)} s / ${r.dns.cpu_total_sec.toFixed(2)} s |`);
  if (r.client) out.push(`| client: queries / timeouts / stray answers; queries that reached the REFUSED upstream | ${n0(r.client.queries)} / ${r.client.timeouts} / ${r.client.stray_answers}; ${r.client.upstream_queries} |`);
  if (r.oddities.length) out.push('', 'Oddities:', ...r.oddities.map((o) => `  - ${o}`));
  if (r.dns?.stderr.lines) out.push('', `dns stderr: ${r.dns.stderr.lines} lines, most frequent:`, ...r.dns.stderr.distinct.map((d) => `  ${d}`));
  if (r.up_stderr?.lines) out.push('', `tinykube up stderr: ${r.up_stderr.lines} lines, most frequent:`, ...r.up_stderr.distinct.map((d) => `  ${d}`));
  out.push('', 'summary:');
  if (s) {
    const a = s.all_from_send_ms, p99 = a.p99;
    out.push(`  programming, send -> resolvable: p50 ${fmtMs(a.p50)}, p99 ${fmtMs(p99)}, max ${fmtMs(a.max)} over ${a.n} changes at ${n0(s.loaded_services)} Services (goal p99 < ${GOAL_MS} ms: ${p99 < GOAL_MS && !s.not_seen ? 'met' : 'missed'}); ` +
      `after the API response p99 ${fmtMs(s.all_from_response_ms.p99)} (${s.resolvable_before_response}/${a.n} resolvable before it); server histogram p99 ${fmtBucket(s.programming_histogram.p99_bucket_ms)}`);
  }
  out.push(`  memory at ${n0(mN.services)} Services / ${n0(mN.endpoints)} endpoints: RSS after GC ${mib(mN.rssGcKb)} (${mb(mN.rssGcKb)}), heap ${mib(mN.heapUsedKb)}, as found ${mib(mN.rawKb)}; CoreDNS's rule ${mN.corednsMB.toFixed(0)} MB`);
  process.stdout.write(out.join('\n') + '\n');
}

const tStart = now();
try {
  await main();
  await cleanup();
  report((now() - tStart) / 1000);
  if (flag.json) writeFileSync(flag.json, JSON.stringify(results, null, 2) + '\n');
  process.exit(0);
} catch (e) {
  log(`dns-programming-bench: ${e.stack ?? e.message}`);
  for (const c of children.values()) if (c.errLines?.length) log(`  ${c.name} stderr (last 10 lines):\n${c.errLines.slice(-10).join('\n')}`);
  await cleanup();
  process.exit(1);
}
