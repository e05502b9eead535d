#!/usr/bin/env node
// Service proxy programming benchmark: network programming latency and memory of the service
// proxy with many Services and endpoints (issue 5: p99 < 50 ms with 1,000 Services and 10,000
// endpoints; memory per 1,000 Services).
//   npm run build && node bench/proxy-programming-bench.mjs [--services 1000 --replicas 10 --samples 200]
//   node bench/proxy-programming-bench.mjs --quick          # 100 Services, 40 samples, ~1 min
//
//   Two processes besides this client: `tinykube up --no-proxy --simulated-nodes K` (API server,
//   controllers, KWOK-style nodes whose pods get addresses and turn Ready without a process) and
//   `tinykube proxy` against its kubeconfig (its own process, so its RSS and CPU are its own).
//   1. load     the proxy's memory on the empty cluster; SERVICES Deployments of REPLICAS simulated
//               pods each, until all are Ready (the proxy does not watch pods); then SERVICES
//               ClusterIP Services (app=svc-i, port 80 -> 8080) selecting them. Timed from the
//               first Service create: every Service's EndpointSlices list REPLICAS ready endpoints
//               (a watch), every cluster IP accepts a TCP connect (the proxy listens only while a
//               Service has endpoints: before, the kernel refuses), the proxy's syncs stop. Then
//               the proxy's memory per 1,000 Services: RSS as found, and heap and RSS after a full
//               GC (the proxy runs with --expose-gc and a bench-only preload that collects on
//               SIGUSR2). --services-first creates the Services first (slices then fill as pods
//               come, many more slice writes) and adds the memory at 0 endpoints.
//   2. samples  SAMPLES changes one at a time at that scale, cycling through four kinds:
//                 scale-down  a Deployment 10 -> 0; until its cluster IP refuses (ECONNREFUSED)
//                 scale-up    0 -> 10; until the cluster IP accepts
//                 slice-add   a selector-less Service gets an EndpointSlice of ready endpoints
//                             (written by this client, with endpoints.kubernetes.io/
//                             last-change-trigger-time); until its cluster IP accepts
//                 svc-del     that Service is deleted; until its cluster IP refuses
//               Each is timed from the API response (and from the send) to the cluster IP's new
//               behaviour, probed with a TCP connect every --poll-ms (for a removal, from when the
//               change is on the bench's watch: accepted probes load the proxy). A watch on
//               Services and EndpointSlices (opened before) splits it into API + controllers
//               (response -> the change on the watch) and proxy (the watch -> the cluster IP).
//               Also the delta of the proxy's own kubeproxy_network_programming_duration_seconds
//               histogram (p50/p99 bucket) and the mean kubeproxy_sync_proxy_rules_duration_seconds.
//
// Addresses: node 127.0.0.9 (simulated nodes .9, .10 ...), Services 127.210.0.0/16, pods
// 127.211.0.0/16, LB pool 127.212.0.0/24, all loopback. Every load is bounded (fixed counts, a
// --phase-timeout per wait, --sample-timeout per change, a --max-seconds watchdog); the work dir
// is a fresh /tmp/tinykube-progbench-* (removed at the end unless --keep); the proxy and `up` are
// stopped by PID on every exit path (up stops its nodes' process; a leftover one is killed by PID).

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SELF = fileURLToPath(import.meta.url);
const NODE_IP = '127.0.0.9';
const SERVICE_CIDR = '127.210.0.0/16';
const POD_CIDR = '127.211.0.0/16';
const LB_POOL = '127.212.0.0/24';
const NS = 'progbench';
const IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const GOAL_MS = 50;
const KINDS = ['scale-down', 'scale-up', 'slice-add', 'svc-del'];
const PODS_PER_NODE = 100; // of the 110 a node allows (MAX_PODS), room for scale-ups in flight

const { values: flag } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '10' },
    samples: { type: 'string', default: '200' },
    quick: { type: 'boolean', default: false },
    conc: { type: 'string', default: '32' },
    'sim-nodes': { type: 'string', default: '' },
    'poll-ms': { type: 'string', default: '1' },
    'remove-probe': { type: 'string', default: 'connect' },
    'services-first': { type: 'boolean', default: false },
    gap: { type: 'string', default: '100' },
    settle: { type: 'string', default: '5' },
    'sample-timeout': { type: 'string', default: '30' },
    'phase-timeout': { type: 'string', default: '240' },
    'max-seconds': { type: 'string', default: '600' },
    'quiet-wait': { type: 'string', default: '10' },
    app: { type: 'string', default: '' },
    'cpu-prof': { type: 'string', default: '' },
    json: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const FLAGS_HELP = '\nflags: --services 1000 --replicas 10 --samples 200 --quick (= --services 100 --samples 40) --conc 32\n' +
  '       --sim-nodes N (default: SERVICES x REPLICAS / 100, rounded up) --poll-ms 1 --remove-probe connect|connect-early|bind\n' +
  '       --services-first (Services, then Deployments: slices fill as pods come; adds the proxy\'s memory at 0 endpoints)\n' +
  '       --gap 100 (ms between samples) --settle 5 --sample-timeout 30 --phase-timeout 240 --max-seconds 600\n' +
  '       --quiet-wait 10 --app DIR (a tree with dist/ and bin/ to run instead of a copy of this one\'s) --json FILE --keep\n' +
  '       --cpu-prof DIR   run the proxy under node --cpu-prof (its .cpuprofile lands in DIR when it stops; kept)\n';
if (flag.help) {
  const lines = readFileSync(SELF, 'utf8').split('\n');
  process.stdout.write(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + FLAGS_HELP);
  process.exit(0);
}
if (flag.quick) {
  if (!process.argv.includes('--services')) flag.services = '100';
  if (!process.argv.includes('--samples')) flag.samples = '40';
}

