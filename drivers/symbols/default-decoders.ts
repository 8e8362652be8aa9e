// The decoders the camera and `passgate decode` run on every frame, in order: zxing-wasm for QR
// and Micro QR, then our Grid Matrix reader (standard 6.1: pass codes per GB/T 27766).

import { GridMatrixDecoder } from './gridmatrix/decoder.js';
import type { SymbolDecoder } from './symbol-decoder.js';
import { THOROUGH_ZXING_QR_OPTIONS, ZxingQrDecoder } from './zxing-qr-decoder.js';

/** `thorough` trades speed for recall: for single still images (`passgate decode`), not video. */
export async function defaultSymbolDecoders(options: { thorough?: boolean } = {}): Promise<SymbolDecoder[]> {
  return [await ZxingQrDecoder.create(options.thorough ? THOROUGH_ZXING_QR_OPTIONS : {}), new GridMatrixDecoder()];
}
