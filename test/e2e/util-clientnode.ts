// Loads @kubernetes/client-node on Node 20. Its 2.x line depends on undici 8, which declares
// Node >= 22.19 and, at load time, binds two functions Node 20 lacks: zlib.createZstdDecompress
// (zstd response decoding, which our server never uses) and worker_threads.markAsUncloneable
// (a structured-clone marker for its Cache API objects, unused here). Stand-ins for exactly
// those two let the real client, its HTTP stack and its watch code run against our server.
import wt from 'node:worker_threads';
import zlib from 'node:zlib';

type Patchable = Record<string, unknown>;
if (typeof (zlib as unknown as Patchable)['createZstdDecompress'] !== 'function') {
  (zlib as unknown as Patchable)['createZstdDecompress'] = (): never => {
    throw new Error('zstd decompression needs Node >= 22.15');
  };
}
if (typeof (wt as unknown as Patchable)['markAsUncloneable'] !== 'function') {
  (wt as unknown as Patchable)['markAsUncloneable'] = (): void => undefined;
}

// ES2024's Promise.withResolvers (Node 22), which undici's fetch calls on every request.
const P = Promise as unknown as Patchable;
if (typeof P['withResolvers'] !== 'function') {
  P['withResolvers'] = function withResolvers<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export const k8s = await import('@kubernetes/client-node');
