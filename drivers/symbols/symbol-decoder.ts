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

/**
 * What a decoder list (the camera's BudgetedDecoders) tells each decoder about the frame in hand.
 * A decoder with optional, slow stages (the QR small-code retries) skips them when an earlier
 * decoder already read a code in this frame, and stops them when the frame's budget is spent,
 * carrying on with the next frame (a code held up to a camera is seen on many frames).
 */
export interface FrameContext {
  /** Symbols the decoders before this one found in this frame. */
  readonly found: readonly DecodedSymbol[];
  /** True once the frame's time budget is spent. */
  expired(): boolean;
}

export interface SymbolDecoder {
  readonly name: string;
  /** Never throws for an image without a symbol: returns []. `context`: see FrameContext. */
  decode(image: GrayImage, context?: FrameContext): Promise<DecodedSymbol[]> | DecodedSymbol[];
  /** Releases what the decoder holds (the decode worker's thread). Optional; idempotent. */
  close?(): Promise<void>;
}
