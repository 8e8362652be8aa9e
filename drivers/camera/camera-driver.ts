// The camera as an input driver: frames from a FrameSource (ffmpeg reading V4L2), decoded by a
// list of SymbolDecoders within a frame budget, each code emitted once per repeat window.
//
// The source is kept open by the shared Reconnector: ffmpeg failing to start, exiting, or the
// device node vanishing puts the driver in 'reconnecting', and ffmpeg is started again with
// backoff (or as soon as the device node is back). Nothing here throws out of a callback.

import type { ErrorCode, PassgateError } from '../../firmware/core/errors.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { ReconnectingInputDriver } from '../input-driver-base.js';
import { pathExists } from '../reconnect.js';
import type { SymbolDecoder } from '../symbols/symbol-decoder.js';
import { DecodePipeline, type PipelineStats } from './decode-pipeline.js';
import { FfmpegFrameSource, v4l2InputArgs } from './ffmpeg-source.js';
import type { FrameInletFactory, FrameSource, FrameSourceFactory } from './frame-source.js';

export type CameraTimeouts = Pick<
  TimeoutTable,
  | 'cameraFrameBudgetMs'
  | 'cameraRepeatWindowMs'
  | 'cameraFirstFrameMs'
  | 'cameraStopGraceMs'
  | 'driverReopenInitialMs'
  | 'driverReopenMaxMs'
  | 'driverPathPollMs'
>;

export interface CameraDriverOptions {
  /** Driver name, also the `source` of its events (default `camera`). */
  name?: string;
  decoders: readonly SymbolDecoder[];
  timeouts: CameraTimeouts;
  /** Where frames come from. Default: ffmpeg per `ffmpeg` below. */
  source?: FrameSourceFactory;
  /** Settings of the default ffmpeg source. */
  ffmpeg?: CameraFfmpegOptions;
  /** Whether the camera is there at all; default: the V4L2 device node exists (always true when
   * a custom source or input is given without a device). */
  isPresent?: () => Promise<boolean>;
  /** Monotonic milliseconds for the frame budget, the repeat window and the events' arrival
   * (default performance.now). */
  now?: () => number;
  /**
   * The decoders are the driver's own (the decode worker): close() closes those that can be
   * closed. Default false: tests share decoders between cameras.
   */
  ownsDecoders?: boolean;
  /** A decoder failed on a frame (e.g. decode.worker-failed: the decode worker crashed and is
   * being restarted); the camera stays open. For the daemon's log. */
  onDecoderError?: (decoder: string, error: PassgateError) => void;
}

/** The V4L2 node of the first camera, used when no device is given. */
export const DEFAULT_CAMERA_DEVICE = '/dev/video0';

export interface CameraFfmpegOptions {
  /** V4L2 device node (default /dev/video0). */
  device?: string;
  width: number;
  height: number;
  frameRate: number;
  /** Camera pixel format for V4L2 (`-input_format`), e.g. `mjpeg`. */
  inputFormat?: string;
  /** Replaces the V4L2 input arguments (tests: `['-re', '-i', 'clip.mkv']`). */
  inputArgs?: readonly string[];
  ffmpegPath?: string;
  /**
   * Send the frames into inlets opened by this (the decode worker's openFrameInlet) instead of
   * this thread: the frames never reach the gate's event loop; only their symbols come back.
   */
  inlet?: FrameInletFactory;
  /** ffmpeg's nice value (default: the daemon's own). */
  nice?: number;
}

export interface CameraDiagnostics extends PipelineStats {
  /** Sources started (1 + restarts). */
  sourcesStarted: number;
  /** Last status line of the source (ffmpeg's last stderr line). */
  lastSourceMessage?: string;
  /** Code of the last decoder failure (decode.worker-failed when the decode worker crashed). */
  lastDecoderError?: ErrorCode;
}

