// The real capture path: ffmpeg child process → raw gray frames → zxing-wasm → code events,
// with ffmpeg reading a generated video file instead of /dev/videoN.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraDriver, type CameraFfmpegOptions, ffmpegSourceFactory } from '../../../drivers/camera/camera-driver.js';
import { CAMERA_CAPTURE_NICE, type FfmpegFrameSource } from '../../../drivers/camera/ffmpeg-source.js';
import type { FrameSourceFactory } from '../../../drivers/camera/frame-source.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { WorkerSymbolDecoder } from '../../../drivers/symbols/worker/worker-decoder.js';
import { ZxingQrDecoder } from '../../../drivers/symbols/zxing-qr-decoder.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { EVENT_WAIT_MS, timerTurns } from '../../support/polling.js';

import { qrFrame, VIDEO_HEIGHT, VIDEO_WIDTH, writeVideo } from './video-fixture.js';

/** The scripted decode worker (test/support/decode-worker-fixture.ts). */
const DECODE_WORKER_FIXTURE = new URL('../../support/decode-worker-fixture.ts', import.meta.url);

/** /proc/<pid>/stat: "pid (comm) state …", or '' once the process is gone. */
function procStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

let dir: string;
let decoder: ZxingQrDecoder;
let twoCodes: string;
const drivers: CameraDriver[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'camera-ffmpeg-'));
  decoder = await ZxingQrDecoder.create();
  twoCodes = writeVideo(
    dir,
    'two-codes',
    [
      { frame: qrFrame(undefined), repeat: 3 },
      { frame: qrFrame('PG1-CAMERA-AAAA', 20), repeat: 12 },
      { frame: qrFrame(undefined), repeat: 3 },
      { frame: qrFrame('PG1-CAMERA-BBBB', 300), repeat: 12 },
      { frame: qrFrame(undefined), repeat: 3 },
    ],
    20,
  );
});

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * How long ffmpeg may take to deliver its first frame, unless a test is about that timeout: a
 * liveness bound (the open goes on the moment the frame arrives), generous for a loaded machine.
 */
const FIRST_FRAME_MS = 30_000;

function camera(
  ffmpeg: Partial<CameraFfmpegOptions>,
  overrides: Parameters<typeof timeoutTable>[0] = {},
  source?: FrameSourceFactory,
): CameraDriver {
  const driver = new CameraDriver({
    name: 'cam-test',
    decoders: [decoder],
    timeouts: timeoutTable({
      driverReopenInitialMs: 50,
      driverReopenMaxMs: 200,
      driverPathPollMs: 50,
      cameraFirstFrameMs: FIRST_FRAME_MS,
      ...overrides,
    }),
    ffmpeg: { width: VIDEO_WIDTH, height: VIDEO_HEIGHT, frameRate: 20, ...ffmpeg },
    source,
  });
  drivers.push(driver);
  return driver;
}

