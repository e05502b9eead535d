// The controllers component's public face: the controller manager, run on its own thread
// beside the API server (`startControllers`), or in-process for tests (`ControllerManager`).
import { CONTROLLERS } from './all.js';
import type { ClusterFacts } from './controller.js';
import type { ControllerWorkerData } from './worker.js';
import { startComponentThread } from '../client/thread.js';

export { CONTROLLERS } from './all.js';
export type { ClusterFacts, Controller, ControllerContext } from './controller.js';
export { EventRecorder, type EventType, type Involved } from '../client/index.js';
export { SharedInformers } from './informers.js';
export { ControllerManager, type ControllerManagerOptions } from './manager.js';

export interface StartControllersOptions {
  server: string;
  token: string;
  caPem: string;
  cluster: ClusterFacts;
  /** Names from CONTROLLERS; default all. */
  controllers?: string[];
  log?: (msg: string) => void;
}

export interface RunningControllers {
  stop(): Promise<void>;
}

/** Runs the controller manager on a worker thread; resolves once every informer has synced. */
export async function startControllers(opts: StartControllersOptions): Promise<RunningControllers> {
  const names = opts.controllers ?? Object.keys(CONTROLLERS);
  for (const n of names) if (!CONTROLLERS[n]) throw new Error(`unknown controller ${n}; known: ${Object.keys(CONTROLLERS).join(', ')}`);
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const data: ControllerWorkerData = { server: opts.server, token: opts.token, caPem: opts.caPem, cluster: opts.cluster, controllers: names };
  const thread = await startComponentThread<void>(new URL('./worker.js', import.meta.url), data, { name: 'controllers', log });
  return { stop: () => thread.stop() };
}
