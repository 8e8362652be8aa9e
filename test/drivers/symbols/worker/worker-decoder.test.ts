import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CameraDriver } from '../../../../drivers/camera/camera-driver.js';
import { MockFrameSource } from '../../../../drivers/camera/frame-source.js';
import { MockCamera } from '../../../../drivers/camera/mock-camera.js';
import type { InputEvent } from '../../../../drivers/input.js';
import type { GrayImage } from '../../../../drivers/symbols/gray-image.js';
import { DECODE_WORKER_LIMITS } from '../../../../drivers/symbols/worker/launch.js';
import { DECODE_THREAD_NICE } from '../../../../drivers/symbols/worker/thread-priority.js';
import { WorkerSymbolDecoder } from '../../../../drivers/symbols/worker/worker-decoder.js';
import { isPassgateError, type PassgateError } from '../../../../firmware/core/errors.js';
import { placeOnCanvas, renderMatrix } from '../../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../../scripts/lab/zint.js';
import { EXHAUST_HEAP, EXIT_THREAD, HOLD, THROW_UNCAUGHT } from '../../../support/decode-worker-fixture.js';
import { until } from '../../../support/polling.js';
import { DECODE_WORKER_FIXTURE, WORKER_TEST_TIMEOUTS, workerDecoderStarter } from '../../../support/worker-decoders.js';

const FIXTURE = DECODE_WORKER_FIXTURE;
const timeouts = WORKER_TEST_TIMEOUTS;
const start = workerDecoderStarter();

