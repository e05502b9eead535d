#!/usr/bin/env node
// API-server benchmark: tinykube over HTTPS against the shared peers, in one run.
//   npx tsc -p tsconfig.json && node bench/apiserver-bench.mjs [flags]
//
//   1. creates/s  POST ConfigMaps (512-byte value), fsync durability (the default), CONC clients;
//                 the same client loop against node-api-stub.js (plain HTTP, in memory) and a
//                 bench-local HTTPS floor (node:https + Map), and etcd puts of the same size
//                 (etcd-bench-go if built, else kv-bench.js etcd).
//   2. GETs/s     single objects with wrk (HTTPS + bearer token) and with the Node loop; the same
//                 on the stub and the HTTPS floor.
//   3. LIST       10,000 Services: full JSON list, the Table form kubectl asks for, Table in pages
//                 of 500 (median of 5), and `kubectl get services` with and without paging.
//   4. watch      100 watchers on configmaps, 500 creates at 200/s: send -> receive and 201 ->
//                 receive per delivery, fan-out spread, and the disk's own fdatasync latency.
//   5. startup    `tinykube up` spawn -> "ready" line, and -> first successful `kubectl get ns`.
//   --profile     the same loads on an extra server under node --cpu-prof: top self time.
//
// Everything is on 127.0.0.0/8. Every load is bounded in count and in time. The tinykube servers
// run on data dirs under a fresh /tmp/tinykube-apibench-* (removed at the end unless --keep); the
// peers are started with the shared peers.sh and stopped by their PID on exit (also on errors and
// Ctrl-C). Peers that were already running (someone else's) are used and left running.
// No dependencies beyond Node; the peers need the setup in /work/shared/bench/README.md.

import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, fdatasyncSync, openSync, writeSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
let BIN = join(ROOT, 'bin', 'tinykube.js'); // replaced by a snapshot of dist/ (see snapshotApp)

const { values: flag } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' }, // creates per target
    conc: { type: 'string', default: '64' }, // clients in flight (and keep-alive sockets)
    gets: { type: 'string', default: '20000' }, // GETs per target with the Node loop
    'get-dur': { type: 'string', default: '10' }, // seconds of wrk per target
    services: { type: 'string', default: '10000' },
    'list-runs': { type: 'string', default: '5' },
    watchers: { type: 'string', default: '100' },
    'watch-events': { type: 'string', default: '500' },
    'watch-rate': { type: 'string', default: '200' }, // creates/s during the watch test
    'startup-runs': { type: 'string', default: '5' },
    only: { type: 'string', default: 'create,get,list,watch,startup' },
    profile: { type: 'string', default: '' }, // e.g. "create,get,list,watch": extra server runs under node --cpu-prof
    'no-peers': { type: 'boolean', default: false },
    'run-dir': { type: 'string', default: process.env.RUN_DIR || '/tmp/bench-run' },
    shared: { type: 'string', default: '/work/shared/bench' },
    'max-seconds': { type: 'string', default: '1200' }, // whole-run watchdog
    'quiet-wait': { type: 'string', default: '15' }, // per phase: wait up to this many s for an idle machine
    'no-snapshot': { type: 'boolean', default: false }, // run dist/ in place instead of a copy
    'no-https-floor': { type: 'boolean', default: false }, // skip the bench-local HTTPS floor server
    json: { type: 'string', default: '' }, // also write the results here
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flag.help) {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  process.stdout.write(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') +
    '\nflags: --n 10000 --conc 64 --gets 20000 --get-dur 10 --services 10000 --list-runs 5 --watchers 100\n' +
    '       --watch-events 500 --watch-rate 200 --startup-runs 5 --only create,get,list,watch,startup\n' +
    '       --profile create,get,list,watch --no-peers --run-dir /tmp/bench-run --shared /work/shared/bench\n' +
    '       --max-seconds 1200 --quiet-wait 15 --no-snapshot --no-https-floor --json FILE --keep\n');
  process.exit(0);
}
const N = int('n'), CONC = int('conc'), GETS = int('gets'), GET_DUR = int('get-dur');
const SERVICES = int('services'), LIST_RUNS = int('list-runs');
const WATCHERS = int('watchers'), WATCH_EVENTS = int('watch-events'), WATCH_RATE = int('watch-rate');
const STARTUP_RUNS = int('startup-runs'), MAX_SECONDS = int('max-seconds'), QUIET_WAIT = int('quiet-wait');
const ONLY = new Set(flag.only.split(',').filter(Boolean));
const PROFILE = new Set(flag.profile.split(',').filter(Boolean));
const RUN_DIR = flag['run-dir'];
const SHARED = flag.shared;
const PHASE_MS = 300_000; // no single load runs longer than this
const VALUE = 'x'.repeat(512);
const RUN = Date.now().toString(36); // fresh names every run
const LOAD0 = loadavg();
const NODE_PATH = process.env.NODE_PATH || '/tmp/bench-deps/node_modules';
const STUB = { host: '127.0.0.8', port: 8001 };

