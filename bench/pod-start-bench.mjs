#!/usr/bin/env node
// Pod start benchmark: how fast `tinykube up` turns created pods into Running and Ready pods, and
// what pods cost the tinykube process in memory and CPU.
//   npm run build && node bench/pod-start-bench.mjs [--pods 100 --conc 10 --sim-pods 1000]
//
//   1. latency  a cluster of `tinykube up --nodes 1` (a real node: every pod is a process).
//               For each variant, PODS pods are created over HTTPS, CONC requests in flight
//               (burst: all at once); each pod is timed from just before its POST to the moment
//               a pods watch (opened before the creates) shows it scheduled, phase Running and
//               condition Ready=True: p50/p99/max. Kubernetes' pod startup SLO (Running, observed
//               via watch, from creation) is p99 <= 5 s. Variants:
//                 pause   agnhost:2.53 `pause`, CONC in flight
//                 pinned  the same with spec.nodeName set: no scheduler, the kubelet's part alone
//                 burst   the same, all PODS POSTs at once
//                 probe   agnhost `netexec --http-port=8080` with an httpGet readiness probe
//                         (/healthz, periodSeconds 1): the probe gates Ready
//               The pods' own timestamps (creationTimestamp, Ready's lastTransitionTime; whole
//               seconds) are a cross-check. Then every pod is deleted and timed until the watch
//               says DELETED; the processes the cluster started must all be gone.
//   2. memory   a cluster of `tinykube up --nodes 0 --simulated-nodes SIM_NODES` (no processes;
//               pods turn Running and Ready at once). The tinykube process's RSS (VmRSS) and CPU
//               time (utime+stime, /proc) before, when SIM_PODS pods are all Ready, after
//               --settle s, and after deleting them: the deltas per 1,000 pods. --sim-rounds
//               repeats create -> Ready -> delete on the same cluster (does memory come back?).
//
// Each cluster is a child `node bin/tinykube.js up` of a copy of dist/ (others may rebuild it),
// with its own data dir and HOME under a fresh /tmp/tinykube-podbench-* (removed at the end unless
// --keep), --api-port 0, --kubelet-port 0, node address 127.204.0.1 (simulated nodes .2, .3 ...),
// service range 127.201.0.0/24, pods 127.202.0.0/16, LB pool 127.203.0.0/24, no kubeconfig merge.
// Every load is bounded (fixed counts, --phase-timeout per wait, a --max-seconds watchdog); the
// cluster is stopped by its PID (SIGTERM, SIGKILL after 30 s) on every exit path.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SELF = fileURLToPath(import.meta.url);
const IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const SLO_SECONDS = 5;
const ALL_VARIANTS = ['pause', 'pinned', 'burst', 'probe'];

