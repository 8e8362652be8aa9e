// A deterministic random source for the mock portal: the same seed gives the same dataset,
// the same app secrets and the same pass-code master key, so demos and tests are reproducible.
// It is HMAC-SM3 in counter mode (block i = HMAC-SM3(seed, "passgate mock drbg" || i)), which
// keeps the output unpredictable as long as the seed is secret (a random seed in production use).
import type { CryptoSuite } from '../../crypto/suite.js';

const LABEL = Buffer.from('passgate mock drbg', 'utf8');

export type Seed = string | number | Uint8Array;

export function seedBytes(seed: Seed): Buffer {
  if (typeof seed === 'number') return Buffer.from(`n:${seed}`, 'utf8');
  if (typeof seed === 'string') return Buffer.from(`s:${seed}`, 'utf8');
  return Buffer.concat([Buffer.from('b:', 'utf8'), Buffer.from(seed)]);
}

export class SeededRandom {
  readonly #key: Buffer;
  readonly #crypto: CryptoSuite;
  #counter = 0;
  #pool: Buffer = Buffer.alloc(0);

  constructor(seed: Seed, crypto: CryptoSuite) {
    this.#key = seedBytes(seed);
    this.#crypto = crypto;
  }

  bytes(length: number): Buffer {
    while (this.#pool.length < length) {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(this.#counter++);
      this.#pool = Buffer.concat([this.#pool, this.#crypto.hmacSm3(this.#key, Buffer.concat([LABEL, counter]))]);
    }
    const out = this.#pool.subarray(0, length);
    this.#pool = this.#pool.subarray(length);
    return Buffer.from(out);
  }

  hex(byteLength: number): string {
    return this.bytes(byteLength).toString('hex');
  }

  /** Uniform integer in [0, bound), bound ≤ 2^32, by rejection sampling (no modulo bias). */
  int(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new RangeError('bound out of range');
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const value = this.bytes(4).readUInt32BE(0);
      if (value < limit) return value % bound;
    }
  }

  /** Uniform number in [0, 1) with 32 bits of resolution; the shape `() => number` callers want. */
  fraction(): number {
    return this.bytes(4).readUInt32BE(0) / 2 ** 32;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(items.length)];
  }
}
