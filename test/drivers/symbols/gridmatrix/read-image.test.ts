import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyPixels,
  halve,
  integralImage,
  PIXEL_DARK,
  PIXEL_DARK_SHARP,
  PIXEL_LIGHT,
} from '../../../../drivers/symbols/gridmatrix/binarize.js';
import { decodeMatrix } from '../../../../drivers/symbols/gridmatrix/decode-matrix.js';
import { GridMatrixDecoder } from '../../../../drivers/symbols/gridmatrix/decoder.js';
import { guessVersions, refineFit, sampleMatrix } from '../../../../drivers/symbols/gridmatrix/grid.js';
import { squareToQuad } from '../../../../drivers/symbols/gridmatrix/homography.js';
import { findCandidates } from '../../../../drivers/symbols/gridmatrix/locate.js';
import { classifyFrame, findQuads, readGridMatrix } from '../../../../drivers/symbols/gridmatrix/read-image.js';
import { PassgateError } from '../../../../firmware/core/errors.js';
import { corpusEntry, corpusSymbol, matches } from '../../../../scripts/lab/gridmatrix/corpus.js';
import { toModuleMatrix } from '../../../../scripts/lab/gridmatrix/matrix-fixtures.js';
import {
  cleanFrame,
  DISTORTIONS,
  degradedFrame,
  distortedFrame,
  emptyFrame,
} from '../../../../scripts/lab/gridmatrix/scenes.js';
import {
  addNoise,
  gaussianBlur,
  invert,
  mulberry32,
  renderMatrix,
  unevenLighting,
} from '../../../../scripts/lab/synth-image.js';

describe('binarise', () => {
  it('separates dark and light under a strong lighting gradient', () => {
    // A chequer of 8-px squares (dark 40 / light 200) under a gradient that halves brightness.
    const w = 160;
    const h = 80;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 40;
    const lit = unevenLighting({ width: w, height: h, data }, 0.6, mulberry32(2));
    const classes = classifyPixels(lit, { radius: 12, offset: 6 }, integralImage(lit));
    let wrong = 0;
    let decided = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const isDark = ((x >> 3) + (y >> 3)) % 2 === 0;
        const i = y * w + x;
        if (classes[i] & (PIXEL_DARK | PIXEL_LIGHT)) decided++;
        if ((isDark && classes[i] & PIXEL_LIGHT) || (!isDark && classes[i] & PIXEL_DARK)) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(decided).toBeGreaterThan(0.6 * w * h);
  });

  it('halves an image by 2×2 averaging', () => {
    const img = { width: 4, height: 2, data: Uint8Array.from([0, 4, 8, 8, 4, 8, 8, 8]) };
    expect(Array.from(halve(img).data)).toEqual([4, 8]);
  });
});

describe('locate', () => {
  it('finds the four corners of an upright symbol', () => {
    const entry = corpusSymbol(3, 3, 'pass-code', mulberry32(4));
    const img = cleanFrame(entry); // 42 modules at 8 px, centred
    const classes = classifyPixels(img, { radius: 24, offset: 6 });
    const [best] = findCandidates(classes, img.width, img.height, {
      minSide: 27,
      maxCandidates: 2,
      pool: 4,
      blobBit: PIXEL_DARK,
      edgeBit: PIXEL_DARK_SHARP,
    });
    const side = 42 * 8;
    const x0 = (640 - (side + 96)) / 2 + 48;
    const y0 = (480 - (side + 96)) / 2 + 48;
    const expected = [
      [x0, y0],
      [x0 + side, y0],
      [x0 + side, y0 + side],
      [x0, y0 + side],
    ];
    for (const [ex, ey] of expected) {
      const near = best.corners.some(([x, y]) => Math.abs(x - ex) <= 3 && Math.abs(y - ey) <= 3);
      expect(near, `corner ${ex},${ey}`).toBe(true);
    }
  });

  it('guesses the version and samples the exact module matrix of a rotated symbol', () => {
    const rng = mulberry32(8);
    for (const v of [1, 4, 7]) {
      const entry = corpusSymbol(v, 3, 'mixed-text', rng);
      const frame = distortedFrame(entry, 'rotation', rng);
      const [quad] = findQuads(classifyFrame(frame.image), false);
      const [rough] = guessVersions(frame.image, quad.corners, 1.5, 1);
      expect(rough.version).toBe(v);
      const matrix = sampleMatrix(frame.image, refineFit(frame.image, rough, 2), 2);
      expect(decodeMatrix(matrix).text).toBe(entry.text);
    }
  });
});

describe('sample', () => {
  it('blur equalisation cuts module errors at 2 px per module', () => {
    const entry = corpusSymbol(6, 3, 'pass-code', mulberry32(16));
    const n = entry.matrix.length;
    const img = addNoise(
      gaussianBlur(renderMatrix(entry.matrix, { moduleSize: 2, quietZone: 6, dark: 30, light: 220 }), 1.3),
      3,
      mulberry32(17),
    );
    const h = squareToQuad(n, [
      [12, 12],
      [12 + 2 * n, 12],
      [12 + 2 * n, 12 + 2 * n],
      [12, 12 + 2 * n],
    ])!;
    const truth = toModuleMatrix(entry.matrix);
    const errors = (sharpen: number, sweeps: number): number => {
      const got = sampleMatrix(img, { version: 6, h, score: 0 }, sharpen, sweeps);
      let e = 0;
      for (let i = 0; i < got.dark.length; i++) e += got.dark[i] ^ truth.dark[i];
      return e;
    };
    const plain = errors(0, 0);
    const equalised = errors(3, 2);
    expect(plain).toBeGreaterThan(50);
    expect(equalised).toBeLessThan(plain / 4);
    expect(decodeMatrix(sampleMatrix(img, { version: 6, h, score: 0 }, 3, 2)).text).toBe(entry.text);
  });
});

