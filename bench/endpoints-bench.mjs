#!/usr/bin/env node
// Endpoint controllers benchmark: EndpointSlices and Endpoints for many Services at once.
//   npm run build && node bench/endpoints-bench.mjs [--services 10000 --pods-per-service 10]
//
//   Three processes, as in production the API server and the controllers do not share an event
//   loop: the API server (a snapshot of dist/, SQLite with fsync), the controller manager running
//   the endpointslice, endpoints and mirroring controllers (its own process here, so its memory
//   can be read), and this client.
//   1. load     SERVICES Services (selector app=svc-i), then SERVICES x PODS pods, then each pod's
//               status (Running, an IP, Ready) through pods/status: CONC requests in flight, rates.
//   2. converge from the first status write until every Service's slices list its PODS ready
//               endpoints (a watch on endpointslices here), and the lag after the last write.
//   3. latency  FLIPS single pods' Ready condition, one at a time, spread over the Services: from
//               the status write's response (and from its send) to the slice update arriving on
//               the watch; p50/p90/p99/max.
//   4. restart  a new controller manager on the full cluster: time to synced, and the slice writes
//               it makes afterwards (0 expected: syncs are idempotent).
//   Controller memory (RSS, heap after GC) and CPU time are reported after each phase.
//
// Everything listens on 127.0.0.1; pod IPs are 127.200.0.0/13. Every load is bounded by the
// flags and a --max-seconds watchdog; the data dir is a fresh /tmp/tinykube-epbench-* (removed
// at the end unless --keep); child processes are stopped by PID on every exit path.

import { spawn } from 'node:child_process';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SELF = fileURLToPath(import.meta.url);
const MY_CONTROLLERS = 'endpointslice-controller,endpoints-controller,endpointslice-mirroring-controller';

const { values: flag } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    'pods-per-service': { type: 'string', default: '10' },
    conc: { type: 'string', default: '64' },
    flips: { type: 'string', default: '200' },
    controllers: { type: 'string', default: MY_CONTROLLERS },
    'no-fsync': { type: 'boolean', default: false },
    'no-restart': { type: 'boolean', default: false },
    'no-snapshot': { type: 'boolean', default: false },
    'max-seconds': { type: 'string', default: '3600' },
    'quiet-wait': { type: 'string', default: '30' },
    json: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    // internal: this file also runs the child processes
    role: { type: 'string', default: '' },
    app: { type: 'string', default: '' },
    data: { type: 'string', default: '' },
  },
});

if (flag.role === 'server') await serverRole();
else if (flag.role === 'controllers') await controllersRole();
else await main();

// ---------------------------------------------------------------------------------------------
// Child roles.

