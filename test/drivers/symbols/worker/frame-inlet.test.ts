// Frame inlets: raw frames written into a socket go straight to the decode worker, which answers
// with the symbols only. The test writes the bytes itself (as ffmpeg does on a gate).
import { describe, expect, it } from 'vitest';
import type { DecodedFrame, FrameInlet } from '../../../../drivers/camera/frame-source.js';
import type { GrayImage } from '../../../../drivers/symbols/gray-image.js';
import { isPassgateError, type PassgateError } from '../../../../firmware/core/errors.js';
import { placeOnCanvas, renderMatrix } from '../../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../../scripts/lab/zint.js';
import { EXIT_THREAD, HOLD } from '../../../support/decode-worker-fixture.js';
import { until } from '../../../support/polling.js';
import { DECODE_WORKER_FIXTURE, workerDecoderStarter } from '../../../support/worker-decoders.js';

const FIXTURE = DECODE_WORKER_FIXTURE;
const start = workerDecoderStarter();

function collect(inlet: FrameInlet): DecodedFrame[] {
  const results: DecodedFrame[] = [];
  inlet.onDecoded((d) => results.push(d));
  return results;
}

/** A 64×48 frame whose first byte tells the fixture worker what to do. */
function scripted(first: number): Uint8Array {
  const data = new Uint8Array(64 * 48).fill(128);
  data[0] = first;
  return data;
}

function symbolFrame(kind: 'QRCODE' | 'GRIDMATRIX', text: string): GrayImage {
  return placeOnCanvas(renderMatrix(zintMatrix(kind, text), { moduleSize: 4, quietZone: 4 }), {
    width: 640,
    height: 480,
    angleDeg: 8,
  });
}

