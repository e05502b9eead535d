// The ingress controller's public face: `startIngress` runs it on its own thread beside the API
// server (tinykube up); `IngressController` runs in-process (tests).
import { startComponentThread } from '../client/thread.js';
import type { ListenFailure } from './server.js';
import type { IngressReady, IngressWorkerData } from './worker.js';

export { IngressController, IngressListenError, type IngressControllerOptions, type IngressStartResult } from './controller.js';
export type { ListenFailure } from './server.js';

export interface RunningIngress {
  httpPort: number;
  httpsPort: number;
  /** Listeners that could not be bound; the others serve. */
  failures: ListenFailure[];
  stop(): Promise<void>;
}

/** Thrown when no listener at all could be bound. */
export class IngressStartError extends Error {
  constructor(
    message: string,
    readonly failures: ListenFailure[],
  ) {
    super(message);
  }
}

export async function startIngress(opts: IngressWorkerData & { log?: (msg: string) => void }): Promise<RunningIngress> {
  const { log = (m: string) => process.stderr.write(`${m}\n`), ...data } = opts;
  let thread;
  try {
    thread = await startComponentThread<IngressReady>(new URL('./worker.js', import.meta.url), data satisfies IngressWorkerData, { name: 'ingress', log });
  } catch (e) {
    const m = /^ingress: listen (\[.*\])$/s.exec(e instanceof Error ? e.message : '');
    if (m) throw new IngressStartError('no ingress listener could be bound', JSON.parse(m[1]!) as ListenFailure[]);
    throw e;
  }
  return { ...thread.ready, stop: () => thread.stop() };
}
