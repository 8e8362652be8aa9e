import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes, detectImageFormat, readImageFile } from '../../../drivers/symbols/image-file.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { zintPng } from '../../../scripts/lab/zint.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'image-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gradient = Uint8Array.from({ length: 12 }, (_, i) => i * 20);

function pngBytes(opts: { colorType: 0 | 2 | 6; alpha?: number }): Buffer {
  const png = new PNG({ width: 4, height: 3, colorType: opts.colorType, inputColorType: 6, inputHasAlpha: true });
  for (let i = 0; i < 12; i++) {
    png.data[i * 4] = png.data[i * 4 + 1] = png.data[i * 4 + 2] = gradient[i];
    png.data[i * 4 + 3] = opts.alpha ?? 255;
  }
  return PNG.sync.write(png, { colorType: opts.colorType, inputColorType: 6, inputHasAlpha: true });
}

async function expectUnreadable(p: Promise<unknown> | (() => unknown)): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    expect(isPassgateError(error, 'decode.image-unreadable')).toBe(true);
    return;
  }
  throw new Error('expected decode.image-unreadable');
}

describe('readImageFile', () => {
  it('reads gray, RGB and RGBA PNGs as gray', async () => {
    for (const colorType of [0, 2, 6] as const) {
      const file = join(dir, `g${colorType}.png`);
      writeFileSync(file, pngBytes({ colorType }));
      const img = await readImageFile(file);
      expect(img.width).toBe(4);
      expect(img.height).toBe(3);
      expect(Array.from(img.data)).toEqual(Array.from(gradient));
    }
  });

  it('reads transparent PNG pixels as white paper', async () => {
    const file = join(dir, 'clear.png');
    writeFileSync(file, pngBytes({ colorType: 6, alpha: 0 }));
    expect(new Set((await readImageFile(file)).data)).toEqual(new Set([255]));
  });

  it('reads a palette PNG made by zint', async () => {
    const file = zintPng('QRCODE', 'PG-PNG', join(dir, 'zint.png'), { scale: 1 });
    const img = await readImageFile(file);
    expect(img.width).toBe((21 + 8) * 2);
    expect(new Set(img.data)).toEqual(new Set([0, 255]));
  });

  it('reads a JPEG as gray (within JPEG error)', async () => {
    const width = 16;
    const height = 8;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const v = i % width < 8 ? 30 : 220;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
      rgba[i * 4 + 3] = 255;
    }
    const file = join(dir, 'photo.dat'); // the extension does not matter
    writeFileSync(file, jpeg.encode({ data: rgba, width, height }, 95).data);
    const img = await readImageFile(file);
    expect([img.width, img.height]).toEqual([width, height]);
    expect(Math.abs(img.data[2] - 30)).toBeLessThan(8);
    expect(Math.abs(img.data[13] - 220)).toBeLessThan(8);
  });

  it('reads P5 and P2 PGM, with comments, other maxvals and 16-bit samples', async () => {
    const p5 = Buffer.concat([Buffer.from('P5\n# made by a test\n4 3\n255\n'), Buffer.from(gradient)]);
    expect(decodeImageBytes(p5)).toEqual({ width: 4, height: 3, data: gradient });
    const p2 = Buffer.from(`P2 4 3 # size\n255\n${Array.from(gradient).join(' ')}\n`);
    expect(decodeImageBytes(p2)).toEqual({ width: 4, height: 3, data: gradient });
    const low = decodeImageBytes(Buffer.from('P2\n2 1\n15\n0 15\n'));
    expect(Array.from(low.data)).toEqual([0, 255]);
    const wide = decodeImageBytes(
      Buffer.concat([Buffer.from('P5 2 1 65535\n'), Buffer.from([0xff, 0xff, 0x80, 0x00])]),
    );
    expect(Array.from(wide.data)).toEqual([255, 128]);
    const file = join(dir, 'frame.pgm');
    writeFileSync(file, p5);
    expect((await readImageFile(file)).data).toEqual(gradient);
  });

  it('detects formats by magic bytes only', () => {
    expect(detectImageFormat(pngBytes({ colorType: 0 }))).toBe('png');
    expect(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectImageFormat(Buffer.from('P5 1 1 255\n\0'))).toBe('pgm');
    expect(detectImageFormat(Buffer.from('P6 1 1 255\n\0\0\0'))).toBeUndefined();
    expect(detectImageFormat(Buffer.from('GIF89a'))).toBeUndefined();
  });

  it('a path with no file: decode.file-missing, not decode.image-unreadable', async () => {
    for (const path of [join(dir, 'missing.png'), join(dir, 'missing-dir', 'x.png')]) {
      const error = await readImageFile(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPassgateError(error, 'decode.file-missing'), path).toBe(true);
    }
  });

  it('rejects empty, truncated, oversized and foreign files and directories with decode.image-unreadable', async () => {
    await expectUnreadable(readImageFile(dir));
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    await expectUnreadable(readImageFile(empty));
    const png = pngBytes({ colorType: 0 });
    await expectUnreadable(() => decodeImageBytes(png.subarray(0, png.length - 20)));
    await expectUnreadable(() => decodeImageBytes(Buffer.from('P5\n4 3\n255\n\u0001\u0002')));
    await expectUnreadable(() => decodeImageBytes(Buffer.from('P2\n2 1\n15\n0 16\n')));
    await expectUnreadable(() => decodeImageBytes(Buffer.from('P5\n100000 100000\n255\n')));
    await expectUnreadable(() => decodeImageBytes(Buffer.from('P5\n0 3\n255\n')));
    await expectUnreadable(() => decodeImageBytes(Buffer.from('GIF89a....')));
    const huge = Buffer.from(png);
    huge.writeUInt32BE(50_000, 16);
    huge.writeUInt32BE(50_000, 20);
    await expectUnreadable(() => decodeImageBytes(huge));
  });

  it('throws nothing but PassgateError for random bytes, with or without a valid magic', () => {
    const magics = [
      Buffer.alloc(0),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from('P5 '),
      Buffer.from('P2\n'),
      Buffer.from('P5\n3 2\n255\n'),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 300 }), (magic, rest) => {
        try {
          const img = decodeImageBytes(Buffer.concat([magic, rest]));
          expect(img.data.length).toBe(img.width * img.height);
        } catch (error) {
          expect(isPassgateError(error, 'decode.image-unreadable')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but PassgateError for corrupted real PNG and JPEG files', () => {
    const png = pngBytes({ colorType: 2 });
    const rgba = Buffer.alloc(8 * 8 * 4, 128);
    const jpg = jpeg.encode({ data: rgba, width: 8, height: 8 }, 80).data;
    fc.assert(
      fc.property(
        fc.constantFrom(png, jpg),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (file, flips, cut) => {
          const bytes = Buffer.from(file);
          for (const [at, value] of flips) bytes[8 + (at % (bytes.length - 8))] = value;
          try {
            decodeImageBytes(bytes.subarray(0, Math.max(8, bytes.length - (cut % 16))));
          } catch (error) {
            expect(isPassgateError(error, 'decode.image-unreadable')).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