describe('frame inlet of the decode worker', () => {
  it('decodes frames written into the socket in the worker; this thread reads no pixel', async () => {
    const decoder = await start();
    const inlet = await decoder.openFrameInlet(640, 480);
    const results = collect(inlet);
    const before = performance.now();
    // Written in uneven pieces, as a pipe delivers them.
    const qr = symbolFrame('QRCODE', 'PG1-INLET-QR-5521').data;
    inlet.socket.write(qr.subarray(0, 100_000));
    inlet.socket.write(qr.subarray(100_000));
    await inlet.firstFrame;
    await until(() => results.length >= 1, undefined, 'the QR frame');
    inlet.socket.write(symbolFrame('GRIDMATRIX', 'PG1-INLET-GM-0087').data);
    await until(() => results.length >= 2, undefined, 'the Grid Matrix frame');
    expect(results.map((r) => r.symbols.map((s) => [s.symbology, s.text]))).toEqual([
      [['qr', 'PG1-INLET-QR-5521']],
      [['grid-matrix', 'PG1-INLET-GM-0087']],
    ]);
    // Arrival times are on this thread's clock.
    expect(results[0].frameAt).toBeGreaterThanOrEqual(before);
    expect(results[1].frameAt).toBeLessThanOrEqual(performance.now());
    // Nothing was read on this side of the socket, and no frame went through decode().
    expect(inlet.socket.bytesRead).toBe(0);
    expect(decoder.stats().framesSent).toBe(0);
    inlet.close();
  });

  it('decodes only the latest of the frames that arrived while it was busy, counting the others', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const decoder = await start({ entry: FIXTURE, workerData: { gate } });
    const inlet = await decoder.openFrameInlet(64, 48);
    const results = collect(inlet);
    inlet.socket.write(scripted(HOLD));
    await until(() => Atomics.load(gate, 0) >= 1, undefined, 'the worker to begin the held frame');
    for (const n of [11, 12, 13, 14]) inlet.socket.write(scripted(n));
    // Let the worker read them all before it is released: it is blocked, so wait on the kernel
    // side by writing a last frame through and then releasing.
    await new Promise<void>((resolve) => inlet.socket.write(scripted(15), () => resolve()));
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    await until(() => results.some((r) => r.symbols.some((s) => s.text === 'frame-15')), undefined, 'frame 15');
    expect(results[0].symbols).toEqual([]);
    const last = results[results.length - 1];
    expect(last.symbols).toEqual([{ symbology: 'qr', text: 'frame-15' }]);
    // Held frame, then at most one more before frame 15; everything else was skipped unseen.
    expect(results.length).toBeLessThanOrEqual(3);
    expect(results.reduce((n, r) => n + r.skipped, 0) + results.length).toBe(6);
  });

  it('ends with decode.worker-failed when the worker dies, and opens again in the restarted worker', async () => {
    const decoder = await start({ entry: FIXTURE });
    const inlet = await decoder.openFrameInlet(64, 48);
    const results = collect(inlet);
    const ended: PassgateError[] = [];
    inlet.onEnd((e) => ended.push(e));
    inlet.socket.write(scripted(7));
    await until(() => results.length >= 1, undefined, 'a first result');
    inlet.socket.write(scripted(EXIT_THREAD));
    await until(() => ended.length >= 1, undefined, 'the inlet to end');
    expect(ended.map((e) => e.code)).toEqual(['decode.worker-failed']);
    // Until the restarted worker is ready, opening is refused with the same code.
    let again: FrameInlet | undefined;
    while (again === undefined) {
      again = await decoder.openFrameInlet(64, 48).catch((e) => {
        expect(isPassgateError(e, 'decode.worker-failed')).toBe(true);
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 5));
      });
    }
    expect(decoder.stats()).toMatchObject({ workerFailures: 1, workersStarted: 2 });
    const more = collect(again);
    again.socket.write(scripted(9));
    await until(() => more.length >= 1, undefined, 'a result from the new worker');
    expect(more[0].symbols).toEqual([{ symbology: 'qr', text: 'frame-9' }]);
  });

  it('garbage gives a frame with no symbols; a truncated frame is dropped when the writer closes; the worker serves on', async () => {
    const decoder = await start();
    const inlet = await decoder.openFrameInlet(640, 480);
    const results = collect(inlet);
    const ended: PassgateError[] = [];
    inlet.onEnd((e) => ended.push(e));
    const garbage = new Uint8Array(640 * 480 * 1.5);
    let seed = 7;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      garbage[i] = seed >>> 24;
    }
    // One whole frame of noise and half a frame; then the writer goes away (ffmpeg killed).
    inlet.socket.write(garbage);
    await until(() => results.length >= 1, undefined, 'the frame of noise');
    expect(results[0].symbols).toEqual([]);
    inlet.socket.end();
    await until(() => inlet.socket.destroyed, undefined, 'the inlet to end with its writer');
    expect(results).toHaveLength(1);
    // The writer's end is not a failure of the worker: the camera learns why from ffmpeg.
    expect(ended).toEqual([]);
    const next = await decoder.openFrameInlet(640, 480);
    const nextResults = collect(next);
    next.socket.write(symbolFrame('QRCODE', 'PG1-INLET-QR-7310').data);
    await until(() => nextResults.length >= 1, undefined, 'the next inlet');
    expect(nextResults[0].symbols.map((s) => s.text)).toEqual(['PG1-INLET-QR-7310']);
    expect(results).toHaveLength(1);
    next.close();
  });

  it('refuses frame sizes that are not positive integers', async () => {
    const decoder = await start();
    for (const [w, h] of [
      [0, 480],
      [640, -1],
      [640.5, 480],
      [Number.NaN, 480],
    ])
      await expect(decoder.openFrameInlet(w, h)).rejects.toSatisfy((e) =>
        isPassgateError(e, 'decode.image-unreadable'),
      );
  });

  it('refuses to open while the worker is not running, and after close', async () => {
    const decoder = await start({ entry: FIXTURE });
    await expect(decoder.openFrameInlet(0, 48)).rejects.toSatisfy((e) => isPassgateError(e, 'decode.image-unreadable'));
    await decoder.close();
    await expect(decoder.openFrameInlet(64, 48)).rejects.toSatisfy((e) => isPassgateError(e, 'decode.worker-failed'));
  });

  it('stops decoding a closed inlet, and says nothing more about it', async () => {
    const decoder = await start({ entry: FIXTURE });
    const inlet = await decoder.openFrameInlet(64, 48);
    const results = collect(inlet);
    const ended: PassgateError[] = [];
    inlet.onEnd((e) => ended.push(e));
    inlet.close();
    await expect(inlet.firstFrame).rejects.toSatisfy((e) => isPassgateError(e, 'driver.disconnected'));
    // The worker still serves others.
    const other = await decoder.openFrameInlet(64, 48);
    const otherResults = collect(other);
    other.socket.write(scripted(3));
    await until(() => otherResults.length >= 1, undefined, 'the other inlet');
    expect(results).toEqual([]);
    expect(ended).toEqual([]);
  });
});
