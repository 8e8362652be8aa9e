// The daemon with a camera, in a process of its own, for rss_mb_camera_after_10k_frames: the
// Daemon as `passgate run` starts it, its one input the camera driver with the decode worker
// (drivers/symbols/worker), the frames written into the worker's frame inlet one by one, as ffmpeg
// writes them on a gate (read from a raw file into one buffer: the writer's memory is not the
// daemon's). Each frame is decoded before the next is written, so every frame counts. RSS (this
// process: the main thread and the decode worker) is read after forced GCs of the main thread;
// the breakdown adds the worker's own heap and the resident memory by kind of mapping (smaps.ts).
//
// Started by camera-memory.ts, bundled like the gate's memory child (no tsx loader threads).
import { closeSync, openSync, readSync } from 'node:fs';
import { systemClock } from '../../firmware/core/clock.js';
import { createJsonLogger } from '../../firmware/core/log.js';
import { Daemon } from '../../firmware/daemon/daemon.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { openCameraLoad } from './camera-load.js';
import { forceGc, runChildJob } from './child-process-job.js';
import { type MemoryBreakdown, memoryBreakdown } from './gate-daemon-child.js';
import { ownSmapsBreakdown, type SmapsBreakdown } from './smaps.js';

export interface CameraChildJob {
  dataDir: string;
  /** Raw 8-bit frames, `poolSize` of them, each width × height bytes. */
  framesFile: string;
  poolSize: number;
  width: number;
  height: number;
  frames: number;
  checkpoints: number[];
}

export type CameraChildReport =
  | { type: 'checkpoint'; frames: number; rssMb: number; elapsedMs: number }
  | {
      type: 'done';
      frames: number;
      decoded: number;
      symbols: number;
      breakdown: MemoryBreakdown;
      /** The decode worker's V8 heap and external buffers, MB. */
      worker?: {
        heapMb: number;
        externalMb: number;
        arrayBuffersMb: number;
        collections: number;
        collectionMs: number;
      };
      smaps?: SmapsBreakdown;
      workerFailures: number;
    }
  | { type: 'failed'; message: string };

function send(report: CameraChildReport): void {
  process.send?.(report);
}

async function run(job: CameraChildJob): Promise<void> {
  const size = job.width * job.height;
  const fd = openSync(job.framesFile, 'r');
  // One frame read from the file per show into the same buffer, so no pool of frames stays in
  // memory.
  const pixels = new Uint8Array(size);
  const load = await openCameraLoad(job.width, job.height);
  const daemon = await Daemon.start({
    dataDir: job.dataDir,
    crypto: createGmCryptoSuite(),
    logger: createJsonLogger(() => undefined),
    // The real clock: the gate shows each code's verdict and returns to idle, as on a device.
    clock: systemClock,
    extraInputs: [load.camera],
    configuredDrivers: false,
    controlSocket: false,
  });
  const started = performance.now();
  const checkpoints = new Set(job.checkpoints);
  try {
    for (let i = 1; i <= job.frames; i++) {
      readSync(fd, pixels, 0, size, ((i - 1) % job.poolSize) * size);
      await load.show(pixels);
      if (checkpoints.has(i)) {
        forceGc();
        send({
          type: 'checkpoint',
          frames: i,
          rssMb: process.memoryUsage().rss / 2 ** 20,
          elapsedMs: performance.now() - started,
        });
      }
    }
    const d = load.camera.diagnostics();
    forceGc();
    const breakdown = memoryBreakdown();
    const smaps = ownSmapsBreakdown();
    const w = await load.decoder.workerMemory();
    const worker =
      w === undefined
        ? undefined
        : {
            heapMb: w.heapTotal / 2 ** 20,
            externalMb: w.external / 2 ** 20,
            arrayBuffersMb: w.arrayBuffers / 2 ** 20,
            collections: w.collections,
            collectionMs: w.collectionMs,
          };
    const stats = await load.stop();
    send({
      type: 'done',
      frames: job.frames,
      decoded: d.framesDecoded,
      symbols: d.symbolsEmitted,
      breakdown,
      worker,
      smaps,
      workerFailures: stats.workerFailures,
    });
  } finally {
    await daemon.stop();
    closeSync(fd);
  }
}

export function main(): Promise<number> {
  return runChildJob(run);
}