/** A thread's nice value as the kernel reports it (/proc/…/stat, field 19). */
function niceOf(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** A 64×48 frame whose first byte tells the fixture worker what to do. */
function scripted(first: number): GrayImage {
  const data = new Uint8Array(64 * 48).fill(128);
  data[0] = first;
  return { width: 64, height: 48, data };
}

function symbolFrame(kind: 'QRCODE' | 'GRIDMATRIX', text: string, angleDeg: number): GrayImage {
  return placeOnCanvas(renderMatrix(zintMatrix(kind, text), { moduleSize: 4, quietZone: 4 }), {
    width: 640,
    height: 480,
    angleDeg,
  });
}

describe('WorkerSymbolDecoder with the real decoders', () => {
  it('decodes QR and Grid Matrix frames in the worker and moves each frame instead of copying it', async () => {
    const decoder = await start();
    const qr = symbolFrame('QRCODE', 'PG1-WORKER-QR-7731', 17);
    const gm = symbolFrame('GRIDMATRIX', 'PG1-WORKER-GM-0423', 250);
    expect((await decoder.decode(qr)).map((s) => [s.symbology, s.text])).toEqual([['qr', 'PG1-WORKER-QR-7731']]);
    expect((await decoder.decode(gm)).map((s) => [s.symbology, s.text])).toEqual([
      ['grid-matrix', 'PG1-WORKER-GM-0423'],
    ]);
    // Transferred: the camera thread's view of each frame is detached, nothing was copied.
    expect(qr.data.byteLength).toBe(0);
    expect(gm.data.byteLength).toBe(0);
    expect(decoder.stats()).toMatchObject({ framesSent: 2, framesCopied: 0, framesDropped: 0, workerFailures: 0 });
  });

  it('runs inside the camera driver: a code shown to the camera is emitted', async () => {
    const decoder = await start();
    const camera = new MockCamera({ decoders: [decoder], timeouts });
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    try {
      await camera.show(symbolFrame('QRCODE', 'PG1-CAMERA-WORKER', 290));
      expect(events.map((e) => (e.kind === 'code' ? e.text : e.kind))).toEqual(['PG1-CAMERA-WORKER']);
    } finally {
      await camera.close();
    }
  });

  it('decodes in a thread of its own at a lower priority, leaving this thread at its own', async () => {
    const ownBefore = niceOf('/proc/thread-self/stat');
    const decoder = await start();
    const thread = decoder.workerThread();
    expect(thread).toEqual({ tid: expect.any(Number), nice: DECODE_THREAD_NICE });
    // The kernel's view: the worker's thread in this process, at nice 10; this thread unchanged.
    expect(niceOf(`/proc/self/task/${thread?.tid}/stat`)).toBe(DECODE_THREAD_NICE);
    expect(niceOf('/proc/thread-self/stat')).toBe(ownBefore);
    expect(thread?.tid).not.toBe(process.pid);
  });

  it('starts the worker with its resource limits: a heap of tens of MB, not the process default', async () => {
    const decoder = await start();
    const memory = await decoder.workerMemory();
    const mb = (memory?.heapLimit ?? Number.NaN) / 2 ** 20;
    const old = DECODE_WORKER_LIMITS.maxOldGenerationSizeMb ?? Number.NaN;
    expect(mb).toBeGreaterThanOrEqual(old);
    expect(mb).toBeLessThanOrEqual(old + 8);
    expect(memory?.heapTotal).toBeLessThan(mb * 2 ** 20);
  });

  it('rejects a frame whose size does not match its bytes', async () => {
    const decoder = await start();
    const error = await decoder.decode({ width: 10, height: 10, data: new Uint8Array(99) }).catch((e) => e);
    expect(isPassgateError(error, 'decode.image-unreadable')).toBe(true);
  });
});

describe('WorkerSymbolDecoder failures and backpressure (scripted worker)', () => {
  for (const [how, first] of [
    ['exits', EXIT_THREAD],
    ['throws an uncaught exception', THROW_UNCAUGHT],
  ] as const) {
    it(`reports a worker that ${how} as decode.worker-failed and restarts it`, async () => {
      const decoder = await start({ entry: FIXTURE });
      const failures: PassgateError[] = [];
      decoder.onFailure((e) => failures.push(e));
      expect(await decoder.decode(scripted(3))).toEqual([{ symbology: 'qr', text: 'frame-3' }]);
      const error = await decoder.decode(scripted(first)).catch((e) => e);
      expect(isPassgateError(error, 'decode.worker-failed')).toBe(true);
      expect(failures.map((f) => f.code)).toEqual(['decode.worker-failed']);
      // The next frame waits for the restarted worker and is decoded by it.
      expect(await decoder.decode(scripted(5))).toEqual([{ symbology: 'qr', text: 'frame-5' }]);
      expect(decoder.stats()).toMatchObject({ workerFailures: 1, workersStarted: 2 });
    });
  }

  it('a worker crash under the camera driver is a decoder error with its code; the camera stays open', async () => {
    const decoder = await start({ entry: FIXTURE });
    const source = new MockFrameSource();
    const faults: string[] = [];
    const camera = new CameraDriver({
      decoders: [decoder],
      ownsDecoders: true,
      timeouts,
      source: () => source,
      onDecoderError: (name, error) => faults.push(`${name} ${error.code}`),
    });
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    source.emit(scripted(EXIT_THREAD));
    await camera.idle();
    expect(faults).toEqual(['decode-worker decode.worker-failed']);
    expect(camera.diagnostics().lastDecoderError).toBe('decode.worker-failed');
    source.emit(scripted(42));
    await camera.idle();
    expect(events.map((e) => (e.kind === 'code' ? e.text : e.kind))).toEqual(['frame-42']);
    expect(camera.status().state).toBe('open');
    // The camera owns its decoder: closing the camera ends the worker.
    await camera.close();
    expect(await decoder.decode(scripted(43))).toEqual([]);
  });

  it('ends a worker whose heap runs past its limit with decode.worker-failed, and restarts it', async () => {
    const decoder = await start({
      entry: FIXTURE,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 3 },
    });
    const error = await decoder.decode(scripted(EXHAUST_HEAP)).catch((e) => e);
    expect(isPassgateError(error, 'decode.worker-failed')).toBe(true);
    expect(await decoder.decode(scripted(6))).toEqual([{ symbology: 'qr', text: 'frame-6' }]);
    expect(decoder.stats()).toMatchObject({ workerFailures: 1, workersStarted: 2 });
  });

  it('fails to start when the worker cannot load its decoders', async () => {
    const error = await WorkerSymbolDecoder.start({ timeouts, entry: FIXTURE, workerData: { failLoad: true } }).catch(
      (e) => e,
    );
    expect(isPassgateError(error, 'driver.open-failed')).toBe(true);
  });

  it('keeps only the latest waiting frame while the worker is busy (latest wins)', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const decoder = await start({ entry: FIXTURE, workerData: { gate } });
    let drops = 0;
    decoder.onDrop(() => drops++);
    const held = decoder.decode(scripted(HOLD));
    await until(() => Atomics.load(gate, 0) >= 1, undefined, 'the worker to begin the held frame');
    // The camera keeps delivering while the worker is stuck on the first frame.
    const later = [11, 12, 13, 14].map((n) => decoder.decode(scripted(n)));
    expect(drops).toBe(3);
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    expect(await held).toEqual([]);
    expect(await Promise.all(later)).toEqual([[], [], [], [{ symbology: 'qr', text: 'frame-14' }]]);
    // Only the held frame and the newest reached the worker.
    expect(Atomics.load(gate, 0)).toBe(2);
    expect(decoder.stats()).toMatchObject({ framesSent: 2, framesDropped: 3 });
  });

  it('copies a frame that is a view into a larger buffer, leaving the buffer intact', async () => {
    const decoder = await start({ entry: FIXTURE });
    const big = new Uint8Array(64 * 48 + 16).fill(9);
    const frame = { width: 64, height: 48, data: big.subarray(16) };
    expect(await decoder.decode(frame)).toEqual([{ symbology: 'qr', text: 'frame-9' }]);
    expect(big.byteLength).toBe(64 * 48 + 16);
    expect(decoder.stats()).toMatchObject({ framesCopied: 1 });
  });

  it('resolves waiting frames with nothing when closed', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const decoder = await start({ entry: FIXTURE, workerData: { gate } });
    const held = decoder.decode(scripted(HOLD));
    await until(() => Atomics.load(gate, 0) >= 1, undefined, 'the worker to begin the held frame');
    const waiting = decoder.decode(scripted(20));
    await decoder.close();
    expect(await held).toEqual([]);
    expect(await waiting).toEqual([]);
    expect(await decoder.decode(scripted(21))).toEqual([]);
  });
});