/** The default source factory: ffmpeg on a V4L2 device, or on the given input arguments. */
export function ffmpegSourceFactory(opts: CameraFfmpegOptions, timeouts: CameraTimeouts): FrameSourceFactory {
  const inputArgs =
    opts.inputArgs ??
    v4l2InputArgs({
      device: opts.device ?? DEFAULT_CAMERA_DEVICE,
      width: opts.width,
      height: opts.height,
      frameRate: opts.frameRate,
      inputFormat: opts.inputFormat,
    });
  return () =>
    new FfmpegFrameSource({
      width: opts.width,
      height: opts.height,
      inputArgs,
      ffmpegPath: opts.ffmpegPath,
      timeouts,
      inlet: opts.inlet,
      nice: opts.nice,
    });
}

export class CameraDriver extends ReconnectingInputDriver<FrameSource> {
  private readonly pipeline: DecodePipeline;
  private readonly createSource: FrameSourceFactory;
  private readonly decoders: readonly SymbolDecoder[];
  private readonly ownsDecoders: boolean;
  private lastDecoderError: ErrorCode | undefined;
  private sourcesStarted = 0;
  private lastSource: FrameSource | undefined;
  /** The source being started (waiting for its first frame), stopped at once by close(). */
  private starting: FrameSource | undefined;

  constructor(options: CameraDriverOptions) {
    const { timeouts } = options;
    const device =
      options.ffmpeg?.inputArgs === undefined ? (options.ffmpeg?.device ?? DEFAULT_CAMERA_DEVICE) : undefined;
    const isPresent =
      options.isPresent ?? (options.source === undefined && device !== undefined ? pathExists(device) : undefined);
    super(options.name ?? 'camera', { timeouts, isPresent });
    if (options.source !== undefined) {
      this.createSource = options.source;
    } else if (options.ffmpeg !== undefined) {
      this.createSource = ffmpegSourceFactory(options.ffmpeg, timeouts);
    } else {
      throw new RangeError('CameraDriver needs a frame source or ffmpeg settings');
    }
    this.decoders = options.decoders;
    this.ownsDecoders = options.ownsDecoders ?? false;
    this.pipeline = new DecodePipeline({
      decoders: options.decoders,
      timeouts,
      now: options.now,
      onDecoderError: (decoder, error) => {
        this.lastDecoderError = error.code;
        options.onDecoderError?.(decoder, error);
      },
      // A code arrived with the frame that showed it: decoding time counts in the gate's timings.
      onSymbol: (symbol, frameAt) =>
        this.emitEvent({
          kind: 'code',
          source: this.name,
          text: symbol.text,
          symbology: symbol.symbology,
          arrivedAt: frameAt,
        }),
    });
  }

  diagnostics(): CameraDiagnostics {
    return {
      ...this.pipeline.stats(),
      sourcesStarted: this.sourcesStarted,
      lastSourceMessage: this.lastSource?.lastMessage(),
      lastDecoderError: this.lastDecoderError,
    };
  }

  override async close(): Promise<void> {
    const starting = this.starting;
    await Promise.all([super.close(), starting?.stop()]);
    await this.pipeline.idle();
    this.pipeline.forget();
    if (this.ownsDecoders) await Promise.all(this.decoders.map((d) => d.close?.()));
  }

  /**
   * The gate had no room for a code: forget the repeat window, so a code still in view is emitted
   * from the next frame instead of after the window (the gate's own duplicate check catches a
   * code it has just verified).
   */
  override readAgain(): void {
    this.pipeline.forget();
  }

  /** Resolves once every frame received so far has been decoded or skipped. */
  idle(): Promise<void> {
    return this.pipeline.idle();
  }

  protected async openDevice(): Promise<FrameSource> {
    const source = this.createSource();
    this.sourcesStarted += 1;
    this.lastSource = source;
    this.starting = source;
    try {
      await source.ready;
    } catch (error) {
      await source.stop();
      throw error;
    } finally {
      if (this.starting === source) this.starting = undefined;
    }
    return source;
  }

  protected attachDevice(source: FrameSource): void {
    source.onFrame((frame) => this.pipeline.offer(frame));
    source.onDecoded?.((decoded) => this.pipeline.acceptDecoded(decoded));
    source.onEnd((reason) => this.lost(source, reason));
    // It may have ended between `ready` and now.
    if (source.ended) this.lost(source, new Error('source ended'));
  }

  protected releaseDevice(source: FrameSource): Promise<void> {
    return source.stop();
  }
}
