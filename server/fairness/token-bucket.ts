/**
 * Per-key token buckets (a key is a client address or a socket): `take(key)`
 * is true while the key has tokens; tokens refill at `perSecond` up to `burst`.
 * Idle keys are forgotten, so memory stays bounded by active clients.
 */
export class TokenBuckets {
  readonly burst: number;
  readonly perSecond: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #maxKeys: number;

  constructor(burst: number, perSecond: number, maxKeys = 100_000) {
    this.burst = burst;
    this.perSecond = perSecond;
    this.#maxKeys = maxKeys;
  }

  /** Takes `n` tokens if there are that many. */
  take(key: string, n = 1, now = Date.now()): boolean {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetFull(now);
      b = { tokens: this.burst, at: now };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }

  /** Seconds until `n` tokens are available for key (for Retry-After). */
  waitSeconds(key: string, n = 1): number {
    const b = this.#buckets.get(key);
    if (!b) return 0;
    return Math.max(1, Math.ceil((n - b.tokens) / this.perSecond));
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  #forgetFull(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.#buckets.delete(key);
    }
  }
}
