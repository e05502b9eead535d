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
  /** A failed connect to an endpoint, logged at most once per window per service port (a dead pod fails every connection). */
  connectFailed: (key: string, text: string) => void;
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

/**
 * Rate-limits the failed-connect lines of each service port: the first is logged, the rest of
 * the window only counted, and the count is said with the next line after the window.
 */
export class ConnectFailureLog {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly log: (msg: string) => void,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  failed(key: string, text: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && t < w.until) {
      w.suppressed++;
      return;
    }
    const more = w && w.suppressed > 0 ? ` (and ${w.suppressed} more failed connects in the previous ${this.windowMs / 1000} s)` : '';
    this.log(`proxy: ${key}: ${text}${more}`);
    this.windows.set(key, { until: t + this.windowMs, suppressed: 0 });
    if (this.windows.size > 10_000) this.prune(t);
  }

  private prune(t: number): void {
    for (const [key, w] of this.windows) if (w.until <= t && w.suppressed === 0) this.windows.delete(key);
  }
}
