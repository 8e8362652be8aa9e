// Camera frames from an ffmpeg child process writing raw 8-bit gray frames to stdout:
//   ffmpeg -f v4l2 -framerate F -video_size WxH -i /dev/videoN -f rawvideo -pix_fmt gray -
// The input half is replaceable: tests run this same code with a video file as input
// (`-re -i clip.mkv`). ffmpeg's stderr is not logged (it can be chatty); its last line is kept
// for diagnostics.
//
// Where the frames go: by default this thread reads ffmpeg's stdout and emits frames. With a
// frame inlet (the daemon's camera: the decode worker's, drivers/symbols/worker), ffmpeg's stdout
// is the inlet's socket, so the frames go straight to the decode worker and this thread only
// receives the decoded symbols (onDecoded); ffmpeg's start, stop, exit and stderr stay here.
import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { isPassgateError, PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import type { GrayImage } from '../symbols/gray-image.js';
import type { DecodedFrame, FrameInlet, FrameInletFactory, FrameSource } from './frame-source.js';
import { RawFrameSplitter } from './frame-splitter.js';

export interface FfmpegSourceOptions {
  width: number;
  height: number;
  /** ffmpeg's input arguments (everything up to and including `-i <input>`). */
  inputArgs: readonly string[];
  /** ffmpeg executable (default `ffmpeg` on PATH). */
  ffmpegPath?: string;
  timeouts: Pick<TimeoutTable, 'cameraFirstFrameMs' | 'cameraStopGraceMs'>;
  /** Send the frames into an inlet opened by this (the decode worker's) instead of this thread. */
  inlet?: FrameInletFactory;
  /** ffmpeg's nice value (default: this process's). Capture is background work next to the gate. */
  nice?: number;
}

/** Input arguments for a V4L2 device. `inputFormat` (e.g. `mjpeg`) selects the camera's pixel
 * format when it offers several. */
export function v4l2InputArgs(opts: {
  device: string;
  width: number;
  height: number;
  frameRate: number;
  inputFormat?: string;
}): string[] {
  const args = ['-f', 'v4l2', '-framerate', String(opts.frameRate), '-video_size', `${opts.width}x${opts.height}`];
  if (opts.inputFormat !== undefined) args.push('-input_format', opts.inputFormat);
  args.push('-i', opts.device);
  return args;
}

/** The whole ffmpeg command line for the given input. */
export function ffmpegArgs(inputArgs: readonly string[], width: number, height: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...inputArgs,
    '-an',
    // Scale to the configured size, so every frame has exactly width×height bytes whatever the
    // camera negotiated.
    '-vf',
    `scale=${width}:${height}`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    '-',
  ];
}

/**
 * ffmpeg's nice value on a gate. Capture is background work next to the gate's event loop, as is
 * decoding (the decode thread runs at nice 10): ffmpeg stays ahead of the decoder, so frames keep
 * coming, and behind the gate.
 */
export const CAMERA_CAPTURE_NICE = 5;

/** Longest stderr line kept, and longest partial line buffered while waiting for its newline. */
const MAX_STATUS_LINE = 300;

export class FfmpegFrameSource implements FrameSource {
  readonly ready: Promise<void>;
  private child: ChildProcess | undefined;
  private inlet: FrameInlet | undefined;
  private readonly splitter: RawFrameSplitter;
  private readonly frames = new Listeners<GrayImage>();
  private readonly decoded = new Listeners<DecodedFrame>();
  private readonly ends = new Listeners<PassgateError>();
  private exited: Promise<void> = Promise.resolve();
  private readonly grace: number;
  private isEnded = false;
  private gotFrame = false;
  private stderrTail = '';
  private lastLine: string | undefined;
  private firstFrameTimer: ReturnType<typeof setTimeout> | undefined;
  private resolveReady!: () => void;
  private rejectReady!: (reason: PassgateError) => void;

