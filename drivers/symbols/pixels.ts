// Conversions between the runtime's 8-bit gray frames and the RGBA layout of ImageData.
import type { GrayImage } from './gray-image.js';

/** Gray → RGBA (R = G = B = gray, A = 255), the layout browsers' ImageData use. */
export function grayToRgba(image: GrayImage): Uint8ClampedArray {
  const { data } = image;
  const out = new Uint8ClampedArray(data.length * 4);
  // Writing whole 32-bit words is several times faster than four byte stores per pixel.
  const words = new Uint32Array(out.buffer);
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    words[i] = littleEndian ? 0xff000000 | (v << 16) | (v << 8) | v : ((v << 24) | (v << 16) | (v << 8) | 0xff) >>> 0;
  }
  return out;
}

/**
 * RGBA → gray with the BT.601 luma weights (0.299, 0.587, 0.114) in fixed point, rounded;
 * alpha is ignored. A gray pixel (R = G = B) maps back to itself.
 */
export function rgbaToGray(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GrayImage {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || rgba.length < n * 4) {
    throw new RangeError('RGBA buffer smaller than width * height * 4');
  }
  const data = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i] = (19595 * rgba[j] + 38470 * rgba[j + 1] + 7471 * rgba[j + 2] + 32768) >> 16;
  }
  return { width, height, data };
}

/**
 * The frame as a binary PGM (P5) file in memory: a short header and the pixels. zxing-wasm's
 * image-file path reads PGM directly as luminance, which skips the gray → RGBA → gray round trip.
 */
export function grayToPgm(image: GrayImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(header.length + image.width * image.height);
  out.set(header, 0);
  out.set(image.data.subarray(0, image.width * image.height), header.length);
  return out;
}
