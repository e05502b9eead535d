// The commands themselves. A running cluster leaves <data-dir>/tinykube.pid (JSON: pid, url),
// which down and status read.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { isIPv4 } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../apiserver/index.js';
import { startControllers, type RunningControllers } from '../controllers/index.js';
import { buildConfig, DEFAULTS, defaultDataDir, firstAddress, nodeAddress, nodeName, parseCount, parsePort, simulatedNodeName, UsageError, type ClusterConfig } from './flags.js';
import { startNodeAgent, startNodes, type RunningNodes } from '../kubelet/index.js';
import { KubeClient, loadKubeconfig } from '../client/index.js';
import { ServiceProxy, startProxy, type RunningProxy } from '../proxy/index.js';
import { IngressController, IngressListenError, IngressStartError, startIngress, type ListenFailure, type RunningIngress } from '../ingress/index.js';
import { ClusterDns, realAskServer, realLookup, realRunner, resetHost, setupHost, startDns, type HostDnsConfig, type HostEnv, type RunningDns } from '../dns/index.js';
import { parseIpv4Cidr } from '../api/ipv4.js';
import { serviceAddress } from '../apiserver/bootstrap.js';
import { kubeconfigFor, mergeIntoUserKubeconfig, userKubeconfigPath, writeKubeconfig, CONTEXT } from './kubeconfig.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

interface RunFile {
  pid: number;
  url: string;
  startedAt: string;
}

const PID_FILE = 'tinykube.pid';

