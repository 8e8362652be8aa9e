// Image files for `passgate decode` (a technician's photo or scan of a printed code): PNG
// (pngjs), baseline/progressive JPEG (jpeg-js) and PGM (P5 binary, P2 ASCII; parsed here), told
// apart by their magic bytes, never by the file name. Everything comes out as an 8-bit gray frame.
// Anything unreadable, truncated or oversized is a PassgateError 'decode.image-unreadable'; a
// path with no file at all is 'decode.file-missing'.
import { readFile, stat } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { isPassgateError, PassgateError } from '../../firmware/core/errors.js';
import type { GrayImage } from './gray-image.js';
import { rgbaToGray } from './pixels.js';

/** Largest image accepted, in pixels: ample for a phone photo, small enough not to exhaust memory. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Largest image file accepted, in bytes. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

export type ImageFormat = 'png' | 'jpeg' | 'pgm';

function unreadable(reason: string, format?: ImageFormat, cause?: unknown): PassgateError {
  return new PassgateError('decode.image-unreadable', `image unreadable: ${reason}`, { format, reason }, { cause });
}

/** The format named by the first bytes, or undefined. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 3 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x32) && isSpace(bytes[2]))
    return 'pgm';
  return undefined;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

function checkSize(width: number, height: number, format: ImageFormat): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw unreadable('bad dimensions', format);
  }
  if (width * height > MAX_IMAGE_PIXELS) throw unreadable('image too large', format);
}

/** Composites RGBA over white, then takes luma: transparent areas read as paper, not ink. */
function rgbaOverWhiteToGray(rgba: Uint8Array, width: number, height: number): GrayImage {
  const gray = rgbaToGray(rgba, width, height);
  for (let i = 0; i < gray.data.length; i++) {
    const a = rgba[i * 4 + 3];
    if (a !== 255) gray.data[i] = Math.round((gray.data[i] * a + 255 * (255 - a)) / 255);
  }
  return gray;
}

function decodePng(bytes: Uint8Array): GrayImage {
  // IHDR is always the first chunk: width and height sit at bytes 16..23. Checked before pngjs
  // allocates anything.
  if (bytes.length < 24) throw unreadable('truncated header', 'png');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSize(view.getUint32(16), view.getUint32(20), 'png');
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw unreadable('corrupt PNG', 'png', error);
  }
  checkSize(png.width, png.height, 'png');
  if (png.data.length < png.width * png.height * 4) throw unreadable('truncated PNG', 'png');
  return rgbaOverWhiteToGray(png.data, png.width, png.height);
}

function decodeJpeg(bytes: Uint8Array): GrayImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 512,
    });
  } catch (error) {
    throw unreadable('corrupt JPEG', 'jpeg', error);
  }
  checkSize(decoded.width, decoded.height, 'jpeg');
  if (decoded.data.length < decoded.width * decoded.height * 4) throw unreadable('truncated JPEG', 'jpeg');
  return rgbaToGray(decoded.data, decoded.width, decoded.height);
}

/** Netpbm header tokenizer: whitespace-separated decimal fields, `#` comments to end of line. */
class PgmHeader {
  offset = 2;
  constructor(private readonly bytes: Uint8Array) {}

  /** Next unsigned decimal field. */
  number(name: string): number {
    const b = this.bytes;
    for (;;) {
      while (this.offset < b.length && isSpace(b[this.offset])) this.offset++;
      if (this.offset < b.length && b[this.offset] === 0x23) {
        while (this.offset < b.length && b[this.offset] !== 0x0a && b[this.offset] !== 0x0d) this.offset++;
        continue;
      }
      break;
    }
    let value = 0;
    let digits = 0;
    while (this.offset < b.length && b[this.offset] >= 0x30 && b[this.offset] <= 0x39) {
      value = value * 10 + (b[this.offset] - 0x30);
      this.offset++;
      digits++;
      if (value > 0xffffffff) throw unreadable(`${name} out of range`, 'pgm');
    }
    if (digits === 0) throw unreadable(`missing ${name}`, 'pgm');
    return value;
  }
}

function decodePgm(bytes: Uint8Array): GrayImage {
  const binary = bytes[1] === 0x35;
  const header = new PgmHeader(bytes);
  const width = header.number('width');
  const height = header.number('height');
  const maxval = header.number('maxval');
  checkSize(width, height, 'pgm');
  if (maxval < 1 || maxval > 65535) throw unreadable('maxval out of range', 'pgm');
  const n = width * height;
  const data = new Uint8Array(n);
  const scale = (v: number): number => (maxval === 255 ? v : Math.round((Math.min(v, maxval) * 255) / maxval));
  if (binary) {
    // Exactly one whitespace byte separates maxval from the raster.
    if (header.offset >= bytes.length || !isSpace(bytes[header.offset])) throw unreadable('missing raster', 'pgm');
    const start = header.offset + 1;
    const sampleBytes = maxval < 256 ? 1 : 2;
    if (bytes.length - start < n * sampleBytes) throw unreadable('truncated raster', 'pgm');
    for (let i = 0; i < n; i++) {
      const v = sampleBytes === 1 ? bytes[start + i] : (bytes[start + 2 * i] << 8) | bytes[start + 2 * i + 1];
      data[i] = scale(v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = header.number('sample');
      if (v > maxval) throw unreadable('sample above maxval', 'pgm');
      data[i] = scale(v);
    }
  }
  return { width, height, data };
}

/** Decodes PNG, JPEG or PGM bytes to gray. Throws only PassgateError 'decode.image-unreadable'. */
export function decodeImageBytes(bytes: Uint8Array): GrayImage {
  const format = detectImageFormat(bytes);
  try {
    switch (format) {
      case 'png':
        return decodePng(bytes);
      case 'jpeg':
        return decodeJpeg(bytes);
      case 'pgm':
        return decodePgm(bytes);
      default:
        throw unreadable('not a PNG, JPEG or PGM file');
    }
  } catch (error) {
    if (isPassgateError(error)) throw error;
    throw unreadable('decoder failure', format, error);
  }
}

/** Reads an image file (PNG, JPEG, PGM) as gray. Missing, unreadable or corrupt files reject with
 * PassgateError 'decode.image-unreadable'. */
export async function readImageFile(path: string): Promise<GrayImage> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw unreadable('not a regular file');
    if (info.size > MAX_IMAGE_FILE_BYTES) throw unreadable('file too large');
    bytes = await readFile(path);
  } catch (error) {
    if (isPassgateError(error)) throw error;
    const errno = (error as { code?: unknown } | null)?.code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      throw new PassgateError('decode.file-missing', 'no such image file', { errno }, { cause: error });
    }
    throw new PassgateError(
      'decode.image-unreadable',
      'image file cannot be read',
      {
        errno: typeof errno === 'string' ? errno : undefined,
      },
      { cause: error },
    );
  }
  return decodeImageBytes(bytes);
}
