import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawFrameSplitter } from '../../../drivers/camera/frame-splitter.js';

function stream(frames: number, size: number): Uint8Array {
  const bytes = new Uint8Array(frames * size);
  for (let f = 0; f < frames; f++) bytes.fill(f + 1, f * size, (f + 1) * size);
  return bytes;
}

describe('RawFrameSplitter', () => {
  it('cuts any chunking of the byte stream into the same whole frames', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (w, h, n, cuts) => {
          const size = w * h;
          const bytes = stream(n, size);
          const splitter = new RawFrameSplitter({ width: w, height: h, maxPending: 100 });
          const seen: number[] = [];
          let offset = 0;
          let i = 0;
          while (offset < bytes.length) {
            const len = cuts[i++ % cuts.length];
            for (const frame of splitter.push(bytes.subarray(offset, offset + len)).frames) {
              expect(frame.width).toBe(w);
              expect(frame.height).toBe(h);
              expect(frame.data.length).toBe(size);
              // Every byte of a frame carries the frame's number: no frame mixes two.
              expect(new Set(frame.data).size).toBe(1);
              seen.push(frame.data[0]);
            }
            offset += len;
          }
          expect(seen).toEqual(Array.from({ length: n }, (_, k) => k + 1));
          expect(splitter.pendingBytes).toBe(0);
          expect(splitter.dropped).toBe(0);
        },
      ),
    );
  });

  it('keeps only the newest frames of one read, counting the dropped ones', () => {
    const splitter = new RawFrameSplitter({ width: 2, height: 2 });
    const result = splitter.push(stream(5, 4));
    expect(result.frames.map((f) => f.data[0])).toEqual([5]);
    expect(result.dropped).toBe(4);
    expect(splitter.dropped).toBe(4);
  });

  it('keeps a partial frame across pushes and forgets it on reset', () => {
    const splitter = new RawFrameSplitter({ width: 3, height: 1 });
    expect(splitter.push(Uint8Array.from([1, 1])).frames).toEqual([]);
    expect(splitter.pendingBytes).toBe(2);
    splitter.reset();
    const { frames } = splitter.push(Uint8Array.from([9, 9, 9]));
    expect(Array.from(frames[0].data)).toEqual([9, 9, 9]);
  });

  it('hands out frames that later pushes do not overwrite', () => {
    const splitter = new RawFrameSplitter({ width: 1, height: 2, maxPending: 1 });
    const first = splitter.push(Uint8Array.from([1, 1])).frames[0];
    splitter.push(Uint8Array.from([2, 2, 3, 3, 4, 4]));
    expect(Array.from(first.data)).toEqual([1, 1]);
  });

  it('cuts later frames into buffers handed back, and never into one still handed out', () => {
    const splitter = new RawFrameSplitter({ width: 1, height: 2 });
    const first = splitter.push(Uint8Array.from([1, 1])).frames[0];
    const second = splitter.push(Uint8Array.from([2, 2])).frames[0];
    expect(second.data).not.toBe(first.data);
    splitter.recycle(first.data);
    const third = splitter.push(Uint8Array.from([3, 3])).frames[0];
    const fourth = splitter.push(Uint8Array.from([4, 4])).frames[0];
    // The buffer being filled when `first` came back was already new; the one after is `first`'s.
    expect(fourth.data).toBe(first.data);
    expect([Array.from(second.data), Array.from(third.data), Array.from(fourth.data)]).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    // A buffer of another size is not taken.
    splitter.recycle(new Uint8Array(5));
    expect(splitter.push(Uint8Array.from([5, 5])).frames[0].data.length).toBe(2);
  });

  it('refuses a frame size that is not a positive integer', () => {
    expect(() => new RawFrameSplitter({ width: 0, height: 10 })).toThrow(RangeError);
    expect(() => new RawFrameSplitter({ width: 2.5, height: 10 })).toThrow(RangeError);
  });
});