/** The API server of a dist/ snapshot; prints one JSON line with its URL and credentials. */
async function serverRole() {
  const { startApiServer } = await import(pathToFileURL(join(flag.app, 'dist', 'apiserver', 'index.js')).href);
  const s = await startApiServer({ dataDir: flag.data, host: '127.0.0.1', port: 0, durable: !flag['no-fsync'], log: (m) => process.stderr.write(`server: ${m}\n`) });
  process.stdout.write(JSON.stringify({ type: 'ready', url: s.url, token: s.token, caPem: s.caPem }) + '\n');
  const stop = () => s.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * A controller manager (the named controllers) against the server given on stdin's first line.
 * Reports 'ready' with its sync time, then on each stdin line 'mem' its memory after a full GC.
 */
async function controllersRole() {
  const dist = (p) => pathToFileURL(join(flag.app, 'dist', ...p.split('/'))).href;
  const { KubeClient } = await import(dist('client/index.js'));
  const { ControllerManager, CONTROLLERS } = await import(dist('controllers/index.js'));
  const lines = createInterface({ input: process.stdin });
  const it = lines[Symbol.asyncIterator]();
  const cfg = JSON.parse((await it.next()).value);
  const names = cfg.controllers.split(',');
  for (const n of names) if (!CONTROLLERS[n]) throw new Error(`unknown controller ${n}`);
  const client = new KubeClient({ server: cfg.url, token: cfg.token, ca: cfg.caPem });
  // The round trip of every write the controllers make, by resource: how much of a change's
  // latency is the API server's (admission, storage, fsync) rather than the controller's.
  const writes = new Map();
  for (const verb of ['create', 'update', 'delete']) {
    const orig = client[verb].bind(client);
    client[verb] = async (res, ...rest) => {
      const t = performance.now();
      try { return await orig(res, ...rest); } finally {
        const k = `${verb} ${res.plural}`;
        let a = writes.get(k);
        if (!a) writes.set(k, (a = []));
        a.push(performance.now() - t);
      }
    };
  }
  const manager = new ControllerManager({
    client,
    cluster: { serviceCidr: '127.96.0.0/12', podCidr: '127.200.0.0/13', lbPool: '127.240.0.0/24', clusterDomain: 'cluster.local' },
    controllers: names.map((n) => CONTROLLERS[n]()),
    log: (m) => process.stderr.write(`controllers: ${m}\n`),
  });
  const t0 = performance.now();
  await manager.start();
  const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  say({ type: 'ready', syncMs: performance.now() - t0 });
  for (;;) {
    const { value, done } = await it.next();
    if (done) break;
    if (value === 'mem') {
      globalThis.gc?.();
      const m = process.memoryUsage();
      const c = process.cpuUsage();
      const q = (a, p) => a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
      const w = Object.fromEntries([...writes].map(([k, a]) => { a.sort((x, y) => x - y); return [k, { n: a.length, p50: q(a, 50), p99: q(a, 99) }]; }));
      writes.clear();
      say({ type: 'mem', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, cpuMs: (c.user + c.system) / 1000, writes: w });
    }
  }
  await manager.stop();
  client.close();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

async function main() {
  if (flag.help) {
    const lines = readFileSync(SELF, 'utf8').split('\n');
    process.stdout.write(lines.slice(1, lines.findIndex((l, i) => i > 0 && !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') +
      '\nflags: --services 10000 --pods-per-service 10 --conc 64 --flips 200 --controllers ' + MY_CONTROLLERS + '\n' +
      '       --no-fsync --no-restart --no-snapshot --max-seconds 3600 --quiet-wait 30 --json FILE --keep\n');
    process.exit(0);
  }
  const int = (name) => {
    const v = Number(flag[name]);
    if (!Number.isInteger(v) || v < 0) {
      process.stderr.write(`endpoints-bench: --${name}: "${flag[name]}" is not a non-negative integer\n`);
      process.exit(2);
    }
    return v;
  };
  const SERVICES = int('services'), PODS = int('pods-per-service'), CONC = Math.max(1, int('conc')), FLIPS = int('flips'), MAX_SECONDS = int('max-seconds'), QUIET_WAIT = int('quiet-wait');
  if (SERVICES * PODS > 500_000) {
    process.stderr.write('endpoints-bench: more than 500,000 pods is not a bounded load; lower --services or --pods-per-service\n');
    process.exit(2);
  }
  const log = (m) => process.stderr.write(`${m}\n`);
  const now = () => performance.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  const mb = (b) => `${(b / 1048576).toFixed(0)} MiB`;
  const results = { services: SERVICES, podsPerService: PODS, conc: CONC, fsync: !flag['no-fsync'], controllers: flag.controllers };

  const work = mkdtempSync(join(tmpdir(), 'tinykube-epbench-'));
  const children = new Map(); // pid -> name
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const [pid] of [...children].reverse()) await stopPid(pid);
    if (!flag.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  };
  process.on('exit', () => {
    for (const pid of children.keys()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`endpoints-bench: ${sig}, stopping`); cleanup().finally(() => process.exit(130)); });
  const watchdog = setTimeout(() => { log(`endpoints-bench: over --max-seconds ${MAX_SECONDS}, giving up`); cleanup().finally(() => process.exit(3)); }, MAX_SECONDS * 1000);
  watchdog.unref();

  async function stopPid(pid) {
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    if (!alive()) { children.delete(pid); return; }
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    const end = Date.now() + 10_000;
    while (alive() && Date.now() < end) await sleep(50);
    if (alive()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    children.delete(pid);
  }

  /** CPU seconds (user + system) of a process, from /proc. */
  function cpuSec(pid) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch { return 0; }
  }

  /** Busy and total jiffies of the whole machine (/proc/stat). */
  function boxJiffies() {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  }

  /**
   * The machine is shared (2 cores, others run tests): before a timed phase, wait up to
   * --quiet-wait s for it to be idle (< 25% of one core busy over 1 s); report what it was.
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
    log(`  machine ${busy < 25 ? 'idle' : `still busy (${busy.toFixed(0)}% of a core used by others)`} before ${what}`);
    results[`busy_before_${what}`] = busy;
    return busy;
  }

  /** Starts a child role; resolves with the child and its first JSON line of type 'ready'. */
  function startChild(name, args, input, nodeArgs = []) {
    const child = spawn(process.execPath, [...nodeArgs, SELF, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.set(child.pid, name);
    let errTail = '';
    child.stderr.on('data', (b) => { errTail = (errTail + b.toString()).slice(-4000); });
    const messages = [];
    const waiters = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      let m;
      try { m = JSON.parse(l); } catch { return; }
      const w = waiters.findIndex((x) => x.type === m.type);
      if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
      else messages.push(m);
    });
    const next = (type, timeoutMs) => new Promise((resolve, reject) => {
      const i = messages.findIndex((m) => m.type === type);
      if (i >= 0) return resolve(messages.splice(i, 1)[0]);
      const t = setTimeout(() => reject(new Error(`${name}: no '${type}' in ${timeoutMs / 1000} s; stderr:\n${errTail}`)), timeoutMs);
      waiters.push({ type, resolve: (m) => { clearTimeout(t); resolve(m); } });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`${name} exited (${code}); stderr:\n${errTail}`)); });
    });
    if (input !== undefined) child.stdin.write(input + '\n');
    return { child, next, stderr: () => errTail, pid: child.pid };
  }

  try {
    // The build every process of the run uses: a copy of dist/ (others may rebuild it meanwhile).
    let app = ROOT;
    if (!flag['no-snapshot']) {
      app = join(work, 'app');
      mkdirSync(app, { recursive: true });
      cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    }
    const dist = (p) => pathToFileURL(join(app, 'dist', ...p.split('/'))).href;
    const { KubeClient, Informer, resourceRef } = await import(dist('client/index.js'));

    log(`endpoints-bench: ${SERVICES.toLocaleString('en-US')} Services x ${PODS} pods, ${CONC} requests in flight, fsync ${flag['no-fsync'] ? 'off' : 'on'}, data in ${work}`);
    const server = startChild('server', ['--role', 'server', '--app', app, '--data', join(work, 'data'), ...(flag['no-fsync'] ? ['--no-fsync'] : [])]);
    const srv = await server.next('ready', 60_000);
    const client = new KubeClient({ server: srv.url, token: srv.token, ca: srv.caPem, maxSockets: CONC });
    const ctrlInput = JSON.stringify({ url: srv.url, token: srv.token, caPem: srv.caPem, controllers: flag.controllers });
    let ctrl = startChild('controllers', ['--role', 'controllers', '--app', app], ctrlInput, ['--expose-gc']);
    const ready0 = await ctrl.next('ready', 60_000);
    log(`  server ${srv.url} (pid ${server.pid}), controllers ${flag.controllers} (pid ${ctrl.pid}, synced in ${fmt(ready0.syncMs)} ms)`);
    const memory = async (what) => {
      ctrl.child.stdin.write('mem\n');
      const m = await ctrl.next('mem', 60_000);
      log(`  controllers memory ${what}: RSS ${mb(m.rss)}, heap used after GC ${mb(m.heapUsed)} (total ${mb(m.heapTotal)}), CPU so far ${fmt(m.cpuMs / 1000)} s`);
      const w = Object.entries(m.writes).map(([k, v]) => `${k} ${v.n.toLocaleString('en-US')}x p50 ${v.p50.toFixed(1)} ms p99 ${v.p99.toFixed(1)} ms`);
      if (w.length) log(`  controllers' writes since the last report (round trip): ${w.join('; ')}`);
      results[`writes_${what.replace(/\W+/g, '_')}`] = m.writes;
      results[`memory_${what.replace(/\W+/g, '_')}`] = { rssMiB: m.rss / 1048576, heapUsedMiB: m.heapUsed / 1048576, cpuSec: m.cpuMs / 1000 };
      return m;
    };

    const NS = resourceRef('', 'v1', 'namespaces', false);
    const SVC = resourceRef('', 'v1', 'services');
    const POD = resourceRef('', 'v1', 'pods');
    const SLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');
    const ns = 'bench';
    await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

    // The watch every measurement reads: per Service, per slice, ready and total endpoints.
    const perService = new Map(); // svc -> Map<slice, {ready, total}>
    let rightCount = 0;
    const right = new Set();
    let lastRightAt = 0;
    let sliceEvents = 0;
    let onSliceEvent = null; // the latency phase's waiter
    const account = (s, deleted) => {
      sliceEvents++;
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      if (!svc) return;
      let m = perService.get(svc);
      if (!m) perService.set(svc, (m = new Map()));
      if (deleted) m.delete(s.metadata.name);
      else {
        const eps = s.endpoints ?? [];
        m.set(s.metadata.name, { ready: eps.filter((e) => e.conditions?.ready).length, total: eps.length });
      }
      let ready = 0, total = 0;
      for (const v of m.values()) { ready += v.ready; total += v.total; }
      const ok = ready === PODS && total === PODS;
      if (ok && !right.has(svc)) { right.add(svc); rightCount++; lastRightAt = now(); }
      else if (!ok && right.has(svc)) { right.delete(svc); rightCount--; }
      if (onSliceEvent) onSliceEvent(s, now());
    };
    const informer = new Informer(client, SLICES, { namespace: ns, minWatchTimeoutSeconds: 3600, onError: (e, phase) => log(`  slice watch ${phase}: ${e.message}`) });
    informer.addEventHandler({ onAdd: (s) => account(s, false), onUpdate: (_o, s) => account(s, false), onDelete: (s) => account(s, true) });
    await informer.start().waitForSync({ timeoutMs: 60_000 });

    /** Runs fn(i) for i in [0, n), CONC at a time, with progress every 5 s; returns seconds. */
    const load = async (what, n, fn) => {
      const t0 = now();
      let next = 0, done = 0, failed = 0, lastLog = t0;
      const errors = new Map();
      await Promise.all(Array.from({ length: Math.min(CONC, n) }, async () => {
        while (next < n) {
          const i = next++;
          try { await fn(i); } catch (e) { failed++; errors.set(e.message.slice(0, 120), (errors.get(e.message.slice(0, 120)) ?? 0) + 1); }
          done++;
          if (now() - lastLog > 5000) {
            lastLog = now();
            log(`    ${what}: ${done.toLocaleString('en-US')}/${n.toLocaleString('en-US')} (${fmt(done / ((now() - t0) / 1000))}/s), ${rightCount.toLocaleString('en-US')} Services' slices right`);
          }
        }
      }));
      const s = (now() - t0) / 1000;
      log(`  ${what}: ${n.toLocaleString('en-US')} in ${fmt(s)} s = ${fmt(n / s)}/s${failed ? `, ${failed} FAILED: ${[...errors].map(([m, c]) => `${c}x ${m}`).join('; ')}` : ''}`);
      results[`${what}_per_sec`] = n / s;
      results[`${what}_sec`] = s;
      return s;
    };
    const podIp = (k) => `127.${200 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
    const podIndex = (i, j) => i * PODS + j;
    const setStatus = (i, j, ready) => client.patch(POD, `pod-${i}-${j}`, {
      status: {
        phase: 'Running',
        podIP: podIp(podIndex(i, j)),
        podIPs: [{ ip: podIp(podIndex(i, j)) }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
      },
    }, 'merge', { namespace: ns, subresource: 'status' });

    // 1. load
    log('[1] load');
    const cpu0 = { server: cpuSec(server.pid), ctrl: cpuSec(ctrl.pid) };
    await load('service_creates', SERVICES, (i) => client.create(SVC, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: ns },
      spec: { selector: { app: `svc-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    }));
    await load('pod_creates', SERVICES * PODS, (k) => {
      const i = Math.floor(k / PODS), j = k % PODS;
      return client.create(POD, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}-${j}`, namespace: ns, labels: { app: `svc-${i}` } },
        spec: { containers: [{ name: 'app', image: 'tinykube/demo:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
      });
    });
    // 2. converge
    const tStatus0 = now();
    await load('status_writes', SERVICES * PODS, (k) => setStatus(Math.floor(k / PODS), k % PODS, true));
    const tStatus1 = now();
    log('[2] converge');
    const convergeEnd = now() + 600_000;
    let lastProgress = now();
    while (rightCount < SERVICES && now() < convergeEnd) {
      await sleep(50);
      if (now() - lastProgress > 5000) { lastProgress = now(); log(`    ${rightCount.toLocaleString('en-US')}/${SERVICES.toLocaleString('en-US')} Services' slices right`); }
    }
    if (rightCount < SERVICES) throw new Error(`only ${rightCount} of ${SERVICES} Services' slices right 600 s after the last status write`);
    const lag = Math.max(0, lastRightAt - tStatus1);
    log(`  every Service's slices right ${fmt((lastRightAt - tStatus0) / 1000)} s after the first status write, ${fmt(lag)} ms after the last (${sliceEvents.toLocaleString('en-US')} slice events so far)`);
    results.converge_from_first_status_sec = (lastRightAt - tStatus0) / 1000;
    results.converge_lag_after_last_status_ms = lag;
    results.slice_events_load = sliceEvents;
    const cpu1 = { server: cpuSec(server.pid), ctrl: cpuSec(ctrl.pid) };
    log(`  CPU during load + converge: server ${fmt(cpu1.server - cpu0.server)} s, controllers ${fmt(cpu1.ctrl - cpu0.ctrl)} s`);
    results.load_cpu_sec = { server: cpu1.server - cpu0.server, controllers: cpu1.ctrl - cpu0.ctrl };
    await memory('after load');

    // 3. latency: one pod at a time, Ready -> not Ready for the first half, back for the second.
    if (FLIPS > 0) {
      log(`[3] latency: ${FLIPS} single-pod Ready flips, one at a time`);
      await awaitQuiet('latency');
      const half = Math.ceil(FLIPS / 2);
      const picks = Array.from({ length: half }, (_, f) => ({ i: (f * 7919) % SERVICES, j: f % PODS }));
      const fromResp = [], fromSend = [];
      let timeouts = 0;
      const cpu2 = { server: cpuSec(server.pid), ctrl: cpuSec(ctrl.pid) };
      for (let f = 0; f < FLIPS; f++) {
        const { i, j } = picks[f % half];
        const ready = f >= half;
        const pod = `pod-${i}-${j}`;
        let tEvent = 0;
        const seen = new Promise((resolve) => {
          const t = setTimeout(() => resolve(false), 5000);
          onSliceEvent = (s, at) => {
            if (s.metadata.labels?.['kubernetes.io/service-name'] !== `svc-${i}`) return;
            const e = (s.endpoints ?? []).find((x) => x.targetRef?.name === pod);
            if (e && e.conditions?.ready === ready) { tEvent = at; clearTimeout(t); resolve(true); }
          };
        });
        const tSend = now();
        await setStatus(i, j, ready);
        const tResp = now();
        const ok = await seen;
        onSliceEvent = null;
        if (!ok) { timeouts++; continue; }
        fromResp.push(tEvent - tResp);
        fromSend.push(tEvent - tSend);
        await sleep(10);
      }
      const cpu3 = { server: cpuSec(server.pid), ctrl: cpuSec(ctrl.pid) };
      const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
      const stats = (a) => ({ p50: q(a, 50), p90: q(a, 90), p99: q(a, 99), max: Math.max(...a), min: Math.min(...a) });
      const r = stats(fromResp), s = stats(fromSend);
      log(`  status response -> slice event: p50 ${r.p50.toFixed(2)} ms, p90 ${r.p90.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms (min ${r.min.toFixed(2)})`);
      log(`  status sent     -> slice event: p50 ${s.p50.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(2)} ms`);
      log(`  ${fromResp.length} measured, ${timeouts} timed out (5 s); CPU: server ${fmt((cpu3.server - cpu2.server) * 1000 / FLIPS)} ms/flip, controllers ${fmt((cpu3.ctrl - cpu2.ctrl) * 1000 / FLIPS)} ms/flip`);
      results.flip_latency_from_response_ms = r;
      results.flip_latency_from_send_ms = s;
      results.flip_timeouts = timeouts;
      await memory('after flips');
    }

    // 4. restart: a fresh controller manager over the whole cluster.
    if (!flag['no-restart']) {
      log('[4] restart');
      ctrl.child.stdin.end();
      await stopPid(ctrl.pid);
      const before = sliceEvents;
      const t0 = now();
      ctrl = startChild('controllers', ['--role', 'controllers', '--app', app], ctrlInput, ['--expose-gc']);
      const r = await ctrl.next('ready', 300_000);
      const wall = now() - t0;
      await sleep(10_000);
      const writes = sliceEvents - before;
      log(`  synced in ${fmt(r.syncMs)} ms (${fmt(wall)} ms from spawn); ${writes} slice writes in the 10 s after`);
      results.restart_sync_ms = r.syncMs;
      results.restart_slice_writes = writes;
      await memory('after restart');
    }

    informer.stop();
    client.close();
    if (flag.json) writeFileSync(flag.json, JSON.stringify(results, null, 2) + '\n');
    await cleanup();
    process.exit(0);
  } catch (e) {
    log(`endpoints-bench: ${e.stack ?? e.message}`);
    await cleanup();
    process.exit(1);
  }
}