const { values: flag } = parseArgs({
  options: {
    pods: { type: 'string', default: '100' },
    conc: { type: 'string', default: '10' },
    variants: { type: 'string', default: ALL_VARIANTS.join(',') },
    'sim-pods': { type: 'string', default: '1000' },
    'sim-nodes': { type: 'string', default: '10' },
    'sim-conc': { type: 'string', default: '10' },
    'sim-rounds': { type: 'string', default: '2' },
    settle: { type: 'string', default: '10' },
    only: { type: 'string', default: 'latency,memory' },
    'phase-timeout': { type: 'string', default: '180' },
    'max-seconds': { type: 'string', default: '1200' },
    'quiet-wait': { type: 'string', default: '15' },
    json: { type: 'string', default: '' },
    'cpu-prof': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (flag.help) {
  const lines = readFileSync(SELF, 'utf8').split('\n');
  process.stdout.write(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') +
    '\nflags: --pods 100 --conc 10 --variants pause,pinned,burst,probe --sim-pods 1000 --sim-nodes 10 --sim-conc 10 --sim-rounds 2 --settle 10\n' +
    '       --only latency,memory --phase-timeout 180 --max-seconds 1200 --quiet-wait 15 --json FILE --keep\n' +
    '       --cpu-prof DIR   run tinykube under node --cpu-prof (profiles in DIR/<cluster>/, kept)\n');
  process.exit(0);
}

const int = (name, min = 0) => {
  const v = Number(flag[name]);
  if (!Number.isInteger(v) || v < min) {
    process.stderr.write(`pod-start-bench: --${name}: "${flag[name]}" is not an integer >= ${min}\n`);
    process.exit(2);
  }
  return v;
};
const PODS = int('pods', 1), CONC = int('conc', 1), SIM_PODS = int('sim-pods', 1), SIM_NODES = int('sim-nodes', 1), SIM_CONC = int('sim-conc', 1);
const SIM_ROUNDS = int('sim-rounds', 1), SETTLE = int('settle'), PHASE_TIMEOUT = int('phase-timeout', 1), MAX_SECONDS = int('max-seconds', 1), QUIET_WAIT = int('quiet-wait');
const VARIANTS = flag.variants.split(',').filter(Boolean);
const ONLY = new Set(flag.only.split(',').filter(Boolean));
for (const v of VARIANTS) if (!ALL_VARIANTS.includes(v)) { process.stderr.write(`pod-start-bench: unknown variant ${v} (${ALL_VARIANTS.join(', ')})\n`); process.exit(2); }
for (const o of ONLY) if (!['latency', 'memory'].includes(o)) { process.stderr.write(`pod-start-bench: --only: unknown phase ${o}\n`); process.exit(2); }
if (PODS > 250) { process.stderr.write('pod-start-bench: one node holds a /24 of pod addresses; --pods at most 250\n'); process.exit(2); }
if (SIM_PODS > SIM_NODES * 110) { process.stderr.write(`pod-start-bench: ${SIM_NODES} simulated nodes hold at most ${SIM_NODES * 110} pods (allocatable pods: 110 each); raise --sim-nodes\n`); process.exit(2); }
if (SIM_PODS > 20_000) { process.stderr.write('pod-start-bench: more than 20,000 simulated pods is not a bounded load\n'); process.exit(2); }

const log = (m) => process.stderr.write(`${m}\n`);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmtMs = (v) => (Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`) : '-');
const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN; };
const stats = (a) => ({ n: a.length, p50: q(a, 50), p90: q(a, 90), p99: q(a, 99), max: a.length ? Math.max(...a) : NaN, min: a.length ? Math.min(...a) : NaN });
const triple = (s) => `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}`;
let TICK = 100;
try { TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { /* 100 */ }

const results = { pods: PODS, conc: CONC, image: IMAGE, variants: {}, memory: null, oddities: [] };
const oddity = (m) => { results.oddities.push(m); log(`  ODD: ${m}`); };

// ---------------------------------------------------------------------------------------------
// /proc readers.

/** utime, stime, cutime, cstime (seconds) and start time (ticks) of a process; undefined when gone. */
function procStat(pid) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, childCpu: (Number(f[13]) + Number(f[14])) / TICK, start: Number(f[19]), comm: raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(') ')) };
  } catch { return undefined; }
}

/** VmRSS, VmHWM, RssAnon (kB) and threads of a process. */
function procMem(pid) {
  const out = {};
  try {
    for (const l of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(VmRSS|VmHWM|RssAnon|Threads):\s+(\d+)/.exec(l);
      if (m) out[m[1]] = Number(m[2]);
    }
  } catch { /* gone */ }
  return out;
}

/** tinykube's processes: `tinykube up` itself and its nodes' process (kubelets, parent of the pods). */
function tinykubePids(pid) {
  const nodes = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && procStat(d)?.ppid === pid && cmdline(d).includes('kubelet/worker.js')).map(Number);
  return [pid, ...nodes];
}

/** procStat summed over tinykube's processes (the pods' CPU is the nodes' process's reaped children). */
function tkStat(pid) {
  const all = tinykubePids(pid).map(procStat).filter(Boolean);
  if (all.length === 0) return undefined;
  return { ...all[0], cpu: all.reduce((a, s) => a + s.cpu, 0), childCpu: all.reduce((a, s) => a + s.childCpu, 0) };
}

/** procMem summed over tinykube's processes. */
function tkMem(pid) {
  const out = {};
  for (const m of tinykubePids(pid).map(procMem)) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '); } catch { return ''; }
}

/** Every live process under pid (children, grandchildren ...), from one pass over /proc. */
function descendants(pid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(d);
    if (!s) continue;
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push({ pid: Number(d), ...s });
  }
  const out = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of kids.get(stack.pop()) ?? []) { out.push(c); stack.push(c.pid); }
  }
  return out;
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function boxJiffies() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
}
const boxBusyPct = (b0, b1) => ((b1.busy - b0.busy) / Math.max(1, b1.total - b0.total)) * cpus().length * 100;

/** Waits up to --quiet-wait s for the box to be idle (< 25% of a core busy over 1 s). */
async function awaitQuiet(what) {
  const end = Date.now() + QUIET_WAIT * 1000;
  let busy;
  for (;;) {
    const b0 = boxJiffies();
    await sleep(1000);
    busy = boxBusyPct(b0, boxJiffies());
    if (busy < 25 || Date.now() >= end) break;
  }
  log(`  machine ${busy < 25 ? 'idle' : `still busy (${busy.toFixed(0)}% of a core used by others)`} before ${what}`);
  return busy;
}

// ---------------------------------------------------------------------------------------------
// Run state and cleanup.

const work = mkdtempSync(join(tmpdir(), 'tinykube-podbench-'));
const app = join(work, 'app');
let cluster = null; // the running cluster, if any
const seenProcs = new Map(); // "pid:start" -> {pid, start, comm, cmd}: everything our clusters started
let cleaned = false;

async function stopPid(pid, graceMs = 30_000) {
  const alive = () => { const s = procStat(pid); return !!s && s.state !== 'Z'; };
  if (!alive()) return 0;
  const t0 = now();
  try { process.kill(pid, 'SIGTERM'); } catch { return 0; }
  const end = Date.now() + graceMs;
  while (alive() && Date.now() < end) await sleep(50);
  if (alive()) {
    oddity(`pid ${pid} did not stop within ${graceMs / 1000} s of SIGTERM; SIGKILL`);
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    while (alive() && now() - t0 < graceMs + 5000) await sleep(50);
  }
  return now() - t0;
}

/** Processes our clusters started that are still alive (same pid and start time). */
function leftovers() {
  const out = [];
  for (const p of seenProcs.values()) {
    const s = procStat(p.pid);
    if (s && s.start === p.start && s.state !== 'Z') out.push(p);
  }
  return out;
}

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (cluster) await stopCluster(cluster).catch((e) => log(`  stopping the cluster: ${e.message}`));
  // Anything a cluster started that outlived it is a leak: report it, then end it (by its PID and
  // start time, so nothing else is touched).
  await sleep(500);
  const left = leftovers();
  if (left.length) {
    oddity(`${left.length} process(es) started by the cluster outlived it: ${left.slice(0, 5).map((p) => `${p.pid} ${p.cmd || p.comm}`).join('; ')}; killing them`);
    for (const p of left) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  results.leaked_after_stop = left.length;
  if (!flag.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

process.on('exit', () => { if (cluster) try { process.kill(cluster.pid, 'SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`pod-start-bench: ${sig}, stopping`); cleanup().finally(() => process.exit(130)); });
const watchdog = setTimeout(() => { log(`pod-start-bench: over --max-seconds ${MAX_SECONDS}, giving up`); cleanup().finally(() => process.exit(3)); }, MAX_SECONDS * 1000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// The cluster and its API.

/** `tinykube up` of the dist/ copy; resolves once it printed "ready in". */
async function startCluster(name, extra) {
  const dataDir = join(work, name);
  const home = join(work, `home-${name}`);
  mkdirSync(home, { recursive: true });
  const args = [join(app, 'bin', 'tinykube.js'), 'up', '--data-dir', dataDir, '--api-port', '0', '--no-ingress', '--kubelet-port', '0',
    '--node-ip', '127.204.0.1', '--service-cidr', '127.201.0.0/24', '--pod-cidr', '127.202.0.0/16', '--lb-pool', '127.203.0.0/24',
    '--no-kubeconfig-merge', ...extra];
  const t0 = now();
  const nodeArgs = flag['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(flag['cpu-prof'], name)] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, HOME: home, KUBECONFIG: join(home, 'kubeconfig') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const c = { name, pid: child.pid, child, dataDir, errLines: [], stderrCount: 0, exited: null, sampler: null };
  cluster = c;
  const logFile = createWriteStream(join(work, `${name}.log`));
  createInterface({ input: child.stderr }).on('line', (l) => {
    logFile.write(`E ${l}\n`);
    c.stderrCount++;
    if (c.errLines.length < 2000) c.errLines.push(l);
  });
  const ready = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: no "ready in" line within 60 s; stderr:\n${c.errLines.slice(-20).join('\n')}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      logFile.write(`O ${l}\n`);
      const m = /^ready in (\d+) ms: (https:\/\/\S+)/.exec(l);
      if (m) { clearTimeout(t); resolve({ readyMs: Number(m[1]), url: m[2] }); }
    });
    child.once('exit', (code, sig) => { c.exited = code ?? sig; clearTimeout(t); reject(new Error(`${name}: tinykube exited (${code ?? sig}) during start; stderr:\n${c.errLines.slice(-20).join('\n')}`)); });
  });
  const r = await ready;
  child.removeAllListeners('exit');
  child.once('exit', (code, sig) => { c.exited = code ?? sig; });
  c.url = r.url;
  c.readyMs = r.readyMs;
  c.spawnToReadyMs = now() - t0;
  c.token = readFileSync(join(dataDir, 'pki', 'admin.token'), 'utf8').trim();
  c.ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  c.agent = new https.Agent({ keepAlive: true, maxSockets: 256, ca: c.ca });
  // Every process the cluster starts, sampled every 250 ms: the leak check's reference.
  const sample = () => {
    for (const p of descendants(c.pid)) {
      const k = `${p.pid}:${p.start}`;
      if (!seenProcs.has(k)) seenProcs.set(k, { pid: p.pid, start: p.start, comm: p.comm, cmd: cmdline(p.pid).slice(0, 160) });
    }
  };
  c.sampler = setInterval(sample, 250);
  c.sample = sample;
  log(`  ${name}: tinykube up (pid ${c.pid}) ready in ${c.readyMs} ms (${Math.round(c.spawnToReadyMs)} ms from spawn) at ${c.url}`);
  return c;
}

async function stopCluster(c) {
  clearInterval(c.sampler);
  c.sample();
  c.agent?.destroy();
  const exited = c.exited !== null ? Promise.resolve() : new Promise((r) => c.child.once('exit', r));
  const ms = await stopPid(c.pid);
  await Promise.race([exited, sleep(2000)]);
  if (cluster === c) cluster = null;
  // What tinykube wrote on stderr: distinct lines (numbers and names folded), most frequent first.
  const kinds = new Map();
  for (const l of c.errLines) { const k = l.replace(/\d+(\.\d+)*/g, 'N').replace(/\b[a-z]+-N\b/g, 'POD').slice(0, 200); kinds.set(k, (kinds.get(k) ?? 0) + 1); }
  results[`${c.name}_stderr`] = { lines: c.stderrCount, distinct: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v}x ${k}`) };
  log(`  ${c.name}: stopped in ${fmtMs(ms)} (exit ${c.exited ?? '?'}); ${c.stderrCount} stderr lines`);
  return ms;
}

