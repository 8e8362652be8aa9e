// Bench section `camera-gate`: the camera must not slow the gate, nor swell it.
// - local_overhead_ms_p99_with_camera: the gate section's local overhead of serial scans
//   (measureOverhead: scan read → verdict written to the GPIO files, minus the portal round trip),
//   measured while this process's camera decodes 640×480 frames at 15 fps as a gate's does:
//   ffmpeg (reading a raw file at 15 fps instead of /dev/video0) writes into the decode worker's
//   frame inlet, and only the symbols come back to this thread (camera-load.ts);
// - rss_mb_camera_after_10k_frames: a daemon whose input is the camera (camera-daemon-child.ts),
//   after 10,000 frames, each decoded before the next (RSS after forced GCs, main thread and
//   decode worker together).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { startPortalFixture } from '../lab/portal-fixture.js';
import { degrade, mulberry32 } from '../lab/synth-image.js';
import { zintMatrix } from '../lab/zint.js';
import { noCodeFrames } from './camera.js';
import type { CameraChildJob, CameraChildReport } from './camera-daemon-child.js';
import { runCameraAt } from './camera-load.js';
import { bundleBenchChild } from './child-process-job.js';
import { measureOverhead } from './gate.js';
import { DEVICE_RUNTIME, REPO } from './gate-process.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const FPS = 15;
const MEMORY_FRAMES = 10_000;
const SEED = 20261129;

/** What a gate's camera sees: mostly no code; now and then a QR or Grid Matrix pass code. */
export function gateCameraFrames(seed: number, width = 640, height = 480): GrayImage[] {
  const rng = mulberry32(seed);
  const limits = { width, height, minModulePx: 2.5, maxModulePx: 5 };
  return [
    degrade(zintMatrix('QRCODE', 'PG1-CAMERA-LOAD-QR-000001'), rng, limits).image,
    ...noCodeFrames(rng, width, height, 2, true),
    degrade(zintMatrix('GRIDMATRIX', 'PG1-CAMERA-LOAD-GM-000002'), rng, limits).image,
    ...noCodeFrames(rng, width, height, 2, false),
  ];
}

/** The child and the decode worker as plain JavaScript, as on a device (no tsx loader threads). */
async function bundleChild(): Promise<string> {
  // The worker's entry sits beside the chunks as decode-worker.mjs, where launch.ts looks.
  const outdir = await bundleBenchChild('camera-daemon-child', {
    'camera-daemon-child-entry': join(REPO, 'scripts/bench/camera-daemon-child-entry.ts'),
    'decode-worker': join(REPO, 'drivers/symbols/worker/entry.ts'),
  });
  return join(outdir, 'camera-daemon-child-entry.mjs');
}

