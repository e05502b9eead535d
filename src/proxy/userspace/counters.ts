// Traffic counters for metrics, kept per service port and in total.

export interface TrafficCounters {
  /** TCP connections accepted, or UDP sessions opened. */
  connectionsTotal: number;
  /** TCP connections open now (connecting or piping), or UDP sessions alive now. */
  activeConnections: number;
  /** Bytes received from clients. */
  bytesIn: number;
  /** Bytes sent to clients. */
  bytesOut: number;
  /** Failed endpoint connects, and connections or datagrams refused for want of endpoints. */
  errors: number;
}

export interface UserspaceProxyStats extends TrafficCounters {
  /** Service port key (servicePortKey) -> its counters. */
  perService: Map<string, TrafficCounters>;
}

export function zeroCounters(): TrafficCounters {
  return { connectionsTotal: 0, activeConnections: 0, bytesIn: 0, bytesOut: 0, errors: 0 };
}

/** Updates a service port's counters and the totals together. */
export class CounterPair {
  constructor(
    readonly service: TrafficCounters,
    private readonly total: TrafficCounters,
  ) {}

  opened(): void {
    this.service.connectionsTotal++;
    this.total.connectionsTotal++;
    this.service.activeConnections++;
    this.total.activeConnections++;
  }

  closed(bytesIn: number, bytesOut: number): void {
    this.service.activeConnections--;
    this.total.activeConnections--;
    this.bytes(bytesIn, bytesOut);
  }

  bytes(bytesIn: number, bytesOut: number): void {
    this.service.bytesIn += bytesIn;
    this.total.bytesIn += bytesIn;
    this.service.bytesOut += bytesOut;
    this.total.bytesOut += bytesOut;
  }

  /** Folds in what a native listener counted itself (its connections are all closed by now). */
  add(c: Omit<TrafficCounters, 'activeConnections'>): void {
    for (const t of [this.service, this.total]) {
      t.connectionsTotal += c.connectionsTotal;
      t.bytesIn += c.bytesIn;
      t.bytesOut += c.bytesOut;
      t.errors += c.errors;
    }
  }

  error(): void {
    this.service.errors++;
    this.total.errors++;
  }
}
