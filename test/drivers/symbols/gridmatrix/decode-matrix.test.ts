import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBitStream } from '../../../../drivers/symbols/gridmatrix/bitstream.js';
import { dataCodewords } from '../../../../drivers/symbols/gridmatrix/blocks.js';
import { decodeMatrix } from '../../../../drivers/symbols/gridmatrix/decode-matrix.js';
import { PassgateError } from '../../../../firmware/core/errors.js';
import {
  buildSymbol,
  damageCodewords,
  gmMatrix,
  transform,
} from '../../../../scripts/lab/gridmatrix/matrix-fixtures.js';
import { mulberry32 } from '../../../../scripts/lab/synth-image.js';

/** A pass-code-like string: base64url-ish ASCII of the given length (synthetic). */
function passCode(rng: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rng() * alphabet.length)];
  return s;
}

/** Content that fits a version/ECL: pass codes, digits, text, Chinese, cycling by index. */
function contentFor(v: number, ecl: number, i: number, rng: () => number): string {
  const bits = dataCodewords(v, zintEcl(v, ecl)) * 7;
  const kind = i % 5;
  if (kind === 0) return passCode(rng, Math.max(1, Math.min(120, Math.floor(bits / 8) - 6)));
  if (kind === 1)
    return Array.from({ length: Math.max(1, Math.min(200, Math.floor(bits / 3.6) - 8)) }, () =>
      Math.floor(rng() * 10),
    ).join('');
  if (kind === 2) return 'Gate 7, Row B: seat 12 ok'.slice(0, Math.max(1, Math.floor(bits / 6) - 4));
  if (kind === 3) return '测试通行证一二三四五六七八九十'.slice(0, Math.max(1, Math.floor(bits / 13) - 2));
  return 'lower UPPER Mixed123 a+b=c; x_y[z] {ok}'.slice(0, Math.max(1, Math.floor(bits / 7) - 6));
}

/** zint 2.11.1 raises the ECL of small symbols: version 1 to at least 4, version 2 to at least 2. */
function zintEcl(v: number, ecl: number): number {
  return Math.max(ecl, v === 1 ? 4 : v === 2 ? 2 : 1);
}

/** Packs (value, width) pairs into 7-bit codewords, zero-filling the last. */
function pack(fields: [number, number][]): number[] {
  let bits = '';
  for (const [value, width] of fields) bits += value.toString(2).padStart(width, '0');
  while (bits.length % 7) bits += '0';
  return bits.match(/.{7}/g)!.map((b) => parseInt(b, 2));
}

describe('decodeMatrix on zint symbols', () => {
  it('decodes the version/ECL pairs zint never makes (v1 ECL2–3, v2 ECL1)', () => {
    // Upper mode "HELP", EOD.
    const data = pack([
      [0b0100, 4],
      [7, 5],
      [4, 5],
      [11, 5],
      [15, 5],
      [27, 5],
    ]);
    for (const [v, ecl] of [
      [1, 2],
      [1, 3],
      [2, 1],
    ]) {
      for (let t = 0; t < 8; t += 3) {
        const result = decodeMatrix(transform(buildSymbol(v, ecl, data), t));
        expect(result.text).toBe('HELP');
        expect(result.ecl).toBe(ecl);
      }
    }
  });

  it('decodes every version 1–13 at every ECL 1–5 (all orientations), with varied content', () => {
    const rng = mulberry32(11);
    let i = 0;
    for (let v = 1; v <= 13; v++) {
      for (let ecl = v === 1 ? 2 : 1; ecl <= 5; ecl++, i++) {
        const text = contentFor(v, ecl, i, rng);
        const matrix = gmMatrix(text, { vers: v, secure: ecl });
        const t = i % 8;
        const result = decodeMatrix(transform(matrix, t));
        expect(result.text, `v${v} ecl${ecl}`).toBe(text);
        expect(result.version).toBe(v);
        expect(result.ecl).toBe(zintEcl(v, ecl));
        expect(result.corrected).toBe(0);
      }
    }
  });

  it('recovers up to floor(E/2) damaged codewords per block, at every ECL', () => {
    const rng = mulberry32(5);
    const cases: [number, number][] = [
      [1, 2],
      [2, 1],
      [3, 5],
      [4, 3],
      [5, 4],
      [6, 2],
      [7, 1],
      [8, 5],
      [10, 3],
      [13, 4],
    ];
    for (const [v, ecl] of cases) {
      const text = passCode(rng, Math.min(60, Math.floor((dataCodewords(v, zintEcl(v, ecl)) * 7) / 6.5) - 4));
      const clean = gmMatrix(text, { vers: v, secure: ecl });
      const damaged = damageCodewords(clean, v, zintEcl(v, ecl), (e) => Math.floor(e / 2), rng);
      const result = decodeMatrix(transform(damaged, (v * 3) % 8));
      expect(result.text, `v${v} ecl${ecl}`).toBe(text);
      expect(result.corrected).toBeGreaterThan(0);
    }
  });

  it('decodes all data modes and mode switches', () => {
    const samples = [
      '0123456789',
      '2024-01-01',
      '12.30',
      'Tel +8610,5555\r\n0001',
      '+8613800138000',
      '1 234 567',
      '-12345.678',
      '12345+',
      'abcdefghijklmnopqrstuvwxyz',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      'MixedCase42Again7x',
      'shift !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ done',
      '北京市朝阳区通行证',
      '票号12345678门A区',
      'ABCdef中文123456789xyz',
      'line1\r\nline2\tTab',
    ];
    for (const text of samples) {
      expect(decodeMatrix(gmMatrix(text, { secure: 3 })).text).toBe(text);
    }
  });

  it('decodes binary data into bytes', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff);
    const result = decodeMatrix(gmMatrix(bytes, { binary: true, secure: 2 }));
    expect(result.bytes).toEqual(bytes);
  });

  it('applies an ECI to the text', () => {
    const result = decodeMatrix(gmMatrix('Grüße €5', { eci: 26, secure: 2 }));
    expect(result.ecis).toEqual([26]);
    expect(result.text).toBe('Grüße €5');
    const latin = decodeMatrix(gmMatrix('café', { eci: 3, secure: 2 }));
    expect(latin.ecis).toEqual([3]);
    expect(latin.text).toBe('café');
  });

  it('rejects a matrix of the wrong size and random modules with PassgateError', () => {
    expect(() => decodeMatrix({ size: 20, dark: new Uint8Array(400) })).toThrow(PassgateError);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer(), (v, seed) => {
        const size = 12 * v + 6;
        const rng = mulberry32(seed);
        const dark = Uint8Array.from({ length: size * size }, () => (rng() < 0.5 ? 1 : 0));
        try {
          decodeMatrix({ size, dark });
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the bit-stream decoder only ever throws PassgateError on random codewords', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          const r = decodeBitStream(bytes.map((b) => b & 0x7f));
          expect(typeof r.text).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
