// The main thread's handle on the writer thread: it forwards writes (coalescing those issued in
// the same tick into one message), and settles each write's promise in order once the writer
// reports the transaction that applied it as committed. fsync happens on the writer thread,
// so the main event loop (HTTP server, watch fan-out) never waits on the disk.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StorageError } from './types.js';
import type { WatchEvent } from './types.js';
import type { FromWriter, OpOutcome, ToWriter, WriteOp, WriterInit } from './writer-protocol.js';
import { writerThreadMain } from './writer-thread.js';

/** Group-commit figures: how many writes shared each fsync. */
export interface WriterStats {
  /** Committed transactions. */
  batches: number;
  /** Ops applied in them. */
  ops: number;
  /** Largest number of ops in one transaction. */
  maxBatch: number;
}

export interface CommitListener {
  /** A transaction committed; `events` are its watch events in revision order. */
  onCommitted(events: WatchEvent[], revision: number, compacted: number): void;
}

interface Pending {
  resolve(outcome: OpOutcome): void;
  reject(err: StorageError): void;
}

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

// The worker evaluates this text; writerThreadMain is self-contained (see writer-thread.ts).
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
(${writerThreadMain.toString()})(parentPort, workerData.init, require(workerData.driverPath));
`;

export class WriterClient {
  private readonly pending: Pending[] = [];
  private pendingHead = 0;
  private outgoing: WriteOp[] = [];
  private flushQueued = false;
  private failure: StorageError | undefined;
  private closing: Promise<void> | undefined;
  private exited = false;
  readonly stats: WriterStats = { batches: 0, ops: 0, maxBatch: 0 };

  private constructor(
    private readonly worker: Worker,
    private readonly listener: CommitListener,
  ) {
    worker.once('exit', () => {
      this.exited = true;
    });
  }

  /** Starts the writer thread; resolves with the revision counters once the database is open. */
  static start(init: WriterInit, listener: CommitListener): Promise<{ writer: WriterClient; revision: number; compacted: number }> {
    const worker = new Worker(workerSource, { eval: true, workerData: { init, driverPath } });
    const writer = new WriterClient(worker, listener);
    return new Promise((resolve, reject) => {
      const onStartupExit = (code: number): void => reject(new StorageError('Internal', `storage writer exited with code ${code} while opening ${init.path}`));
      worker.once('exit', onStartupExit);
      worker.once('message', (msg: FromWriter) => {
        worker.off('exit', onStartupExit);
        if (msg.type !== 'ready') {
          void worker.terminate();
          reject(new StorageError('Internal', msg.type === 'fatal' ? msg.message : `storage writer sent ${msg.type} before ready`));
          return;
        }
        writer.listen();
        resolve({ writer, revision: msg.revision, compacted: msg.compacted });
      });
      worker.once('error', (err) => reject(new StorageError('Internal', `storage writer failed while opening ${init.path}: ${err.message}`)));
    });
  }

  /** Queues a write; resolves after the transaction containing it committed. */
  submit(op: WriteOp): Promise<OpOutcome> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closing !== undefined) return Promise.reject(new StorageError('Closed', 'the store is closed'));
    return new Promise<OpOutcome>((resolve, reject) => {
      // Keep the process alive only while writes are in flight; an idle store does not.
      if (this.inFlight() === 0) this.worker.ref();
      this.pending.push({ resolve, reject });
      this.outgoing.push(op);
      if (!this.flushQueued) {
        this.flushQueued = true;
        // One message per event-loop turn: writes from every request of this I/O phase travel together.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Lets queued writes finish, then stops the writer thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.flush();
      const finish = (): void => {
        this.failAll(new StorageError('Closed', 'the store closed before this write was applied'));
        resolve();
      };
      if (this.exited) {
        finish();
        return;
      }
      this.worker.ref();
      this.worker.once('exit', finish);
      if (this.failure === undefined) this.post({ type: 'close' });
      else void this.worker.terminate();
    });
    return this.closing;
  }

  private inFlight(): number {
    return this.pending.length - this.pendingHead;
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outgoing.length === 0) return;
    const ops = this.outgoing;
    this.outgoing = [];
    this.post({ type: 'ops', ops });
  }

  private post(msg: ToWriter): void {
    this.worker.postMessage(msg);
  }

  private listen(): void {
    this.worker.unref();
    this.worker.on('message', (msg: FromWriter) => {
      if (msg.type === 'committed') this.committed(msg.outcomes, msg.events, msg.revision, msg.compacted);
      else if (msg.type === 'fatal') this.fail(new StorageError('Internal', msg.message));
      else if (msg.type === 'closed') void this.worker.terminate();
    });
    this.worker.on('error', (err) => this.fail(new StorageError('Internal', `storage writer failed: ${err.message}`)));
    this.worker.on('exit', (code) => {
      if (this.closing === undefined) this.fail(new StorageError('Internal', `storage writer exited unexpectedly (code ${code})`));
    });
  }

  private committed(outcomes: OpOutcome[], events: WatchEvent[], revision: number, compacted: number): void {
    this.stats.batches++;
    this.stats.ops += outcomes.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, outcomes.length);
    // Watchers first, then the writers: whoever awaits a write and then watches from its
    // revision finds the event already in the watch cache.
    this.listener.onCommitted(events, revision, compacted);
    for (const outcome of outcomes) {
      const waiter = this.pending[this.pendingHead++];
      if (waiter === undefined) {
        this.fail(new StorageError('Internal', 'storage writer reported more outcomes than writes sent'));
        return;
      }
      waiter.resolve(outcome);
    }
    this.compactPending();
    if (this.inFlight() === 0 && this.closing === undefined) this.worker.unref();
  }

  private compactPending(): void {
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private fail(err: StorageError): void {
    this.failure ??= err;
    this.failAll(err);
    void this.worker.terminate();
  }

  private failAll(err: StorageError): void {
    while (this.pendingHead < this.pending.length) this.pending[this.pendingHead++]!.reject(err);
    this.pending.length = 0;
    this.pendingHead = 0;
  }
}
