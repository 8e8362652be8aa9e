// A camera at work, for the bench: the daemon's camera path (CameraDriver → decode worker) fed
// frames by hand or at a fixed rate, as ffmpeg would deliver them (a fresh buffer per frame).
// Used by the gate section (serial scans' local overhead while the camera decodes at 15 fps) and
// by camera-memory.ts (RSS after 10k frames).
import { CameraDriver } from '../../drivers/camera/camera-driver.js';
import { MockFrameSource } from '../../drivers/camera/frame-source.js';
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { WorkerSymbolDecoder } from '../../drivers/symbols/worker/worker-decoder.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';

/** Frame after frame from a pool, each a copy (the decoder takes the buffer it is given). */
export function framesFromPool(pool: readonly GrayImage[]): () => GrayImage {
  let i = 0;
  return () => {
    const frame = pool[i++ % pool.length];
    return { width: frame.width, height: frame.height, data: frame.data.slice() };
  };
}

export interface CameraLoadStats {
  framesShown: number;
  framesDecoded: number;
  framesSkipped: number;
  symbolsEmitted: number;
  workerFailures: number;
}

export interface CameraLoad {
  camera: CameraDriver;
  /** Shows the next frame. */
  show(): void;
  stop(): Promise<CameraLoadStats>;
}

/** A camera driver with the decode worker and a hand-fed source, open. */
export async function openCameraLoad(nextFrame: () => GrayImage): Promise<CameraLoad> {
  const timeouts = timeoutTable();
  const decoder = await WorkerSymbolDecoder.start({ timeouts });
  const source = new MockFrameSource();
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
    show() {
      shown += 1;
      source.emit(nextFrame());
    },
    async stop() {
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
    },
  };
}

/** The camera fed at `fps` on the real clock until stopped. */
export async function runCameraAt(
  fps: number,
  nextFrame: () => GrayImage,
): Promise<{ stop(): Promise<CameraLoadStats> }> {
  const load = await openCameraLoad(nextFrame);
  const timer = setInterval(() => load.show(), 1000 / fps);
  return {
    stop() {
      clearInterval(timer);
      return load.stop();
    },
  };
}
