import { describe, expect, it } from 'vitest';
import { DecodePipeline } from '../../../drivers/camera/decode-pipeline.js';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../../../drivers/symbols/symbol-decoder.js';
import { PassgateError } from '../../../firmware/core/errors.js';

/** A frame whose first pixel says which code it shows (0 = none). */
function frame(code: number): GrayImage {
  return { width: 1, height: 1, data: Uint8Array.from([code]) };
}

class FakeClock {
  t = 0;
  now = (): number => this.t;
}

/** Reads the code from the frame's pixel; each decode advances the fake clock by `costMs`. */
class PixelDecoder implements SymbolDecoder {
  readonly seen: number[] = [];
  constructor(
    readonly name: string,
    private readonly clock: FakeClock,
    private readonly costMs: number,
    private readonly gate?: Promise<void>,
  ) {}
  async decode(image: GrayImage): Promise<DecodedSymbol[]> {
    this.seen.push(image.data[0]);
    if (this.gate !== undefined) await this.gate;
    this.clock.t += this.costMs;
    const code = image.data[0];
    return code === 0 ? [] : [{ symbology: 'qr', text: `${this.name}:${code}` }];
  }
}

const timeouts = { cameraFrameBudgetMs: 50, cameraRepeatWindowMs: 1000 };

describe('DecodePipeline', () => {
  it('decodes the latest frame only while busy, counting skipped frames', async () => {
    const clock = new FakeClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const decoder = new PixelDecoder('qr', clock, 1, gate);
    const texts: string[] = [];
    const pipeline = new DecodePipeline({
      decoders: [decoder],
      timeouts,
      now: clock.now,
      onSymbol: (s) => texts.push(s.text),
    });
    pipeline.offer(frame(1));
    for (let i = 2; i <= 6; i++) pipeline.offer(frame(i));
    release();
    await pipeline.idle();
    expect(decoder.seen).toEqual([1, 6]);
    expect(texts).toEqual(['qr:1', 'qr:6']);
    expect(pipeline.stats()).toMatchObject({ framesOffered: 6, framesDecoded: 2, framesSkipped: 4 });
  });

  it('emits a code held in front of the camera once per repeat window', async () => {
    const clock = new FakeClock();
    const texts: string[] = [];
    const pipeline = new DecodePipeline({
      decoders: [new PixelDecoder('qr', clock, 0)],
      timeouts,
      now: clock.now,
      onSymbol: (s) => texts.push(s.text),
    });
    // 2.5 s of the same code at 10 frames per second, then another code, then the first again.
    for (let i = 0; i < 25; i++) {
      pipeline.offer(frame(7));
      await pipeline.idle();
      clock.t += 100;
    }
    pipeline.offer(frame(8));
    await pipeline.idle();
    pipeline.offer(frame(7));
    await pipeline.idle();
    expect(texts).toEqual(['qr:7', 'qr:7', 'qr:7', 'qr:8']);
    expect(pipeline.stats()).toMatchObject({ symbolsEmitted: 4, repeatsSuppressed: 23 });
    clock.t += 500; // a window after the last emission of 7 (at 2000)
    pipeline.offer(frame(7));
    await pipeline.idle();
    expect(texts).toEqual(['qr:7', 'qr:7', 'qr:7', 'qr:8', 'qr:7']);
    pipeline.forget();
    pipeline.offer(frame(7));
    await pipeline.idle();
    expect(texts).toHaveLength(6);
  });

  it('stops a frame at the budget and starts the next frame with the skipped decoders', async () => {
    const clock = new FakeClock();
    const slow = new PixelDecoder('slow', clock, 60);
    const fast = new PixelDecoder('fast', clock, 1);
    const pipeline = new DecodePipeline({
      decoders: [slow, fast],
      timeouts,
      now: clock.now,
      onSymbol: () => undefined,
    });
    for (let i = 1; i <= 4; i++) {
      pipeline.offer(frame(i));
      await pipeline.idle();
    }
    // Frame 1: slow spends the budget, fast is skipped. Frame 2: fast first, then slow.
    // Frame 3: slow first again (both ran on frame 2), and so on.
    expect(slow.seen).toEqual([1, 2, 3, 4]);
    expect(fast.seen).toEqual([2, 4]);
    expect(pipeline.stats().budgetOverruns).toBe(2);
  });

  it('goes on after a decoder throws, and after a listener throws', async () => {
    const clock = new FakeClock();
    const failures: string[] = [];
    const broken: SymbolDecoder = {
      name: 'broken',
      decode: () => {
        throw new Error('bug');
      },
    };
    const typed: SymbolDecoder = {
      name: 'typed',
      decode: async () => {
        throw new PassgateError('decode.image-unreadable', 'bad frame');
      },
    };
    const texts: string[] = [];
    const pipeline = new DecodePipeline({
      decoders: [broken, typed, new PixelDecoder('qr', clock, 0)],
      timeouts,
      now: clock.now,
      onSymbol: (s) => {
        texts.push(s.text);
        throw new Error('listener bug');
      },
      onDecoderError: (name, error) => failures.push(`${name}:${error.code}`),
    });
    pipeline.offer(frame(3));
    await pipeline.idle();
    pipeline.offer(frame(4));
    await pipeline.idle();
    expect(texts).toEqual(['qr:3', 'qr:4']);
    expect(failures.slice(0, 2)).toEqual(['broken:decode.unsupported', 'typed:decode.image-unreadable']);
    expect(pipeline.stats().decoderErrors).toBe(4);
  });

  it('ignores frames after stop()', async () => {
    const clock = new FakeClock();
    const decoder = new PixelDecoder('qr', clock, 0);
    const pipeline = new DecodePipeline({ decoders: [decoder], timeouts, now: clock.now, onSymbol: () => undefined });
    await pipeline.stop();
    pipeline.offer(frame(1));
    await pipeline.idle();
    expect(decoder.seen).toEqual([]);
  });
  it('takes frames decoded elsewhere (the worker inlet) through the same counts and repeat window', () => {
    const clock = new FakeClock();
    const emitted: Array<[string, number]> = [];
    const pipeline = new DecodePipeline({
      decoders: [],
      timeouts,
      now: clock.now,
      onSymbol: (s, at) => emitted.push([s.text, at]),
    });
    const code: DecodedSymbol = { symbology: 'qr', text: 'held' };
    pipeline.acceptDecoded({ symbols: [code], frameAt: 5, skipped: 0 });
    clock.t = 500;
    pipeline.acceptDecoded({ symbols: [code], frameAt: 495, skipped: 2 });
    clock.t = 1000;
    pipeline.acceptDecoded({ symbols: [code, { symbology: 'grid-matrix', text: 'other' }], frameAt: 990, skipped: 1 });
    expect(emitted).toEqual([
      ['held', 5],
      ['held', 990],
      ['other', 990],
    ]);
    expect(pipeline.stats()).toMatchObject({
      framesOffered: 6,
      framesDecoded: 3,
      framesSkipped: 3,
      symbolsEmitted: 3,
      repeatsSuppressed: 1,
    });
  });
});