function int(name) {
  const v = Number(flag[name]);
  if (!Number.isInteger(v) || v < 0) die(`--${name}: "${flag[name]}" is not a non-negative integer`);
  return v;
}
function die(msg) {
  process.stderr.write(`apiserver-bench: ${msg}\n`);
  process.exit(2);
}
const log = (msg) => process.stderr.write(`${msg}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Processes we own: stopped by PID on every exit path.

const owned = new Map(); // pid -> { name, pidFile? }
let cleaning;
async function stopPid(pid, { graceMs = 10_000 } = {}) {
  if (!alive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const end = Date.now() + graceMs;
  while (Date.now() < end && alive(pid)) await sleep(50);
  if (alive(pid)) {
    log(`  pid ${pid} ignored SIGTERM for ${graceMs} ms, sending SIGKILL`);
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
function alive(pid) {
  try { process.kill(pid, 0); } catch { return false; }
  // a zombie child counts as gone
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}
function cleanup() {
  cleaning ??= (async () => {
    for (const [pid, p] of [...owned].reverse()) {
      await stopPid(pid);
      if (p.pidFile) {
        try { if (readFileSync(p.pidFile, 'utf8').trim() === String(pid)) rmSync(p.pidFile, { force: true }); } catch { /* gone */ }
      }
      owned.delete(pid);
    }
  })();
  return cleaning;
}
process.on('exit', () => { for (const pid of owned.keys()) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`\napiserver-bench: ${sig}, stopping what it started`);
    cleanup().finally(() => {
      if (rows.length) report();
      removeWorkDir();
      process.exit(130);
    });
  });
}
const watchdog = setTimeout(() => {
  log(`apiserver-bench: over --max-seconds ${MAX_SECONDS}, giving up`);
  cleanup().finally(() => process.exit(3));
}, MAX_SECONDS * 1000);
watchdog.unref();

/** Runs a command to completion (killed by PID after timeoutMs); resolves { code, stdout, stderr }. */
function run(cmd, args, { timeoutMs = 120_000, env = process.env, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    owned.set(child.pid, { name: basename(cmd) });
    let stdout = '', stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('error', (e) => { clearTimeout(t); owned.delete(child.pid); resolve({ code: -1, stdout, stderr: stderr + e.message }); });
    child.on('close', (code, signal) => { clearTimeout(t); owned.delete(child.pid); resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }); });
    child.stdin.end(input);
  });
}
async function which(cmd) {
  return (await run('sh', ['-c', `command -v ${cmd}`], { timeoutMs: 5000 })).code === 0;
}

/** CPU seconds (user+sys, all threads) of a process, from /proc. */
function cpuSec(pid) {
  if (!pid) return NaN;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // CLK_TCK = 100 on Linux
  } catch { return NaN; }
}
/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function boxJiffies() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch { return { busy: NaN, total: NaN }; }
}
/** CPU% (100 = one core) of the server, of this process and of the whole machine over an interval. */
function cpuMeter(pid) {
  const s0 = cpuSec(pid), c0 = process.cpuUsage(), t0 = now(), b0 = boxJiffies();
  return () => {
    const wall = (now() - t0) / 1000, c = process.cpuUsage(c0), b = boxJiffies();
    return { server: ((cpuSec(pid) - s0) / wall) * 100, client: ((c.user + c.system) / 1e6 / wall) * 100, box: ((b.busy - b0.busy) / 100 / wall) * 100 };
  };
}

/**
 * The machine is shared (2 cores; others run tests): before a phase, wait until it has been idle
 * (< 25% of one core busy over 1 s) for up to --quiet-wait s. Returns the last busy% seen.
 */
async function awaitQuiet(what) {
  const end = Date.now() + QUIET_WAIT * 1000;
  let busy;
  for (;;) {
    const b0 = boxJiffies();
    await sleep(1000);
    const b1 = boxJiffies();
    busy = ((b1.busy - b0.busy) / Math.max(1, b1.total - b0.total)) * cpus().length * 100;
    if (busy < 25 || Date.now() >= end) break;
  }
  if (busy >= 25) log(`    (machine still busy before ${what}: ${busy.toFixed(0)}% of a core used by others)`);
  quietBefore.push({ what, busy });
  return busy;
}
const quietBefore = [];

/**
 * Others rebuild dist/ while this runs; a copy taken once (and checked by starting it) keeps
 * every server of the run on the same build. node_modules is linked, not copied.
 */
async function snapshotApp(base) {
  for (let attempt = 1; ; attempt++) {
    const app = join(base, `app-${attempt}`);
    mkdirSync(app, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    BIN = join(app, 'bin', 'tinykube.js');
    try {
      const srv = await startTinykube(join(base, `check-${attempt}`));
      await srv.stop();
      log(`  running a snapshot of dist/ in ${app}`);
      return;
    } catch (e) {
      if (attempt >= 5) throw new Error(`dist/ does not start (5 snapshots, 3 s apart); rebuild it: ${e.message}`);
      log(`  snapshot ${attempt} of dist/ does not start (a rebuild in progress?), trying again in 3 s`);
      await sleep(3000);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Peers (shared scripts, shared RUN_DIR) and tinykube servers.

async function startPeer(name) {
  const pidFile = join(RUN_DIR, `${name}.pid`);
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid && alive(pid)) {
      log(`  peer ${name}: already running (pid ${pid}), using it and leaving it running`);
      return pid;
    }
  }
  const r = await run(join(SHARED, 'peers.sh'), ['start', name], { timeoutMs: 60_000, env: { ...process.env, RUN_DIR, NODE_PATH } });
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  if (pid) owned.set(pid, { name, pidFile });
  if (r.code !== 0 || !pid || !alive(pid)) {
    log(`  peer ${name}: did not start (${(r.stderr || r.stdout).trim().split('\n').pop()})`);
    return 0;
  }
  log(`  peer ${name}: started, pid ${pid}`);
  return pid;
}

/**
 * Spawns `tinykube up` on a fresh data dir; resolves once it prints its ready line.
 * Returns { pid, url, port, token, ca, dataDir, spawnToReadyMs, selfReportedMs, stop() }.
 */
async function startTinykube(dataDir, { nodeArgs = [], timeoutMs = 30_000 } = {}) {
  mkdirSync(dataDir, { recursive: true });
  const logPath = join(dataDir, '..', `${basename(dataDir)}.log`);
  const t0 = now();
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'up', '--data-dir', dataDir, '--api-port', '0', '--no-kubeconfig-merge', '--no-ingress'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owned.set(child.pid, { name: 'tinykube' });
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tinykube did not print its ready line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (c) => {
      out += c;
      const m = /ready in (\d+) ms: (https:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(t); resolve({ at: now(), selfMs: Number(m[1]), url: m[2] }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`tinykube exited (code ${code}) before ready:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  child.stdout.on('data', (c) => (out += c)); // keep draining
  const pid = child.pid;
  const exited = new Promise((r) => child.on('exit', r));
  return {
    pid,
    url: ready.url,
    port: Number(new URL(ready.url).port),
    token: readFileSync(join(dataDir, 'pki', 'admin.token'), 'utf8').trim(),
    ca: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    dataDir,
    spawnToReadyMs: ready.at - t0,
    selfReportedMs: ready.selfMs,
    spawnedAt: t0,
    async stop() {
      await stopPid(pid, { graceMs: 15_000 });
      await Promise.race([exited, sleep(2000)]);
      owned.delete(pid);
      try { writeFileSync(logPath, out); } catch { /* best effort */ }
    },
  };
}

/**
 * HTTPS_FLOOR: what node:https alone costs. An in-memory ConfigMap create/get server like the
 * shared stub, but over node:https with tinykube's own serving certificate and a bearer-token
 * check, so (tinykube / this) is the cost of tinykube's own logic and storage, and
 * (this / node-api-stub) the cost of TLS. Written here, not taken from ../shared.
 */
