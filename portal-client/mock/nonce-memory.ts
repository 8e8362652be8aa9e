// The nonces the mock portal has accepted, authorize and sealed requests in one set (a nonce is
// never good twice, whichever interface it came with). A nonce is kept for twice the replay window
// of elapsed time, measured on a monotonic clock: a step of the wall clock (the clockSkewMs fault,
// NTP, a manual set) must not make the portal forget a nonce while a request carrying it could
// still pass the timestamp check, or a captured request would be accepted again.

export class NonceMemory {
  /** nonce → when it may be forgotten, on the monotonic clock. */
  readonly #seen = new Map<string, number>();
  readonly #keepMs: number;
  readonly #monotonicNow: () => number;
  #nextSweep = 0;

  /** `keepMs`: how long a nonce is remembered (2 × the replay window). */
  constructor(keepMs: number, monotonicNow: () => number = () => performance.now()) {
    this.#keepMs = keepMs;
    this.#monotonicNow = monotonicNow;
  }

  /** False when the nonce was seen within keepMs; otherwise remembers it and returns true. */
  remember(nonce: string): boolean {
    const now = this.#monotonicNow();
    // Forget expired nonces at most once a second: a sweep per request would make a long run
    // (the 100,000-scan bench) quadratic.
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + 1000;
      for (const [n, expiry] of this.#seen) if (expiry <= now) this.#seen.delete(n);
    }
    const expiry = this.#seen.get(nonce);
    if (expiry !== undefined && expiry > now) return false;
    this.#seen.set(nonce, now + this.#keepMs);
    return true;
  }

  /** Nonces held now (expired ones included until the next sweep). */
  get size(): number {
    return this.#seen.size;
  }
}
