// For controller integration tests: a real API server on a temporary data dir, a client, and a
// ControllerManager running the controllers under test against it, in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../../apiserver/index.js';
import { KubeClient } from '../../client/index.js';
import type { ClusterFacts, Controller } from '../controller.js';
import { ControllerManager } from '../manager.js';

export interface LiveCluster {
  api: RunningApiServer;
  client: KubeClient;
  manager: ControllerManager;
  /** What the controllers logged. */
  logs: string[];
  stop(): Promise<void>;
}

export const TEST_CLUSTER: ClusterFacts = {
  serviceCidr: '127.96.0.0/12',
  podCidr: '127.244.0.0/16',
  lbPool: '127.240.0.0/24',
  clusterDomain: 'cluster.local',
};

export async function startLiveCluster(controllers: Controller[], cluster: Partial<ClusterFacts> = {}): Promise<LiveCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-controllers-it-'));
  const api = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: false, bookmarkIntervalMs: 200, compactionIntervalMs: 3_600_000 });
  const client = new KubeClient({ server: api.url, token: api.token, ca: api.caPem });
  const logs: string[] = [];
  const manager = new ControllerManager({ client, cluster: { ...TEST_CLUSTER, ...cluster }, controllers, log: (msg) => logs.push(msg) });
  await manager.start();
  const live: LiveCluster = {
    api,
    client,
    manager,
    logs,
    async stop() {
      // The manager in use now (a test may have replaced it).
      await live.manager.stop();
      client.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return live;
}

/** Polls `check` until it returns something other than undefined/false; fails with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