const die = (m) => { process.stderr.write(`proxy-programming-bench: ${m}\n`); process.exit(2); };
const int = (name, min = 0) => {
  const v = Number(flag[name]);
  if (!Number.isInteger(v) || v < min) die(`--${name}: "${flag[name]}" is not an integer >= ${min}`);
  return v;
};
const SERVICES = int('services', 1), REPLICAS = int('replicas', 1), SAMPLES = int('samples'), CONC = int('conc', 1);
const POLL_MS = int('poll-ms'), GAP_MS = int('gap'), SETTLE = int('settle'), SAMPLE_TIMEOUT = int('sample-timeout', 1);
const PHASE_TIMEOUT = int('phase-timeout', 1), MAX_SECONDS = int('max-seconds', 1), QUIET_WAIT = int('quiet-wait');
const SIM_NODES = flag['sim-nodes'] ? int('sim-nodes', 1) : Math.max(1, Math.ceil((SERVICES * REPLICAS) / PODS_PER_NODE));
const REMOVE_PROBE = flag['remove-probe'];
const SERVICES_FIRST = flag['services-first'];
if (!['connect', 'connect-early', 'bind'].includes(REMOVE_PROBE)) die('--remove-probe: connect, connect-early or bind');
if (SERVICES * REPLICAS > 20_000) die('more than 20,000 pods is not a bounded load; lower --services or --replicas');
if (SERVICES > 10_000) die('at most 10,000 Services');
if (SIM_NODES > 250) die('at most 250 simulated nodes (a /24 of pod addresses each in a /16)');
if (SERVICES * REPLICAS > SIM_NODES * 110) die(`${SIM_NODES} simulated nodes hold at most ${SIM_NODES * 110} pods; raise --sim-nodes`);
if (SAMPLES > 2000) die('at most 2,000 samples');

const log = (m) => process.stderr.write(`${m}\n`);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmtMs = (v) => (Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`) : '-');
const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN; };
const stats = (a) => ({ n: a.length, p50: q(a, 50), p90: q(a, 90), p99: q(a, 99), max: a.length ? Math.max(...a) : NaN });
const triple = (s) => `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}`;
const pad = (i) => String(i).padStart(5, '0');
let TICK = 100;
try { TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { /* 100 */ }

const results = { services: SERVICES, replicas: REPLICAS, samples: SAMPLES, conc: CONC, simNodes: SIM_NODES, pollMs: POLL_MS, removeProbe: REMOVE_PROBE, oddities: [] };
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

function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
}

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

const work = mkdtempSync('/tmp/tinykube-progbench-');
const children = new Map(); // pid -> { name, child, start, exited, errLines }
let agent;
let cleaning; // the one cleanup promise: every exit path awaits the same one

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
  // The proxy first (it would only log the API server going away), then up, which stops its nodes.
  const order = [...children.entries()].sort(([, a], [, b]) => (a.name === 'proxy' ? -1 : b.name === 'proxy' ? 1 : 0));
  for (const [pid, c] of order) if (!c.adopted) await stopPid(pid, c.name === 'up' ? 30_000 : 10_000);
  // up's nodes' process stops with it; one still alive (same pid and start time) is a leak.
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
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`proxy-programming-bench: ${sig}, stopping`); cleanup().finally(() => process.exit(130)); });
const watchdog = setTimeout(() => { log(`proxy-programming-bench: over --max-seconds ${MAX_SECONDS}, giving up`); cleanup().finally(() => process.exit(3)); }, MAX_SECONDS * 1000);
watchdog.unref();

/** Spawns `node <app>/bin/tinykube.js args`; resolves with the first stdout line matching `ready`. */
function startTinykube(name, app, args, ready, env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(app, 'bin', 'tinykube.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const c = { name, child, pid: child.pid, start: procStat(child.pid)?.start, exited: null, errLines: [], stderrCount: 0, kinds: new Map() };
  children.set(child.pid, c);
  const logFile = createWriteStream(join(work, `${name}.log`));
  createInterface({ input: child.stderr }).on('line', (l) => {
    logFile.write(`E ${l}\n`);
    c.stderrCount++;
    c.errLines.push(l);
    if (c.errLines.length > 200) c.errLines.splice(0, 100); // the tail, for error reports
    const k = l.replace(/\d+(\.\d+)*/g, 'N').slice(0, 200); // distinct lines, numbers and names folded
    c.kinds.set(k, (c.kinds.get(k) ?? 0) + 1);
  });
  child.on('exit', (code, sig) => { c.exited = code ?? sig; });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: no ready line within 90 s; stderr:\n${c.errLines.slice(-20).join('\n')}`)), 90_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      logFile.write(`O ${l}\n`);
      const m = ready.exec(l);
      if (m) { clearTimeout(t); resolve({ c, m }); }
    });
    child.once('exit', (code, sig) => { clearTimeout(t); reject(new Error(`${name} exited (${code ?? sig}) during start; stderr:\n${c.errLines.slice(-20).join('\n')}`)); });
  });
}

/** The proxy must stay up for the whole run; a crash ends it with the proxy's last words. */
function checkAlive(c) {
  if (c.exited !== null) throw new Error(`${c.name} (pid ${c.pid}) exited (${c.exited}); its stderr ended:\n${c.errLines.slice(-20).join('\n')}`);
}

/**
 * The proxy's heap after a full GC: the proxy runs with --expose-gc and this bench-only preload,
 * which on SIGUSR2 collects and appends process.memoryUsage() to a file (tinykube uses no SIGUSR2).
 * RSS alone carries whatever garbage V8 has not collected yet.
 */
const GC_PRELOAD = `const fs = require('node:fs');
let n = 0;
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  fs.appendFileSync(process.env.TK_BENCH_MEM_FILE, JSON.stringify({ n: ++n, ...process.memoryUsage() }) + '\\n');
});
`;

async function memAfterGc(c, file) {
  const count = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  const before = count();
  const raw = procMem(c.pid);
  process.kill(c.pid, 'SIGUSR2');
  const end = now() + 10_000;
  while (count() <= before && now() < end) await sleep(20);
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  if (lines.length <= before) { oddity(`${c.name}: no memory report within 10 s of SIGUSR2`); return { raw, heapUsedKb: NaN, rssGcKb: NaN }; }
  const m = JSON.parse(lines[lines.length - 1]);
  await sleep(1000); // V8 returns freed pages to the OS shortly after, not during, the collection
  return { raw, heapUsedKb: m.heapUsed / 1024, externalKb: m.external / 1024, rssGcKb: procMem(c.pid).VmRSS };
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

/** Runs fn(i) for i in [0, n), conc at a time; returns the errors by message. */
async function pool(n, conc, fn) {
  let next = 0;
  const errors = new Map();
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    while (next < n) {
      const i = next++;
      try { await fn(i); } catch (e) { const m = String(e.message).slice(0, 160); errors.set(m, (errors.get(m) ?? 0) + 1); }
    }
  }));
  return errors;
}

// ---------------------------------------------------------------------------------------------
// What a cluster IP does: a TCP connect is accepted (the proxy listens) or refused (it does not).

/** One connect to ip:port: 'accepted' (then reset, so no TIME_WAIT piles up), 'refused', or another outcome. */
function tryConnect(ip, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.resetAndDestroy(); resolve('accepted'); });
    s.once('error', (e) => { clearTimeout(t); s.destroy(); resolve(e.code === 'ECONNREFUSED' ? 'refused' : `error ${e.code}`); });
  });
}

