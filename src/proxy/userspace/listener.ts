// A socket the proxy holds for one address:port/protocol on behalf of one service port.
import type { Protocol } from '../types.js';
import type { TrafficCounters } from './counters.js';
import type { TrafficClass } from './select.js';
import type { ServicePortRuntime } from './serviceport.js';

export interface ListenerSpec {
  address: string;
  port: number;
  protocol: Protocol;
  traffic: TrafficClass;
}

export interface Listener extends ListenerSpec {
  readonly owner: ServicePortRuntime;
  /** Makes the socket match the owner's current endpoints; resolves with the OS error if it cannot bind. */
  sync(): Promise<Error | undefined>;
  /** Closes the socket and every connection or session that came through it. */
  close(): Promise<void>;
  /** Bytes of connections still open (not yet in the counters): [in, out]. */
  liveBytes(): [number, number];
  /**
   * For a listener that counts its own traffic (the native TCP relay): everything it counted and
   * has not yet folded into the owner's counters (it folds them in when it closes).
   */
  liveCounters?(): TrafficCounters;
}

export interface ListenerContext {
  log: (msg: string) => void;
  connectTimeoutMs: number;
  udpIdleTimeoutMs: number;
}

export function listenerId(s: { address: string; port: number; protocol: Protocol }): string {
  return `${s.address}:${s.port}/${s.protocol}`;
}

/** "::ffff:127.0.0.1" -> "127.0.0.1" (IPv4 clients of a dual-stack socket). */
export function plainIPv4(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