const HTTPS_FLOOR = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const auth = 'Bearer ' + process.env.TOKEN;
const objects = new Map();
let revision = 0;
const prefix = '/api/v1/namespaces/default/configmaps';
const send = (res, code, body) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(body); };
const server = createServer({ cert: readFileSync(process.env.CERT), key: readFileSync(process.env.KEY), keepAliveTimeout: 65000 }, (req, res) => {
  if (req.headers.authorization !== auth) return send(res, 401, '{"kind":"Status","code":401}');
  if (req.method === 'GET' && req.url.startsWith(prefix + '/')) {
    const o = objects.get(req.url.slice(prefix.length + 1));
    return o ? send(res, 200, JSON.stringify(o)) : send(res, 404, '{"kind":"Status","code":404}');
  }
  if (req.method === 'POST' && req.url === prefix) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let o;
      try { o = JSON.parse(body); } catch { return send(res, 400, '{"kind":"Status","code":400}'); }
      const name = o.metadata && o.metadata.name;
      if (objects.has(name)) return send(res, 409, '{"kind":"Status","code":409}');
      o.metadata.resourceVersion = String(++revision);
      objects.set(name, o);
      send(res, 201, JSON.stringify(o));
    });
    return;
  }
  send(res, 404, '{"kind":"Status","code":404}');
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

async function startHttpsFloor(tk) {
  const pki = join(tk.dataDir, 'pki');
  const child = spawn(process.execPath, ['--input-type=module', '-e', HTTPS_FLOOR], {
    env: { ...process.env, TOKEN: tk.token, CERT: join(pki, 'apiserver.crt'), KEY: join(pki, 'apiserver.key') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owned.set(child.pid, { name: 'https-floor' });
  let out = '';
  const port = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(0), 10_000);
    child.stdout.on('data', (c) => { out += c; const m = /port (\d+)/.exec(out); if (m) { clearTimeout(t); resolve(Number(m[1])); } });
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', () => { clearTimeout(t); resolve(0); });
  });
  if (!port) { log(`  https floor did not start: ${out}`); return undefined; }
  log(`  https floor (bench-local node:https + Map) pid ${child.pid} on 127.0.0.1:${port}`);
  return { label: 'node-https-floor', target: { proto: 'https:', host: '127.0.0.1', port, token: tk.token, ca: tk.ca }, pid: child.pid, note: 'bench-local node:https + bearer check + Map, same cert' };
}

// ---------------------------------------------------------------------------------------------
// The client: one request function for HTTPS (tinykube) and HTTP (stub), keep-alive, CONC sockets.

function client(target, conc = CONC) {
  const tls = target.proto === 'https:';
  const agent = tls
    ? new https.Agent({ keepAlive: true, maxSockets: conc, ca: target.ca })
    : new http.Agent({ keepAlive: true, maxSockets: conc });
  const mod = tls ? https : http;
  const auth = target.token ? { authorization: `Bearer ${target.token}` } : {};
  const req = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const r = mod.request({ host: target.host, port: target.port, method, path, agent, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      r.setTimeout(30_000, () => r.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      r.on('error', reject);
      r.end(body);
    });
  return { req, agent, close: () => agent.destroy() };
}

function targetOf(server) {
  const u = new URL(server.url);
  return { proto: 'https:', host: u.hostname, port: Number(u.port), token: server.token, ca: server.ca, pid: server.pid };
}

/** Runs fn(i) for i < n with conc in flight; bounded by n and PHASE_MS. */
async function measure(n, conc, pid, fn) {
  const lat = new Float64Array(n);
  let next = 0, errors = 0, done = 0, firstError;
  const deadline = Date.now() + PHASE_MS;
  const cpu = cpuMeter(pid);
  const t0 = now();
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    for (let i = next++; i < n && Date.now() < deadline; i = next++) {
      const s = now();
      try { await fn(i); } catch (e) { errors++; firstError ??= e.message; }
      lat[done++] = now() - s;
    }
  }));
  const sec = (now() - t0) / 1000;
  const c = cpu();
  const l = lat.subarray(0, done).sort();
  if (firstError) log(`    first error: ${firstError}`);
  return { n: done, ops: done / sec, sec, p50: q(l, 0.5), p99: q(l, 0.99), errors, srvCpu: c.server, cliCpu: c.client, boxCpu: c.box, truncated: done < n };
}
const q = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);
const median = (xs) => q(Float64Array.from(xs).sort(), 0.5);

const cmBody = (name) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v: VALUE } });
const CM_PATH = '/api/v1/namespaces/default/configmaps';
const SVC_PATH = '/api/v1/namespaces/default/services';
const expect = (want) => (r) => { if (r.status !== want) throw new Error(`status ${r.status} (want ${want}): ${r.body.toString().slice(0, 200)}`); return r; };

async function warm(c) { // open all keep-alive sockets (TLS handshakes) before measuring
  await Promise.all(Array.from({ length: CONC }, () => c.req('GET', '/api/v1/namespaces/default').catch(() => {})));
}

// ---------------------------------------------------------------------------------------------
// Results

const rows = []; // { phase, target, metric, value, unit, p50, p99, n, errors, srvCpu, cliCpu, note }
const row = (r) => { rows.push(r); log(`    ${r.phase} ${r.target}: ${fmt(r.value)} ${r.unit}${r.p50 !== undefined ? `  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms` : ''}${r.errors ? `  errors ${r.errors}` : ''}`); };
const fmt = (v) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? Math.round(v).toString() : v.toFixed(Math.abs(v) >= 10 ? 1 : 2));
const find = (phase, target) => rows.find((r) => r.phase === phase && r.target === target);

// ---------------------------------------------------------------------------------------------
// 1. creates

/**
 * HTTP peers for creates and GETs: { label, target, pid, note }. The shared stub (plain HTTP) and,
 * unless --no-https-floor, a bench-local HTTPS floor (see HTTPS_FLOOR) with the same behaviour.
 */
async function benchCreates(tk, peers, etcdPid) {
  log('\n[1] creates: POST ConfigMap (512-byte value), ' + `${N} per target, ${CONC} in flight`);
  const targets = [{ label: 'tinykube', target: targetOf(tk), pid: tk.pid, note: 'HTTPS, bearer token, fsync (SQLite FULL, group commit)' }, ...peers];
  for (const t of targets) {
    const c = client(t.target);
    await warm(c);
    await awaitQuiet(`creates on ${t.label}`);
    const r = await measure(N, CONC, t.pid, (i) => c.req('POST', CM_PATH, cmBody(`cm-${RUN}-${i}`)).then(expect(201)));
    row({ phase: 'create', target: t.label, metric: 'creates/s', value: r.ops, unit: '/s', ...pick(r), note: t === targets[0] ? t.note : `same client loop, ${t.note}` });
    c.close();
  }
  if (etcdPid) await benchEtcd(etcdPid);
}
const pick = (r) => ({ p50: r.p50, p99: r.p99, n: r.n, errors: r.errors, srvCpu: r.srvCpu, cliCpu: r.cliCpu, boxCpu: r.boxCpu });