function out(line: string): void {
  process.stdout.write(line + '\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (killed, not yet reaped by its parent) is not a running cluster.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function readRunFile(dataDir: string): Promise<RunFile | undefined> {
  const p = join(dataDir, PID_FILE);
  if (!existsSync(p)) return undefined;
  try {
    const r = JSON.parse(await readFile(p, 'utf8')) as RunFile;
    return typeof r.pid === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

export async function up(flags: Flags, rawArgs: string[]): Promise<void> {
  const cfg = buildConfig(flags);
  await mkdir(cfg.dataDir, { recursive: true });
  const running = await readRunFile(cfg.dataDir);
  if (running && alive(running.pid) && running.pid !== process.pid) {
    throw new UsageError(`a cluster is already running on ${cfg.dataDir} (pid ${running.pid}, ${running.url}); stop it with: tinykube down --data-dir ${cfg.dataDir}`);
  }
  if (flags['detach']) return detach(cfg, rawArgs.filter((a) => a !== '--detach'));
  await runForeground(cfg, flags['no-kubeconfig-merge'] === true);
}

async function runForeground(cfg: ClusterConfig, noMerge: boolean): Promise<void> {
  const t0 = performance.now();
  const ms = (): string => `${Math.round(performance.now() - t0)} ms`;
  out(`tinykube: starting a cluster in ${cfg.dataDir}`);
  let server;
  try {
    server = await startApiServer({
      dataDir: cfg.dataDir,
      host: cfg.nodeIp,
      port: cfg.apiPort,
      certIps: [cfg.nodeIp, firstAddress(cfg.serviceCidr)],
      certDnsNames: [`kubernetes.default.svc.${cfg.clusterDomain}`],
      serviceCidr: cfg.serviceCidr,
      nodePortRange: cfg.nodePortRange,
      advertiseAddress: cfg.nodeIp,
      progress: (component, detail) => out(`  ${component.padEnd(11)} ok  ${detail} (${ms()})`),
      log: (msg) => process.stderr.write(`${msg}\n`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${cfg.apiPort} on ${cfg.nodeIp} is already in use; choose another with --api-port`);
    if (err.code === 'EADDRNOTAVAIL') throw new UsageError(`${cfg.nodeIp} is not an address of this machine; choose another with --node-ip`);
    throw e;
  }
  let controllers: RunningControllers;
  try {
    controllers = await startControllers({
      server: server.url,
      token: server.token,
      caPem: server.caPem,
      cluster: { serviceCidr: cfg.serviceCidr, podCidr: cfg.podCidr, lbPool: cfg.lbPool, clusterDomain: cfg.clusterDomain },
      log: (msg) => process.stderr.write(`${msg}\n`),
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  out(`  ${'controllers'.padEnd(11)} ok  running (${ms()})`);
  let nodes: RunningNodes;
  try {
    nodes = await startNodes(
      [
        ...Array.from({ length: cfg.nodes }, (_, i) => ({ nodeName: nodeName(i), nodeIP: nodeAddress(cfg.nodeIp, i), controlPlane: i === 0 })),
        ...Array.from({ length: cfg.simulatedNodes }, (_, j) => ({ nodeName: simulatedNodeName(j), nodeIP: nodeAddress(cfg.nodeIp, cfg.nodes + j), simulated: { readyDelayMs: cfg.simulatedReadyDelayMs } })),
      ].map((n) => ({ ...n, server: server.url, token: server.token, caPem: server.caPem, kubeletPort: cfg.kubeletPort, dataDir: cfg.dataDir, clusterDomain: cfg.clusterDomain })),
      (msg) => process.stderr.write(`${msg}\n`),
    );
  } catch (e) {
    await controllers.stop();
    await server.close();
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const root = process.getuid?.() === 0;
  const shown = nodes.nodes.length > 4 ? `${nodes.nodes.slice(0, 3).map((n) => `${n.name} ${n.ip}`).join(', ')} and ${nodes.nodes.length - 3} more` : nodes.nodes.map((n) => `${n.name} ${n.ip}`).join(', ');
  if (nodes.nodes.length > 0) out(`  ${'nodes'.padEnd(11)} ok  ${shown}${root ? '' : '; not root: pods use the host\'s DNS resolver'} (${ms()})`);
  // The data plane: a proxy per node, cluster DNS and the ingress controller, started side by side.
  const realNodes = new Set(Array.from({ length: cfg.nodes }, (_, i) => nodeName(i)));
  const realNodeList = nodes.nodes.filter((n) => realNodes.has(n.name));
  const [proxyStart, dnsStart, ingressStart] = await Promise.allSettled([
    startNodeProxies(cfg, server, realNodeList),
    startClusterDns(cfg, server),
    startClusterIngress(cfg, server, realNodeList),
  ]);
  if (proxyStart.status === 'rejected') {
    if (dnsStart.status === 'fulfilled') await dnsStart.value?.stop();
    if (ingressStart.status === 'fulfilled') await ingressStart.value?.stop();
    await nodes.stop();
    await controllers.stop();
    await server.close();
    const msg = proxyStart.reason instanceof Error ? proxyStart.reason.message : String(proxyStart.reason);
    if (msg.includes('EADDRINUSE')) throw new UsageError(`the proxy's metrics port ${cfg.proxyMetricsPort} is already in use; choose another with --proxy-metrics-port`);
    throw new UsageError(msg);
  }
  const proxies = proxyStart.value;
  if (proxies.length > 0) out(`  ${'proxy'.padEnd(11)} ok  ${proxyLine(proxies)} (${ms()})`);
  let dns: RunningDns | undefined;
  if (dnsStart.status === 'fulfilled') {
    dns = dnsStart.value;
    if (dns) out(`  ${'dns'.padEnd(11)} ok  ${dnsLine(cfg, dns)} (${ms()})`);
  } else {
    out(`  ${'dns'.padEnd(11)} --  ${dnsFailure(cfg, dnsStart.reason)}`);
  }
  let ingress: RunningIngress | undefined;
  if (ingressStart.status === 'fulfilled') {
    ingress = ingressStart.value;
    if (ingress) {
      out(`  ${'ingress'.padEnd(11)} ok  ${ingressLine(cfg, realNodeList, ingress)} (${ms()})`);
      for (const f of ingress.failures) process.stderr.write(`tinykube: ingress: ${listenFailure(f)}\n`);
    }
  } else {
    const failures = ingressStart.reason instanceof IngressStartError ? ingressStart.reason.failures : [];
    const why = failures.length > 0 ? failures.map(listenFailure).join('; ') : ingressStart.reason instanceof Error ? ingressStart.reason.message : String(ingressStart.reason);
    out(`  ${'ingress'.padEnd(11)} --  ${why}; running without ingress`);
  }
  const kubeconfigPath = join(cfg.dataDir, 'kubeconfig');
  const kc = kubeconfigFor(server.url, server.caPem, server.token);
  await writeKubeconfig(kubeconfigPath, kc);
  await writeFile(join(cfg.dataDir, 'cluster.json'), JSON.stringify({ ...cfg, apiServer: server.url }, null, 2) + '\n');
  let merged = '';
  if (!noMerge) {
    const userPath = userKubeconfigPath();
    try {
      await mergeIntoUserKubeconfig(userPath, kc);
      merged = userPath;
    } catch (e) {
      process.stderr.write(`tinykube: could not update ${userPath}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  await writeFile(join(cfg.dataDir, PID_FILE), JSON.stringify({ pid: process.pid, url: server.url, startedAt: new Date().toISOString() } satisfies RunFile) + '\n');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out(`tinykube: ${signal}, stopping`);
    void Promise.all([...proxies.map((p) => p.stop()), dns?.stop(), ingress?.stop()])
      .then(() => nodes.stop())
      .then(() => controllers.stop())
      .then(() => server.close())
      .then(() => rm(join(cfg.dataDir, PID_FILE), { force: true }))
      .then(() => {
        out('tinykube: stopped');
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  out(`ready in ${ms()}: ${server.url}`);
  if (merged) out(`kubectl context "${CONTEXT}" added to ${merged} and made current`);
  out(`export KUBECONFIG=${kubeconfigPath}`);
}

/**
 * The ingress controller on every real node's address (as a hostNetwork DaemonSet of
 * ingress-nginx), with its IngressClasses: "tinykube", the default, and "nginx", so Ingresses
 * written for ingress-nginx (most tutorials) are served as written. Unless --no-ingress.
 */
export const INGRESS_CLASSES = [
  { name: 'tinykube', default: true },
  { name: 'nginx', default: false },
];

async function startClusterIngress(cfg: ClusterConfig, server: { url: string; token: string; caPem: string }, real: { name: string; ip: string }[]): Promise<RunningIngress | undefined> {
  if (!cfg.ingress) return undefined;
  const addresses = real.length > 0 ? real.map((n) => n.ip) : [cfg.nodeIp];
  return startIngress({ server: server.url, token: server.token, caPem: server.caPem, addresses, httpPort: cfg.ingressHttpPort, httpsPort: cfg.ingressHttpsPort, classes: INGRESS_CLASSES, log: (msg) => process.stderr.write(`${msg}\n`) });
}

function ingressLine(cfg: ClusterConfig, real: { ip: string }[], ing: RunningIngress): string {
  const addresses = real.length > 0 ? real.map((n) => n.ip) : [cfg.nodeIp];
  const on = (scheme: 'http' | 'https', port: number): string[] => addresses.filter((a) => !ing.failures.some((f) => f.scheme === scheme && f.address === a)).map((a) => `${a}:${port}`);
  const http = on('http', ing.httpPort);
  const https = on('https', ing.httpsPort);
  return `class ${INGRESS_CLASSES.map((c) => c.name + (c.default ? ' (default)' : '')).join(', ')}; ${[http.length > 0 && `HTTP on ${http.join(', ')}`, https.length > 0 && `HTTPS on ${https.join(', ')}`].filter(Boolean).join(', ')}`;
}

/** One listener the ingress could not bind, with the fix. */
function listenFailure(f: ListenFailure): string {
  const flag = f.scheme === 'http' ? '--ingress-http-port' : '--ingress-https-port';
  const alt = f.scheme === 'http' ? 8080 : 8443;
  if (f.code === 'EACCES') return `cannot listen on ${f.address}:${f.port} (${f.scheme}): ports below 1024 need root, or: sysctl -w net.ipv4.ip_unprivileged_port_start=${f.port}, or choose another port with ${flag} ${alt}`;
  if (f.code === 'EADDRINUSE') return `cannot listen on ${f.address}:${f.port} (${f.scheme}): the port is already in use; choose another with ${flag}`;
  if (f.code === 'EADDRNOTAVAIL') return `cannot listen on ${f.address}:${f.port} (${f.scheme}): not an address of this machine`;
  return `cannot listen on ${f.address}:${f.port} (${f.scheme}): ${f.message}`;
}

/** Cluster DNS on kube-dns's cluster IP (the .10 of the service range), unless --no-dns. */
async function startClusterDns(cfg: ClusterConfig, server: { url: string; token: string; caPem: string }): Promise<RunningDns | undefined> {
  const host = serviceAddress(cfg.serviceCidr, 10);
  if (!cfg.dns || !host) return undefined;
  return startDns({ server: server.url, token: server.token, caPem: server.caPem, host, port: cfg.dnsPort, metricsPort: 9153, domain: cfg.clusterDomain, ttl: cfg.dnsTtl, upstreams: cfg.dnsUpstreams, log: (msg) => process.stderr.write(`${msg}\n`) });
}

function dnsLine(cfg: ClusterConfig, dns: RunningDns): string {
  const host = serviceAddress(cfg.serviceCidr, 10);
  const upstream = dns.upstreams.length > 0 ? `other names via ${dns.upstreams.join(', ')}` : 'no upstream resolver: other names are refused';
  return `${cfg.clusterDomain} on ${host}:${dns.port} UDP+TCP${dns.udpPath === 'native' ? ' (native UDP path)' : ''}, ${upstream}; metrics http://${host}:${dns.metricsPort}/metrics`;
}

/** Why cluster DNS did not start, with the fix; the cluster runs on without it. */
function dnsFailure(cfg: ClusterConfig, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const host = serviceAddress(cfg.serviceCidr, 10);
  if (msg.includes('EACCES')) return `cannot listen on ${host}:${cfg.dnsPort}: ports below 1024 need root, or: sysctl -w net.ipv4.ip_unprivileged_port_start=${cfg.dnsPort}; running without cluster DNS`;
  if (msg.includes('EADDRINUSE')) return `${host}:${cfg.dnsPort} (or :9153) is already in use; running without cluster DNS`;
  return `${msg}; running without cluster DNS`;
}

/**
 * kube-proxy on every node: each serves its own node's node ports, health check node ports and
 * /metrics on its address, and treats that node's endpoints as local. Cluster IPs, load-balancer
 * and external IPs have one listener per machine, held by the first node's proxy. With no nodes
 * (--nodes 0), one proxy for the node name "tinykube" on --node-ip; simulated nodes get none, as
 * KWOK's nodes run no kube-proxy.
 */
type NodeProxy = RunningProxy & { node: { name: string; ip: string } };

async function startNodeProxies(cfg: ClusterConfig, server: { url: string; token: string; caPem: string }, real: { name: string; ip: string }[]): Promise<NodeProxy[]> {
  if (!cfg.proxy) return [];
  const nodes = real.length > 0 ? real : [{ name: nodeName(0), ip: cfg.nodeIp }];
  const started = await Promise.allSettled(
    nodes.map((n, i) =>
      startProxy({
        server: server.url,
        token: server.token,
        caPem: server.caPem,
        nodeName: n.name,
        nodeIPs: [n.ip],
        metricsPort: cfg.proxyMetricsPort,
        serviceAddresses: i === 0,
        log: (msg) => process.stderr.write(`${msg}\n`),
        onBindFailure: (f) => {
          const fix = f.port < 1024 && process.getuid?.() !== 0 ? ` (ports below 1024 need root, or: sysctl -w net.ipv4.ip_unprivileged_port_start=${f.port})` : '';
          process.stderr.write(`tinykube: the proxy of node ${n.name}: ${f.message}${fix}\n`);
        },
      }).then((p) => Object.assign(p, { node: n })),
    ),
  );
  const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((p) => p.stop()));
    throw failed.reason;
  }
  return ok;
}

function proxyLine(proxies: NodeProxy[]): string {
  const [first] = proxies;
  if (!first) return '';
  const metrics = `metrics http://${first.node.ip}:${first.metricsPort}/metrics`;
  const relay = first.relay === 'native' ? 'userspace, native TCP relay' : 'userspace, JavaScript TCP relay';
  if (proxies.length === 1) return `${relay}, Services on their cluster IPs, NodePorts on ${first.node.ip}; ${metrics}`;
  return `${relay}, one per node (${proxies.map((p) => p.node.name).join(', ')}): cluster IPs on ${first.node.name}, NodePorts on ${proxies.map((p) => p.node.ip).join(', ')}; ${metrics}`;
}

async function detach(cfg: ClusterConfig, args: string[]): Promise<void> {
  const logPath = join(cfg.dataDir, 'tinykube.log');
  const logStart = existsSync(logPath) ? statSync(logPath).size : 0;
  const fd = openSync(logPath, 'a');
  const bin = fileURLToPath(new URL('../../bin/tinykube.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'up', ...args], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  const deadline = Date.now() + 30_000;
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  while (Date.now() < deadline) {
    if (exited !== null) {
      // This run's part of the log, without the usage text a refusal ends with: the reason matters.
      const text = readFileSync(logPath).subarray(logStart).toString('utf8').split(/^Usage: tinykube/m)[0]!;
      const log = text.trimEnd().split('\n').slice(-15).join('\n');
      throw new UsageError(`the cluster exited during start (code ${exited}); the end of ${logPath}:\n${log}`);
    }
    const run = await readRunFile(cfg.dataDir);
    if (run && run.pid === child.pid && (await readyz(cfg.dataDir, run.url)).ok) {
      out(`tinykube: running in the background (pid ${run.pid}), log in ${logPath}`);
      out(`ready: ${run.url}`);
      out(`export KUBECONFIG=${join(cfg.dataDir, 'kubeconfig')}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new UsageError(`the cluster did not become ready within 30 s; see ${logPath}`);
}

async function readyz(dataDir: string, url: string): Promise<{ ok: boolean; body: string }> {
  let ca: string;
  try {
    ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  } catch {
    return { ok: false, body: 'no CA yet' };
  }
  return new Promise((resolve) => {
    const req = request(`${url}/readyz?verbose`, { ca, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200, body }));
    });
    req.on('error', (e) => resolve({ ok: false, body: e.message }));
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

function dataDirOf(flags: Flags): string {
  return typeof flags['data-dir'] === 'string' ? flags['data-dir'] : defaultDataDir();
}

export async function down(flags: Flags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const run = await readRunFile(dataDir);
  if (!run || !alive(run.pid)) {
    await rm(join(dataDir, PID_FILE), { force: true });
    out(`tinykube: no cluster is running on ${dataDir}`);
    return;
  }
  process.kill(run.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(run.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(run.pid)) {
    process.kill(run.pid, 'SIGKILL');
    await rm(join(dataDir, PID_FILE), { force: true });
    out(`tinykube: the cluster (pid ${run.pid}) did not stop within 15 s and was killed`);
    return;
  }
  out(`tinykube: stopped the cluster on ${dataDir} (pid ${run.pid})`);
}

export async function status(flags: Flags): Promise<void> {
  const dataDir = dataDirOf(flags);
  const run = await readRunFile(dataDir);
  if (!run || !alive(run.pid)) {
    out(`tinykube: not running (data dir ${dataDir})`);
    process.exitCode = 3;
    return;
  }
  const r = await readyz(dataDir, run.url);
  out(`tinykube: running (pid ${run.pid}) since ${run.startedAt} at ${run.url}: ${r.ok ? 'ready' : 'not ready'}`);
  out(r.body.trimEnd());
  out(`export KUBECONFIG=${join(dataDir, 'kubeconfig')}`);
  if (!r.ok) process.exitCode = 1;
}

/** `tinykube node join`: one more node, in this process, against a running cluster's API server. */
export async function nodeJoin(flags: Flags): Promise<void> {
  const kubeconfig = typeof flags['kubeconfig'] === 'string' ? flags['kubeconfig'] : undefined;
  const name = typeof flags['name'] === 'string' ? flags['name'] : undefined;
  const ip = typeof flags['node-ip'] === 'string' ? flags['node-ip'] : undefined;
  if (!kubeconfig) throw new UsageError('node join: --kubeconfig is required (the cluster\'s, e.g. <data-dir>/kubeconfig)');
  if (!name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new UsageError('node join: --name is required: a DNS subdomain name such as worker-2');
  if (!ip || !isIPv4(ip)) throw new UsageError('node join: --node-ip is required: this node\'s IPv4 address, e.g. 127.0.0.2');
  const port = parsePort('kubelet-port', typeof flags['kubelet-port'] === 'string' ? flags['kubelet-port'] : '10250');
  const dataDir = resolve(dataDirOf(flags));
  const cc = loadKubeconfig(kubeconfig);
  if (!cc.token || !cc.ca) throw new UsageError(`node join: ${kubeconfig} must carry a bearer token and the cluster CA`);
  const simulated = flags['simulated'] === true ? { readyDelayMs: parseCount('simulated-ready-delay', typeof flags['simulated-ready-delay'] === 'string' ? flags['simulated-ready-delay'] : '0', 0, 3_600_000) } : undefined;
  const agent = await startNodeAgent({ server: cc.server, token: cc.token, caPem: cc.ca.toString('utf8'), nodeName: name, nodeIP: ip, kubeletPort: port, dataDir, simulated, clusterDomain: typeof flags['cluster-domain'] === 'string' ? flags['cluster-domain'] : undefined, log: (m) => process.stderr.write(`${m}\n`) });
  // Its kube-proxy: this node's node ports and health check ports (the first node serves cluster IPs).
  let proxy: RunningProxy | undefined;
  if (!simulated && flags['no-proxy'] !== true) {
    const metricsPort = parsePort('proxy-metrics-port', typeof flags['proxy-metrics-port'] === 'string' ? flags['proxy-metrics-port'] : '10249');
    try {
      proxy = await startProxy({ server: cc.server, token: cc.token, caPem: cc.ca.toString('utf8'), nodeName: name, nodeIPs: [ip], metricsPort, serviceAddresses: false, log: (m) => process.stderr.write(`${m}\n`) });
    } catch (e) {
      await agent.stop();
      const msg = e instanceof Error ? e.message : String(e);
      if (msg.includes('EADDRINUSE')) throw new UsageError(`node join: the proxy's metrics port ${metricsPort} on ${ip} is already in use; choose another with --proxy-metrics-port, or --no-proxy`);
      throw new UsageError(`node join: ${msg}`);
    }
  }
  out(`tinykube: node ${name} (${ip}, kubelet port ${agent.port}) joined ${cc.server}${proxy ? `; its proxy serves NodePorts on ${ip}, metrics http://${ip}:${proxy.metricsPort}/metrics` : ''}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out(`tinykube: ${signal}, stopping node ${name}`);
    void Promise.resolve(proxy?.stop())
      .then(() => agent.stop())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The API client of a standalone component, from --kubeconfig or the usual kubeconfig paths. */
function standaloneClient(command: string, kubeconfig: string | undefined): { client: KubeClient; server: string } {
  try {
    const cc = loadKubeconfig(kubeconfig);
    return { client: new KubeClient(cc), server: cc.server };
  } catch (e) {
    throw new UsageError(`${command}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Stops a standalone component on SIGINT or SIGTERM, once it has finished starting, then exits 0.
 * Installed before start() resolves: a native thread may serve (and a client signal it) earlier.
 * Returns whether a stop has begun.
 */
function stopOnSignal(what: string, starting: Promise<unknown>, stop: () => Promise<void>, client: KubeClient): () => boolean {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out(`tinykube: ${signal}, stopping ${what}`);
    void starting
      .catch(() => undefined)
      .then(stop)
      .then(() => {
        client.close();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return () => stopping;
}

/** `tinykube dns`: cluster DNS alone, against any cluster's kubeconfig (a real one included). */
export async function dnsStandalone(flags: Flags): Promise<void> {
  const kubeconfig = typeof flags['kubeconfig'] === 'string' ? flags['kubeconfig'] : undefined;
  const listen = typeof flags['listen'] === 'string' ? flags['listen'] : '127.0.0.1:53';
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(listen);
  if (!m || !isIPv4(m[1]!)) throw new UsageError(`dns: --listen "${listen}" is not IP[:PORT] such as 127.0.0.1:5353`);
  const port = parsePort('listen', m[2] ?? '53');
  const cfg = buildConfig(flags);
  const { client, server } = standaloneClient('dns', kubeconfig);
  const metricsPort = parsePort('dns-metrics-port', typeof flags['dns-metrics-port'] === 'string' ? flags['dns-metrics-port'] : '9153');
  const dns = new ClusterDns({ client, host: m[1]!, port, metricsPort, domain: cfg.clusterDomain, ttl: cfg.dnsTtl, upstreams: cfg.dnsUpstreams, publishEndpoints: false, log: (msg) => process.stderr.write(`${msg}\n`) });
  try {
    await dns.start();
  } catch (e) {
    await dns.stop();
    client.close();
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.includes('EACCES')) throw new UsageError(`dns: cannot listen on ${listen}: ports below 1024 need root; choose another with --listen IP:PORT`);
    throw new UsageError(`dns: ${msg}`);
  }
  out(`tinykube: cluster DNS for ${cfg.clusterDomain} on ${m[1]}:${dns.port}${dns.udpPath === 'native' ? ' (native UDP path)' : ''} against ${server}; ${dns.upstreams.length > 0 ? `other names via ${dns.upstreams.join(', ')}` : 'other names refused'}; metrics http://${m[1]}:${dns.metricsPort}/metrics`);
  stopOnSignal('cluster DNS', Promise.resolve(), () => dns.stop(), client);
}

/** `tinykube proxy`: the service proxy alone, against any cluster's kubeconfig (a real one included). */
export async function proxyStandalone(flags: Flags): Promise<void> {
  const kubeconfig = typeof flags['kubeconfig'] === 'string' ? flags['kubeconfig'] : undefined;
  const ip = typeof flags['node-ip'] === 'string' ? flags['node-ip'] : '127.0.0.1';
  if (!isIPv4(ip)) throw new UsageError(`proxy: --node-ip "${ip}" is not an IPv4 address`);
  const name = typeof flags['name'] === 'string' ? flags['name'] : hostname();
  const { client, server } = standaloneClient('proxy', kubeconfig);
  const metricsPort = parsePort('proxy-metrics-port', typeof flags['proxy-metrics-port'] === 'string' ? flags['proxy-metrics-port'] : '10249');
  const proxy = new ServiceProxy({ client, nodeName: name, nodeIPs: [ip], metrics: { host: ip, port: metricsPort }, log: (m) => process.stderr.write(`${m}\n`) });
  // Handlers first: the native relay serves a cluster IP from its own thread before start()
  // returns, so a client may see the proxy working (and signal it) while start() finishes.
  const starting = proxy.start();
  const stopping = stopOnSignal('the proxy', starting, () => proxy.stop(), client);
  await starting;
  if (!stopping()) out(`tinykube: service proxy for node ${name} (${ip}) running against ${server}; metrics http://${ip}:${proxy.metricsPort}/metrics`);
}

/**
 * `tinykube ingress`: the ingress controller alone, against any cluster's kubeconfig (a real one
 * included). It makes IngressClass "tinykube" when absent (not the default class: on a cluster of
 * its own, Ingresses name it) and serves the Ingresses of its controller.
 */
export async function ingressStandalone(flags: Flags): Promise<void> {
  const kubeconfig = typeof flags['kubeconfig'] === 'string' ? flags['kubeconfig'] : undefined;
  const ip = typeof flags['node-ip'] === 'string' ? flags['node-ip'] : '127.0.0.1';
  if (!isIPv4(ip)) throw new UsageError(`ingress: --node-ip "${ip}" is not an IPv4 address`);
  const httpPort = parsePort('ingress-http-port', typeof flags['ingress-http-port'] === 'string' ? flags['ingress-http-port'] : '80');
  const httpsPort = parsePort('ingress-https-port', typeof flags['ingress-https-port'] === 'string' ? flags['ingress-https-port'] : '443');
  if (httpPort !== 0 && httpPort === httpsPort) throw new UsageError(`ingress: --ingress-http-port and --ingress-https-port are both ${httpPort}; give them different ports`);
  const { client, server } = standaloneClient('ingress', kubeconfig);
  const controller = new IngressController({ client, addresses: [ip], httpPort, httpsPort, classes: [{ name: 'tinykube', default: false }], log: (m) => process.stderr.write(`${m}\n`) });
  const starting = controller.start();
  const stopping = stopOnSignal('the ingress controller', starting, () => controller.stop(), client);
  let started;
  try {
    started = await starting;
  } catch (e) {
    client.close();
    if (e instanceof IngressListenError) throw new UsageError(`ingress: ${e.failures.map(listenFailure).join('; ')}`);
    throw e;
  }
  for (const f of started.failures) process.stderr.write(`tinykube: ingress: ${listenFailure(f)}\n`);
  const on = (scheme: 'http' | 'https', port: number): string => (started.failures.some((f) => f.scheme === scheme) ? '' : `${scheme.toUpperCase()} on ${ip}:${port}`);
  if (!stopping()) out(`tinykube: ingress controller (class tinykube) running against ${server}; ${[on('http', started.httpPort), on('https', started.httpsPort)].filter(Boolean).join(', ')}`);
}

/**
 * `tinykube dns host-setup` / `host-reset`: route the cluster domain from this host's
 * systemd-resolved to cluster DNS (src/dns/host.ts). The cluster's settings come from
 * <data-dir>/cluster.json when `up` ran there; --server, --domain (or --cluster-domain), --service-cidr override.
 */
export async function dnsHost(action: 'setup' | 'reset', flags: Flags): Promise<void> {
  const env: HostEnv = { root: '/', run: realRunner, privileged: process.getuid?.() === 0, lookup: realLookup, askServer: realAskServer, self: selfCommand() };
  const dryRun = flags['dry-run'] === true;
  const setup = async (): Promise<Awaited<ReturnType<typeof setupHost>>> => {
    const { config, from } = hostDnsConfig(flags);
    out(`tinykube: cluster DNS ${config.server}:${config.port}, domain ${config.domain}, service range ${config.serviceCidr} (${from})`);
    return setupHost(config, env, dryRun);
  };
  const result = action === 'reset' ? await resetHost(env, dryRun) : await setup();
  for (const line of result.lines) out(`tinykube: ${line}`);
  if (!result.ok) process.exitCode = result.exitCode;
}

/** This program as it was started, for a command the user reruns with sudo (whose PATH may not find tinykube). */
function selfCommand(): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [process.execPath, process.argv[1] ?? 'tinykube'].map(quote).join(' ');
}

function hostDnsConfig(flags: Flags): { config: HostDnsConfig; from: string } {
  const file = join(dataDirOf(flags), 'cluster.json');
  let saved: Partial<ClusterConfig> = {};
  if (existsSync(file)) {
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterConfig>;
    } catch (e) {
      throw new UsageError(`dns host-setup: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const from = existsSync(file) ? `${file}, with any flags given` : `no ${file}: defaults, with any flags given`;
  const str = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const serviceCidr = str('service-cidr') ?? saved.serviceCidr ?? DEFAULTS.serviceCidr;
  // --domain and --cluster-domain (up's name for it) are one setting.
  const [short, long] = [str('domain'), str('cluster-domain')];
  if (short !== undefined && long !== undefined && short !== long) throw new UsageError(`--domain "${short}" and --cluster-domain "${long}" disagree; give one`);
  const domainFlag = short !== undefined ? '--domain' : '--cluster-domain';
  const domain = (short ?? long ?? saved.clusterDomain ?? DEFAULTS.clusterDomain).replace(/\.$/, '');
  if (!parseIpv4Cidr(serviceCidr)) throw new UsageError(`--service-cidr: "${serviceCidr}" is not an IPv4 CIDR`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) throw new UsageError(`${domainFlag}: "${domain}" is not a DNS domain such as cluster.local`);
  const given = str('server');
  if (given !== undefined) {
    const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(given);
    const port = m ? Number(m[2] ?? '53') : NaN;
    if (!m || !isIPv4(m[1]!) || !(port >= 1 && port <= 65535)) throw new UsageError(`--server: "${given}" is not IP[:PORT] such as 127.96.0.10 or 127.0.0.1:5353`);
    return { config: { server: m[1]!, port, domain, serviceCidr }, from };
  }
  const server = serviceAddress(serviceCidr, 10);
  if (!server) throw new UsageError(`--service-cidr ${serviceCidr} has no .10 address for cluster DNS; give --server`);
  if (saved.dns === false) throw new UsageError(`the cluster of ${file} runs without cluster DNS (up --no-dns); give --server IP[:PORT] of the DNS server to use`);
  const port = saved.dnsPort ?? DEFAULTS.dnsPort;
  if (port === 0) throw new UsageError(`the cluster of ${file} took a free port for cluster DNS (--dns-port 0); give --server ${server}:PORT with the port its up printed`);
  return { config: { server, port, domain, serviceCidr }, from };
}
