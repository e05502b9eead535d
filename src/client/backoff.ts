// Exponential backoff with jitter, for reconnecting to the API server: many clients that lost
// the server together must not all come back in the same millisecond.

export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  initialMs?: number;
  /** Ceiling. Default 10 s. */
  maxMs?: number;
  /** Growth per failure. Default 2. */
  factor?: number;
  /** Fraction of the delay that is random: 0.5 means 50-100 % of the nominal delay. Default 0.5. */
  jitter?: number;
  /** Injected for deterministic tests. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private nominal: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 100;
    this.maxMs = opts.maxMs ?? 10_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.5;
    this.random = opts.random ?? Math.random;
    this.nominal = this.initialMs;
  }

  /** The delay before the next attempt; each call grows the following one. */
  next(): number {
    const nominal = Math.min(this.nominal, this.maxMs);
    this.nominal = Math.min(this.nominal * this.factor, this.maxMs);
    return Math.round(nominal * (1 - this.jitter * this.random()));
  }

  /** Call after a success: the next failure starts small again. */
  reset(): void {
    this.nominal = this.initialMs;
  }
}