describe('readGridMatrix on synthetic frames', () => {
  it('decodes clean symbols of every version and ECL', () => {
    const rng = mulberry32(21);
    // i = 0..64 covers each version × ECL pair once; use every 3rd content kind mix.
    for (let i = 0; i < 65; i += 2) {
      const entry = corpusEntry(i, rng);
      const result = readGridMatrix(cleanFrame(entry));
      expect(matches(entry, result[0]), `v${entry.version} ecl${entry.ecl} ${entry.kind}`).toBe(true);
    }
  });

  it('decodes each kind of distortion (fixed seeds, a sample of versions)', () => {
    const rng = mulberry32(33);
    let ok = 0;
    let total = 0;
    for (let i = 0; i < 18; i++) {
      const distortion = DISTORTIONS[i % DISTORTIONS.length];
      const entry = corpusEntry(i * 11 + 3, rng);
      const frame = distortedFrame(entry, distortion, rng);
      total++;
      if (matches(entry, readGridMatrix(frame.image)[0])) ok++;
    }
    // The bench measures the full corpus; here every one of these fixed cases must pass.
    expect(ok).toBe(total);
  });

  it('reads light-on-dark (inverted) symbols', () => {
    const entry = corpusSymbol(2, 4, 'pass-code', mulberry32(9));
    expect(matches(entry, readGridMatrix(invert(cleanFrame(entry)))[0])).toBe(true);
    expect(readGridMatrix(invert(cleanFrame(entry)), { tryInverted: false })).toEqual([]);
  });

  it('reads most frames with every distortion at once', () => {
    const rng = mulberry32(44);
    let ok = 0;
    const count = 12;
    for (let i = 0; i < count; i++) {
      const entry = corpusEntry(i * 5 + 2, rng);
      if (matches(entry, readGridMatrix(degradedFrame(entry, rng).image)[0])) ok++;
    }
    expect(ok).toBeGreaterThanOrEqual(count - 3);
  });

  it('reads two symbols in one frame', () => {
    const rng = mulberry32(61);
    const a = corpusSymbol(2, 3, 'pass-code', rng);
    const b = corpusSymbol(3, 2, 'digits', rng);
    const frame = { width: 640, height: 480, data: new Uint8Array(640 * 480).fill(255) };
    const blit = (m: boolean[][], ox: number, oy: number): void => {
      const img = renderMatrix(m, { moduleSize: 4, quietZone: 6 });
      for (let y = 0; y < img.height; y++)
        frame.data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (oy + y) * 640 + ox);
    };
    blit(a.matrix, 20, 100);
    blit(b.matrix, 330, 100);
    const texts = readGridMatrix(frame)
      .map((r) => r.text)
      .sort();
    expect(texts).toEqual([a.text, b.text].sort());
  });

  it('finds nothing in frames without a symbol', () => {
    const rng = mulberry32(55);
    for (let i = 0; i < 8; i++) expect(readGridMatrix(emptyFrame(rng))).toEqual([]);
    expect(readGridMatrix({ width: 640, height: 480, data: new Uint8Array(640 * 480).fill(255) })).toEqual([]);
    expect(readGridMatrix({ width: 10, height: 10, data: new Uint8Array(100) })).toEqual([]);
  });
});

describe('GridMatrixDecoder', () => {
  it('returns the symbol as grid-matrix text and bytes', () => {
    const entry = corpusSymbol(5, 2, 'chinese', mulberry32(12));
    const decoder = new GridMatrixDecoder();
    expect(decoder.name).toBe('grid-matrix');
    const [symbol] = decoder.decode(cleanFrame(entry));
    expect(symbol.symbology).toBe('grid-matrix');
    expect(symbol.text).toBe(entry.text);
    expect(new TextDecoder('gb18030').decode(symbol.bytes)).toBe(entry.text);
  });

  it('reads binary content as bytes', () => {
    const entry = corpusSymbol(6, 3, 'binary', mulberry32(13));
    const [symbol] = new GridMatrixDecoder().decode(cleanFrame(entry));
    expect(symbol.bytes).toEqual(entry.bytes);
  });

  it('rejects a malformed image with PassgateError and never throws on random pixels', () => {
    const decoder = new GridMatrixDecoder();
    expect(() => decoder.decode({ width: 10, height: 10, data: new Uint8Array(5) })).toThrow(PassgateError);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 90 }), fc.integer(), (w, h, seed) => {
        const rng = mulberry32(seed);
        const data = Uint8Array.from({ length: w * h }, () => (rng() < 0.5 ? 0 : 255));
        expect(Array.isArray(decoder.decode({ width: w, height: h, data }))).toBe(true);
      }),
      { numRuns: 40 },
    );
    // Frames large enough for the half-size path, with blocky random content.
    fc.assert(
      fc.property(
        fc.integer({ min: 240, max: 320 }),
        fc.integer({ min: 240, max: 300 }),
        fc.integer(),
        (w, h, seed) => {
          const rng = mulberry32(seed);
          const data = new Uint8Array(w * h);
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++)
              data[y * w + x] = ((x >> 2) * 7 + (y >> 2) * 13 + Math.floor(rng() * 3)) % 3 ? 230 : 20;
          expect(Array.isArray(decoder.decode({ width: w, height: h, data }))).toBe(true);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('renders of a zint matrix at 2 px per module still read', () => {
    const entry = corpusSymbol(8, 4, 'pass-code', mulberry32(14));
    const img = renderMatrix(entry.matrix, { moduleSize: 2, quietZone: 6 });
    expect(new GridMatrixDecoder().decode(img)[0]?.text).toBe(entry.text);
  });
});
