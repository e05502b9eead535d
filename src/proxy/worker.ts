// The proxy's thread: traffic is relayed on an event loop of its own, so a burst of API work on
// the server's thread never shows as proxied-traffic latency.
import { parentPort, workerData } from 'node:worker_threads';
import { EventRecorder, KubeClient } from '../client/index.js';
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
const port = parentPort!;
const log = (msg: string): void => port.postMessage({ type: 'log', msg });
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
    recorder.event({ kind: 'Service', apiVersion: 'v1', metadata: { namespace: ns, name } }, 'Warning', 'FailedToListen', `kube-proxy cannot listen on ${f.address}:${f.port}/${f.protocol}: ${f.message}`);
    port.postMessage({ type: 'bind-failure', failure: f });
  },
});
port.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  void proxy.stop().finally(() => {
    client.close();
    port.postMessage({ type: 'stopped' });
  });
});
proxy.start().then(
  () => port.postMessage({ type: 'ready', metricsPort: proxy.metricsPort }),
  (e: unknown) => port.postMessage({ type: 'failed', msg: e instanceof Error ? e.message : String(e) }),
);