async function benchEtcd(etcdPid) {
  const goBench = join(RUN_DIR, 'etcd-bench');
  const parse = (out) => out.split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t'));
  await awaitQuiet('etcd puts');
  const cpu = cpuMeter(etcdPid);
  let lines, how;
  if (existsSync(goBench)) {
    how = 'etcd-bench-go, 4 gRPC conns';
    const r = await run(goBench, ['-endpoint', '127.0.0.1:2379', '-n', String(N), '-conc', String(CONC), '-clients', '4', '-size', '512', '-label', 'etcd-go'], { timeoutMs: PHASE_MS });
    lines = parse(r.stdout);
    if (r.code !== 0) log(`    etcd-bench: ${r.stderr.trim().split('\n').pop()}`);
  } else {
    how = 'kv-bench.js etcd (npm etcd3: client-bound, a few k/s at most)';
    const r = await run(process.execPath, [join(SHARED, 'kv-bench.js'), 'etcd', 'http://127.0.0.1:2379', '--n', String(N), '--conc', String(CONC), '--label', 'etcd-node'], { timeoutMs: PHASE_MS, env: { ...process.env, NODE_PATH } });
    lines = parse(r.stdout);
    if (r.code !== 0) log(`    kv-bench etcd: ${r.stderr.trim().split('\n').pop()}`);
  }
  const c = cpu();
  for (const [label, op, ops, p50, p99, n, errors] of lines) {
    const phase = op === 'put' ? 'create' : 'get';
    row({ phase, target: label, metric: op, value: Number(ops), unit: '/s', p50: Number(p50), p99: Number(p99), n: Number(n), errors: Number(errors), boxCpu: c.box, note: `etcd ${op} 512 B, ${how}${phase === 'get' ? ', linearizable' : ', WAL fsync'}; etcd CPU ${fmt(c.server)}% over put+get` });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. GETs of single objects

function parseWrk(out) {
  const m = /^RESULT (.*)$/m.exec(out);
  if (!m) return undefined;
  const v = Object.fromEntries(m[1].split(' ').map((kv) => kv.split('=')).map(([k, x]) => [k, Number(x)]));
  const sec = v.duration_us / 1e6;
  return { ops: v.requests / sec, p50: v.p50_us / 1000, p99: v.p99_us / 1000, n: v.requests, errors: v.errors };
}

async function benchGets(tk, peers, haveWrk) {
  log(`\n[2] GET one ConfigMap: wrk ${GET_DUR} s x ${CONC} conns, then the Node loop ${GETS} x ${CONC} in flight`);
  const name = `cm-${RUN}-0`;
  const targets = [];
  for (const p of [{ label: 'tinykube', target: targetOf(tk), pid: tk.pid, note: 'HTTPS + bearer token' }, ...peers]) {
    const c = client(p.target);
    // the object to GET must exist even when --only skips the create phase
    const made = await c.req('POST', CM_PATH, cmBody(name));
    if (made.status !== 201 && made.status !== 409) throw new Error(`${p.label}: cannot create ${name}: ${made.status}`);
    const t = p.target;
    targets.push({ ...p, c, url: `${t.proto}//${t.host}:${t.port}${CM_PATH}/${name}`, headers: t.token ? ['-H', `Authorization: Bearer ${t.token}`] : [] });
  }
  if (haveWrk && GET_DUR > 0) {
    for (const t of targets) {
      await awaitQuiet(`wrk on ${t.label}`);
      const cpu = cpuMeter(t.pid);
      const r = await run('wrk', ['-t2', `-c${CONC}`, `-d${GET_DUR}s`, '--timeout', '5s', '-s', join(SHARED, 'wrk-report.lua'), ...t.headers, t.url], { timeoutMs: (GET_DUR + 30) * 1000 });
      const c = cpu();
      const w = parseWrk(r.stdout);
      if (!w) { log(`    wrk ${t.label} failed: ${r.stderr || r.stdout}`); continue; }
      row({ phase: 'get', target: `${t.label} (wrk)`, metric: 'GETs/s', value: w.ops, unit: '/s', p50: w.p50, p99: w.p99, n: w.n, errors: w.errors, srvCpu: c.server, boxCpu: c.box, note: `wrk -t2 -c${CONC}, ${t.note}` });
    }
  }
  if (GETS > 0) {
    for (const t of targets) {
      await warm(t.c);
      await awaitQuiet(`GETs on ${t.label}`);
      const r = await measure(GETS, CONC, t.pid, () => t.c.req('GET', `${CM_PATH}/${name}`).then(expect(200)));
      row({ phase: 'get', target: `${t.label} (node)`, metric: 'GETs/s', value: r.ops, unit: '/s', ...pick(r), note: `Node loop, ${t.note}` });
    }
  }
  for (const t of targets) t.c.close();
}

// ---------------------------------------------------------------------------------------------
// 3. LIST of SERVICES Services

async function benchList(tk, haveKubectl) {
  log(`\n[3] LIST: create ${SERVICES} Services, then GET the list (JSON and Table), median of ${LIST_RUNS}`);
  const c = client(targetOf(tk));
  await warm(c);
  await awaitQuiet('Service creates');
  const svc = (i) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${RUN}-${i}`, namespace: 'default', labels: { app: `a${i % 50}` } }, spec: { ports: [{ port: 80 }], selector: { app: `a${i % 50}` } } });
  const r = await measure(SERVICES, CONC, tk.pid, (i) => c.req('POST', SVC_PATH, svc(i)).then(expect(201)));
  row({ phase: 'list', target: 'tinykube', metric: 'Service creates/s', value: r.ops, unit: '/s', ...pick(r), note: 'setup: the Services to list' });
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
  for (const [form, accept] of [['JSON', 'application/json'], ['Table', TABLE]]) {
    await awaitQuiet(`LIST ${form}`);
    const times = [], ttfb = [];
    let bytes = 0, items = 0;
    for (let k = 0; k < LIST_RUNS; k++) {
      const t0 = now();
      let first = 0;
      const res = await new Promise((resolve, reject) => {
        const req = https.request({ host: new URL(tk.url).hostname, port: tk.port, path: SVC_PATH, agent: c.agent, headers: { authorization: `Bearer ${tk.token}`, accept } }, (res) => {
          first = now();
          const chunks = [];
          res.on('data', (x) => chunks.push(x));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        });
        req.setTimeout(60_000, () => req.destroy(new Error('LIST: no answer in 60 s')));
        req.on('error', reject);
        req.end();
      });
      times.push(now() - t0);
      ttfb.push(first - t0);
      expect(200)(res);
      bytes = res.body.length;
      const doc = JSON.parse(res.body);
      items = (doc.items ?? doc.rows ?? []).length;
    }
    row({ phase: 'list', target: 'tinykube', metric: `LIST ${form}`, value: median(times), unit: 'ms', n: items, note: `median of ${LIST_RUNS} (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))}); first byte ${fmt(median(ttfb))} ms; ${(bytes / 1048576).toFixed(1)} MiB, ${items} ${form === 'JSON' ? 'items' : 'rows'}` });
  }
  { // what kubectl get sends: Table pages of 500 with continue tokens, one after the other
    await awaitQuiet('LIST Table paged');
    const times = [];
    let items = 0, pages = 0;
    for (let k = 0; k < LIST_RUNS; k++) {
      const t0 = now();
      let cont = '';
      items = 0; pages = 0;
      do {
        const r = expect(200)(await c.req('GET', `${SVC_PATH}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, { accept: `${TABLE},application/json` }));
        const doc = JSON.parse(r.body);
        items += (doc.rows ?? doc.items ?? []).length;
        pages++;
        cont = doc.metadata?.continue ?? '';
      } while (cont && pages < 1000);
      times.push(now() - t0);
    }
    row({ phase: 'list', target: 'tinykube', metric: 'LIST Table, pages of 500', value: median(times), unit: 'ms', n: items, note: `median of ${LIST_RUNS} (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))}); ${pages} pages (kubectl's default --chunk-size=500); incl. client JSON.parse` });
  }
  if (haveKubectl) { // what a user sees: kubectl pages with --chunk-size=500 by default
    const cache = join(tk.dataDir, '..', 'kcache-list');
    const base = ['--kubeconfig', join(tk.dataDir, 'kubeconfig'), '--cache-dir', cache, 'get', 'services', '-n', 'default'];
    await run('kubectl', base, { timeoutMs: 60_000 }); // discovery into the cache
    for (const [extra, note] of [[[], "default --chunk-size=500: 20 pages, paced by kubectl's client-side rate limiter (5 req/s after a burst of 10)"], [['--chunk-size=0'], 'one request, no paging']]) {
      await awaitQuiet('kubectl get services');
      const times = [];
      let lines = 0;
      for (let k = 0; k < 3; k++) {
        const t0 = now();
        const res = await run('kubectl', [...base, ...extra], { timeoutMs: 60_000 });
        times.push(now() - t0);
        if (res.code !== 0) { log(`    kubectl get services failed: ${res.stderr.trim()}`); break; }
        lines = res.stdout.trim().split('\n').length - 1;
      }
      row({ phase: 'list', target: 'kubectl', metric: `kubectl get services${extra.length ? ' ' + extra.join(' ') : ''}`, value: median(times), unit: 'ms', n: lines, note: `median of 3 wall times incl. kubectl start, warm discovery cache; ${note}` });
    }
  }
  c.close();
}

