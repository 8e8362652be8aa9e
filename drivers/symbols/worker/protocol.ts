// The messages between the camera's thread and the decode worker (worker-decoder.ts ↔ serve.ts).
// Frames reach the worker one of two ways, and neither carries a frame back:
// - a decode request: the frame's pixel buffer transferred (moved, not copied);
// - a frame inlet (frame-inlet.ts): the worker connects to a private Unix socket of the camera's
//   side, whose end becomes ffmpeg's stdout; ffmpeg's raw frames go straight to the worker, which
//   cuts, decodes and answers with the symbols. The gate's thread never sees the pixels.
// Results come back as small messages: the symbols found, or a failure's code.
import type { ErrorCode } from '../../../firmware/core/errors.js';
import type { DecodedSymbol } from '../symbol-decoder.js';

/** Camera thread → worker. */
export type CameraMessage =
  | DecodeRequest
  /** Open inlet `inlet` for raw `width × height` 8-bit frames: connect to the Unix socket at `path`. */
  | { type: 'open-inlet'; inlet: number; width: number; height: number; path: string }
  /** Close it (the camera stopped); frames still arriving are dropped. */
  | { type: 'close-inlet'; inlet: number }
  /** Report the worker's own memory (for the bench's breakdown). */
  | { type: 'memory' };

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
  /** The decoders are loaded; requests are served from now on. `thread`: the worker's thread. */
  | { type: 'ready'; thread?: WorkerThread }
  /** A frame's symbols; `errors`: decoders that failed on it (the others still ran). */
  | { type: 'result'; id: number; symbols: DecodedSymbol[]; errors: WorkerDecoderError[]; decodeMs: number }
  /** The decoders could not be loaded (the worker then exits). */
  | { type: 'load-failed'; code: ErrorCode; message: string }
  /** The inlet could not connect. */
  | { type: 'inlet-failed'; inlet: number; code: ErrorCode }
  /** The inlet's first whole frame arrived. */
  | { type: 'inlet-frame'; inlet: number }
  /**
   * A frame from the inlet decoded. `frameAt`: when its last byte arrived, in ms since the Unix
   * epoch (performance.timeOrigin + performance.now(): threads have different time origins);
   * `skipped`: frames dropped unseen since the previous result (latest wins).
   */
  | {
      type: 'inlet-result';
      inlet: number;
      symbols: DecodedSymbol[];
      errors: WorkerDecoderError[];
      frameAt: number;
      skipped: number;
      decodeMs: number;
    }
  /** The writer closed the inlet (ffmpeg exited) or it failed; nothing more comes from it. */
  | { type: 'inlet-ended'; inlet: number }
  /**
   * The worker's memory: its V8 heap (and the limit set by its resourceLimits) and the external
   * buffers its isolate holds, in bytes; `collections`: full GCs the worker ran itself (garbage.ts).
   */
  | ({ type: 'memory' } & WorkerMemory);

/** The decode thread's kernel thread id and the nice value it runs at (Linux). */
export interface WorkerThread {
  tid: number;
  nice: number;
}

export interface WorkerDecoderError {
  decoder: string;
  code: ErrorCode;
}

/** The decode worker's own memory, as its isolate reports it (bytes). */
export interface WorkerMemory {
  heapTotal: number;
  /** The heap's limit (resourceLimits). */
  heapLimit: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Full GCs the worker ran itself (garbage.ts), and the milliseconds they took. */
  collections: number;
  collectionMs: number;
}
