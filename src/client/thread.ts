// A component (an API client: controllers, proxy, DNS) on a worker thread of its own, so that a
// burst of work elsewhere in the process never shows as its latency. One protocol for all: the
// thread posts 'log' lines, its own messages, then 'ready' (with a payload) or 'failed'; the
// parent posts 'stop' and the thread answers 'stopped' once it has shut down.
import { parentPort, Worker } from 'node:worker_threads';

interface ThreadMessage {
  type: string;
  msg?: string;
  ready?: unknown;
}

export interface ComponentThread<R> {
  /** What the thread reported with 'ready' (ports it bound...). */
  ready: R;
  /** Asks the thread to shut down (at most `stopTimeoutMs`), then ends it. */
  stop(): Promise<void>;
}

export interface ComponentThreadOptions {
  /** Names the component in errors ("proxy thread exited with code 1"). */
  name: string;
  log: (msg: string) => void;
  /** Any other message the thread posts. */
  onMessage?: (m: { type: string } & Record<string, unknown>) => void;
  stopTimeoutMs?: number;
}

/** Starts `script` (a worker module that calls serveComponentThread) and resolves once it is ready. */
export async function startComponentThread<R>(script: URL, workerData: unknown, opts: ComponentThreadOptions): Promise<ComponentThread<R>> {
  const worker = new Worker(script, { workerData });
  let stopped: (() => void) | undefined;
  const ready = await new Promise<R>((resolve, reject) => {
    worker.on('message', (m: ThreadMessage & Record<string, unknown>) => {
      if (m.type === 'log') opts.log(m.msg ?? '');
      else if (m.type === 'ready') resolve(m.ready as R);
      else if (m.type === 'failed') reject(new Error(`${opts.name}: ${m.msg ?? 'failed'}`));
      else if (m.type === 'stopped') stopped?.();
      else opts.onMessage?.(m);
    });
    worker.on('error', (e) => {
      opts.log(`${opts.name}: ${e.message}`);
      reject(e);
    });
    worker.on('exit', (code) => {
      stopped?.();
      if (code !== 0) reject(new Error(`${opts.name} thread exited with code ${code}`));
    });
  });
  return {
    ready,
    async stop() {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.stopTimeoutMs ?? 5_000);
        stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.postMessage({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}

/** Inside the thread: posts a log line to the parent. */
export function threadLog(msg: string): void {
  parentPort?.postMessage({ type: 'log', msg });
}

/** Inside the thread: posts a message of the component's own to the parent (ComponentThreadOptions.onMessage). */
export function threadPost(m: { type: string } & Record<string, unknown>): void {
  parentPort?.postMessage(m);
}

/** Inside the thread: runs `start`, reports ready or failed, and runs `stop` when the parent asks. */
export function serveComponentThread<R>(start: () => Promise<R>, stop: () => Promise<void>): void {
  const port = parentPort!;
  port.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    void stop()
      .catch((e: unknown) => threadLog(`stopping: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => port.postMessage({ type: 'stopped' }));
  });
  start().then(
    (ready) => port.postMessage({ type: 'ready', ready }),
    (e: unknown) => port.postMessage({ type: 'failed', msg: e instanceof Error ? e.message : String(e) }),
  );
}