/** One API request; resolves with status and parsed body. */
function api(c, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const u = new URL(path, c.url);
    const req = https.request(u, {
      method, agent: c.agent, timeout: 30_000,
      headers: { authorization: `Bearer ${c.token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
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

async function apiOk(c, method, path, body, ok = [200, 201]) {
  const r = await api(c, method, path, body);
  if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

/** A pods watch in namespace ns from resourceVersion rv; onEvent(type, pod, t) per event. */
function watchPods(c, ns, rv, onEvent) {
  let req;
  let stopped = false;
  const opened = new Promise((resolve, reject) => {
    req = https.request(new URL(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=3600`, c.url), {
      agent: false, ca: c.ca, headers: { authorization: `Bearer ${c.token}`, accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch: ${res.statusCode}`)); return; }
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
          try { ev = JSON.parse(line); } catch { oddity(`watch: unparsable line ${line.slice(0, 120)}`); continue; }
          if (ev.type === 'ERROR') { oddity(`watch ERROR event: ${JSON.stringify(ev.object).slice(0, 200)}`); continue; }
          if (ev.type === 'BOOKMARK') continue;
          onEvent(ev.type, ev.object, t);
        }
      });
      res.on('end', () => { if (!stopped) oddity('the pods watch ended early'); });
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (!stopped) reject(e); });
    req.end();
  });
  return { opened, stop() { stopped = true; req.destroy(); } };
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

const isReady = (pod) => pod.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const readyLtt = (pod) => pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True')?.lastTransitionTime;
const waitingReason = (pod) => {
  const cs = pod.status?.containerStatuses?.[0];
  return cs?.state?.waiting?.reason ?? (cs?.state?.terminated ? `terminated ${cs.state.terminated.reason ?? cs.state.terminated.exitCode}` : undefined);
};

/**
 * Creates n pods (build(i) -> Pod) in ns with conc in flight, timed against a watch opened before;
 * waits for all Ready, then deletes them and waits for all gone. Returns the per-pod records.
 */
async function runPods(c, ns, n, conc, build, what) {
  const list = await apiOk(c, 'GET', `/api/v1/namespaces/${ns}/pods`);
  const rec = new Map(); // name -> record
  let readyCount = 0, goneCount = 0, events = 0, lastReadyAt = 0;
  const byName = (name) => { let r = rec.get(name); if (!r) rec.set(name, (r = {})); return r; };
  const w = watchPods(c, ns, list.metadata.resourceVersion, (type, pod, t) => {
    events++;
    const r = byName(pod.metadata.name);
    r.events = (r.events ?? 0) + 1;
    r.last = pod;
    if (type === 'DELETED') { if (!r.gone) { r.gone = t; goneCount++; } return; }
    if (!r.added) r.added = t;
    if (!r.scheduled && pod.spec?.nodeName) r.scheduled = t;
    if (!r.kubelet && pod.status?.containerStatuses) r.kubelet = t; // the kubelet's first status write
    if (!r.running && pod.status?.phase === 'Running') r.running = t;
    if (!r.ready && isReady(pod)) { r.ready = t; r.readyLtt = Date.parse(readyLtt(pod)); readyCount++; lastReadyAt = t; }
    if (r.ready && !isReady(pod) && !r.deleteSend && !r.flapped) { r.flapped = true; oddity(`${pod.metadata.name} went Ready -> not Ready before deletion`); }
    if (pod.status?.phase === 'Failed' && !r.failed) { r.failed = true; oddity(`${pod.metadata.name} Failed: ${pod.status.reason ?? ''} ${pod.status.message ?? ''}`); }
    const cs = pod.status?.containerStatuses?.[0];
    if (cs?.restartCount > 0 && !r.restarted) { r.restarted = true; oddity(`${pod.metadata.name} restarted its container (${cs.lastState?.terminated?.reason ?? '?'} exit ${cs.lastState?.terminated?.exitCode ?? '?'})`); }
  });
  await w.opened;
  const cpu0 = tkStat(c.pid), b0 = boxJiffies(), mem0 = tkMem(c.pid);
  // This client's own event-loop delay while the pods start: a late observer inflates the figures.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const tStart = now();
  const createErrors = await pool(n, conc, async (i) => {
    const pod = build(i);
    const r = byName(pod.metadata.name);
    r.send = now();
    const body = await apiOk(c, 'POST', `/api/v1/namespaces/${ns}/pods`, pod, [201]);
    r.resp = now();
    r.created = Date.parse(body.metadata.creationTimestamp);
  });
  const tCreated = now();
  if (createErrors.size) oddity(`${what}: create errors: ${[...createErrors].map(([m, k]) => `${k}x ${m}`).join('; ')}`);
  const want = n - [...createErrors.values()].reduce((a, b) => a + b, 0);
  const end = now() + PHASE_TIMEOUT * 1000;
  let lastLog = now();
  while (readyCount < want && now() < end) {
    await sleep(20);
    if (now() - lastLog > 5000) { lastLog = now(); log(`    ${what}: ${readyCount}/${want} Ready after ${fmtMs(now() - tStart)}`); }
  }
  const tAllReady = readyCount >= want ? lastReadyAt : NaN;
  const cpu1 = tkStat(c.pid), b1 = boxJiffies(), mem1 = tkMem(c.pid);
  lag.disable();
  c.sample();
  const podProcs = descendants(c.pid).length;
  if (readyCount < want) {
    const notReady = [...rec].filter(([, r]) => r.send && !r.ready);
    const reasons = new Map();
    for (const [, r] of notReady) { const k = r.last ? `${r.last.status?.phase ?? 'no status'}${waitingReason(r.last) ? `/${waitingReason(r.last)}` : ''}${r.last.spec?.nodeName ? '' : ' (unscheduled)'}` : 'never seen on the watch'; reasons.set(k, (reasons.get(k) ?? 0) + 1); }
    oddity(`${what}: only ${readyCount}/${want} Ready within ${PHASE_TIMEOUT} s; the rest: ${[...reasons].map(([k, v]) => `${v}x ${k}`).join(', ')}`);
  }
  log(`  ${what}: ${readyCount}/${want} Ready, the last ${fmtMs((Number.isFinite(tAllReady) ? tAllReady : now()) - tStart)} after the first POST (POSTs took ${fmtMs(tCreated - tStart)}); ${podProcs} processes under tinykube`);

  // Delete them all and wait until the watch says they are gone.
  const tDel = now();
  const deleteErrors = await pool(n, conc, async (i) => {
    const name = build(i).metadata.name;
    const r = byName(name);
    if (!r.send) return;
    r.deleteSend = now();
    await apiOk(c, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, undefined, [200, 202]);
  });
  if (deleteErrors.size) oddity(`${what}: delete errors: ${[...deleteErrors].map(([m, k]) => `${k}x ${m}`).join('; ')}`);
  const delEnd = now() + PHASE_TIMEOUT * 1000;
  const toGo = [...rec.values()].filter((r) => r.deleteSend).length;
  while (goneCount < toGo && now() < delEnd) await sleep(20);
  const tAllGone = now();
  if (goneCount < toGo) oddity(`${what}: only ${goneCount}/${toGo} pods gone ${PHASE_TIMEOUT} s after the deletes`);
  // The pods' processes should be gone with them (the kubelet confirms deletion after the kill).
  c.sample();
  let left = descendants(c.pid);
  const procsAtGone = left.length;
  for (let k = 0; k < 50 && left.length; k++) { await sleep(100); left = descendants(c.pid); }
  if (procsAtGone) log(`    ${procsAtGone} processes still under tinykube when the last pod was gone, ${left.length} 5 s later`);
  if (left.length) oddity(`${what}: ${left.length} processes remain under tinykube 5 s after every pod was deleted: ${left.slice(0, 5).map((p) => `${p.pid} ${cmdline(p.pid).slice(0, 100) || p.comm}`).join('; ')}`);
  const cpu2 = tkStat(c.pid), b2 = boxJiffies();
  w.stop();
  log(`  ${what}: deleted in ${fmtMs(tAllGone - tDel)}; ${events} watch events (${(events / Math.max(1, rec.size)).toFixed(1)} per pod)`);

  const recs = [...rec.values()].filter((r) => r.send && r.resp);
  const fromSend = (k) => recs.filter((r) => r[k]).map((r) => r[k] - r.send);
  const out = {
    n, conc, want, ready: readyCount,
    post_ms: stats(recs.map((r) => r.resp - r.send)),
    scheduled_ms: stats(fromSend('scheduled')),
    running_ms: stats(fromSend('running')),
    ready_ms: stats(fromSend('ready')),
    ready_from_response_ms: stats(recs.filter((r) => r.ready).map((r) => r.ready - r.resp)),
    scheduled_to_running_ms: stats(recs.filter((r) => r.scheduled && r.running).map((r) => r.running - r.scheduled)),
    running_to_ready_ms: stats(recs.filter((r) => r.running && r.ready).map((r) => r.ready - r.running)),
    kubelet_first_status_ms: stats(fromSend('kubelet')),
    // Every pod's timeline, ms from the first POST: send, response, scheduled, the kubelet's first status, Running, Ready, delete sent, gone.
    timeline: [...rec].filter(([, r]) => r.send).map(([name, r]) => [name, ...['send', 'resp', 'scheduled', 'kubelet', 'running', 'ready', 'deleteSend', 'gone'].map((k) => (r[k] ? Math.round(r[k] - tStart) : null))]),
    // Cross-check from the pods' own timestamps (whole seconds): Ready's lastTransitionTime - creationTimestamp.
    status_ready_s: stats(recs.filter((r) => r.readyLtt && r.created).map((r) => (r.readyLtt - r.created) / 1000)),
    posts_sec: (tCreated - tStart) / 1000,
    all_ready_sec: (tAllReady - tStart) / 1000,
    delete_ms: stats(recs.filter((r) => r.gone && r.deleteSend).map((r) => r.gone - r.deleteSend)),
    all_gone_sec: (tAllGone - tDel) / 1000,
    watch_events: events,
    client_loop_delay_ms: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    tinykube_cpu_start_sec: cpu1.cpu - cpu0.cpu,
    tinykube_cpu_all_sec: cpu2.cpu - cpu0.cpu,
    // Pod processes (and their sandboxes) the tinykube process started and reaped.
    pod_process_cpu_sec: cpu2.childCpu - cpu0.childCpu,
    box_busy_pct: boxBusyPct(b0, b1),
    box_busy_all_pct: boxBusyPct(b0, b2),
    rss_kb: { before: mem0.VmRSS, ready: mem1.VmRSS },
    processes_when_ready: podProcs,
    processes_after_delete: left.length,
  };
  // A client-side time far from the pod's own record is worth a look (1 s resolution + skew).
  const off = recs.filter((r) => r.ready && r.readyLtt && r.created)
    .filter((r) => Math.abs((r.readyLtt - r.created) - (r.ready - r.send)) > 2000);
  if (off.length) oddity(`${what}: ${off.length} pods' own timestamps differ from the watch timing by more than 2 s`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

const podFor = (variant) => (i) => {
  const name = `${variant}-${String(i).padStart(3, '0')}`;
  const container = variant === 'probe'
    ? { name: 'netexec', image: IMAGE, args: ['netexec', '--http-port=8080'], ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } }
    : { name: 'pause', image: IMAGE, args: ['pause'] };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'pod-start', variant } }, spec: { ...(variant === 'pinned' ? { nodeName: 'tinykube' } : {}), terminationGracePeriodSeconds: 10, containers: [container] } };
};

async function latencyPhase() {
  log(`[1] pod start latency: ${PODS} pods per variant (${VARIANTS.join(', ')}), one real node`);
  const c = await startCluster('latency', ['--nodes', '1']);
  results.latency_cluster_ready_ms = c.readyMs;
  const ns = 'podstart';
  await apiOk(c, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, [201]);
  // Warm-up: one pod, so the first variant does not pay for first-use costs alone.
  const warm = await runPods(c, ns, 1, 1, (i) => ({ ...podFor('pause')(i), metadata: { name: `warmup-${i}` } }), 'warm-up');
  log(`  warm-up pod: Ready ${fmtMs(warm.ready_ms.p50)} after its POST`);
  for (const v of VARIANTS) {
    const conc = v === 'burst' ? PODS : CONC;
    log(`  variant ${v}: ${PODS} pods, ${conc} POSTs in flight`);
    const busy = await awaitQuiet(v);
    const r = await runPods(c, ns, PODS, conc, podFor(v), v);
    r.busy_before_pct = busy;
    results.variants[v] = r;
    log(`  ${v}: create -> Running p50/p99/max ${triple(r.running_ms)}, -> Ready ${triple(r.ready_ms)}`);
  }
  await stopCluster(c);
}

async function memoryPhase() {
  log(`[2] memory and CPU: ${SIM_PODS} pods on ${SIM_NODES} simulated nodes, ${SIM_ROUNDS} round(s)`);
  const c = await startCluster('memory', ['--nodes', '0', '--simulated-nodes', String(SIM_NODES)]);
  const ns = 'podmem';
  await apiOk(c, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, [201]);
  await sleep(3000); // let start-up work finish before the baseline
  const busy = await awaitQuiet('memory');
  const m0 = tkMem(c.pid), s0 = tkStat(c.pid);
  const list = await apiOk(c, 'GET', `/api/v1/namespaces/${ns}/pods`);
  let ready = 0, gone = 0, lastReady = 0;
  const readySet = new Set();
  const w = watchPods(c, ns, list.metadata.resourceVersion, (type, pod, t) => {
    if (type === 'DELETED') { gone++; return; }
    if (!readySet.has(pod.metadata.name) && isReady(pod)) { readySet.add(pod.metadata.name); ready++; lastReady = t; }
  });
  await w.opened;
  const rounds = [];
  let prev = { m: m0, s: s0 };
  for (let round = 1; round <= SIM_ROUNDS; round++) {
    ready = 0; gone = 0;
    const build = (i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `sim-r${round}-${String(i).padStart(5, '0')}`, labels: { bench: 'pod-start-mem' } }, spec: { containers: [{ name: 'pause', image: IMAGE, args: ['pause'] }] } });
    const tc = now();
    const errs = await pool(SIM_PODS, SIM_CONC, (i) => apiOk(c, 'POST', `/api/v1/namespaces/${ns}/pods`, build(i), [201]));
    const createSec = (now() - tc) / 1000;
    if (errs.size) oddity(`memory round ${round}: create errors: ${[...errs].map(([m, k]) => `${k}x ${m}`).join('; ')}`);
    const end = now() + PHASE_TIMEOUT * 1000;
    let lastLog = now();
    while (ready < SIM_PODS && now() < end) {
      await sleep(20);
      if (now() - lastLog > 5000) { lastLog = now(); log(`    ${ready}/${SIM_PODS} Ready`); }
    }
    if (ready < SIM_PODS) oddity(`memory round ${round}: only ${ready}/${SIM_PODS} simulated pods Ready within ${PHASE_TIMEOUT} s`);
    const allReadySec = (lastReady - tc) / 1000;
    const m1 = tkMem(c.pid), s1 = tkStat(c.pid);
    log(`  round ${round}: ${ready} Ready ${allReadySec.toFixed(2)} s after the first POST (POSTs took ${createSec.toFixed(2)} s)`);
    await sleep(SETTLE * 1000);
    const m2 = tkMem(c.pid), s2 = tkStat(c.pid);
    // Where the pods went: per node, against the nodes' pod capacity.
    const all = await apiOk(c, 'GET', `/api/v1/namespaces/${ns}/pods`);
    const perNode = new Map();
    for (const p of all.items) perNode.set(p.spec.nodeName ?? '(none)', (perNode.get(p.spec.nodeName ?? '(none)') ?? 0) + 1);
    if (round === 1) {
      const nodes = await apiOk(c, 'GET', '/api/v1/nodes');
      const cap = nodes.items[0]?.status?.capacity?.pods;
      const over = [...perNode].filter(([, k]) => cap && k > Number(cap));
      if (over.length) oddity(`memory: the scheduler put more pods on a node than its capacity pods=${cap}: ${over.map(([nm, k]) => `${nm} ${k}`).join(', ')}`);
      log(`  pods per node: ${[...perNode].map(([nm, k]) => `${nm} ${k}`).join(', ')}`);
    }
    const td = now();
    const derrs = await pool(SIM_PODS, SIM_CONC, (i) => apiOk(c, 'DELETE', `/api/v1/namespaces/${ns}/pods/${build(i).metadata.name}`, undefined, [200, 202]));
    if (derrs.size) oddity(`memory round ${round}: delete errors: ${[...derrs].map(([m, k]) => `${k}x ${m}`).join('; ')}`);
    const dend = now() + PHASE_TIMEOUT * 1000;
    while (gone < SIM_PODS && now() < dend) await sleep(20);
    if (gone < SIM_PODS) oddity(`memory round ${round}: only ${gone}/${SIM_PODS} simulated pods gone within ${PHASE_TIMEOUT} s`);
    const deleteSec = (now() - td) / 1000;
    const s3a = tkStat(c.pid);
    await sleep(SETTLE * 1000);
    const m3 = tkMem(c.pid), s3 = tkStat(c.pid);
    const per = 1000 / SIM_PODS;
    const r = {
      per_node: Object.fromEntries(perNode),
      rss_kb: { before: prev.m.VmRSS, all_ready: m1.VmRSS, settled: m2.VmRSS, after_delete: m3.VmRSS, peak: m3.VmHWM },
      rss_anon_kb: { before: prev.m.RssAnon, settled: m2.RssAnon, after_delete: m3.RssAnon },
      rss_per_1000_kb: (m2.VmRSS - prev.m.VmRSS) * per,
      rss_anon_per_1000_kb: (m2.RssAnon - prev.m.RssAnon) * per,
      cpu_sec: { create_to_ready: s1.cpu - prev.s.cpu, settle: s2.cpu - s1.cpu, delete: s3a.cpu - s2.cpu },
      cpu_per_1000_sec: (s1.cpu - prev.s.cpu) * per,
      settle_cpu_pct: ((s2.cpu - s1.cpu) / SETTLE) * 100,
      posts_sec: createSec, all_ready_sec: allReadySec, delete_sec: deleteSec,
    };
    rounds.push(r);
    log(`  round ${round}: RSS ${mib(prev.m.VmRSS)} -> ${mib(m1.VmRSS)} (all Ready) -> ${mib(m2.VmRSS)} (settled) -> ${mib(m3.VmRSS)} (deleted, +${SETTLE} s); CPU ${r.cpu_sec.create_to_ready.toFixed(2)} s to Ready, ${r.cpu_sec.delete.toFixed(2)} s to delete`);
    prev = { m: m3, s: s3 };
  }
  w.stop();
  results.memory = { pods: SIM_PODS, nodes: SIM_NODES, conc: SIM_CONC, busy_before_pct: busy, threads: m0.Threads, ...rounds[0], rounds };
  await stopCluster(c);
}

