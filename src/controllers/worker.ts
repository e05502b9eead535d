// The controller manager's thread: it talks to the API server over HTTPS like any client, so a
// burst of reconciles never competes with request handling on the server's event loop.
import { workerData } from 'node:worker_threads';
import { KubeClient } from '../client/index.js';
import { serveComponentThread, threadLog } from '../client/thread.js';
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
const client = new KubeClient({ server: data.server, token: data.token, ca: data.caPem });
const manager = new ControllerManager({
  client,
  cluster: data.cluster,
  controllers: data.controllers.map((name) => CONTROLLERS[name]!()),
  log: threadLog,
});
serveComponentThread(
  () => manager.start(),
  () => manager.stop().finally(() => client.close()),
);
