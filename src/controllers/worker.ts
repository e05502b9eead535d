// The controller manager's thread: it talks to the API server over HTTPS like any client, so a
// burst of reconciles never competes with request handling on the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { KubeClient } from '../client/index.js';
import { CONTROLLERS } from './all.js';
import type { ClusterFacts } from './controller.js';
import { ControllerManager } from './manager.js';

export interface ControllerWorkerData {
  server: string;
  token: string;
  caPem: string;
  cluster: ClusterFacts;
  controllers: string[];
}

const data = workerData as ControllerWorkerData;
const port = parentPort!;
const log = (msg: string): void => port.postMessage({ type: 'log', msg });
const client = new KubeClient({ server: data.server, token: data.token, ca: data.caPem });
const manager = new ControllerManager({
  client,
  cluster: data.cluster,
  controllers: data.controllers.map((name) => CONTROLLERS[name]!()),
  log,
});
port.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  void manager.stop().finally(() => {
    client.close();
    port.postMessage({ type: 'stopped' });
  });
});
manager.start().then(
  () => port.postMessage({ type: 'ready' }),
  (e: unknown) => port.postMessage({ type: 'failed', msg: e instanceof Error ? e.message : String(e) }),
);