function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = EVENT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('CameraDriver on ffmpeg', () => {
  it('emits each code of a video once, though each is held for many frames', async () => {
    const driver = camera({ inputArgs: ['-re', '-i', twoCodes] });
    const events: InputEvent[] = [];
    driver.onEvent((e) => events.push(e));
    await driver.open();
    expect(driver.status()).toEqual({ name: 'cam-test', state: 'open' });
    await waitFor('both codes', () => events.length >= 2);
    await waitFor('the clip to be decoded', () => driver.diagnostics().framesOffered >= 30);
    await driver.idle();
    expect(events).toEqual([
      { kind: 'code', source: 'cam-test', text: 'PG1-CAMERA-AAAA', symbology: 'qr', arrivedAt: expect.any(Number) },
      { kind: 'code', source: 'cam-test', text: 'PG1-CAMERA-BBBB', symbology: 'qr', arrivedAt: expect.any(Number) },
    ]);
    expect(driver.diagnostics().repeatsSuppressed).toBeGreaterThan(5);
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });

  it('reconnects after ffmpeg is killed and decodes again', async () => {
    const sources: FfmpegFrameSource[] = [];
    const timeouts = timeoutTable({ cameraRepeatWindowMs: 400, cameraFirstFrameMs: FIRST_FRAME_MS });
    const factory = ffmpegSourceFactory(
      {
        width: VIDEO_WIDTH,
        height: VIDEO_HEIGHT,
        frameRate: 20,
        inputArgs: ['-re', '-stream_loop', '-1', '-i', twoCodes],
      },
      timeouts,
    );
    const driver = camera({}, { cameraRepeatWindowMs: 400, cameraFirstFrameMs: FIRST_FRAME_MS }, () => {
      const source = factory() as FfmpegFrameSource;
      sources.push(source);
      return source;
    });
    const events: InputEvent[] = [];
    const states: DriverStatus[] = [];
    driver.onEvent((e) => events.push(e));
    driver.onState((s) => states.push(s));
    await driver.open();
    await waitFor('a first code', () => events.length >= 1);
    const pid = sources[0].pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await waitFor('reconnecting', () => states.find((s) => s.state === 'reconnecting'));
    expect(states.find((s) => s.state === 'reconnecting')).toEqual({
      name: 'cam-test',
      state: 'reconnecting',
      lastError: 'driver.disconnected',
    });
    await waitFor('open again', () => driver.status().state === 'open' && sources.length === 2);
    const before = events.length;
    await waitFor('a code from the new ffmpeg', () => events.length > before);
    expect(driver.diagnostics().sourcesStarted).toBe(2);
    expect(sources[0].ended).toBe(true);
  });

  it('keeps reconnecting, without crashing, when ffmpeg is missing or its input is garbage', async () => {
    const missing = camera({ ffmpegPath: join(dir, 'no-such-ffmpeg'), inputArgs: ['-i', twoCodes] });
    await missing.open();
    expect(missing.status()).toEqual({ name: 'cam-test', state: 'reconnecting', lastError: 'driver.open-failed' });
    await waitFor('retries', () => missing.diagnostics().sourcesStarted >= 3);

    const junk = join(dir, 'junk.mkv');
    writeFileSync(junk, Buffer.alloc(4096, 0x5a));
    const garbage = camera({ inputArgs: ['-i', junk] });
    await garbage.open();
    expect(garbage.status()).toEqual({ name: 'cam-test', state: 'reconnecting', lastError: 'driver.open-failed' });
    expect(garbage.diagnostics().lastSourceMessage).toBeTypeOf('string');
    await missing.close();
    await garbage.close();
    expect(missing.status().state).toBe('closed');
  });

  it('waits for an absent V4L2 device without respawning ffmpeg in a loop', async () => {
    const driver = camera({ device: join(dir, 'video9') });
    await driver.open();
    expect(driver.status()).toEqual({ name: 'cam-test', state: 'reconnecting', lastError: 'driver.open-failed' });
    await timerTurns(50, 8); // eight of its presence polls (driverPathPollMs)
    expect(driver.diagnostics().sourcesStarted).toBe(1);
  });

  it('gives up on an ffmpeg without a first frame, and kills a starting ffmpeg on close', async () => {
    // A FIFO nobody writes to: ffmpeg blocks opening it and never delivers a frame.
    const fifo = join(dir, 'silent.fifo');
    execFileSync('mkfifo', [fifo]);
    const sources: FfmpegFrameSource[] = [];
    const ffmpeg: CameraFfmpegOptions = {
      width: VIDEO_WIDTH,
      height: VIDEO_HEIGHT,
      frameRate: 20,
      inputArgs: ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '640x480', '-i', fifo],
    };
    /** ffmpeg sources with these timeouts (a source times its own first frame), each one noted. */
    const tracked = (overrides: Parameters<typeof timeoutTable>[0]) => {
      const factory = ffmpegSourceFactory(ffmpeg, timeoutTable(overrides));
      return (): FfmpegFrameSource => {
        const source = factory() as FfmpegFrameSource;
        sources.push(source);
        return source;
      };
    };
    const stalledTimeouts = { cameraFirstFrameMs: 300, cameraStopGraceMs: 300 };
    const stalled = camera({}, stalledTimeouts, tracked(stalledTimeouts));
    await stalled.open();
    expect(stalled.status()).toEqual({ name: 'cam-test', state: 'reconnecting', lastError: 'driver.timeout' });
    await stalled.close();

    // Still starting when closed: its first-frame timeout is far beyond anything this test waits.
    const startingTimeouts = { cameraFirstFrameMs: 10 * EVENT_WAIT_MS, cameraStopGraceMs: 300 };
    const closing = camera({}, startingTimeouts, tracked(startingTimeouts));
    const before = sources.length;
    const opened = closing.open();
    await waitFor('ffmpeg to start', () => sources.length > before || undefined);
    // ffmpeg itself running (no longer the forked Node) and blocked, as on the FIFO nobody writes.
    const pid = sources.at(-1)!.pid as number;
    await waitFor('ffmpeg to block on its input', () => /^\d+ \(ffmpeg\) S /.test(procStat(pid)) || undefined);
    const watch = startStopwatch();
    await closing.close();
    await opened;
    // Killed within its stop grace (300 ms), not after its first-frame timeout. Measured without
    // the time this process waited for a CPU (support/cpu-wait.ts).
    expect(watch.activeMs()).toBeLessThan(2000);
    expect(sources.length).toBe(before + 1);
    for (const source of sources) {
      expect(source.ended).toBe(true);
      expect(() => process.kill(source.pid as number, 0)).toThrow();
    }
  });
});