function report() {
  const out = [];
  const V = VARIANTS.filter((v) => results.variants[v]);
  if (V.length) {
    out.push('', `Pod start latency: ${PODS} pods per variant, one real node (every pod a process), image ${IMAGE}`, '');
    const head = V.map((v) => (v === 'burst' ? `burst (${PODS} at once)` : `${v} (${CONC} in flight)`));
    out.push(`| | ${head.join(' | ')} |`, `| --- | ${V.map(() => '---').join(' | ')} |`);
    const row = (label, f) => out.push(`| ${label} | ${V.map((v) => f(results.variants[v])).join(' | ')} |`);
    row('Ready / created', (r) => `${r.ready} / ${r.want}`);
    row('POST round trip p50 / p99', (r) => `${fmtMs(r.post_ms.p50)} / ${fmtMs(r.post_ms.p99)}`);
    row('create -> scheduled p50 / p99 / max', (r) => triple(r.scheduled_ms));
    row('create -> the kubelet\'s first status (Pending) p50 / p99 / max', (r) => triple(r.kubelet_first_status_ms));
    row('**create -> Running p50 / p99 / max**', (r) => triple(r.running_ms));
    row('**create -> Ready p50 / p99 / max**', (r) => triple(r.ready_ms));
    row('scheduled -> Running p50 / p99', (r) => `${fmtMs(r.scheduled_to_running_ms.p50)} / ${fmtMs(r.scheduled_to_running_ms.p99)}`);
    row('Running -> Ready p50 / p99', (r) => `${fmtMs(r.running_to_ready_ms.p50)} / ${fmtMs(r.running_to_ready_ms.p99)}`);
    row('Ready p99 / 5 s SLO', (r) => `${(r.ready_ms.p99 / 1000 / SLO_SECONDS).toFixed(2)}x`);
    row('cross-check: Ready lastTransitionTime - creationTimestamp p50 / p99 / max (1 s resolution)', (r) => `${r.status_ready_s.p50} / ${r.status_ready_s.p99} / ${r.status_ready_s.max} s`);
    row('first POST -> last Ready (POSTs took)', (r) => `${r.all_ready_sec.toFixed(2)} s (${r.posts_sec.toFixed(2)} s)`);
    row('tinykube CPU to all Ready / incl. deletion', (r) => `${r.tinykube_cpu_start_sec.toFixed(2)} s / ${r.tinykube_cpu_all_sec.toFixed(2)} s`);
    row('pod processes\' CPU (reaped children)', (r) => `${r.pod_process_cpu_sec.toFixed(2)} s`);
    row('box CPU busy while starting (200 = both cores)', (r) => `${r.box_busy_pct.toFixed(0)}%`);
    row('others\' load before (quiet wait)', (r) => `${r.busy_before_pct.toFixed(0)}% of a core`);
    row('tinykube RSS before / all Ready', (r) => `${mib(r.rss_kb.before)} / ${mib(r.rss_kb.ready)}`);
    row('this client\'s event-loop delay while starting p99 / max', (r) => `${fmtMs(r.client_loop_delay_ms.p99)} / ${fmtMs(r.client_loop_delay_ms.max)}`);
    row('watch events per pod', (r) => (r.watch_events / r.n).toFixed(1));
    row('processes under tinykube when all Ready / after delete', (r) => `${r.processes_when_ready} / ${r.processes_after_delete}`);
    row('delete -> gone p50 / p99 (all gone in)', (r) => `${fmtMs(r.delete_ms.p50)} / ${fmtMs(r.delete_ms.p99)} (${r.all_gone_sec.toFixed(2)} s)`);
  }
  const m = results.memory;
  if (m) {
    out.push('', `Memory and CPU of the tinykube process (API server + controllers + node agents): ${m.pods.toLocaleString('en-US')} pods on ${m.nodes} simulated nodes, ${m.conc} POSTs in flight`, '');
    out.push('| | value |', '| --- | --- |');
    out.push(`| RSS before / all Ready / after ${SETTLE} s settle / after delete + ${SETTLE} s (peak) | ${mib(m.rss_kb.before)} / ${mib(m.rss_kb.all_ready)} / ${mib(m.rss_kb.settled)} / ${mib(m.rss_kb.after_delete)} (${mib(m.rss_kb.peak)}) |`);
    out.push(`| **RSS per 1,000 pods** (settled - before) | **${mib(m.rss_per_1000_kb)}** (anon: ${mib(m.rss_anon_per_1000_kb)}) |`);
    out.push(`| **CPU per 1,000 pods**, create -> all Ready | **${m.cpu_per_1000_sec.toFixed(2)} s** |`);
    out.push(`| CPU while ${m.pods.toLocaleString('en-US')} pods sit Ready (${SETTLE} s) | ${m.settle_cpu_pct.toFixed(1)}% of a core |`);
    out.push(`| CPU to delete them all | ${m.cpu_sec.delete.toFixed(2)} s (gone in ${m.delete_sec.toFixed(2)} s) |`);
    out.push(`| first POST -> all ${m.pods.toLocaleString('en-US')} Ready (POSTs took) | ${m.all_ready_sec.toFixed(2)} s (${m.posts_sec.toFixed(2)} s) |`);
    for (const [k, r] of m.rounds.entries()) if (k > 0) out.push(`| round ${k + 1} (same pods again): RSS before / settled / after delete; per 1,000: RSS, CPU; all Ready in | ${mib(r.rss_kb.before)} / ${mib(r.rss_kb.settled)} / ${mib(r.rss_kb.after_delete)}; ${mib(r.rss_per_1000_kb)}, ${r.cpu_per_1000_sec.toFixed(2)} s; ${r.all_ready_sec.toFixed(2)} s |`);
    out.push(`| pods per node | ${Object.entries(m.per_node).map(([k, v]) => `${k.replace('tinykube-', '')} ${v}`).join(', ')} |`);
  }
  for (const name of ['latency', 'memory']) {
    const e = results[`${name}_stderr`];
    if (e) out.push('', `tinykube stderr, ${name} cluster: ${e.lines} lines${e.lines ? ', most frequent:' : ''}`, ...e.distinct.map((d) => `  ${d}`));
  }
  if (results.oddities.length) out.push('', 'Oddities:', ...results.oddities.map((o) => `  - ${o}`));
  const p = results.variants.pause ?? results.variants[V[0]];
  const parts = [];
  if (p) parts.push(`pod start (${V.includes('pause') ? `pause, ${CONC} in flight` : V[0]}, ${PODS} pods): create->Running p99 ${fmtMs(p.running_ms.p99)}, create->Ready p50 ${fmtMs(p.ready_ms.p50)} p99 ${fmtMs(p.ready_ms.p99)} = ${(p.ready_ms.p99 / 1000 / SLO_SECONDS).toFixed(2)}x Kubernetes' ${SLO_SECONDS} s SLO`);
  if (results.variants.pinned) parts.push(`pinned to the node (no scheduler) p99 ${fmtMs(results.variants.pinned.ready_ms.p99)} (${(results.variants.pinned.ready_ms.p99 / 1000 / SLO_SECONDS).toFixed(2)}x)`);
  if (results.variants.burst) parts.push(`burst p99 ${fmtMs(results.variants.burst.ready_ms.p99)} (${(results.variants.burst.ready_ms.p99 / 1000 / SLO_SECONDS).toFixed(2)}x)`);
  if (results.variants.probe) parts.push(`with readiness probe p99 ${fmtMs(results.variants.probe.ready_ms.p99)} (${(results.variants.probe.ready_ms.p99 / 1000 / SLO_SECONDS).toFixed(2)}x)`);
  if (m) parts.push(`per 1,000 simulated pods: +${mib(m.rss_per_1000_kb)} RSS, ${m.cpu_per_1000_sec.toFixed(1)} s CPU, all Ready in ${m.all_ready_sec.toFixed(1)} s`);
  out.push('', `summary: ${parts.join('; ')}`);
  process.stdout.write(out.join('\n') + '\n');
}

try {
  // The build every cluster of the run uses: a copy of dist/ and bin/.
  mkdirSync(app, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  log(`pod-start-bench: work dir ${work}, CLK_TCK ${TICK}`);
  if (ONLY.has('latency') && VARIANTS.length) await latencyPhase();
  if (ONLY.has('memory')) await memoryPhase();
  await cleanup();
  report();
  if (flag.json) writeFileSync(flag.json, JSON.stringify(results, null, 2) + '\n');
  process.exit(results.oddities.some((o) => /only \d+\/\d+ (simulated pods )?Ready/.test(o)) ? 1 : 0);
} catch (e) {
  log(`pod-start-bench: ${e.stack ?? e.message}`);
  if (cluster) log(`  cluster stderr (last 20 lines):\n${cluster.errLines.slice(-20).join('\n')}`);
  await cleanup();
  process.exit(1);
}
