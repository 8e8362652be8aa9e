// The messages between the camera's thread and the decode worker (worker-decoder.ts ↔ serve.ts).
// A frame goes over once, its pixel buffer transferred (moved, not copied); results come back as
// small messages: the symbols found, or a failure's code. Nothing here carries a frame back.
import type { ErrorCode } from '../../../firmware/core/errors.js';
import type { DecodedSymbol } from '../symbol-decoder.js';

/** Camera thread → worker. */
export interface DecodeRequest {
  type: 'decode';
  id: number;
  width: number;
  height: number;
  /** The frame's pixels (width × height bytes), transferred. */
  pixels: ArrayBuffer;
}

/** Worker → camera thread. */
export type WorkerMessage =
  /** The decoders are loaded; requests are served from now on. */
  | { type: 'ready' }
  /** A frame's symbols; `errors`: decoders that failed on it (the others still ran). */
  | { type: 'result'; id: number; symbols: DecodedSymbol[]; errors: WorkerDecoderError[]; decodeMs: number }
  /** The decoders could not be loaded (the worker then exits). */
  | { type: 'load-failed'; code: ErrorCode; message: string };

export interface WorkerDecoderError {
  decoder: string;
  code: ErrorCode;
}
