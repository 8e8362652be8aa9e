// The Grid Matrix decoder on images: image file bytes (PNG, JPEG, PGM) mutated from real symbol
// pictures into decodeImageBytes, and gray frames with mutated pixels into GridMatrixDecoder.
// Contract: decodeImageBytes gives a gray image of the size it states or throws
// decode.image-unreadable only; the decoder never throws on a well-formed frame (an image without
// a symbol gives []) and returns Grid Matrix symbols only.
import fc from 'fast-check';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import { GridMatrixDecoder } from '../../../drivers/symbols/gridmatrix/decoder.js';
import { decodeImageBytes } from '../../../drivers/symbols/image-file.js';
import { withShorterBytes } from '../minimise.js';
import { byteInputs } from '../mutate.js';
import { allowing, check, type FuzzTarget, hex } from '../target.js';
import { encodeJpeg, encodePgm, encodePng, renderSymbol, seedMatrices } from './gridmatrix-seeds.js';

/** Frames larger than this are only decoded as files, not searched for symbols (time per input). */
const MAX_SEARCHED_PIXELS = 160_000;

type GmImageInput = { kind: 'file'; bytes: Uint8Array } | { kind: 'frame'; width: number; bytes: Uint8Array };

export function gridMatrixImageTarget(): FuzzTarget<GmImageInput> {
  const decoder = new GridMatrixDecoder();
  const widths = new Map<Uint8Array, number>();
  return {
    name: 'gridmatrix-image',
    seeds() {
      const images = seedMatrices()
        .slice(0, 3)
        .map((m, i) => renderSymbol(m, 2 + i));
      const files = images.flatMap((img) => [encodePng(img), encodeJpeg(img), encodePgm(img)]);
      const frames = images.map((img) => {
        widths.set(img.data, img.width);
        return { kind: 'frame' as const, width: img.width, bytes: img.data };
      });
      return [...files.map((bytes) => ({ kind: 'file' as const, bytes })), ...frames];
    },
    inputs: (corpus) => {
      const files = corpus.map((e) => e.bytes);
      return fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('file' as const), bytes: byteInputs(files, 200_000) }) },
        {
          weight: 2,
          arbitrary: fc
            .record({
              base: fc.nat(),
              pixels: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 400 })), {
                maxLength: 12,
              }),
              width: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
            })
            .map(({ base, pixels, width }) => {
              const entry = corpus.at(base);
              const seedWidth = entry.kind === 'frame' ? entry.width : 64;
              const data = Uint8Array.from(entry.kind === 'frame' ? entry.bytes : entry.bytes.subarray(0, 64 * 64));
              // Smudges: runs of one gray level, the way dirt, glare and shadow change a frame.
              for (const [at, value, run] of pixels) {
                if (data.length === 0) break;
                const from = at % data.length;
                data.fill(value, from, Math.min(data.length, from + run));
              }
              return { kind: 'frame' as const, width: width ?? seedWidth, bytes: data };
            }),
        },
      );
    },
    run(input) {
      let image: GrayImage;
      if (input.kind === 'file') {
        const r = allowing(['decode.image-unreadable'], () => decodeImageBytes(input.bytes));
        if (!r.ok) return `file:${r.outcome}:${String(r.error.details.format ?? '')}`;
        image = r.value;
        check(
          Number.isInteger(image.width) &&
            Number.isInteger(image.height) &&
            image.data.length === image.width * image.height,
          'a decoded image whose data does not match its size',
        );
        if (image.data.length > MAX_SEARCHED_PIXELS) return 'file:large-image';
      } else {
        const width = Math.max(1, input.width);
        const height = Math.floor(input.bytes.length / width);
        image = { width, height, data: input.bytes.subarray(0, width * height) };
      }
      const symbols = decoder.decode(image);
      for (const s of symbols)
        check(s.symbology === 'grid-matrix' && typeof s.text === 'string', 'a symbol of the wrong kind');
      return `${input.kind}:symbols=${Math.min(symbols.length, 2)}`;
    },
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.bytes,
        (i, bytes) => ({ ...i, bytes }),
      ),
    show: (input) => JSON.stringify({ ...input, bytes: hex(input.bytes, 2000) }),
  };
}
