// Cluster DNS on its own thread: answering queries never waits behind API or controller work.
import { workerData } from 'node:worker_threads';
import { KubeClient } from '../client/index.js';
import { serveComponentThread, threadLog } from '../client/thread.js';
import { ClusterDns } from './dns.js';

export interface DnsWorkerData {
  server: string;
  token: string;
  caPem: string;
  host: string;
  port: number;
  metricsPort: number;
  domain: string;
  ttl: number;
  /** Default: the host's resolvers. */
  upstreams?: string[];
}

export interface DnsReady {
  port: number;
  metricsPort: number;
  upstreams: string[];
  udpPath: 'native' | 'js';
}

const data = workerData as DnsWorkerData;
const client = new KubeClient({ server: data.server, token: data.token, ca: data.caPem });
const dns = new ClusterDns({ client, host: data.host, port: data.port, metricsPort: data.metricsPort, domain: data.domain, ttl: data.ttl, upstreams: data.upstreams, publishEndpoints: true, log: threadLog });
serveComponentThread<DnsReady>(
  async () => {
    await dns.start();
    return { port: dns.port, metricsPort: dns.metricsPort, upstreams: dns.upstreams, udpPath: dns.udpPath };
  },
  () => dns.stop().finally(() => client.close()),
);