// ---------------------------------------------------------------------------------------------
// 4. watch fan-out

/** The disk's own commit latency: write 4 KiB + fdatasync, 200 times, in the data dir's file system. */
function diskProbe(dir) {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4096, 120);
  const lat = [];
  try {
    for (let i = 0; i < 200; i++) {
      const t0 = now();
      writeSync(fd, buf, 0, buf.length, (i % 16) * 4096);
      fdatasyncSync(fd);
      lat.push(now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  const l = Float64Array.from(lat).sort();
  row({ phase: 'watch', target: 'disk', metric: 'write 4 KiB + fdatasync', value: q(l, 0.5), unit: 'ms p50', p50: q(l, 0.5), p99: q(l, 0.99), n: l.length, note: `one at a time; max ${fmt(l[l.length - 1])} ms: every acknowledged create waits for at least one of these` });
}

async function benchWatch(tk) {
  log(`\n[4] watch: ${WATCHERS} watchers on configmaps, ${WATCH_EVENTS} creates at ${WATCH_RATE}/s`);
  await awaitQuiet('disk probe');
  diskProbe(tk.dataDir);
  const t = targetOf(tk);
  const c = client(t);
  const rv = JSON.parse(expect(200)(await c.req('GET', `${CM_PATH}?limit=1`)).body).metadata.resourceVersion;
  const wagent = new https.Agent({ keepAlive: false, maxSockets: WATCHERS + 1, ca: tk.ca });
  const M = WATCH_EVENTS, W = WATCHERS;
  const sentAt = new Float64Array(M).fill(NaN), ackAt = new Float64Array(M).fill(NaN);
  const recvAt = new Float64Array(W * M).fill(NaN);
  let delivered = 0, dup = 0, other = 0;
  const prefix = `"name":"w-${RUN}-`;
  const reqs = [];
  let cpu0;
  let allDelivered;
  const allDone = new Promise((r) => (allDelivered = r));
  await Promise.all(Array.from({ length: W }, (_, w) => new Promise((resolve, reject) => {
    const req = https.request({ host: t.host, port: t.port, agent: wagent, path: `${CM_PATH}?watch=true&resourceVersion=${rv}&timeoutSeconds=300`, headers: { authorization: `Bearer ${t.token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${w}: status ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        const at = now();
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const p = line.indexOf(prefix);
          if (p < 0) { if (line.trim()) other++; continue; }
          const i = parseInt(line.slice(p + prefix.length), 10);
          if (!(i >= 0 && i < M)) { other++; continue; }
          if (!Number.isNaN(recvAt[w * M + i])) { dup++; continue; }
          recvAt[w * M + i] = at;
          if (++delivered === W * M) allDelivered();
        }
      });
      res.on('error', () => {});
      resolve();
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`watch ${w}: no headers in 20 s`)));
    req.on('error', (e) => { if (!req.reusedSocket) reject(e); });
    req.end();
    reqs.push(req);
  })));
  for (const r of reqs) r.setTimeout(0);
  log(`    ${W} watches open from resourceVersion ${rv}`);
  await awaitQuiet('watch creates');
  // paced creates: i-th POST due at t0 + i * interval
  const interval = 1000 / WATCH_RATE;
  let errors = 0;
  const posts = [];
  cpu0 = cpuMeter(tk.pid);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 }); // this client's own stalls add to every figure
  loopDelay.enable();
  const t0 = now();
  for (let i = 0; i < M; i++) {
    const due = t0 + i * interval;
    const wait = due - now();
    if (wait > 0.5) await sleep(wait);
    sentAt[i] = now();
    posts.push(c.req('POST', CM_PATH, cmBody(`w-${RUN}-${i}`)).then((r) => { ackAt[i] = now(); if (r.status !== 201) errors++; }, () => errors++));
  }
  const sendSec = (now() - t0) / 1000;
  await Promise.all(posts);
  await Promise.race([allDone, sleep(10_000)]);
  loopDelay.disable();
  const cpu = cpu0();
  for (const r of reqs) r.destroy();
  wagent.destroy();
  c.close();
  const fromSend = [], fromAck = [], spread = [];
  for (let w = 0; w < W; w++) for (let i = 0; i < M; i++) {
    const at = recvAt[w * M + i];
    if (Number.isNaN(at)) continue;
    fromSend.push(at - sentAt[i]);
    fromAck.push(at - ackAt[i]);
  }
  for (let i = 0; i < M; i++) { // fan-out: first to last watcher of one event
    let lo = Infinity, hi = -Infinity;
    for (let w = 0; w < W; w++) { const at = recvAt[w * M + i]; if (at < lo) lo = at; if (at > hi) hi = at; }
    if (hi >= lo) spread.push(hi - lo);
  }
  const sp = Float64Array.from(spread).sort();
  const s = Float64Array.from(fromSend).sort(), a = Float64Array.from(fromAck).sort();
  const post = Float64Array.from(ackAt.map((x, i) => x - sentAt[i])).sort();
  const missing = W * M - delivered;
  row({ phase: 'watch', target: 'tinykube', metric: 'delivery send->recv', value: q(s, 0.99), unit: 'ms p99', p50: q(s, 0.5), p99: q(s, 0.99), n: delivered, errors: missing + errors,
    srvCpu: cpu.server, cliCpu: cpu.client, boxCpu: cpu.box,
    note: `${W}x${M} deliveries, sent at ${fmt(M / sendSec)}/s; p99.9 ${fmt(q(s, 0.999))} max ${fmt(s[s.length - 1])} ms; missing ${missing} dup ${dup} other ${other}; client event-loop delay p99 ${fmt(loopDelay.percentile(99) / 1e6)} max ${fmt(loopDelay.max / 1e6)} ms` });
  row({ phase: 'watch', target: 'tinykube', metric: 'delivery ack->recv', value: q(a, 0.99), unit: 'ms p99', p50: q(a, 0.5), p99: q(a, 0.99), n: delivered,
    note: `negative = event arrived before the POST's 201; POST p50 ${fmt(q(post, 0.5))} p99 ${fmt(q(post, 0.99))} ms` });
  row({ phase: 'watch', target: 'tinykube', metric: 'fan-out first->last watcher', value: q(sp, 0.99), unit: 'ms p99', p50: q(sp, 0.5), p99: q(sp, 0.99), n: sp.length,
    note: `per event, receive time of the last of ${W} watchers minus the first; max ${fmt(sp[sp.length - 1])} ms` });
  row({ phase: 'watch', target: 'tinykube', metric: 'POST during watch', value: q(post, 0.99), unit: 'ms p99', p50: q(post, 0.5), p99: q(post, 0.99), n: M, errors,
    note: `send -> 201 of the paced creates (${WATCH_RATE}/s: little to group-commit, ~1 fsync per create)` });
}

// ---------------------------------------------------------------------------------------------
// 5. startup

async function benchStartup(base, haveKubectl) {
  log(`\n[5] startup: tinykube up on a fresh data dir, ${STARTUP_RUNS} runs`);
  const ready = [], self = [], kube = [], kubeAlone = [], nodeFloor = [];
  for (let k = 0; k < STARTUP_RUNS; k++) {
    const dir = join(base, `startup-${k}`);
    await awaitQuiet(`startup ${k}`);
    const srv = await startTinykube(dir);
    ready.push(srv.spawnToReadyMs);
    self.push(srv.selfReportedMs);
    if (haveKubectl) {
      const args = ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(base, `kcache-${k}`), 'get', 'ns'];
      let ok = false;
      for (let tries = 0; tries < 50 && !ok; tries++) {
        const r = await run('kubectl', args, { timeoutMs: 20_000 });
        ok = r.code === 0 && /default/.test(r.stdout);
        if (!ok) await sleep(20);
      }
      if (ok) kube.push(now() - srv.spawnedAt);
      const t1 = now(); // the same again: kubectl's own cost on a running server, warm cache
      if ((await run('kubectl', args, { timeoutMs: 20_000 })).code === 0) kubeAlone.push(now() - t1);
    }
    await srv.stop();
    const t2 = now();
    await run(process.execPath, ['-e', '0'], { timeoutMs: 10_000 });
    nodeFloor.push(now() - t2);
  }
  row({ phase: 'startup', target: 'tinykube', metric: 'spawn -> ready line', value: median(ready), unit: 'ms', n: ready.length, note: `median; runs ${ready.map(fmt).join(' ')}; self-reported ${fmt(median(self))} ms` });
  if (kube.length) row({ phase: 'startup', target: 'tinykube', metric: 'spawn -> kubectl get ns ok', value: median(kube), unit: 'ms', n: kube.length, note: `median; runs ${kube.map(fmt).join(' ')}; fresh kubectl cache dir` });
  if (kubeAlone.length) row({ phase: 'startup', target: 'kubectl', metric: 'kubectl get ns (warm cache)', value: median(kubeAlone), unit: 'ms', n: kubeAlone.length, note: "kubectl's own floor on a running server" });
  row({ phase: 'startup', target: 'node', metric: 'node -e 0', value: median(nodeFloor), unit: 'ms', n: nodeFloor.length, note: 'floor of any Node CLI' });
}

// ---------------------------------------------------------------------------------------------
// Optional CPU profiles: a separate server under node --cpu-prof, the same load, top self-time.

async function profileRun(base, phase, haveWrk) {
  const dir = join(base, `prof-${phase}`);
  const profDir = join(base, `prof-${phase}-cpuprofile`);
  mkdirSync(profDir, { recursive: true });
  log(`\n[profile ${phase}] server under node --cpu-prof`);
  const srv = await startTinykube(join(dir, 'data'), { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '500'] });
  const quiet = rows.length;
  const w0 = now() * 1000; // µs, CLOCK_MONOTONIC like V8's profile timestamps
  let w1;
  try {
    if (phase === 'create') await benchCreates(srv, [], 0);
    else if (phase === 'get') await benchGets(srv, [], haveWrk);
    else if (phase === 'list') await benchList(srv, false);
    else if (phase === 'watch') await benchWatch(srv);
    w1 = now() * 1000;
  } finally {
    await srv.stop();
  }
  for (const r of rows.splice(quiet)) log(`    (profiled, not in the table) ${r.metric} ${fmt(r.value)} ${r.unit}`);
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) { log('    no profile written'); return; }
  for (const f of files) {
    const top = topSelf(JSON.parse(readFileSync(join(profDir, f), 'utf8')), w0, w1 ?? now() * 1000);
    profiles.push({ phase, file: join(profDir, f), ...top });
  }
}
const profiles = [];

/** Self time per function (and per file) over the samples taken between w0 and w1 (µs). */
function topSelf(prof, w0, w1) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (cf) => {
    const file = cf.url ? cf.url.replace(/^file:\/\//, '').replace(ROOT + '/', '').replace(/^\/tmp\/tinykube-apibench-[^/]+\/app-\d+\//, '') : '';
    return `${cf.functionName || '(anonymous)'}  ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
  };
  const incl = new Map(); // inclusive time of the project's own functions (dist/)
  const self = new Map();
  let total = 0, idle = 0;
  let t = prof.startTime;
  const inWindow = prof.timeDeltas.some((d, k, a) => (t += d) >= w0 && t <= w1) ;
  t = prof.startTime;
  for (let k = 0; k < prof.samples.length; k++) {
    t += prof.timeDeltas[k] ?? 0;
    if (inWindow && (t < w0 || t > w1)) continue; // startup and shutdown are not the load
    const n = byId.get(prof.samples[k]);
    const dt = (prof.timeDeltas[k + 1] ?? 0) / 1000; // ms until the next sample
    const cf = n.callFrame;
    total += dt;
    if (cf.functionName === '(idle)') { idle += dt; continue; }
    const key = keyOf(cf);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const k = keyOf(byId.get(id).callFrame);
      if (k.includes('  dist/') && !seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + dt); }
    }
  }
  const byFile = new Map();
  for (const [k, v] of self) {
    const f = k.split('  ')[1]?.replace(/:\d+$/, '') || k.split('  ')[0];
    const g = /node_modules\/([^/]+)/.exec(f)?.[1] ?? (f.startsWith('node:') ? f.replace(/^node:internal\/([^/]+).*/, 'node:internal/$1') : f);
    byFile.set(g, (byFile.get(g) ?? 0) + v);
  }
  const busy = total - idle;
  const sortTop = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, ms]) => ({ name, ms, pct: (ms / busy) * 100 }));
  return { totalMs: total, busyMs: busy, window: inWindow, top: sortTop(self, 10), topFiles: sortTop(byFile, 8), topIncl: sortTop(incl, 12) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) die('dist/ is missing: run `npx tsc -p tsconfig.json` first');
  const base = (workDir = mkdtempSync('/tmp/tinykube-apibench-'));
  log(`apiserver-bench: run ${RUN}, work dir ${base}, node ${process.version}`);
  const [haveWrk, haveKubectl] = await Promise.all([which('wrk'), which('kubectl')]);
  if (!flag['no-snapshot']) await snapshotApp(base);
  if (!haveWrk) log('  wrk not found: GETs use the Node loop only');
  let stubPid = 0, etcdPid = 0;
  try {
    if (!flag['no-peers']) {
      if (ONLY.has('create') || ONLY.has('get')) stubPid = await startPeer('node-api');
      if (ONLY.has('create')) etcdPid = (await which('etcd')) ? await startPeer('etcd') : 0;
      if (stubPid) { // wait until the stub answers
        const sc = client({ proto: 'http:', ...STUB }, 1);
        for (let k = 0; k < 50; k++) { if (await sc.req('GET', `${CM_PATH}/none`).then(() => true, () => false)) break; await sleep(100); }
        sc.close();
      }
    }
    const needServer = ['create', 'get', 'list', 'watch'].some((p) => ONLY.has(p));
    if (needServer) {
      const tk = await startTinykube(join(base, 'data'));
      log(`  tinykube pid ${tk.pid} at ${tk.url} (ready ${fmt(tk.spawnToReadyMs)} ms after spawn)`);
      try {
        const peers = [];
        if (stubPid) peers.push({ label: 'node-api-stub', target: { proto: 'http:', ...STUB }, pid: stubPid, note: 'node-api-stub.js: plain HTTP, in-memory Map, no auth' });
        if (!flag['no-https-floor'] && (ONLY.has('create') || ONLY.has('get'))) {
          const f = await startHttpsFloor(tk);
          if (f) peers.push(f);
        }
        if (ONLY.has('create')) await benchCreates(tk, peers, etcdPid);
        if (ONLY.has('get')) await benchGets(tk, peers, haveWrk);
        if (ONLY.has('list')) await benchList(tk, haveKubectl);
        if (ONLY.has('watch')) await benchWatch(tk);
      } finally {
        await tk.stop();
      }
    }
    if (ONLY.has('startup')) await benchStartup(base, haveKubectl);
    for (const p of PROFILE) await profileRun(base, p, haveWrk);
  } finally {
    await cleanup();
  }
  report();
  removeWorkDir();
}
let workDir;
function removeWorkDir() {
  if (!workDir) return;
  if (!flag.keep && !PROFILE.size) rmSync(workDir, { recursive: true, force: true });
  else log(`\nkept ${workDir}${PROFILE.size ? ' (the .cpuprofile files open in Chrome DevTools)' : ''}`);
}

function report() {
  const out = [];
  const p = (s = '') => out.push(s);
  p(`\ntinykube API-server benchmark  run ${RUN}  ${new Date().toISOString()}  node ${process.version}  N=${N} conc=${CONC}`);
  p(`machine: ${cpus().length} cores; load average at start ${LOAD0.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}; box CPU% = whole machine, 100 per core (others' processes included)`);
  const head = ['phase', 'target', 'metric', 'value', 'unit', 'p50 ms', 'p99 ms', 'n', 'err', 'srv CPU%', 'srv µs/op', 'cli CPU%', 'box CPU%', 'note'];
  const cells = rows.map((r) => [r.phase, r.target, r.metric, fmt(r.value), r.unit, fmt(r.p50), fmt(r.p99), r.n ?? '-', r.errors ?? '-', fmt(r.srvCpu), r.unit === '/s' && r.srvCpu ? fmt((r.srvCpu / 100 / r.value) * 1e6) : '-', fmt(r.cliCpu), fmt(r.boxCpu), r.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((x, i) => (i === c.length - 1 ? String(x) : String(x).padEnd(w[i]))).join('  ');
  p(line(head));
  p(line(w.map((n) => '-'.repeat(n))));
  for (const c of cells) p(line(c));

  const busy = quietBefore.filter((x) => x.busy >= 25);
  p(`machine idle (< 25% of a core used) before ${quietBefore.length - busy.length} of ${quietBefore.length} loads${busy.length ? `; busy before: ${busy.map((x) => `${x.what} ${x.busy.toFixed(0)}%`).join(', ')}` : ''}`);
  p('\nratios (tinykube / peer; throughput: higher is better)');
  const ratio = (label, a, b) => { if (a && b) p(`  ${label.padEnd(44)} ${(a.value / b.value).toFixed(2)}x   (${fmt(a.value)} vs ${fmt(b.value)} ${a.unit})`); };
  const cTk = find('create', 'tinykube');
  ratio('creates/s vs node-api-stub (HTTP, in memory)', cTk, find('create', 'node-api-stub'));
  ratio('creates/s vs node-https-floor (HTTPS, in memory)', cTk, find('create', 'node-https-floor'));
  ratio('  node-https-floor vs node-api-stub (TLS cost)', find('create', 'node-https-floor'), find('create', 'node-api-stub'));
  ratio('creates/s vs etcd put (etcd-bench-go)', cTk, find('create', 'etcd-go'));
  ratio('creates/s vs etcd put (npm etcd3)', cTk, find('create', 'etcd-node'));
  ratio('GETs/s wrk vs node-api-stub wrk', find('get', 'tinykube (wrk)'), find('get', 'node-api-stub (wrk)'));
  ratio('GETs/s wrk vs node-https-floor wrk', find('get', 'tinykube (wrk)'), find('get', 'node-https-floor (wrk)'));
  ratio('  node-https-floor wrk vs node-api-stub wrk (TLS)', find('get', 'node-https-floor (wrk)'), find('get', 'node-api-stub (wrk)'));
  ratio('GETs/s Node loop vs node-api-stub Node loop', find('get', 'tinykube (node)'), find('get', 'node-api-stub (node)'));
  ratio('GETs/s Node loop vs node-https-floor Node loop', find('get', 'tinykube (node)'), find('get', 'node-https-floor (node)'));
  ratio('GETs/s wrk vs etcd linearizable get (Go)', find('get', 'tinykube (wrk)'), find('get', 'etcd-go'));
  if (cTk) p(`  create p50 latency: ${rows.filter((r) => r.phase === 'create').map((r) => `${r.target} ${fmt(r.p50)} ms`).join(', ')}`);
  const per = rows.filter((r) => (r.phase === 'create' || r.phase === 'get') && r.srvCpu > 0);
  if (per.length) p(`  server CPU per request (µs, all threads; less sensitive to a busy machine than req/s): ${per.map((r) => `${r.phase} ${r.target} ${fmt((r.srvCpu / 100 / r.value) * 1e6)}`).join(', ')}`);

  p('\ngoals');
  const goal = (label, r, ok, want) => {
    if (!r) return;
    const why = r.cliCpu >= 90 ? '; the Node client is at a full core here, so this is a client-bound floor' : r.boxCpu >= 190 ? '; the machine was saturated' : '';
    p(`  ${ok(r.value) ? 'MET ' : 'MISS'}  ${label.padEnd(36)} ${fmt(r.value)} ${r.unit}  (goal ${want}${why})`);
  };
  goal('creates/s, fsync, HTTPS', cTk, (v) => v >= 5000, '>= 5,000/s');
  goal('GETs/s, HTTPS (wrk)', find('get', 'tinykube (wrk)'), (v) => v >= 20000, '>= 20,000/s');
  goal('GETs/s, HTTPS (Node loop)', find('get', 'tinykube (node)'), (v) => v >= 20000, '>= 20,000/s');
  for (const m of ['LIST JSON', 'LIST Table']) goal(`${m} of ${SERVICES} Services`, rows.find((r) => r.metric === m), (v) => v < 300, '< 300 ms');
  goal(`watch p99, ${WATCHERS} watchers`, rows.find((r) => r.metric === 'delivery send->recv'), (v) => v < 10, '< 10 ms');
  goal('tinykube up -> ready', rows.find((r) => r.metric === 'spawn -> ready line'), (v) => v < 1500, '< 1.5 s');
  goal('tinykube up -> kubectl get ns', rows.find((r) => r.metric === 'spawn -> kubectl get ns ok'), (v) => v < 1500, '< 1.5 s (kind/k3s not installed: no peer)');

  for (const pr of profiles) {
    p(`\nCPU profile, ${pr.phase} load: ${basename(pr.file)}  busy ${fmt(pr.busyMs)} ms of ${fmt(pr.totalMs)} ms sampled${pr.window ? ' during the load' : ' (whole life: no samples matched the load window)'}${/\.0\.\d+\.cpuprofile$/.test(pr.file) ? ' (main thread)' : ' (worker thread: a synchronous call blocked in fsync counts as self time)'}`);
    p('  top 10 self time (% of busy):');
    for (const t of pr.top) p(`    ${fmt(t.ms).padStart(7)} ms ${t.pct.toFixed(1).padStart(5)}%  ${t.name}`);
    p('  self time by file / package:');
    for (const t of pr.topFiles) p(`    ${fmt(t.ms).padStart(7)} ms ${t.pct.toFixed(1).padStart(5)}%  ${t.name}`);
    if (pr.topIncl.length) p('  inclusive time of the project\'s own functions (dist/):');
    for (const t of pr.topIncl) p(`    ${fmt(t.ms).padStart(7)} ms ${t.pct.toFixed(1).padStart(5)}%  ${t.name}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  if (flag.json) writeFileSync(flag.json, JSON.stringify({ run: RUN, at: new Date().toISOString(), node: process.version, n: N, conc: CONC, rows, profiles }, null, 2) + '\n');
}

main().catch(async (e) => {
  log(`apiserver-bench: ${e && e.stack ? e.stack : e}`);
  await cleanup();
  if (rows.length) report();
  removeWorkDir();
  process.exit(1);
});
