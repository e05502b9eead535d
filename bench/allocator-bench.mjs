#!/usr/bin/env node
// Service allocation benchmark: what handing out cluster IPs and node ports costs.
//   npm run build && node bench/allocator-bench.mjs [--n 5000] [--conc 64] [--durable]
//
//   1. raw      ClusterIPAllocator over a /12 and NodePortAllocator over 30000-32767: allocate
//               until nearly full, release, allocate again (ops/s), and a repair pass rebuilding
//               the bitmaps from N stored Services.
//   2. API      POST over HTTPS with CONC clients to one in-process API server, in the same run:
//               ConfigMaps (no allocation, the baseline), ClusterIP Services, NodePort Services.
//               The ratio Services/ConfigMaps is the price of admission + allocation + validation.
//   3. LB       the LoadBalancer controller (on its thread, as in `tinykube up`): one LoadBalancer
//               Service at a time, from the create's response to status.loadBalancer.ingress set
//               (polled every 2 ms), p50/p99 over --lb Services.
//
// Everything listens on 127.0.0.1; the data dir is a fresh /tmp/tinykube-allocbench-* removed
// at the end. Loads are bounded by --n and by a 120 s watchdog.
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterIPAllocator, NodePortAllocator } from '../dist/apiserver/allocators/index.js';
import { startApiServer } from '../dist/apiserver/index.js';
import { startControllers } from '../dist/controllers/index.js';

const { values: flag } = parseArgs({ options: { lb: { type: 'string', default: '200' }, n: { type: 'string', default: '5000' }, conc: { type: 'string', default: '64' }, durable: { type: 'boolean', default: false } } });
const N = Number(flag.n), CONC = Number(flag.conc);
const watchdog = setTimeout(() => { console.error('allocator-bench: watchdog (120 s), stopping'); process.exit(1); }, 120_000);
const now = () => performance.now();
const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));

function raw() {
  console.log('[1] raw allocators');
  const ips = new ClusterIPAllocator('127.96.0.0/12');
  const size = ips.size;
  const take = Math.floor(size * 0.9);
  let t = now();
  const got = [];
  for (let i = 0; i < take; i++) got.push(ips.allocateNext());
  let s = (now() - t) / 1000;
  console.log(`    cluster IPs: ${fmt(take / s)} allocations/s (${take.toLocaleString('en-US')} of ${size.toLocaleString('en-US')}, to 90% full)`);
  t = now();
  for (const ip of got) ips.release(ip);
  s = (now() - t) / 1000;
  console.log(`    cluster IPs: ${fmt(got.length / s)} releases/s`);
  const ports = new NodePortAllocator({ min: 30000, max: 32767 });
  const rounds = 200;
  t = now();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const held = [];
    for (let i = 0; i < ports.size; i++, n++) held.push(ports.allocateNext());
    for (const p of held) ports.release(p);
  }
  s = (now() - t) / 1000;
  console.log(`    node ports: ${fmt(n / s)} allocations+releases/s (fill all ${ports.size} and empty, ${rounds} times)`);
}

function client(url, token, ca) {
  const u = new URL(url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONC, ca });
  const post = (path, body) => new Promise((resolve, reject) => {
    const r = https.request({ host: u.hostname, port: u.port, method: 'POST', path, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`))));
    });
    r.on('error', reject);
    r.end(body);
  });
  return { post, close: () => agent.destroy() };
}

async function run(c, label, path, body, n = N) {
  let next = 0;
  const t = now();
  await Promise.all(Array.from({ length: CONC }, async () => {
    for (let i = next++; i < n; i = next++) await c.post(path, body(i));
  }));
  const ops = n / ((now() - t) / 1000);
  if (label) console.log(`    ${label.padEnd(20)} ${fmt(ops)} creates/s (${n})`);
  return ops;
}

async function api() {
  console.log(`[2] through the API: ${N} creates each, ${CONC} in flight, ${flag.durable ? 'fsync' : 'no fsync'}`);
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-allocbench-'));
  const srv = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: flag.durable, serviceCidr: '127.96.0.0/12', nodePortRange: { min: 30000, max: 32767 } });
  const c = client(srv.url, srv.token, srv.caPem);
  try {
    // Warm-up (TLS handshakes, JIT) so the first measured load is not penalised.
    await run(c, '', '/api/v1/namespaces/default/configmaps', (i) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `warm-${i}` } }), Math.min(N, 1000));
    const cm = await run(c, 'ConfigMaps', '/api/v1/namespaces/default/configmaps', (i) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { a: 'b' } }));
    const cip = await run(c, 'ClusterIP Services', '/api/v1/namespaces/default/services', (i) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `c-${i}` }, spec: { selector: { app: `a${i}` }, ports: [{ port: 80, targetPort: 8080 }] } }));
    // The node port range holds 2,768.
    const npOps = await run(c, 'NodePort Services', '/api/v1/namespaces/default/services', (i) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `n-${i}` }, spec: { type: 'NodePort', selector: { app: `a${i}` }, ports: [{ port: 80 }] } }), Math.min(N, 2000));
    console.log(`    ratio ClusterIP Services / ConfigMaps: ${(cip / cm).toFixed(2)}x; NodePort Services / ConfigMaps: ${(npOps / cm).toFixed(2)}x`);
  } finally {
    c.close();
    await srv.close();
  }
  // The repair pass on a restart over what was just stored.
  const t = now();
  const again = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: false });
  console.log(`    restart with ${N + Math.min(N, 2000)} stored Services (repair pass included): ${Math.round(now() - t)} ms; ${again.allocators.clusterIPs.used} cluster IPs and ${again.allocators.nodePorts.used} node ports marked`);
  await again.close();
  rmSync(dir, { recursive: true, force: true });
}

async function lb() {
  const n = Number(flag.lb);
  console.log(`[3] LoadBalancer address latency: ${n} Services, one at a time`);
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-allocbench-'));
  const srv = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: flag.durable });
  const ctl = await startControllers({ server: srv.url, token: srv.token, caPem: srv.caPem, cluster: { serviceCidr: '127.96.0.0/12', podCidr: '127.244.0.0/16', lbPool: '127.240.0.0/22', clusterDomain: 'cluster.local' }, controllers: ['service-lb-controller'], log: () => {} });
  const c = client(srv.url, srv.token, srv.caPem);
  const u = new URL(srv.url);
  const agent = new https.Agent({ keepAlive: true, ca: srv.caPem });
  const get = (path) => new Promise((resolve, reject) => {
    https.get({ host: u.hostname, port: u.port, path, agent, headers: { authorization: `Bearer ${srv.token}` } }, (res) => {
      const chunks = [];
      res.on('data', (x) => chunks.push(x));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    }).on('error', reject);
  });
  const lat = [];
  try {
    for (let i = 0; i < n; i++) {
      await c.post('/api/v1/namespaces/default/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `lb-${i}` }, spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80 }] } }));
      const t = now();
      for (;;) {
        const svc = await get(`/api/v1/namespaces/default/services/lb-${i}`);
        if (svc.status?.loadBalancer?.ingress?.[0]?.ip) break;
        if (now() - t > 10_000) throw new Error(`lb-${i}: no address in 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      lat.push(now() - t);
    }
    lat.sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
    console.log(`    create response -> address in status: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms (goal: within a second)`);
  } finally {
    c.close();
    agent.destroy();
    await ctl.stop();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

raw();
await api();
await lb();
clearTimeout(watchdog);
