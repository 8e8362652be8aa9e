// Cuts ffmpeg's raw gray output (`-f rawvideo -pix_fmt gray`) into whole width×height frames.
// Pure and bounded: it holds at most one partial frame plus `maxPending` whole frames; older whole
// frames are dropped (and counted), because the camera only ever wants the latest picture.
// A consumer that is done with a frame may hand its buffer back (recycle): the next frame is cut
// into it instead of a new allocation, so a camera at 15 fps allocates nothing per frame.
import type { GrayImage } from '../symbols/gray-image.js';

export interface FrameSplitterOptions {
  width: number;
  height: number;
  /** Whole frames returned by one push at most; older ones are dropped. Default 1. */
  maxPending?: number;
}

export interface SplitResult {
  /** Complete frames, oldest first, at most `maxPending`. Each owns its buffer. */
  frames: GrayImage[];
  /** Complete frames dropped in this push because newer ones followed. */
  dropped: number;
}

export class RawFrameSplitter {
  readonly frameSize: number;
  private readonly width: number;
  private readonly height: number;
  private readonly maxPending: number;
  private partial: Uint8Array;
  private filled = 0;
  private droppedTotal = 0;
  /** Buffers handed back by the consumer, reused for the next frames. */
  private readonly spare: Uint8Array[] = [];

  constructor(opts: FrameSplitterOptions) {
    if (!Number.isInteger(opts.width) || !Number.isInteger(opts.height) || opts.width <= 0 || opts.height <= 0) {
      throw new RangeError('frame width and height must be positive integers');
    }
    this.width = opts.width;
    this.height = opts.height;
    this.frameSize = opts.width * opts.height;
    this.maxPending = Math.max(1, Math.floor(opts.maxPending ?? 1));
    this.partial = new Uint8Array(this.frameSize);
  }

  /** Frames dropped since construction. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Bytes of the frame currently being filled. */
  get pendingBytes(): number {
    return this.filled;
  }

  push(chunk: Uint8Array): SplitResult {
    const frames: GrayImage[] = [];
    let dropped = 0;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frameSize - this.filled, chunk.length - offset);
      this.partial.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSize) {
        frames.push({ width: this.width, height: this.height, data: this.partial });
        if (frames.length > this.maxPending) {
          // Reuse the oldest frame's buffer for the next frame instead of allocating.
          const old = frames.shift() as GrayImage;
          this.partial = old.data;
          dropped += 1;
        } else {
          this.partial = this.spare.pop() ?? new Uint8Array(this.frameSize);
        }
        this.filled = 0;
      }
    }
    this.droppedTotal += dropped;
    return { frames, dropped };
  }

  /**
   * Hands a frame's buffer back once the consumer no longer reads it; a later frame is written
   * into it. At most two are kept; buffers of another size are ignored.
   */
  recycle(buffer: Uint8Array): void {
    if (buffer.length === this.frameSize && buffer !== this.partial && this.spare.length < 2) this.spare.push(buffer);
  }

  /** Forgets a partial frame (after the stream restarts). */
  reset(): void {
    this.filled = 0;
  }
}