  constructor(private readonly opts: FfmpegSourceOptions) {
    this.splitter = new RawFrameSplitter({ width: opts.width, height: opts.height, maxPending: 1 });
    this.grace = opts.timeouts.cameraStopGraceMs;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be waiting on `ready` when the source fails later on.
    this.ready.catch(() => undefined);
    // Covers opening the inlet too.
    this.firstFrameTimer = setTimeout(() => {
      this.fail(
        new PassgateError('driver.timeout', 'camera delivered no frame in time', {
          timeoutMs: opts.timeouts.cameraFirstFrameMs,
        }),
      );
    }, opts.timeouts.cameraFirstFrameMs);
    this.onEnd((reason) => this.rejectReady(reason));
    if (opts.inlet === undefined) this.start(undefined);
    else
      opts.inlet(opts.width, opts.height).then(
        (inlet) => this.start(inlet),
        (error: unknown) =>
          this.fail(
            isPassgateError(error)
              ? error
              : new PassgateError('driver.open-failed', 'the frame inlet could not be opened', {}, { cause: error }),
          ),
      );
  }

  /** Spawns ffmpeg, its stdout read here or connected to `inlet`. */
  private start(inlet: FrameInlet | undefined): void {
    if (this.isEnded) {
      inlet?.close();
      return;
    }
    const opts = this.opts;
    this.inlet = inlet;
    const child = spawn(opts.ffmpegPath ?? 'ffmpeg', ffmpegArgs(opts.inputArgs, opts.width, opts.height), {
      stdio: ['ignore', inlet?.socket ?? 'pipe', 'pipe'],
    });
    this.child = child;
    if (opts.nice !== undefined && child.pid !== undefined) {
      try {
        setPriority(child.pid, opts.nice);
      } catch {
        // It may have exited already; its exit is reported below.
      }
    }
    this.exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    if (inlet !== undefined) {
      // ffmpeg has its own copy of the socket; this thread never reads it.
      inlet.socket.destroy();
      inlet.firstFrame.then(
        () => this.frameArrived(),
        () => undefined,
      );
      inlet.onDecoded((decoded) => {
        if (!this.isEnded) this.decoded.emit(decoded);
      });
      // The decoding end failed (the decode worker crashed): restart with a new inlet.
      inlet.onEnd((reason) => this.fail(reason));
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.isEnded) return;
      const { frames } = this.splitter.push(chunk);
      for (const frame of frames) {
        this.frameArrived();
        this.frames.emit(frame);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => this.keepStatus(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      this.fail(
        new PassgateError('driver.open-failed', 'ffmpeg could not be started', { errno: error.code }, { cause: error }),
      );
    });
    child.once('close', (code, signal) => {
      this.keepStatus(Buffer.from('\n'));
      this.fail(
        new PassgateError(this.gotFrame ? 'driver.disconnected' : 'driver.open-failed', 'ffmpeg exited', {
          exitCode: code ?? undefined,
          signal: signal ?? undefined,
        }),
      );
    });
  }

  private frameArrived(): void {
    if (this.gotFrame) return;
    this.gotFrame = true;
    clearTimeout(this.firstFrameTimer);
    this.resolveReady();
  }

  /** Process id of ffmpeg (undefined if it could not be spawned). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Frames dropped because newer ones were already in the same read. */
  get framesDropped(): number {
    return this.splitter.dropped;
  }

  onFrame(listener: (frame: GrayImage) => void): () => void {
    return this.frames.add(listener);
  }

  onEnd(listener: (reason: PassgateError) => void): () => void {
    return this.ends.add(listener);
  }

  /** With an inlet: each frame decoded by the decode worker. */
  onDecoded(listener: (decoded: DecodedFrame) => void): () => void {
    return this.decoded.add(listener);
  }

  lastMessage(): string | undefined {
    return this.lastLine;
  }

  async stop(): Promise<void> {
    this.isEnded = true;
    clearTimeout(this.firstFrameTimer);
    // Whoever waits for the first frame learns that none will come (no-op once settled).
    this.rejectReady(new PassgateError('driver.disconnected', 'camera stopped'));
    this.inlet?.close();
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), this.grace);
      await this.exited;
      clearTimeout(killTimer);
    }
  }

  private fail(reason: PassgateError): void {
    clearTimeout(this.firstFrameTimer);
    if (this.isEnded) return;
    this.isEnded = true;
    this.rejectReady(reason);
    this.ends.emit(reason);
    // A process that is still running (first-frame timeout) is killed.
    void this.stop();
  }

  private keepStatus(chunk: Buffer): void {
    this.stderrTail += chunk.toString('utf8');
    const lines = this.stderrTail.split(/\r?\n|\r/);
    this.stderrTail = (lines.pop() ?? '').slice(-MAX_STATUS_LINE);
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i].trim();
      if (line.length > 0) {
        this.lastLine = line.slice(0, MAX_STATUS_LINE);
        break;
      }
    }
  }
}
