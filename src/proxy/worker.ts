// The proxy's thread: traffic is relayed on an event loop of its own, so a burst of API work on
// the server's thread never shows as proxied-traffic latency.
import { workerData } from 'node:worker_threads';
import { EventRecorder, KubeClient } from '../client/index.js';
import { serveComponentThread, threadLog as log, threadPost } from '../client/thread.js';
import { ServiceProxy } from './proxy.js';

export interface ProxyWorkerData {
  server: string;
  token: string;
  caPem: string;
  nodeName: string;
  nodeIPs: string[];
  /** /metrics and /healthz on the first node address at this port (0: a free one). */
  metricsPort: number;
  /** Also serve cluster IPs, load-balancer and external IPs (the first node's proxy does). */
  serviceAddresses: boolean;
}

const data = workerData as ProxyWorkerData;
const client = new KubeClient({ server: data.server, token: data.token, ca: data.caPem });
const recorder = new EventRecorder(client, 'kube-proxy', log, data.nodeName);
const proxy = new ServiceProxy({
  client,
  nodeName: data.nodeName,
  nodeIPs: data.nodeIPs,
  metrics: { host: data.nodeIPs[0] ?? '127.0.0.1', port: data.metricsPort },
  serviceAddresses: data.serviceAddresses,
  log,
  // A port it cannot bind: a Warning on the Service (and the lead's one line in `up`).
  onBindFailure: (f) => {
    const [ns, rest] = f.key.split('/');
    const name = (rest ?? '').split(':')[0] ?? '';
    recorder.event({ kind: 'Service', apiVersion: 'v1', metadata: { namespace: ns, name } }, 'Warning', 'FailedToListen', f.message);
    threadPost({ type: 'bind-failure', failure: f });
  },
});
serveComponentThread(
  async () => {
    await proxy.start();
    return { metricsPort: proxy.metricsPort ?? 0, relay: proxy.relay };
  },
  () => proxy.stop().finally(() => client.close()),
);
