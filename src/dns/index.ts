// Cluster DNS's public face: `startDns` runs it on its own thread beside the API server
// (tinykube up); `ClusterDns` runs in-process (tests, `tinykube dns` against any kubeconfig).
import { startComponentThread } from '../client/thread.js';
import type { DnsReady, DnsWorkerData } from './worker.js';

export { ClusterDns, hostResolvers, type ClusterDnsOptions } from './dns.js';
export type { DnsReady } from './worker.js';
export { realAskServer, realLookup, realRunner, resetHost, setupHost, type HostDnsConfig, type HostEnv } from './host.js';

export interface RunningDns extends DnsReady {
  stop(): Promise<void>;
}

export async function startDns(opts: DnsWorkerData & { log?: (msg: string) => void }): Promise<RunningDns> {
  const { log = (m: string) => process.stderr.write(`${m}\n`), ...data } = opts;
  const thread = await startComponentThread<DnsReady>(new URL('./worker.js', import.meta.url), data satisfies DnsWorkerData, { name: 'dns', log });
  return { ...thread.ready, stop: () => thread.stop() };
}
