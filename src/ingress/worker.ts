// The ingress controller's thread: HTTP(S) is proxied on an event loop of its own, so a burst of
// API work on the server's thread never shows as request latency.
import { workerData } from 'node:worker_threads';
import { KubeClient } from '../client/index.js';
import { serveComponentThread, threadLog as log } from '../client/thread.js';
import { IngressController, IngressListenError } from './controller.js';
import type { ListenFailure } from './server.js';

export interface IngressWorkerData {
  server: string;
  token: string;
  caPem: string;
  addresses: string[];
  httpPort: number;
  httpsPort: number;
  classes: { name: string; default: boolean }[];
}

export interface IngressReady {
  httpPort: number;
  httpsPort: number;
  failures: ListenFailure[];
}

const data = workerData as IngressWorkerData;
const client = new KubeClient({ server: data.server, token: data.token, ca: data.caPem });
const controller = new IngressController({ client, addresses: data.addresses, httpPort: data.httpPort, httpsPort: data.httpsPort, classes: data.classes, log });
serveComponentThread<IngressReady>(
  async () => {
    try {
      return await controller.start();
    } catch (e) {
      // The failures travel as JSON in the message, so the parent can word the fix.
      if (e instanceof IngressListenError) throw new Error(`listen ${JSON.stringify(e.failures)}`);
      throw e;
    }
  },
  () => controller.stop().finally(() => client.close()),
);
