// The watch event envelope (meta/v1 WatchEvent) parsed into a typed value at the edge, so
// consumers can switch on `type` and trust `object`'s shape.

import { isObject, type KubeObject, type Status } from '../api/types.js';
import { isStatus } from './errors.js';

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Only metadata.resourceVersion is meaningful: "you are caught up to here". */
  | { type: 'BOOKMARK'; object: T }
  /** The watch failed; 410 means the requested resourceVersion was compacted: relist. */
  | { type: 'ERROR'; object: Status };

export type WatchEventType = WatchEvent['type'];

/** Validate one decoded value of a watch stream. Throws naming what was wrong. */
export function parseWatchEvent<T extends KubeObject>(value: unknown): WatchEvent<T> {
  if (!isObject(value)) throw new Error('watch stream: event is not a JSON object');
  const { type, object } = value;
  if (!isObject(object)) throw new Error(`watch stream: ${String(type)} event has no object`);
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
    case 'BOOKMARK':
      if (!isObject(object['metadata'])) throw new Error(`watch stream: ${type} event object has no metadata`);
      return { type, object: object as T };
    case 'ERROR':
      // Servers have been seen to send a bare object; keep it a Status so callers can read .code.
      return { type, object: isStatus(object) ? object : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, message: JSON.stringify(object) } };
    default:
      throw new Error(`watch stream: unknown event type ${JSON.stringify(type)}`);
  }
}
