// A decoder turns one grayscale frame into the symbols it finds. The camera driver and
// `passgate decode` run a list of these (zxing-wasm for QR/Micro QR, the Grid Matrix reader)
// within one frame budget.

import type { Symbology } from '../input.js';
import type { GrayImage } from './gray-image.js';

export interface DecodedSymbol {
  symbology: Symbology;
  /** Text as decoded (GB 2312 / UTF-8 / ECI applied). */
  text: string;
  /** Raw payload bytes, when the symbology carries bytes. */
  bytes?: Uint8Array;
}

export interface SymbolDecoder {
  readonly name: string;
  /** Never throws for an image without a symbol: returns []. */
  decode(image: GrayImage): Promise<DecodedSymbol[]> | DecodedSymbol[];
  /** Releases what the decoder holds (the decode worker's thread). Optional; idempotent. */
  close?(): Promise<void>;
}
