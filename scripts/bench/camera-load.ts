// A camera at work, for the bench: the daemon's camera path (CameraDriver → a frame inlet of the
// decode worker), so the frames go to the worker thread and never through this one, as on a gate.
// - runCameraAt: the daemon's own ffmpeg source, with ffmpeg reading a raw file of frames at a
//   fixed rate (`-re`, looped) instead of /dev/video0; for the local overhead of serial scans
//   while the camera decodes (camera-gate.ts).
// - openCameraLoad: the frames written into the inlet by this process, one at a time, each
//   decoded before the next; for the RSS after 10k frames (camera-daemon-child.ts).

import { CameraDriver } from '../../drivers/camera/camera-driver.js';
import { CAMERA_CAPTURE_NICE } from '../../drivers/camera/ffmpeg-source.js';
import type { DecodedFrame, FrameInlet, FrameSource } from '../../drivers/camera/frame-source.js';
import { WorkerSymbolDecoder } from '../../drivers/symbols/worker/worker-decoder.js';
import type { PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';

export interface CameraLoadStats {
  framesShown: number;
  framesDecoded: number;
  framesSkipped: number;
  symbolsEmitted: number;
  workerFailures: number;
}

/** A source whose frames this process writes into an inlet by hand (the bench plays ffmpeg). */
class HandFedInletSource implements FrameSource {
  readonly ready = Promise.resolve();
  private readonly decoded = new Listeners<DecodedFrame>();
  private isEnded = false;

  constructor(readonly inlet: FrameInlet) {
    inlet.onDecoded((d) => this.decoded.emit(d));
  }

  get ended(): boolean {
    return this.isEnded;
  }

  onFrame(): () => void {
    return () => undefined;
  }

  onDecoded(listener: (decoded: DecodedFrame) => void): () => void {
    return this.decoded.add(listener);
  }

  onEnd(listener: (reason: PassgateError) => void): () => void {
    return this.inlet.onEnd(listener);
  }

  async stop(): Promise<void> {
    this.isEnded = true;
    this.inlet.close();
  }

  lastMessage(): string | undefined {
    return undefined;
  }
}

export interface CameraLoad {
  camera: CameraDriver;
  decoder: WorkerSymbolDecoder;
  /** Writes one frame into the inlet; resolves once the worker has decoded it. */
  show(pixels: Uint8Array): Promise<void>;
  stop(): Promise<CameraLoadStats>;
}

/** A camera driver whose frames are written by hand into the decode worker's inlet, open. */
export async function openCameraLoad(width: number, height: number): Promise<CameraLoad> {
  const timeouts = timeoutTable();
  const decoder = await WorkerSymbolDecoder.start({ timeouts });
  const source = new HandFedInletSource(await decoder.openFrameInlet(width, height));
  const camera = new CameraDriver({
    name: 'bench-camera',
    decoders: [decoder],
    ownsDecoders: true,
    timeouts,
    source: () => source,
  });
  await camera.open();
  let shown = 0;
  return {
    camera,
    decoder,
    show(pixels) {
      shown += 1;
      const decoded = new Promise<void>((resolve) => {
        const off = source.onDecoded(() => {
          off();
          resolve();
        });
      });
      source.inlet.socket.write(pixels);
      return decoded;
    },
    stop: () => stopLoad(camera, decoder, shown),
  };
}

async function stopLoad(camera: CameraDriver, decoder: WorkerSymbolDecoder, shown: number): Promise<CameraLoadStats> {
  const d = camera.diagnostics();
  const failures = decoder.stats().workerFailures;
  await camera.close();
  return {
    framesShown: shown,
    framesDecoded: d.framesDecoded,
    framesSkipped: d.framesSkipped,
    symbolsEmitted: d.symbolsEmitted,
    workerFailures: failures,
  };
}

/**
 * The daemon's camera (ffmpeg → the decode worker's inlet) with ffmpeg reading `framesFile`
 * (raw `width × height` gray frames) at `fps`, looped, until stopped. `framesShown` counts the
 * frames that reached the worker (decoded + skipped).
 */
export async function runCameraAt(
  fps: number,
  framesFile: string,
  width: number,
  height: number,
): Promise<{ decodeThread: number | undefined; stop(): Promise<CameraLoadStats> }> {
  const timeouts = timeoutTable();
  const decoder = await WorkerSymbolDecoder.start({ timeouts });
  const size = `${width}x${height}`;
  const camera = new CameraDriver({
    name: 'bench-camera',
    decoders: [decoder],
    ownsDecoders: true,
    timeouts,
    ffmpeg: {
      width,
      height,
      frameRate: fps,
      inputArgs: [
        '-re',
        '-stream_loop',
        '-1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-video_size',
        size,
        '-framerate',
        String(fps),
        '-i',
        framesFile,
      ],
      inlet: (w, h) => decoder.openFrameInlet(w, h),
      nice: CAMERA_CAPTURE_NICE,
    },
  });
  await camera.open();
  return {
    decodeThread: decoder.workerThread()?.tid,
    async stop() {
      const stats = await stopLoad(camera, decoder, 0);
      return { ...stats, framesShown: stats.framesDecoded + stats.framesSkipped };
    },
  };
}
