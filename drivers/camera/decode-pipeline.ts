// Runs the decoder list on camera frames within a CPU budget, and keeps a code held in front of
// the camera from flooding the gate.
//
// - Latest frame wins: while a frame is being decoded, newer frames replace each other in a
//   single slot; every frame replaced unseen is counted as skipped. So decoding never queues up
//   behind the camera, and memory holds at most two frames.
// - Frame budget (cameraFrameBudgetMs): decoders run one after another until the budget is spent;
//   the rest skip this frame and go first on the next one, so a slow decoder cannot starve the
//   others. (A decoder is synchronous WebAssembly/JS and cannot be interrupted, so the budget is
//   checked between decoders.)
// - Repeat window (cameraRepeatWindowMs): a symbol (same symbology and text) is emitted once, then
//   not again until the window since its emission has passed. The texts are only held in memory:
//   dropped at the first decoded frame after their window, and by forget(); never logged.

import { isPassgateError, PassgateError } from '../../firmware/core/errors.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import type { GrayImage } from '../symbols/gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../symbols/symbol-decoder.js';
import type { DecodedFrame } from './frame-source.js';

export type PipelineTimeouts = Pick<TimeoutTable, 'cameraFrameBudgetMs' | 'cameraRepeatWindowMs'>;

export interface DecodePipelineOptions {
  decoders: readonly SymbolDecoder[];
  timeouts: PipelineTimeouts;
  /** A symbol to emit; `frameAt`: when the frame that showed it was offered (monotonic ms). */
  onSymbol: (symbol: DecodedSymbol, frameAt: number) => void;
  /** A decoder threw (a bug or an unreadable frame); the frame goes on with the next decoder. */
  onDecoderError?: (decoder: string, error: PassgateError) => void;
  /** Monotonic milliseconds; default performance.now. */
  now?: () => number;
}

export interface PipelineStats {
  /** Frames handed to offer(). */
  framesOffered: number;
  /** Frames that went through the decoders (fully or within the budget). */
  framesDecoded: number;
  /** Frames replaced by a newer one before they were decoded. */
  framesSkipped: number;
  /** Frames on which the budget ran out before every decoder had run. */
  budgetOverruns: number;
  /** Symbols emitted. */
  symbolsEmitted: number;
  /** Symbols not emitted because the same one was emitted within the repeat window. */
  repeatsSuppressed: number;
  decoderErrors: number;
}

export class DecodePipeline {
  private readonly options: DecodePipelineOptions;
  private readonly now: () => number;
  private readonly lastEmitted = new Map<string, number>();
  /** The latest frame not yet decoded, and when it was offered. */
  private pending: { frame: GrayImage; at: number } | undefined;
  private running: Promise<void> | undefined;
  private firstDecoder = 0;
  private stopped = false;
  private readonly counts: PipelineStats = {
    framesOffered: 0,
    framesDecoded: 0,
    framesSkipped: 0,
    budgetOverruns: 0,
    symbolsEmitted: 0,
    repeatsSuppressed: 0,
    decoderErrors: 0,
  };

  constructor(options: DecodePipelineOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  stats(): PipelineStats {
    return { ...this.counts };
  }

  /** Hands a frame over; never blocks. The frame must not be modified afterwards. */
  offer(frame: GrayImage): void {
    if (this.stopped) return;
    this.counts.framesOffered += 1;
    if (this.pending !== undefined) this.counts.framesSkipped += 1;
    this.pending = { frame, at: this.now() };
    this.running ??= this.drain();
  }

  /**
   * A frame decoded where it arrived (the decode worker's inlet): counted, and its symbols go
   * through the repeat window like those of an offered frame. `skipped` frames were dropped
   * unseen before it.
   */
  acceptDecoded(decoded: DecodedFrame): void {
    if (this.stopped) return;
    this.counts.framesOffered += 1 + decoded.skipped;
    this.counts.framesSkipped += decoded.skipped;
    this.counts.framesDecoded += 1;
    for (const symbol of decoded.symbols) this.consider(symbol, decoded.frameAt);
    this.expireRepeats();
  }

  /** Resolves once every offered frame has been decoded or skipped. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Drops the pending frame and forgets the repeat window; later offers are ignored. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending !== undefined) this.counts.framesSkipped += 1;
    this.pending = undefined;
    await this.idle();
    this.lastEmitted.clear();
  }

  /** Forgets the codes of the repeat window (the camera closed). */
  forget(): void {
    this.lastEmitted.clear();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending !== undefined && !this.stopped) {
        const { frame, at } = this.pending;
        this.pending = undefined;
        await this.decodeFrame(frame, at);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async decodeFrame(frame: GrayImage, frameAt: number): Promise<void> {
    const { decoders, timeouts } = this.options;
    const n = decoders.length;
    const start = this.now();
    let ran = 0;
    for (; ran < n; ran++) {
      const index = (this.firstDecoder + ran) % n;
      if (ran > 0 && this.now() - start >= timeouts.cameraFrameBudgetMs) {
        this.counts.budgetOverruns += 1;
        this.firstDecoder = index;
        break;
      }
      const decoder = decoders[index];
      let symbols: DecodedSymbol[] = [];
      try {
        symbols = await decoder.decode(frame);
      } catch (error) {
        this.counts.decoderErrors += 1;
        const failure = isPassgateError(error)
          ? error
          : new PassgateError(
              'decode.unsupported',
              'decoder failed on a frame',
              { decoder: decoder.name },
              { cause: error },
            );
        this.options.onDecoderError?.(decoder.name, failure);
      }
      if (this.stopped) return;
      for (const symbol of symbols) this.consider(symbol, frameAt);
    }
    if (ran === n) this.firstDecoder = 0;
    this.counts.framesDecoded += 1;
    this.expireRepeats();
  }

  /** Forgets the codes whose repeat window has passed. */
  private expireRepeats(): void {
    if (this.lastEmitted.size === 0) return;
    const now = this.now();
    const window = this.options.timeouts.cameraRepeatWindowMs;
    for (const [k, t] of this.lastEmitted) if (now - t >= window) this.lastEmitted.delete(k);
  }

  private consider(symbol: DecodedSymbol, frameAt: number): void {
    const now = this.now();
    const window = this.options.timeouts.cameraRepeatWindowMs;
    const key = `${symbol.symbology}\u0000${symbol.text}`;
    const last = this.lastEmitted.get(key);
    if (last !== undefined && now - last < window) {
      this.counts.repeatsSuppressed += 1;
      return;
    }
    this.lastEmitted.set(key, now);
    this.counts.symbolsEmitted += 1;
    try {
      this.options.onSymbol(symbol, frameAt);
    } catch {
      // A listener's bug must not stop decoding.
    }
  }
}
