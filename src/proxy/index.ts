// The service proxy's public face: `startProxy` runs it on its own thread beside the API server
// (tinykube up); `ServiceProxy` runs in-process (tests, `tinykube proxy` against any kubeconfig).
import { startComponentThread } from '../client/thread.js';
import type { BindFailure } from './userspace/index.js';
import type { ProxyWorkerData } from './worker.js';

export { ServiceProxy, type ServiceProxyOptions } from './proxy.js';
export type { BindFailure } from './userspace/index.js';
export * from './types.js';
// The shared endpoint tracking, for other data-plane components (the ingress controller).
export { BoundedFrequencyRunner, ChangeTracker } from './tracker/index.js';
export { leanEndpointSlice, leanService } from './lean.js';

export interface RunningProxy {
  /** Where /metrics and /healthz answer. */
  metricsPort: number;
  /** What carries TCP: 'native' (native/relay.c on its own thread) or 'js' (Node sockets). */
  relay: 'native' | 'js';
  stop(): Promise<void>;
}

export async function startProxy(opts: ProxyWorkerData & { log?: (msg: string) => void; onBindFailure?: (f: BindFailure) => void }): Promise<RunningProxy> {
  const { log = (m: string) => process.stderr.write(`${m}\n`), onBindFailure, ...data } = opts;
  const thread = await startComponentThread<{ metricsPort: number; relay: 'native' | 'js' }>(new URL('./worker.js', import.meta.url), data satisfies ProxyWorkerData, {
    name: 'proxy',
    log,
    onMessage: (m) => {
      if (m.type === 'bind-failure') onBindFailure?.(m['failure'] as BindFailure);
    },
  });
  return { metricsPort: thread.ready.metricsPort, relay: thread.ready.relay, stop: () => thread.stop() };
}
