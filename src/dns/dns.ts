// Cluster DNS (CoreDNS with the kubernetes plugin, as kubeadm configures it): the cluster zone kept
// in step with the API, a server answering it on kube-dns's address and forwarding other names,
// metrics and health on :9153, and the Endpoints of kube-dns naming where it answers. An API
// client like every component, so it runs against any cluster's kubeconfig.
import { readFileSync } from 'node:fs';
import type { KubeClient } from '../client/index.js';
import { publishDnsEndpoints } from './endpoints.js';
import { DnsMetrics } from './metrics.js';
import { DnsServer } from './server.js';
import { ZoneInformers } from './informers.js';
import { ClusterZone, type PodMode } from './zone.js';

export interface ClusterDnsOptions {
  client: KubeClient;
  /** Where it answers: kube-dns's cluster IP and 53. */
  host: string;
  port: number;
  /** CoreDNS's metrics port (9153) on the same address; 0 picks one. */
  metricsPort: number;
  domain: string;
  ttl: number;
  podMode?: PodMode;
  /** Resolvers for other names ("ADDR[:PORT]"); default the host's (/etc/resolv.conf). */
  upstreams?: string[];
  /** Clients answered (CIDRs); others get REFUSED. Default loopback, where the whole cluster lives. */
  allow?: string[];
  /** Write kube-system/kube-dns's Endpoints to name this server (what `tinykube up` does). */
  publishEndpoints: boolean;
  log?: (msg: string) => void;
}

export class ClusterDns {
  private readonly zone: ClusterZone;
  private readonly informers: ZoneInformers;
  private server?: DnsServer;
  private metrics?: DnsMetrics;
  private published = false;
  private readonly log: (msg: string) => void;
  /** The port answering DNS and the metrics port, once started. */
  port = 0;
  metricsPort = 0;
  upstreams: string[] = [];
  /** Who carries UDP once started: 'native' (native/dns.c) or 'js'. */
  udpPath: 'native' | 'js' = 'js';

  constructor(private readonly opts: ClusterDnsOptions) {
    this.log = opts.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.zone = new ClusterZone({ domain: opts.domain, ttl: opts.ttl, podMode: opts.podMode ?? 'insecure', dnsServiceIP: opts.host });
    this.informers = new ZoneInformers({
      client: opts.client,
      zone: this.zone,
      onError: (res, phase, err) => this.log(`dns: ${res} ${phase}: ${err.message}`),
      // coredns_kubernetes_dns_programming_duration_seconds: from the change's trigger time to
      // the moment its answers are served (the zone answers from the next query on). Like CoreDNS,
      // only for headless Services, whose answers are their endpoints.
      onSliceApplied: (slice) => {
        if (slice.triggerTime === undefined || !this.zone.ready()) return;
        const kind = this.zone.serviceKind(slice.namespace, slice.service);
        if (kind === 'headless_with_selector' || kind === 'headless_without_selector') this.metrics?.programmed(kind, Math.max(0, Date.now() - slice.triggerTime));
      },
    });
  }

  /** Binds, answers SERVFAIL until the zone has synced, then serves and publishes its Endpoints. */
  async start(): Promise<void> {
    const self = `${this.opts.host}:${this.opts.port}`;
    this.upstreams = this.opts.upstreams ?? hostResolvers().filter((u) => u !== self && u !== this.opts.host);
    this.informers.start();
    this.server = await DnsServer.start({ host: this.opts.host, port: this.opts.port, lookup: this.zone, upstreams: this.upstreams, allow: this.opts.allow, log: this.log });
    this.port = this.server.udpPort;
    this.udpPath = this.server.udpPath;
    const server = this.server;
    this.metrics = new DnsMetrics(() => server.stats(), () => this.zone.ready());
    this.metricsPort = await this.metrics.listen(this.opts.host, this.opts.metricsPort);
    await this.informers.waitForSync({ timeoutMs: 60_000 });
    if (this.opts.publishEndpoints) {
      await publishDnsEndpoints(this.opts.client, { ip: this.opts.host, port: this.port, metricsPort: this.metricsPort });
      this.published = true;
    }
  }

  async stop(): Promise<void> {
    // Nobody is sent to a server that is going away.
    if (this.published) await publishDnsEndpoints(this.opts.client, undefined).catch((e: unknown) => this.log(`dns: clearing kube-dns's Endpoints: ${e instanceof Error ? e.message : String(e)}`));
    this.informers.stop();
    await this.server?.close();
    await this.metrics?.close();
  }

  stats(): ReturnType<DnsServer['stats']> | undefined {
    return this.server?.stats();
  }
}

/**
 * The host's resolvers, as pods with dnsPolicy Default get them: /etc/resolv.conf's nameservers.
 * When those are only systemd-resolved's stub listeners, the servers resolved itself uses
 * (/run/systemd/resolve/resolv.conf), as kubeadm points the kubelet there: forwarding to the stub
 * loops once resolved routes names we forward back to us (`tinykube dns host-setup`): PTR questions
 * for unknown addresses of the service range, and before systemd 258 every name no routing domain
 * matches.
 */
export function hostResolvers(path = '/etc/resolv.conf', resolvedPath = '/run/systemd/resolve/resolv.conf'): string[] {
  const listed = nameservers(path);
  if (listed.length > 0 && listed.every((s) => RESOLVED_STUBS.has(s))) {
    const behind = nameservers(resolvedPath).filter((s) => !RESOLVED_STUBS.has(s));
    if (behind.length > 0) return behind;
  }
  return listed;
}

/** systemd-resolved's stub (127.0.0.53) and proxy stub (127.0.0.54) listeners. */
const RESOLVED_STUBS = new Set(['127.0.0.53', '127.0.0.54']);

function nameservers(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}
