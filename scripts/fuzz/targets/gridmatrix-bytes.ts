// The Grid Matrix decoder on bytes (drivers/symbols/gridmatrix): data codewords into
// decodeBitStream, and module matrices into decodeMatrix (orientation, error correction, bit
// stream), both mutated from real symbols. Contract: content or PassgateError decode.*, nothing
// else; content's text and bytes are strings and bytes.
import fc from 'fast-check';
import { decodeBitStream } from '../../../drivers/symbols/gridmatrix/bitstream.js';
import { decodeMatrix } from '../../../drivers/symbols/gridmatrix/decode-matrix.js';
import { withShorterBytes } from '../minimise.js';
import { mutatedFrom } from '../mutate.js';
import { allowing, check, type FuzzTarget, hex } from '../target.js';
import { dataCodewordsOf, seedMatrices } from './gridmatrix-seeds.js';

interface GmBytesInput {
  /** 'stream': the bytes are data codewords (7 bits each); 'matrix': one byte per module. */
  kind: 'stream' | 'matrix';
  bytes: Uint8Array;
}

const ALLOWED = ['decode.image-unreadable', 'decode.no-symbol', 'decode.unsupported'];

export function gridMatrixBytesTarget(): FuzzTarget<GmBytesInput> {
  return {
    name: 'gridmatrix-bytes',
    seeds() {
      const matrices = seedMatrices();
      return [
        ...matrices.map((m) => ({ kind: 'stream' as const, bytes: dataCodewordsOf(m) })),
        ...matrices.map((m) => ({ kind: 'matrix' as const, bytes: m.dark })),
      ];
    },
    inputs: (corpus) =>
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            kind: fc.constant('stream' as const),
            bytes: fc.oneof(
              mutatedFrom(corpus, (e) => (e.kind === 'stream' ? e.bytes : e.bytes.subarray(0, 64)), {
                maxLength: 2048,
              }),
              fc.uint8Array({ maxLength: 300, max: 127 }),
              fc.uint8Array({ maxLength: 300 }),
            ),
          }),
        },
        {
          weight: 2,
          arbitrary: fc
            .record({
              kind: fc.constant('matrix' as const),
              bytes: mutatedFrom(corpus, (e) => e.bytes, { maxLength: 162 * 162 }),
              flips: fc.array(fc.nat(), { maxLength: 40 }),
            })
            .map(({ kind, bytes, flips }) => {
              // Module-sized damage: flipped modules, the way print and camera damage a symbol.
              const out = bytes.slice();
              for (const f of flips) if (out.length > 0) out[f % out.length] ^= 1;
              return { kind, bytes: out };
            }),
        },
      ),
    run(input) {
      if (input.kind === 'stream') {
        const r = allowing(ALLOWED, () => decodeBitStream(input.bytes));
        if (!r.ok) return `stream:${r.outcome}`;
        check(typeof r.value.text === 'string' && r.value.bytes instanceof Uint8Array, 'content of the wrong type');
        return `stream:content${r.value.ecis.length > 0 ? ':eci' : ''}${r.value.fnc1 ? `:${r.value.fnc1}` : ''}`;
      }
      const size = Math.round(Math.sqrt(input.bytes.length));
      const dark = input.bytes.subarray(0, size * size);
      const r = allowing(ALLOWED, () => decodeMatrix({ size, dark }));
      if (!r.ok) return `matrix:${r.outcome}`;
      check(typeof r.value.text === 'string', 'content of the wrong type');
      return `matrix:v${r.value.version}:corrected${r.value.corrected > 0 ? '>0' : '=0'}`;
    },
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.bytes,
        (i, bytes) => ({ ...i, bytes }),
      ),
    show: (input) => JSON.stringify({ kind: input.kind, bytes: hex(input.bytes, 2000) }),
  };
}
