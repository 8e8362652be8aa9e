// Where camera frames come from. The real source is an ffmpeg child process (ffmpeg-source.ts);
// tests and the mock camera use MockFrameSource. A source starts when created and ends once.

import type { Socket } from 'node:net';
import { PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import type { GrayImage } from '../symbols/gray-image.js';
import type { DecodedSymbol } from '../symbols/symbol-decoder.js';

export interface FrameSource {
  /** Resolves when the source delivers frames (ffmpeg: the first frame arrived); rejects with a
   * PassgateError if it ended first. */
  readonly ready: Promise<void>;
  /** True once the source has ended. */
  readonly ended: boolean;
  onFrame(listener: (frame: GrayImage) => void): () => void;
  /**
   * Frames decoded where they arrived (a source writing into a FrameInlet): the symbols of each,
   * `frameAt` when the frame arrived (monotonic ms of this thread), `skipped` frames dropped
   * unseen before it. Such a source emits no frames.
   */
  onDecoded?(listener: (decoded: DecodedFrame) => void): () => void;
  /** Called once when the source ends by itself (process died, stream ended); not after stop(). */
  onEnd(listener: (reason: PassgateError) => void): () => void;
  /** Ends the source and releases its resources. Idempotent. */
  stop(): Promise<void>;
  /** The last status line of the source (ffmpeg's last stderr line), for diagnostics. */
  lastMessage(): string | undefined;
}

export type FrameSourceFactory = () => FrameSource;

export interface DecodedFrame {
  symbols: DecodedSymbol[];
  frameAt: number;
  skipped: number;
}

/**
 * Where a frame source's raw bytes can go instead of this thread: a connected socket whose other
 * end is read and decoded elsewhere (the decode worker). ffmpeg's stdout is `socket`.
 */
export interface FrameInlet {
  /** This side of the connection, handed to ffmpeg; not read here. */
  readonly socket: Socket;
  /** Resolves when the first whole frame arrived at the other end; rejects if the inlet ends first. */
  readonly firstFrame: Promise<void>;
  onDecoded(listener: (decoded: DecodedFrame) => void): () => void;
  /** The decoding end failed (decode.worker-failed); nothing more will be decoded. Not told
   * when the writer (ffmpeg) closed its end: its exit says why. */
  onEnd(listener: (reason: PassgateError) => void): () => void;
  /** Closes both ends. Idempotent. */
  close(): void;
}

/** Opens an inlet for raw `width × height` 8-bit frames. */
export type FrameInletFactory = (width: number, height: number) => Promise<FrameInlet>;

/** A frame source driven by hand: `emit(frame)` delivers a frame, `end()` simulates an unplug. */
export class MockFrameSource implements FrameSource {
  readonly ready = Promise.resolve();
  private readonly frames = new Listeners<GrayImage>();
  private readonly ends = new Listeners<PassgateError>();
  private isEnded = false;

  get ended(): boolean {
    return this.isEnded;
  }

  onFrame(listener: (frame: GrayImage) => void): () => void {
    return this.frames.add(listener);
  }

  onEnd(listener: (reason: PassgateError) => void): () => void {
    return this.ends.add(listener);
  }

  emit(frame: GrayImage): void {
    if (!this.isEnded) this.frames.emit(frame);
  }

  end(reason = new PassgateError('driver.disconnected', 'camera went away')): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.ends.emit(reason);
  }

  async stop(): Promise<void> {
    this.isEnded = true;
  }

  lastMessage(): string | undefined {
    return undefined;
  }
}
