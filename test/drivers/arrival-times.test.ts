// Every driver stamps its events with the time the input began to arrive, on its monotonic clock:
// the verdict line's totalMs starts there, not when the driver finished reading.
import { afterEach, describe, expect, it } from 'vitest';
import { MockCamera } from '../../drivers/camera/mock-camera.js';
import { HidScannerDriver, hidScannerOptions } from '../../drivers/hid-scanner/driver.js';
import { MockHidOpener } from '../../drivers/hid-scanner/mock.js';
import { IdCardReaderDriver } from '../../drivers/idcard/reader-driver.js';
import type { InputEvent } from '../../drivers/input.js';
import { type ScanFrame, ScanFrameFeed, ScanFrameParser } from '../../drivers/serial-scanner/frame-parser.js';
import type { SymbolDecoder } from '../../drivers/symbols/symbol-decoder.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { SimulatedSamReader, syntheticCard } from '../../scripts/lab/simulated-sam-reader.js';
import { MockSerialPorts } from '../support/mock-serial-ports.js';
import { until } from '../support/polling.js';
import * as fx from './hid-scanner/fixtures.js';

/** A monotonic clock the test sets by hand. */
class HandClock {
  t = 1000;
  now(): number {
    return this.t;
  }
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('serial framing: the chunk that held the frame’s first byte', () => {
  it('a frame split over chunks arrived with its first chunk; the next frame with its own', () => {
    const parser = new ScanFrameParser({ suffix: 'cr', prefix: '', stripAimId: true, maxCodeLength: 64 });
    expect(parser.push(bytes('PG-1'), 100)).toEqual([]);
    expect(parser.push(bytes('23'), 250)).toEqual([]);
    const frames = parser.push(bytes('\rPG-2\rPG-'), 400);
    expect(frames.map((f) => [f.kind === 'code' ? f.text : f.kind, f.arrivedAt])).toEqual([
      ['PG-123', 100],
      ['PG-2', 400],
    ]);
    expect(parser.push(bytes('3\r'), 900)).toEqual([expect.objectContaining({ text: 'PG-3', arrivedAt: 400 })]);
  });

  it('a discarded frame (overlong) and an idle flush carry their first byte’s time too', () => {
    const parser = new ScanFrameParser({ suffix: 'none', prefix: '', stripAimId: false, maxCodeLength: 4 });
    parser.push(bytes('ABCDEFG'), 10);
    expect(parser.flush()).toEqual([expect.objectContaining({ kind: 'discarded', reason: 'overlong', arrivedAt: 10 })]);
    parser.push(bytes('XY'), 80);
    expect(parser.flush()).toEqual([expect.objectContaining({ kind: 'code', text: 'XY', arrivedAt: 80 })]);
  });

  it('the feed stamps chunks with its clock', () => {
    const clock = new HandClock();
    const parser = new ScanFrameParser({ suffix: 'cr', prefix: '', stripAimId: true, maxCodeLength: 64 });
    const frames: ScanFrame[] = [];
    const feed = new ScanFrameFeed(
      parser,
      500,
      (f) => frames.push(f),
      () => clock.now(),
    );
    cleanups.push(async () => feed.close());
    clock.t = 2000;
    feed.push(bytes('PG-SL'));
    clock.t = 2600;
    feed.push(bytes('OW\r'));
    expect(frames).toEqual([expect.objectContaining({ text: 'PG-SLOW', arrivedAt: 2000 })]);
  });
});

describe('HID: the first report of the code', () => {
  it('a code typed over a while arrived with its first key', () => {
    const clock = new HandClock();
    const opener = new MockHidOpener();
    const driver = new HidScannerDriver(hidScannerOptions({ vendorId: 0x1eab, productId: 0x1d06 }), {
      timeouts: timeoutTable(),
      opener,
      clock,
    });
    cleanups.push(() => driver.close());
    const events: InputEvent[] = [];
    driver.onEvent((e) => events.push(e));
    return driver.open().then(() => {
      const reports = fx.typed('slow1');
      clock.t = 5000;
      opener.play(reports.slice(0, 4));
      clock.t = 5300;
      opener.play(reports.slice(4));
      expect(events).toEqual([
        { kind: 'code', source: 'hid-scanner', text: 'slow1', symbology: 'unknown', arrivedAt: 5000 },
      ]);
    });
  });
});

describe('ID card: the find that first saw the card', () => {
  const timeouts = timeoutTable({
    idCardCommandMs: 400,
    idCardRetries: 2,
    idCardPollMs: 20,
    driverReopenInitialMs: 20,
    driverReopenMaxMs: 100,
    driverPathPollMs: 20,
  });

  it('a read that needed a retry after a timeout: the wait is inside the event’s time', async () => {
    const ports = new MockSerialPorts();
    const path = '/dev/serial/by-id/usb-Arrival_Reader-if00';
    const sim = new SimulatedSamReader();
    sim.attach(ports.plugIn(path));
    const driver = new IdCardReaderDriver({ path, timeouts, ports });
    cleanups.push(async () => {
      await driver.close();
      await sim.close();
    });
    const events: Array<{ event: InputEvent; at: number }> = [];
    driver.onEvent((event) => events.push({ event, at: performance.now() }));
    await driver.open();
    sim.inject('truncated', 1);
    const placedAt = performance.now();
    sim.present(syntheticCard());
    const { event, at } = await until(() => events[0], 10_000, 'a card event');
    expect(event.kind).toBe('card');
    expect(event.arrivedAt).toBeGreaterThanOrEqual(placedAt);
    // The first read waited out its whole command timeout before the retry read the card.
    expect(at - event.arrivedAt).toBeGreaterThanOrEqual(timeouts.idCardCommandMs);
  });
});

describe('camera: the frame that showed the code', () => {
  it('the time the frame reached the driver, not the end of decoding', async () => {
    let now = 7000;
    const slow: SymbolDecoder = {
      name: 'slow-stub',
      decode: () => {
        now += 60; // decoding takes a while
        return [{ symbology: 'qr', text: 'PG-CAM' }];
      },
    };
    const camera = new MockCamera({ decoders: [slow], timeouts: timeoutTable(), now: () => now });
    cleanups.push(() => camera.close());
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    await camera.show({ width: 8, height: 8, data: new Uint8Array(64) });
    expect(events).toEqual([{ kind: 'code', source: 'mock-camera', text: 'PG-CAM', symbology: 'qr', arrivedAt: 7000 }]);
  });
});
