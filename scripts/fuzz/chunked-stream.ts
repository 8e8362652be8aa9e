// The parts every fuzz target fed one byte stream in chunks shares: its seeds whole, inputs from
// the corpus cut at random places, shrinking by the bytes, and showing an input as hex.
import type fc from 'fast-check';
import { withShorterBytes } from './minimise.js';
import { byteInputs, type ChunkedBytes, chunked } from './mutate.js';
import { type Corpus, hex } from './target.js';

export interface ChunkedStreamParts {
  seeds: () => ChunkedBytes[];
  inputs: (corpus: Corpus<ChunkedBytes>) => fc.Arbitrary<ChunkedBytes>;
  smaller: (input: ChunkedBytes) => Iterable<ChunkedBytes>;
  show: (input: ChunkedBytes) => string;
}

/** Byte inputs of at most `maxLength` bytes, from `seeds` and what reached new behaviour. */
export function chunkedStreamParts(seeds: readonly Uint8Array[], maxLength: number): ChunkedStreamParts {
  return {
    seeds: () => seeds.map((bytes) => ({ bytes, cuts: [] })),
    inputs: (corpus) =>
      chunked(
        byteInputs(
          corpus.map((e) => e.bytes),
          maxLength,
        ),
      ),
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.bytes,
        (i, bytes) => ({ ...i, bytes }),
      ),
    show: (input) => JSON.stringify({ bytes: hex(input.bytes), cuts: input.cuts }),
  };
}