/**
 * --remove-probe bind: whether a listener holds ip:port, by binding it ourselves ('refused' when
 * the bind succeeds: nobody listens; released at once). Costs the proxy nothing, unlike an
 * accepted connect, which it handles (and tries each endpoint for).
 */
function tryBind(ip, port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e.code === 'EADDRINUSE' ? 'accepted' : `error ${e.code}`));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve('refused')));
  });
}

/** Probes until the outcome is `want`; the time it was first seen, and the attempts it took. */
async function probeUntil(ip, port, want, deadline, probe = tryConnect) {
  let attempts = 0;
  const other = new Map();
  for (;;) {
    const r = await probe(ip, port);
    const t = now();
    attempts++;
    if (r === want) return { t, attempts, other };
    if (r !== 'accepted' && r !== 'refused') other.set(r, (other.get(r) ?? 0) + 1);
    if (t > deadline) return { t: NaN, attempts, other };
    if (POLL_MS > 0) await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// The proxy's /metrics.

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

/** A histogram's change between two scrapes: buckets (le -> count), count, sum. */
function histDelta(m0, m1, name) {
  const buckets = [];
  for (const [k, v] of m1) {
    const mm = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(k);
    if (mm) buckets.push({ le: mm[1] === '+Inf' ? Infinity : Number(mm[1]), n: v - (m0?.get(k) ?? 0) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const count = (m1.get(`${name}_count`) ?? 0) - (m0?.get(`${name}_count`) ?? 0);
  const sum = (m1.get(`${name}_sum`) ?? 0) - (m0?.get(`${name}_sum`) ?? 0);
  return { buckets, count, sum };
}

/** The upper bound (ms) of the bucket holding quantile p of a histogram delta ('<= x ms'). */
function bucketQuantile(h, p) {
  if (!h.count) return NaN;
  const want = Math.ceil(p * h.count);
  for (const b of h.buckets) if (b.n >= want) return b.le * 1000;
  return Infinity;
}
const fmtBucket = (ms) => (Number.isFinite(ms) ? `<= ${ms} ms` : ms === Infinity ? '> last bucket' : '-');

// ---------------------------------------------------------------------------------------------
// The benchmark.

/** Per Service: its cluster IP, its slices' endpoints (ready, usable as the proxy counts them), and who waits on it. */
const svcs = new Map(); // name -> { ip, slices: Map, ready, usable, waiters: [] }
let completeCount = 0; // Services whose slices list REPLICAS ready endpoints
let lastCompleteAt = NaN;
let sliceEvents = 0;
let lastSliceEventAt = NaN;
let controllerTriggerTimes = 0; // controller-written slices that carry last-change-trigger-time
let controllerSlicesSeen = 0;

function svcRec(name) {
  let r = svcs.get(name);
  if (!r) svcs.set(name, (r = { ip: undefined, slices: new Map(), ready: 0, usable: 0, complete: false, waiters: [], svcEvents: [] }));
  return r;
}

/** Runs a Service's waiters on a change seen on the watch; each returns true when satisfied. */
function notify(r, t, what) {
  r.waiters = r.waiters.filter((w) => !w(t, what));
}

function onSlice(type, slice, t) {
  sliceEvents++;
  lastSliceEventAt = t;
  const svcName = slice.metadata.labels?.['kubernetes.io/service-name'];
  if (!svcName) return;
  const r = svcRec(svcName);
  if (type === 'DELETED') r.slices.delete(slice.metadata.name);
  else {
    let ready = 0, serving = 0;
    for (const ep of slice.endpoints ?? []) {
      const rd = ep.conditions?.ready ?? true;
      if (rd) ready++;
      if ((ep.conditions?.serving ?? rd) && (ep.conditions?.terminating ?? false)) serving++;
    }
    r.slices.set(slice.metadata.name, { ready, servingTerminating: serving });
    if (slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io') {
      controllerSlicesSeen++;
      if (slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']) controllerTriggerTimes++;
    }
  }
  let ready = 0, st = 0;
  for (const s of r.slices.values()) { ready += s.ready; st += s.servingTerminating; }
  r.ready = ready;
  r.usable = ready > 0 ? ready : st; // as the proxy counts them: ready, else serving and terminating (usableEndpoints)
  const complete = ready === REPLICAS;
  if (complete && !r.complete && svcName.startsWith('svc-')) { completeCount++; lastCompleteAt = t; }
  if (!complete && r.complete && svcName.startsWith('svc-')) completeCount--;
  r.complete = complete;
  notify(r, t, 'slice');
}

function onService(type, svc, t) {
  const r = svcRec(svc.metadata.name);
  r.svcSeen = type !== 'DELETED';
  if (r.svcSeen && svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') r.ip = svc.spec.clusterIP;
  notify(r, t, type === 'DELETED' ? 'svc-deleted' : 'svc');
}

/** Resolves with the watch time at which pred(record, what) first holds (checked now, then on each event). */
function when(name, pred) {
  const r = svcRec(name);
  let resolve;
  const p = new Promise((res) => (resolve = res));
  if (pred(r, 'now')) { resolve(now()); return p; }
  r.waiters.push((t, what) => { if (pred(r, what)) { resolve(t); return true; } return false; });
  return p;
}

async function main() {
  // The build every process of the run uses: a copy of dist/ and bin/ (others may rebuild dist/ meanwhile).
  let app;
  if (flag.app) app = resolve(flag.app);
  else {
    app = join(work, 'app');
    mkdirSync(app, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
    // Native addons (node-gyp's build/Release/*.node), when the tree has them.
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
  if (!help.includes('--no-proxy')) throw new Error(`${app}/dist predates \`up --no-proxy\` (its up would run a proxy of its own on the cluster IPs): npm run build`);

  log(`proxy-programming-bench: ${SERVICES.toLocaleString('en-US')} Services x ${REPLICAS} simulated pods on ${SIM_NODES} simulated nodes, ${SAMPLES} samples, ${CONC} requests in flight, work dir ${work}`);
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  const dataDir = join(work, 'data');
  const upArgs = ['up', '--data-dir', dataDir, '--api-port', '0', '--no-ingress', '--nodes', '0', '--kubelet-port', '0', '--proxy-metrics-port', '0', '--no-proxy',
    '--simulated-nodes', String(SIM_NODES), '--node-ip', NODE_IP, '--service-cidr', SERVICE_CIDR, '--pod-cidr', POD_CIDR, '--lb-pool', LB_POOL, '--no-kubeconfig-merge'];
  if (help.includes('--no-dns')) upArgs.push('--no-dns'); // cluster DNS is not measured here
  const tUp = now();
  const { c: up, m: upReady } = await startTinykube('up', app, upArgs, /^ready in (\d+) ms: (https:\/\/\S+)/, { HOME: home, KUBECONFIG: join(home, 'kubeconfig') });
  log(`  tinykube up (pid ${up.pid}) ready in ${upReady[1]} ms (${Math.round(now() - tUp)} ms from spawn) at ${upReady[2]}`);
  results.up_ready_ms = Number(upReady[1]);
  // Its nodes' process, so a leftover can be found (by PID and start time) after up stops.
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(d);
    if (s?.ppid === up.pid && cmdline(d).includes('kubelet/worker.js')) children.set(Number(d), { name: 'nodes', start: s.start, adopted: true, exited: null, errLines: [] });
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
  const memFile = join(work, 'proxy-memory.jsonl');
  writeFileSync(preload, GC_PRELOAD);
  const { c: proxy, m: pm } = await startTinykube('proxy', app, ['proxy', '--kubeconfig', kcPath, '--node-ip', NODE_IP, '--name', 'tinykube-sim-01', '--proxy-metrics-port', '0'], /metrics (http:\/\/\S+\/metrics)/,
    { TK_BENCH_MEM_FILE: memFile }, ['--expose-gc', '--require', preload, ...(flag['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(flag['cpu-prof'])] : [])]);
  const metricsUrl = pm[1];
  log(`  tinykube proxy (pid ${proxy.pid}) running; ${metricsUrl}`);
  const cpuOf = (c) => procStat(c.pid)?.cpu ?? NaN;

  // -- 1. load -----------------------------------------------------------------------------------
  await apiOk('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, [201]);
  await sleep(2000); // let the proxy's start settle before the baseline
  await awaitQuiet('baseline');
  const g0 = await memAfterGc(proxy, memFile);
  const mem0 = g0.raw, cpu0 = cpuOf(proxy), upMem0 = procMem(up.pid);
  const met0 = await scrape(metricsUrl);
  log(`  proxy on the empty cluster: RSS ${mib(mem0.VmRSS)}; after a full GC: heap used ${mib(g0.heapUsedKb)}, RSS ${mib(g0.rssGcKb)}; CPU so far ${cpu0.toFixed(2)} s`);

  const slices0 = await apiOk('GET', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`);
  const services0 = await apiOk('GET', `/api/v1/namespaces/${NS}/services`);
  const deps0 = await apiOk('GET', `/apis/apps/v1/namespaces/${NS}/deployments`);
  const depReady = new Map(); // Deployment name -> readyReplicas
  let depsReady = 0, lastDepReadyAt = NaN;
  await Promise.all([
    watch(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, slices0.metadata.resourceVersion, onSlice).opened,
    watch(`/api/v1/namespaces/${NS}/services`, services0.metadata.resourceVersion, onService).opened,
    watch(`/apis/apps/v1/namespaces/${NS}/deployments`, deps0.metadata.resourceVersion, (type, d, t) => {
      const was = depReady.get(d.metadata.name) === REPLICAS;
      const n = type === 'DELETED' ? 0 : (d.status?.readyReplicas ?? 0);
      depReady.set(d.metadata.name, n);
      if (!was && n === REPLICAS) { depsReady++; lastDepReadyAt = t; }
      if (was && n !== REPLICAS) depsReady--;
    }).opened,
  ]);

  const createServices = () => pool(SERVICES, CONC, async (i) => {
    const body = await apiOk('POST', `/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${pad(i)}` },
      spec: { type: 'ClusterIP', selector: { app: `svc-${pad(i)}` }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    }, [201]);
    svcRec(`svc-${pad(i)}`).ip = body.spec.clusterIP;
  });
  const createDeployments = () => pool(SERVICES, CONC, async (i) => {
    await apiOk('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${pad(i)}` },
      spec: {
        replicas: REPLICAS, selector: { matchLabels: { app: `svc-${pad(i)}` } },
        template: { metadata: { labels: { app: `svc-${pad(i)}` } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: IMAGE, args: ['pause'], ports: [{ containerPort: 8080 }] }] } },
      },
    }, [201]);
  });
  const failed = (what, errs) => { if (errs.size) throw new Error(`${what} creates failed: ${[...errs].map(([m, k]) => `${k}x ${m}`).join('; ')}`); };
  const loadEnd = now() + PHASE_TIMEOUT * 1000;
  const b0 = boxJiffies();
  const tFirst = now();
  let tSvc0, tSvcDone, tDep0, tDepDone, tPodsReady = NaN, g1, cpu1;
  if (SERVICES_FIRST) {
    tSvc0 = now();
    failed('Service', await createServices());
    tSvcDone = now();
    log(`  ${SERVICES} Services created in ${fmtMs(tSvcDone - tSvc0)}`);
    await sleep(SETTLE * 1000);
    checkAlive(proxy);
    cpu1 = cpuOf(proxy);
    g1 = await memAfterGc(proxy, memFile);
    log(`  proxy with ${SERVICES} Services, 0 endpoints: RSS ${mib(g1.raw.VmRSS)}; after a full GC: heap used ${mib(g1.heapUsedKb)}, RSS ${mib(g1.rssGcKb)}; CPU for them ${(cpu1 - cpu0).toFixed(2)} s`);
  } else {
    // Pods first (the proxy does not watch pods), then Services: each slice is written once, full.
    tDep0 = now();
    failed('Deployment', await createDeployments());
    tDepDone = now();
    log(`  ${SERVICES} Deployments created in ${fmtMs(tDepDone - tDep0)}`);
    let lastLog = now();
    while (depsReady < SERVICES && now() < loadEnd) {
      await sleep(100);
      if (now() - lastLog > 10_000) { lastLog = now(); log(`    ${depsReady}/${SERVICES} Deployments with ${REPLICAS} ready pods, ${fmtMs(now() - tDep0)} after the first create`); }
    }
    tPodsReady = lastDepReadyAt;
    if (depsReady < SERVICES) oddity(`only ${depsReady}/${SERVICES} Deployments had ${REPLICAS} ready pods within ${PHASE_TIMEOUT} s`);
    log(`  ${depsReady} Deployments' ${(depsReady * REPLICAS).toLocaleString('en-US')} pods Ready ${fmtMs(tPodsReady - tDep0)} after the first create`);
    cpu1 = cpuOf(proxy);
  }

  // The endpoints reach the proxy: probe every cluster IP whose slices show an endpoint until it accepts.
  const tProg = now();
  const acceptedAt = new Map();
  let probing = true;
  let probeConnects = 0;
  const prober = (async () => {
    const names = Array.from({ length: SERVICES }, (_, i) => `svc-${pad(i)}`);
    while (probing && acceptedAt.size < SERVICES) {
      const todo = names.filter((n) => !acceptedAt.has(n) && svcs.get(n)?.usable > 0);
      await pool(todo.length, CONC, async (k) => {
        const n = todo[k];
        probeConnects++;
        if ((await tryConnect(svcs.get(n).ip, 80)) === 'accepted') acceptedAt.set(n, now());
      });
      await sleep(20);
    }
  })();
  if (SERVICES_FIRST) {
    tDep0 = now();
    failed('Deployment', await createDeployments());
    tDepDone = now();
    log(`  ${SERVICES} Deployments created in ${fmtMs(tDepDone - tDep0)}`);
  } else {
    tSvc0 = now();
    failed('Service', await createServices());
    tSvcDone = now();
    log(`  ${SERVICES} Services created in ${fmtMs(tSvcDone - tSvc0)}`);
  }
  const progEnd = Math.max(loadEnd, now() + 60_000);
  let lastLog = now();
  while ((completeCount < SERVICES || acceptedAt.size < SERVICES) && now() < progEnd) {
    await sleep(100);
    checkAlive(proxy);
    if (now() - lastLog > 10_000) { lastLog = now(); log(`    ${completeCount}/${SERVICES} Services with ${REPLICAS} ready endpoints, ${acceptedAt.size}/${SERVICES} cluster IPs accepting, ${fmtMs(now() - tProg)} after the first ${SERVICES_FIRST ? 'Deployment' : 'Service'} create`); }
  }
  probing = false;
  await prober;
  if (completeCount < SERVICES) oddity(`only ${completeCount}/${SERVICES} Services had ${REPLICAS} ready endpoints in their slices by the deadline`);
  if (acceptedAt.size < SERVICES) {
    const missing = [...svcs].filter(([n]) => n.startsWith('svc-') && !acceptedAt.has(n));
    oddity(`only ${acceptedAt.size}/${SERVICES} cluster IPs accepted a connect by the deadline; e.g. ${missing.slice(0, 5).map(([n, r]) => `${n} ${r.ip} (${r.ready} ready on the watch)`).join(', ')}`);
  }
  const tAllAccepted = acceptedAt.size ? Math.max(...acceptedAt.values()) : NaN;
  // The proxy's syncs stop once it has folded in the last slice change: wait for 2 s without one.
  let syncs = -1, stableSince = now(), lastSyncEpoch = NaN;
  while (now() - stableSince < 2000 && now() < progEnd + 30_000) {
    const m = await scrape(metricsUrl);
    const sc = m.get('tinykube_proxy_syncs_total');
    if (sc !== syncs) { syncs = sc; stableSince = now(); lastSyncEpoch = m.get('kubeproxy_sync_proxy_rules_last_timestamp_seconds') * 1000; }
    await sleep(100);
  }
  const tProxyQuiet = lastSyncEpoch - performance.timeOrigin; // epoch ms -> this clock
  const loadBusy = boxBusyPct(b0, boxJiffies());
  const from = SERVICES_FIRST ? 'the first Deployment create' : 'the first Service create';
  log(`  from ${from}: all slices complete ${fmtMs(lastCompleteAt - tProg)}, every cluster IP accepting ${fmtMs(tAllAccepted - tProg)}, ` +
    `the proxy's last sync ended ${fmtMs(tProxyQuiet - tProg)} (${fmtMs(tProxyQuiet - lastSliceEventAt)} after the last slice event); from the first create of all: ${fmtMs(tAllAccepted - tFirst)}`);
  results.load = {
    order: SERVICES_FIRST ? 'services-first' : 'services-last',
    services_create_ms: tSvcDone - tSvc0, deployments_create_ms: tDepDone - tDep0, pods_ready_ms: tPodsReady - tDep0,
    programming_from: from,
    slices_complete_ms: lastCompleteAt - tProg, all_accepting_ms: tAllAccepted - tProg,
    proxy_last_sync_ms: tProxyQuiet - tProg, proxy_last_sync_after_last_slice_event_ms: tProxyQuiet - lastSliceEventAt,
    all_accepting_from_first_create_ms: tAllAccepted - tFirst,
    slice_events: sliceEvents, probe_connects: probeConnects, box_busy_pct: loadBusy,
    complete: completeCount, accepting: acceptedAt.size,
    converged: completeCount === SERVICES && acceptedAt.size === SERVICES,
  };
  if (!results.load.converged) oddity('the load did not converge within --phase-timeout: the samples below are not at steady state');
  results.controller_slices_with_trigger_time = { seen: controllerSlicesSeen, with_annotation: controllerTriggerTimes };
  if (controllerSlicesSeen > 0 && controllerTriggerTimes === 0) {
    oddity(`none of the ${controllerSlicesSeen} EndpointSlice writes of the endpointslice controller carried endpoints.kubernetes.io/last-change-trigger-time: the proxy's kubeproxy_network_programming_duration_seconds counts only the selector-less slices this bench writes`);
  }

  await sleep(SETTLE * 1000);
  checkAlive(proxy);
  const cpu2 = cpuOf(proxy), upMem2 = procMem(up.pid);
  const met2 = await scrape(metricsUrl);
  const g2 = await memAfterGc(proxy, memFile);
  const mem2 = g2.raw;
  const mem1 = g1?.raw ?? {};
  const per = 1000 / SERVICES;
  const loadSync = histDelta(met0, met2, 'kubeproxy_sync_proxy_rules_duration_seconds');
  results.memory = {
    rss_kb: { empty: mem0.VmRSS, services_no_endpoints: mem1.VmRSS, services_endpoints: mem2.VmRSS },
    rss_anon_kb: { empty: mem0.RssAnon, services_no_endpoints: mem1.RssAnon, services_endpoints: mem2.RssAnon },
    per_1000_services_kb: (mem2.VmRSS - mem0.VmRSS) * per,
    per_1000_services_no_endpoints_kb: (mem1.VmRSS - mem0.VmRSS) * per,
    per_1000_services_anon_kb: (mem2.RssAnon - mem0.RssAnon) * per,
    after_gc: {
      heap_used_kb: { empty: g0.heapUsedKb, services_no_endpoints: g1?.heapUsedKb ?? NaN, services_endpoints: g2.heapUsedKb },
      rss_kb: { empty: g0.rssGcKb, services_no_endpoints: g1?.rssGcKb ?? NaN, services_endpoints: g2.rssGcKb },
      heap_per_1000_services_kb: (g2.heapUsedKb - g0.heapUsedKb) * per,
      heap_per_1000_services_no_endpoints_kb: ((g1?.heapUsedKb ?? NaN) - g0.heapUsedKb) * per,
      rss_per_1000_services_kb: (g2.rssGcKb - g0.rssGcKb) * per,
    },
    up_rss_kb: { empty: upMem0.VmRSS, loaded: upMem2.VmRSS },
  };
  results.cpu = SERVICES_FIRST ? { services_sec: cpu1 - cpu0, endpoints_sec: cpu2 - cpu1 } : { pods_sec: cpu1 - cpu0, services_endpoints_sec: cpu2 - cpu1 };
  results.cpu.load_sec = cpu2 - cpu0;
  results.load.syncs = loadSync.count;
  results.load.sync_mean_ms = (loadSync.sum / Math.max(1, loadSync.count)) * 1000;
  log(`  proxy with ${SERVICES} Services x ${REPLICAS} endpoints: RSS ${mib(mem2.VmRSS)}; after a full GC: heap used ${mib(g2.heapUsedKb)}, RSS ${mib(g2.rssGcKb)}; ` +
    `per 1,000 Services over the empty cluster: RSS ${mib(results.memory.per_1000_services_kb)}, heap after GC ${mib(results.memory.after_gc.heap_per_1000_services_kb)}, RSS after GC ${mib(results.memory.after_gc.rss_per_1000_services_kb)}; ` +
    `proxy CPU for the load ${(cpu2 - cpu0).toFixed(2)} s; ${loadSync.count} syncs, mean ${fmtMs(results.load.sync_mean_ms)}`);

  // -- 2. samples --------------------------------------------------------------------------------
  const busy = await awaitQuiet('samples');
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const met3 = await scrape(metricsUrl);
  const cpu3 = cpuOf(proxy), b3 = boxJiffies();
  const samples = [];
  const pairs = Math.ceil(SAMPLES / KINDS.length);
  const stride = Math.max(1, Math.floor(SERVICES / Math.max(1, pairs)));
  const deadline = () => now() + SAMPLE_TIMEOUT * 1000;
  const removeProbe = REMOVE_PROBE === 'bind' ? tryBind : tryConnect;
  // While a listener is still up every probe is accepted, and the proxy then tries each endpoint
  // (all refuse: nothing listens on simulated pods) and logs each failure: at one probe per ms a
  // slow removal turns into a connection storm that slows the proxy it measures. So by default
  // connect probes for a removal start once the change is on this bench's watch (the proxy cannot
  // act before the API server sends it; if it was faster, the first probe is refused at once).
  const removalStart = async (seen) => { if (REMOVE_PROBE === 'connect') await Promise.race([seen, sleep(SAMPLE_TIMEOUT * 1000)]); };
  const sampleCpu = { 'scale-down': 0, 'scale-up': 0, 'slice-add': 0, 'svc-del': 0 };
  let lastSampleLog = now();
  for (let k = 0; k < SAMPLES; k++) {
    checkAlive(proxy);
    const kind = KINDS[k % KINDS.length];
    const p = Math.floor(k / KINDS.length);
    const c0 = cpuOf(proxy);
    const s = { kind, k };
    if (kind === 'scale-down' || kind === 'scale-up') {
      const i = (p * stride) % SERVICES;
      const name = `svc-${pad(i)}`;
      const r = svcRec(name);
      const down = kind === 'scale-down';
      s.service = name;
      const seen = when(name, (rr) => (down ? rr.usable === 0 : rr.usable > 0));
      s.send = now();
      await apiOk('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/app-${pad(i)}`, { spec: { replicas: down ? 0 : REPLICAS } }, [200], 'application/merge-patch+json');
      s.resp = now();
      if (down) await removalStart(seen);
      const pr = await probeUntil(r.ip, 80, down ? 'refused' : 'accepted', deadline(), down ? removeProbe : tryConnect);
      s.probed = pr.t;
      s.attempts = pr.attempts;
      if (pr.other.size) s.otherOutcomes = Object.fromEntries(pr.other);
      s.watch = await Promise.race([seen, sleep(2000).then(() => NaN)]);
      if (!down) {
        // Back to steady state before the next sample: all REPLICAS ready on the watch.
        await Promise.race([when(name, (rr) => rr.ready === REPLICAS), sleep(SAMPLE_TIMEOUT * 1000)]);
        if (r.ready !== REPLICAS) oddity(`${name}: only ${r.ready}/${REPLICAS} endpoints ready ${SAMPLE_TIMEOUT} s after scaling back up`);
      }
    } else if (kind === 'slice-add') {
      const name = `extra-${pad(p)}`;
      s.service = name;
      const body = await apiOk('POST', `/api/v1/namespaces/${NS}/services`, {
        apiVersion: 'v1', kind: 'Service', metadata: { name },
        spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      }, [201]);
      const r = svcRec(name);
      r.ip = body.spec.clusterIP;
      await Promise.race([when(name, (rr) => rr.svcSeen), sleep(2000)]);
      // Endpoints where simulated pods would be (a /24 no simulated node uses): nobody listens there.
      const endpoints = Array.from({ length: REPLICAS }, (_, e) => ({ addresses: [`127.211.250.${e + 1}`], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'tinykube-sim-01' }));
      const seen = when(name, (rr) => rr.usable > 0);
      s.send = now();
      await apiOk('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
        metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'proxy-programming-bench' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() } },
        ports: [{ name: '', port: 8080, protocol: 'TCP' }], endpoints,
      }, [201]);
      s.resp = now();
      const pr = await probeUntil(r.ip, 80, 'accepted', deadline());
      s.probed = pr.t;
      s.attempts = pr.attempts;
      if (pr.other.size) s.otherOutcomes = Object.fromEntries(pr.other);
      s.watch = await Promise.race([seen, sleep(2000).then(() => NaN)]);
    } else {
      const name = `extra-${pad(p)}`;
      s.service = name;
      const r = svcRec(name);
      const seen = when(name, (rr, what) => what === 'svc-deleted');
      s.send = now();
      await apiOk('DELETE', `/api/v1/namespaces/${NS}/services/${name}`, undefined, [200, 202]);
      s.resp = now();
      await removalStart(seen);
      const pr = await probeUntil(r.ip, 80, 'refused', deadline(), removeProbe);
      s.probed = pr.t;
      s.attempts = pr.attempts;
      if (pr.other.size) s.otherOutcomes = Object.fromEntries(pr.other);
      s.watch = await Promise.race([seen, sleep(2000).then(() => NaN)]);
      await apiOk('DELETE', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/${name}-1`, undefined, [200, 202, 404]);
    }
    sampleCpu[kind] += cpuOf(proxy) - c0;
    s.fromResp = s.probed - s.resp;
    s.fromSend = s.probed - s.send;
    s.apiPart = s.watch - s.resp;
    s.proxyPart = s.probed - s.watch;
    samples.push(s);
    if (!Number.isFinite(s.probed)) oddity(`${kind} ${s.service}: its cluster IP did not change behaviour within ${SAMPLE_TIMEOUT} s`);
    if (now() - lastSampleLog > 10_000) { lastSampleLog = now(); log(`    ${k + 1}/${SAMPLES} samples`); }
    if (GAP_MS) await sleep(GAP_MS);
  }
  lag.disable();
  const met4 = await scrape(metricsUrl);
  const cpu4 = cpuOf(proxy), mem4 = procMem(proxy.pid);
  const sampleBusy = boxBusyPct(b3, boxJiffies());
  const prog = histDelta(met3, met4, 'kubeproxy_network_programming_duration_seconds');
  const syncH = histDelta(met3, met4, 'kubeproxy_sync_proxy_rules_duration_seconds');
  const progAll = histDelta(undefined, met4, 'kubeproxy_network_programming_duration_seconds');
  const byKind = {};
  for (const kind of KINDS) {
    const ss = samples.filter((x) => x.kind === kind && Number.isFinite(x.probed));
    byKind[kind] = {
      n: ss.length,
      from_response_ms: stats(ss.map((x) => x.fromResp)),
      from_send_ms: stats(ss.map((x) => x.fromSend)),
      api_controllers_ms: stats(ss.filter((x) => Number.isFinite(x.watch)).map((x) => x.apiPart)),
      proxy_ms: stats(ss.filter((x) => Number.isFinite(x.watch)).map((x) => x.proxyPart)),
      attempts_p50: q(ss.map((x) => x.attempts), 50),
      proxy_cpu_ms_per_change: (sampleCpu[kind] / Math.max(1, ss.length)) * 1000,
    };
  }
  const adds = samples.filter((x) => (x.kind === 'scale-up' || x.kind === 'slice-add') && Number.isFinite(x.probed));
  const removes = samples.filter((x) => (x.kind === 'scale-down' || x.kind === 'svc-del') && Number.isFinite(x.probed));
  const all = samples.filter((x) => Number.isFinite(x.probed));
  results.samples = {
    busy_before_pct: busy, box_busy_pct: sampleBusy,
    by_kind: byKind,
    add_ms: stats(adds.map((x) => x.fromResp)), remove_ms: stats(removes.map((x) => x.fromResp)), all_ms: stats(all.map((x) => x.fromResp)),
    proxy_part_ms: stats(all.filter((x) => Number.isFinite(x.watch)).map((x) => x.proxyPart)),
    client_loop_delay_ms: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    programming_histogram: { count: prog.count, p50_bucket_ms: bucketQuantile(prog, 0.5), p99_bucket_ms: bucketQuantile(prog, 0.99), mean_ms: (prog.sum / Math.max(1, prog.count)) * 1000, buckets: prog.buckets.filter((b) => Number.isFinite(b.le)).map((b) => [b.le, b.n]) },
    programming_histogram_whole_run: { count: progAll.count, p99_bucket_ms: bucketQuantile(progAll, 0.99) },
    sync: { count: syncH.count, mean_ms: (syncH.sum / Math.max(1, syncH.count)) * 1000, p99_bucket_ms: bucketQuantile(syncH, 0.99) },
    proxy_cpu_sec: cpu4 - cpu3,
    list: samples,
  };
  results.memory.rss_kb.after_samples = mem4.VmRSS;
  results.cpu.samples_sec = cpu4 - cpu3;
  results.cpu.total_sec = cpu4;
  results.memory.peak_kb = mem4.VmHWM;
  log(`  samples: add p50/p99/max ${triple(results.samples.add_ms)}, remove ${triple(results.samples.remove_ms)}; proxy histogram ${prog.count} observations, p99 ${fmtBucket(results.samples.programming_histogram.p99_bucket_ms)}`);

  results.proxy_stderr = { lines: proxy.stderrCount, last: proxy.errLines.slice(-10), distinct: distinct(proxy.kinds) };
  results.up_stderr = { lines: up.stderrCount, distinct: distinct(up.kinds) };
}

/** The most frequent distinct stderr lines. */
function distinct(kinds) {
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${v}x ${k}`);
}

function report() {
  const r = results;
  const m = r.memory, l = r.load, s = r.samples, g = m.after_gc;
  const out = [''];
  out.push(`Service proxy programming: ${r.services.toLocaleString('en-US')} ClusterIP Services x ${r.replicas} simulated pods = ${(r.services * r.replicas).toLocaleString('en-US')} endpoints, ${r.simNodes} simulated nodes, ${l.order}; \`tinykube proxy\` in its own process`);
  out.push('');
  out.push('| | value |', '| --- | --- |');
  out.push(`| Services / Deployments created in (${r.conc} in flight) | ${fmtMs(l.services_create_ms)} / ${fmtMs(l.deployments_create_ms)}${Number.isFinite(l.pods_ready_ms) ? `; all pods Ready ${fmtMs(l.pods_ready_ms)} after the first Deployment` : ''} |`);
  out.push(`| from ${l.programming_from}: every slice lists ${r.replicas} ready endpoints | ${fmtMs(l.slices_complete_ms)} |`);
  out.push(`| **from ${l.programming_from}: every cluster IP accepts** (all programmed) | **${fmtMs(l.all_accepting_ms)}** (${l.accepting}/${r.services}; ${fmtMs(l.all_accepting_from_first_create_ms)} from the first create of all) |`);
  out.push(`| the proxy's last sync of the load ended | ${fmtMs(l.proxy_last_sync_ms)}, ${fmtMs(l.proxy_last_sync_after_last_slice_event_ms)} after the last slice event |`);
  out.push(`| proxy syncs during the load, mean duration | ${l.syncs}, ${fmtMs(l.sync_mean_ms)} |`);
  if (s) {
    for (const kind of KINDS) {
      const k = s.by_kind[kind];
      out.push(`| ${kind} (${k.n}): response -> cluster IP p50 / p99 / max | ${triple(k.from_response_ms)} (from the send: p99 ${fmtMs(k.from_send_ms.p99)}) |`);
      out.push(`| ${kind}: API + controllers (response -> watch) / proxy (watch -> cluster IP) p50 / p99 | ${fmtMs(k.api_controllers_ms.p50)} / ${fmtMs(k.api_controllers_ms.p99)}; ${fmtMs(k.proxy_ms.p50)} / ${fmtMs(k.proxy_ms.p99)} |`);
    }
    out.push(`| **add** (scale-up + slice-add) p50 / p99 / max | **${triple(s.add_ms)}** |`);
    out.push(`| **remove** (scale-down + svc-del) p50 / p99 / max | **${triple(s.remove_ms)}** |`);
    out.push(`| all ${s.all_ms.n} samples p50 / p99 / max; the proxy's part alone | ${triple(s.all_ms)}; ${triple(s.proxy_part_ms)} |`);
    out.push(`| **proxy histogram** kubeproxy_network_programming_duration_seconds (delta over the samples) | **${s.programming_histogram.count} observations, p50 ${fmtBucket(s.programming_histogram.p50_bucket_ms)}, p99 ${fmtBucket(s.programming_histogram.p99_bucket_ms)}**, mean ${fmtMs(s.programming_histogram.mean_ms)} |`);
    out.push(`| **sync duration** at this scale (during the samples) | **mean ${fmtMs(s.sync.mean_ms)}**, p99 ${fmtBucket(s.sync.p99_bucket_ms)}, ${s.sync.count} syncs |`);
    out.push(`| proxy CPU per change: ${KINDS.join(' / ')} | ${KINDS.map((k) => fmtMs(s.by_kind[k].proxy_cpu_ms_per_change)).join(' / ')} (incl. the probes' connects) |`);
    out.push(`| box busy during the samples (200 = both cores); load before them (the cluster's own included) | ${s.box_busy_pct.toFixed(0)}%; ${s.busy_before_pct.toFixed(0)}% of a core |`);
    out.push(`| this client's event-loop delay p99 / max | ${fmtMs(s.client_loop_delay_ms.p99)} / ${fmtMs(s.client_loop_delay_ms.max)} |`);
  }
  out.push(`| proxy RSS as found: empty cluster${Number.isFinite(m.rss_kb.services_no_endpoints) ? ` / ${r.services} Services, 0 endpoints` : ''} / loaded${m.rss_kb.after_samples ? ' / after the samples' : ''} | ${mib(m.rss_kb.empty)}${Number.isFinite(m.rss_kb.services_no_endpoints) ? ` / ${mib(m.rss_kb.services_no_endpoints)}` : ''} / ${mib(m.rss_kb.services_endpoints)}${m.rss_kb.after_samples ? ` / ${mib(m.rss_kb.after_samples)}` : ''} (peak ${mib(m.peak_kb)}) |`);
  out.push(`| proxy after a full GC, heap used / RSS: empty cluster${Number.isFinite(g.heap_used_kb.services_no_endpoints) ? ` / ${r.services} Services, 0 endpoints` : ''} / loaded | ${mib(g.heap_used_kb.empty)} / ${mib(g.rss_kb.empty)}${Number.isFinite(g.heap_used_kb.services_no_endpoints) ? `; ${mib(g.heap_used_kb.services_no_endpoints)} / ${mib(g.rss_kb.services_no_endpoints)}` : ''}; ${mib(g.heap_used_kb.services_endpoints)} / ${mib(g.rss_kb.services_endpoints)} |`);
  out.push(`| **proxy per 1,000 Services** (x ${r.replicas} endpoints), loaded - empty: RSS after GC / heap after GC / RSS as found | **${mib(g.rss_per_1000_services_kb)}** / ${mib(g.heap_per_1000_services_kb)} / ${mib(m.per_1000_services_kb)}${Number.isFinite(g.heap_per_1000_services_no_endpoints_kb) ? `; heap at 0 endpoints ${mib(g.heap_per_1000_services_no_endpoints_kb)}` : ''} |`);
  out.push(`| proxy CPU: load / samples / whole run | ${r.cpu.load_sec.toFixed(2)} s / ${(r.cpu.samples_sec ?? NaN).toFixed(2)} s / ${(r.cpu.total_sec ?? NaN).toFixed(2)} s |`);
  out.push(`| tinykube up RSS (API server, controllers; not its nodes' process) empty / loaded | ${mib(m.up_rss_kb.empty)} / ${mib(m.up_rss_kb.loaded)} |`);
  if (r.oddities.length) out.push('', 'Oddities:', ...r.oddities.map((o) => `  - ${o}`));
  if (r.proxy_stderr?.lines) out.push('', `proxy stderr: ${r.proxy_stderr.lines} lines, most frequent:`, ...r.proxy_stderr.distinct.map((d) => `  ${d}`));
  if (r.up_stderr?.lines) out.push('', `tinykube up stderr: ${r.up_stderr.lines} lines, most frequent:`, ...r.up_stderr.distinct.map((d) => `  ${d}`));
  if (s) {
    out.push('', 'summary:');
    out.push(`  services ${r.services}, endpoints ${r.services * r.replicas} (${l.order}); from ${l.programming_from} to all programmed ${fmtMs(l.all_accepting_ms)}${l.converged ? '' : ` (NOT converged: ${l.accepting}/${r.services} accepting; samples not at steady state)`}`);
    out.push(`  client-side add p50/p99/max ${triple(s.add_ms)}; remove ${triple(s.remove_ms)} (goal p99 < ${GOAL_MS} ms); proxy's part p50/p99 ${fmtMs(s.proxy_part_ms.p50)} / ${fmtMs(s.proxy_part_ms.p99)}`);
    out.push(`  proxy histogram p99 ${fmtBucket(s.programming_histogram.p99_bucket_ms)} (${s.programming_histogram.count} obs.); sync mean ${fmtMs(s.sync.mean_ms)}`);
    out.push(`  proxy RSS after GC ${mib(g.rss_kb.empty)} -> ${mib(g.rss_kb.services_endpoints)}: ${mib(g.rss_per_1000_services_kb)} per 1,000 Services (heap ${mib(g.heap_per_1000_services_kb)}; as found ${mib(m.rss_kb.empty)} -> ${mib(m.rss_kb.services_endpoints)})`);
    out.push(`  proxy CPU ${r.cpu.total_sec.toFixed(2)} s (load ${r.cpu.load_sec.toFixed(2)} s, ${s.all_ms.n} samples ${r.cpu.samples_sec.toFixed(2)} s)`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

try {
  await main();
  await cleanup();
  report();
  if (flag.json) writeFileSync(flag.json, JSON.stringify(results, null, 2) + '\n');
  process.exit(0);
} catch (e) {
  log(`proxy-programming-bench: ${e.stack ?? e.message}`);
  for (const c of children.values()) if (c.errLines?.length) log(`  ${c.name} stderr (last 10 lines):\n${c.errLines.slice(-10).join('\n')}`);
  await cleanup();
  process.exit(1);
}