describe('CameraDriver on ffmpeg writing into the decode worker (the daemon camera)', () => {
  const workers: WorkerSymbolDecoder[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
  });

  async function workerCamera(entry?: URL, clip = twoCodes) {
    const timeouts = timeoutTable({
      cameraFrameBudgetMs: 60_000,
      driverReopenInitialMs: 50,
      driverReopenMaxMs: 200,
      cameraFirstFrameMs: FIRST_FRAME_MS,
    });
    const decoder = await WorkerSymbolDecoder.start({ timeouts, entry });
    workers.push(decoder);
    const sources: FfmpegFrameSource[] = [];
    const factory = ffmpegSourceFactory(
      {
        width: VIDEO_WIDTH,
        height: VIDEO_HEIGHT,
        frameRate: 20,
        inputArgs: ['-re', '-stream_loop', '-1', '-i', clip],
        inlet: (w, h) => decoder.openFrameInlet(w, h),
        nice: CAMERA_CAPTURE_NICE,
      },
      timeouts,
    );
    const driver = new CameraDriver({
      name: 'cam-worker',
      decoders: [decoder],
      ownsDecoders: true,
      timeouts,
      source: () => {
        const source = factory() as FfmpegFrameSource;
        sources.push(source);
        return source;
      },
    });
    drivers.push(driver);
    return { driver, decoder, sources };
  }

  it('emits the codes while no frame passes through this thread, with ffmpeg behind the gate', async () => {
    const { driver, decoder, sources } = await workerCamera();
    const events: InputEvent[] = [];
    driver.onEvent((e) => events.push(e));
    await driver.open();
    expect(driver.status()).toEqual({ name: 'cam-worker', state: 'open' });
    await waitFor('both codes', () => events.length >= 2);
    expect(new Set(events.map((e) => (e.kind === 'code' ? e.text : e.kind)))).toEqual(
      new Set(['PG1-CAMERA-AAAA', 'PG1-CAMERA-BBBB']),
    );
    const d = driver.diagnostics();
    expect(d.framesDecoded).toBeGreaterThan(0);
    // Decoded in the worker from the inlet: no frame went through decode() on this side.
    expect(decoder.stats().framesSent).toBe(0);
    // ffmpeg runs at the capture nice value.
    expect(niceOfProcess(sources[0].pid as number)).toBe(CAMERA_CAPTURE_NICE);
  });

  it('restarts ffmpeg into the restarted worker after the worker crashes, staying up', async () => {
    // The scripted worker exits on a frame whose first byte is 255: a white picture.
    const white = writeVideo(
      dir,
      'white',
      [{ frame: { ...qrFrame(undefined), data: new Uint8Array(VIDEO_WIDTH * VIDEO_HEIGHT).fill(255) }, repeat: 4 }],
      20,
    );
    const { driver, decoder } = await workerCamera(DECODE_WORKER_FIXTURE, white);
    const failures: string[] = [];
    decoder.onFailure((e) => failures.push(e.code));
    const states: DriverStatus[] = [];
    driver.onState((s) => states.push(s));
    await driver.open();
    await waitFor('the worker to crash twice', () => failures.length >= 2);
    expect(new Set(failures)).toEqual(new Set(['decode.worker-failed']));
    await waitFor('a restart for the crash', () =>
      states.find((s) => s.state === 'reconnecting' && s.lastError === 'decode.worker-failed'),
    );
    expect(driver.diagnostics().sourcesStarted).toBeGreaterThanOrEqual(2);
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });
});

/** A process's nice value (/proc/<pid>/stat, field 19). */
function niceOfProcess(pid: number): number {
  const stat = procStat(pid);
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
