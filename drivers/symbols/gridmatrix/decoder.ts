// The Grid Matrix reader as a SymbolDecoder: zxing-wasm cannot read Grid Matrix, so the camera
// driver and `passgate decode` run this beside it on the same frames.

import { PassgateError } from '../../../firmware/core/errors.js';
import type { GrayImage } from '../gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../symbol-decoder.js';
import { type ReadOptions, readGridMatrix } from './read-image.js';

export class GridMatrixDecoder implements SymbolDecoder {
  readonly name = 'grid-matrix';
  private readonly options: Partial<ReadOptions>;

  constructor(options: Partial<ReadOptions> = {}) {
    this.options = options;
  }

  decode(image: GrayImage): DecodedSymbol[] {
    const { width, height, data } = image;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 0 ||
      height < 0 ||
      data.length !== width * height
    ) {
      throw new PassgateError('decode.image-unreadable', 'gray image size does not match its data', {
        width,
        height,
        length: data.length,
      });
    }
    return readGridMatrix(image, this.options).map((r) => ({
      symbology: 'grid-matrix' as const,
      text: r.text,
      bytes: r.bytes,
    }));
  }
}