async function measureCameraMemory(pool: GrayImage[], root: string) {
  // Written by measureBoth for the overhead run.
  const framesFile = join(root, 'frames.raw');
  const dataDir = join(root, 'camera-gate');
  mkdirSync(dataDir, { mode: 0o700 });
  const job: CameraChildJob = {
    dataDir,
    framesFile,
    poolSize: pool.length,
    width: pool[0].width,
    height: pool[0].height,
    frames: MEMORY_FRAMES,
    checkpoints: [MEMORY_FRAMES / 2, MEMORY_FRAMES],
  };
  const child = fork(await bundleChild(), [], {
    cwd: REPO,
    // As a device starts the daemon (firmware/daemon/node-runtime-options.ts).
    execArgv: ['--expose-gc', ...DEVICE_RUNTIME.nodeOptions],
    // stdout is the daemon's terminal display (the unprovisioned gate's "busy" lines): dropped.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const rss = new Map<number, number>();
  let done: Extract<CameraChildReport, { type: 'done' }> | undefined;
  let failure: string | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.on('message', (m) => {
    const report = m as CameraChildReport;
    if (report.type === 'checkpoint') {
      rss.set(report.frames, report.rssMb);
      process.stderr.write(
        `bench: camera-gate: ${report.frames} frames, rss ${report.rssMb.toFixed(1)} MB, ${(report.elapsedMs / 1000).toFixed(0)} s\n`,
      );
    } else if (report.type === 'done') done = report;
    else failure = report.message;
  });
  child.send(job);
  const code = await exited;
  if (failure !== undefined) throw new Error(`camera daemon child failed: ${failure}`);
  if (done === undefined || code !== 0) throw new Error(`camera daemon child exited ${code} without finishing`);
  return { rss, done };
}

export const cameraGateSection: BenchSection = {
  name: 'camera-gate',
  async run(): Promise<BenchRow[]> {
    const pool = gateCameraFrames(SEED);
    const root = mkdtempSync(join(tmpdir(), 'pg-bench-camera-gate-'));
    try {
      return await measureBoth(pool, root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/** The overhead with the camera running in this process, then the camera daemon's memory in a child. */
async function measureBoth(pool: GrayImage[], root: string): Promise<BenchRow[]> {
  const framesFile = join(root, 'frames.raw');
  writeFileSync(framesFile, Buffer.concat(pool.map((f) => f.data)));
  const fixture = await startPortalFixture();
  let overhead: Awaited<ReturnType<typeof measureOverhead>>;
  let camera: Awaited<ReturnType<Awaited<ReturnType<typeof runCameraAt>>['stop']>>;
  try {
    const running = await runCameraAt(FPS, framesFile, pool[0].width, pool[0].height);
    try {
      // The decode thread's own CPU wait is not the scans'.
      overhead = await measureOverhead(fixture, running.decodeThread === undefined ? [] : [running.decodeThread]);
    } finally {
      camera = await running.stop();
    }
  } finally {
    await fixture.close();
  }
  const p = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(3)} / p99 ${percentile(xs, 99).toFixed(3)} ms`;
  process.stderr.write(
    `bench: camera-gate: local overhead with the camera at ${FPS} fps ${p(overhead.localMs)}; without CPU wait ${overhead.localWithoutCpuWaitMs ? p(overhead.localWithoutCpuWaitMs) : 'n/a'}; camera ${JSON.stringify(camera)}\n`,
  );
  const memory = await measureCameraMemory(pool, root);
  const mb = (o: object | undefined) =>
    JSON.stringify(o, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v));
  process.stderr.write(
    `bench: camera-gate: ${memory.done.decoded} frames decoded, ${memory.done.symbols} codes emitted, worker failures ${memory.done.workerFailures}; breakdown (MB) ${mb(memory.done.breakdown)}; decode worker ${mb(memory.done.worker)}; by mapping ${mb(memory.done.smaps)}\n`,
  );
  const rows: BenchRow[] = [
    { key: 'local_overhead_ms_p50_with_camera', value: round(percentile(overhead.localMs, 50)), unit: 'ms' },
    {
      key: 'local_overhead_ms_p99_with_camera',
      value: round(percentile(overhead.localMs, 99)),
      unit: 'ms',
      target: '<= 1.0',
    },
  ];
  if (overhead.localWithoutCpuWaitMs)
    rows.push({
      key: 'local_overhead_ms_p99_with_camera_without_cpu_wait',
      value: round(percentile(overhead.localWithoutCpuWaitMs, 99)),
      unit: 'ms',
    });
  rows.push(
    { key: 'camera_frames_decoded_during_overhead', value: camera.framesDecoded, unit: 'frames' },
    { key: 'camera_frames_shown_during_overhead', value: camera.framesShown, unit: 'frames' },
    {
      key: 'rss_mb_camera_after_10k_frames',
      value: round(memory.rss.get(MEMORY_FRAMES) ?? Number.NaN, 1),
      unit: 'MB',
      target: '<= 110',
    },
    {
      key: 'rss_mb_camera_after_5k_frames',
      value: round(memory.rss.get(MEMORY_FRAMES / 2) ?? Number.NaN, 1),
      unit: 'MB',
    },
  );
  return rows;
}
