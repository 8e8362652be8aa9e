// The decoders the camera and `passgate decode` run on every frame: zxing-wasm for QR and Micro
// QR, and our Grid Matrix reader (standard 6.1: pass codes per GB/T 27766).

import { GridMatrixDecoder } from './gridmatrix/decoder.js';
import type { SymbolDecoder } from './symbol-decoder.js';
import { THOROUGH_ZXING_QR_OPTIONS, ZxingQrDecoder } from './zxing-qr-decoder.js';

/** `thorough` trades speed for recall: for single still images (`passgate decode`), not video. */
/**
 * The camera's list runs the Grid Matrix reader first: it costs a few milliseconds, and a frame it
 * reads needs none of zxing's small-code retries (the QR reader skips them when an earlier decoder
 * found a code in the frame), which would otherwise spend a frame's budget on a Grid Matrix
 * symbol they cannot read.
 */
export async function defaultSymbolDecoders(options: { thorough?: boolean } = {}): Promise<SymbolDecoder[]> {
  if (options.thorough) return [await ZxingQrDecoder.create(THOROUGH_ZXING_QR_OPTIONS), new GridMatrixDecoder()];
  return [new GridMatrixDecoder(), await ZxingQrDecoder.create()];
}
