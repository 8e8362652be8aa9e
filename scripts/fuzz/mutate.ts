// Input generators shared by the targets: byte strings mutated the way coverage-guided fuzzers
// mutate them (bit flips, interesting values, inserted, deleted, duplicated and spliced runs),
// starting from corpus entries, plus plain random bytes. Built from fast-check arbitraries, so a
// failing input shrinks: fewer mutations, smaller numbers, shorter runs.
import fc from 'fast-check';
import type { EntrySource } from './target.js';

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0d, 0x0a, 0x20, 0xaa, 0x96, 0x69, 0x22, 0x5c, 0x7b, 0x7d];

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number; to: number }
  | { op: 'splice'; at: number; other: number; from: number; length: number };

const byteValue = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 }));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: byteValue }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    op: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    to: fc.nat(),
  }),
  fc.record({
    op: fc.constant('splice' as const),
    at: fc.nat(),
    other: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 256 }),
  }),
);

/** Applies `mutations` in turn; a splice takes its run from `spliceSource`. */
export function applyMutations(
  bytes: Uint8Array,
  mutations: readonly Mutation[],
  spliceSource: (index: number) => Uint8Array,
): Uint8Array {
  let out = bytes;
  for (const m of mutations) out = applyMutation(out, m, spliceSource);
  return out;
}

function applyMutation(bytes: Uint8Array, m: Mutation, corpusBytes: (i: number) => Uint8Array): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.op) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[m.at % n] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return Uint8Array.of(m.value);
      const out = bytes.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + m.length)));
    case 'duplicate': {
      const run = bytes.subarray(at, Math.min(n, at + m.length));
      const to = m.to % (n + 1);
      return concat(bytes.subarray(0, to), run, bytes.subarray(to));
    }
    case 'splice': {
      const other = corpusBytes(m.other);
      const from = other.length === 0 ? 0 : m.from % other.length;
      return concat(bytes.subarray(0, at), other.subarray(from, from + m.length), bytes.subarray(at));
    }
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A corpus entry after up to `maxMutations` mutations, at most `maxLength` bytes. */
export function mutatedFrom<T>(
  corpus: EntrySource<T>,
  toBytes: (entry: T) => Uint8Array,
  options: { maxMutations?: number; maxLength: number },
): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.nat(), fc.array(mutation, { maxLength: options.maxMutations ?? 6 })).map(([base, mutations]) => {
    let bytes = toBytes(corpus.at(base));
    for (const m of mutations) bytes = applyMutation(bytes, m, (i) => toBytes(corpus.at(i)));
    return bytes.length > options.maxLength ? bytes.subarray(0, options.maxLength) : bytes;
  });
}

/** Random bytes, mutated corpus entries, and two entries (mutated) back to back. */
export function byteInputs(corpus: EntrySource<Uint8Array>, maxLength: number): fc.Arbitrary<Uint8Array> {
  const mutated = mutatedFrom(corpus, (e) => e, { maxLength });
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: Math.min(maxLength, 512) }) },
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: fc.tuple(mutated, mutated).map(([a, b]) => concat(a, b).subarray(0, maxLength)) },
  );
}

/** A byte string cut into the chunks a stream delivers it in. */
export interface ChunkedBytes {
  bytes: Uint8Array;
  cuts: number[];
}

export function chunked(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<ChunkedBytes> {
  return fc.record({ bytes, cuts: fc.array(fc.nat(), { maxLength: 6 }) });
}

export function chunksOf(input: ChunkedBytes): Uint8Array[] {
  const cuts = [...new Set(input.cuts.map((c) => (input.bytes.length === 0 ? 0 : c % input.bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    if (cut > from) chunks.push(input.bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  chunks.push(input.bytes.subarray(from));
  return chunks;
}

/** UTF-8 text: random strings (any code point) and mutated corpus entries decoded leniently. */
export function textInputs(corpus: EntrySource<string>, maxLength: number): fc.Arbitrary<string> {
  const encoder = new TextEncoder();
  const mutated = mutatedFrom(corpus, (e) => encoder.encode(e), { maxLength: maxLength * 3 }).map((b) =>
    Buffer.from(b).toString('utf8'),
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: Math.min(maxLength, 200) }) },
    { weight: 4, arbitrary: mutated },
  );
}
