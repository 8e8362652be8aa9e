// The Grid Matrix reader as a SymbolDecoder: zxing-wasm cannot read Grid Matrix, so the camera
// driver and `passgate decode` run this beside it on the same frames.

import { PassgateError } from '../../../firmware/core/errors.js';
import { type GrayImage, isWellFormedGray } from '../gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../symbol-decoder.js';
import { type ReadOptions, readGridMatrix } from './read-image.js';

export class GridMatrixDecoder implements SymbolDecoder {
  readonly name = 'grid-matrix';
  private readonly options: Partial<ReadOptions>;

  constructor(options: Partial<ReadOptions> = {}) {
    this.options = options;
  }

  decode(image: GrayImage): DecodedSymbol[] {
    if (!isWellFormedGray(image)) {
      const { width, height, data } = image;
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
