import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HidFrame, HidReportDecoder } from '../../../drivers/hid-scanner/report-decoder.js';
import { usageToChar } from '../../../drivers/hid-scanner/usage-table.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import * as fx from './fixtures.js';

function decode(
  reports: readonly Uint8Array[],
  options: { maxCodeLength?: number; reportId?: number } = {},
): HidFrame[] {
  const decoder = new HidReportDecoder({ maxCodeLength: 64, ...options });
  return reports.flatMap((r) => decoder.push(r));
}

describe('HidReportDecoder with recorded reports', () => {
  it('decodes "Ab1-" with shift and Enter', () => {
    expect(decode(fx.AB1_DASH)).toEqual([{ kind: 'code', text: 'Ab1-' }]);
  });

  it('types a repeated character twice when a key-up report separates them', () => {
    expect(decode(fx.DOUBLE_A)).toEqual([{ kind: 'code', text: 'aa' }]);
  });

  it('types a held key once', () => {
    expect(decode(fx.HELD_A)).toEqual([{ kind: 'code', text: 'a' }]);
  });

  it('types a key pressed while another is held', () => {
    expect(decode(fx.ROLLOVER_AB)).toEqual([{ kind: 'code', text: 'ab' }]);
  });

  it('decodes shifted punctuation with left and right shift', () => {
    expect(decode(fx.SHIFTED_PUNCTUATION)).toEqual([{ kind: 'code', text: '_+{}|:"~<>?!' }]);
  });

  it('decodes unshifted punctuation and space by the HID usage table', () => {
    expect(decode(fx.PLAIN_PUNCTUATION)).toEqual([{ kind: 'code', text: "-=[]\\;'`,./ x" }]);
  });

  it('discards a code with the Non-US # key (0x32) at Enter, then decodes the next', () => {
    expect(decode([...fx.NON_US_HASH, ...fx.typed('ok1')])).toEqual([
      { kind: 'discarded', reason: 'unknown-usage', length: 2 },
      { kind: 'code', text: 'ok1' },
    ]);
  });

  it('discards a Ctrl combination as not text', () => {
    expect(decode(fx.CTRL_BRACKET)).toEqual([{ kind: 'discarded', reason: 'unknown-usage', length: 2 }]);
  });

  it('decodes keypad digits and keypad Enter', () => {
    expect(decode(fx.KEYPAD_42)).toEqual([{ kind: 'code', text: '42' }]);
  });

  it('strips a configured report ID, and rejects reports without it', () => {
    expect(decode(fx.WITH_REPORT_ID, { reportId: 1 })).toEqual([{ kind: 'code', text: 'z9' }]);
    expect(decode(fx.WITH_REPORT_ID)).toEqual([]); // 9-byte reports are not boot reports
    expect(decode([...fx.WITH_REPORT_ID.slice(0, 2), ...fx.typed('a')])).toEqual([
      { kind: 'discarded', reason: 'malformed-report', length: 1 },
    ]);
  });

  it('ignores key-up, empty and Enter-only input without inventing codes', () => {
    expect(decode([new Uint8Array(8), new Uint8Array(0), new Uint8Array(8)])).toEqual([]);
    expect(decode(fx.typed(''))).toEqual([{ kind: 'discarded', reason: 'empty', length: 0 }]);
  });

  it('bounds the length: an overlong code is discarded with its length, the next one decodes', () => {
    const long = 'abcdefghij'.repeat(30);
    const decoder = new HidReportDecoder({ maxCodeLength: 20 });
    const frames = [...fx.typed(long), ...fx.typed('short')].flatMap((r) => decoder.push(r));
    expect(frames).toEqual([
      { kind: 'discarded', reason: 'overlong', length: 300 },
      { kind: 'code', text: 'short' },
    ]);
  });

  it('flush drops a code that never got its Enter', () => {
    const decoder = new HidReportDecoder({ maxCodeLength: 64 });
    for (const r of fx.typed('abc').slice(0, 6)) decoder.push(r);
    expect(decoder.flush()).toEqual([{ kind: 'discarded', reason: 'incomplete', length: 3 }]);
    expect(decoder.flush()).toEqual([]);
  });
});

describe('usage table', () => {
  it('follows the HID Usage Tables for 0x2D–0x38', () => {
    const plain = [0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38].map((u) =>
      usageToChar(u, 0),
    );
    expect(plain).toEqual(['-', '=', '[', ']', '\\', undefined, ';', "'", '`', ',', '.', '/']);
  });
});

describe('HidReportDecoder under random reports', () => {
  it('never throws anything but PassgateError and keeps its text bounded', () => {
    const report = fc.oneof(
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.uint8Array({ maxLength: 12 }),
      fc
        .tuple(fc.constantFrom(0, 2, 0x20), fc.array(fc.integer({ min: 0, max: 0x65 }), { minLength: 6, maxLength: 6 }))
        .map(([m, keys]) => Uint8Array.from([m, 0, ...keys])),
    );
    fc.assert(
      fc.property(fc.array(report, { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (reports, maxCodeLength) => {
        const decoder = new HidReportDecoder({ maxCodeLength });
        try {
          for (const r of reports) {
            for (const frame of decoder.push(r)) {
              if (frame.kind === 'code' && frame.text.length > maxCodeLength) return false;
            }
          }
          decoder.flush();
        } catch (error) {
          if (!(error instanceof PassgateError)) throw error;
        }
        return true;
      }),
    );
  });

  it('decodes a typed code after random noise once an Enter has passed', () => {
    const noise = fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { maxLength: 40 });
    const text = fc.stringMatching(/^[a-z0-9]{1,30}$/);
    fc.assert(
      fc.property(noise, text, (garbage, code) => {
        const decoder = new HidReportDecoder({ maxCodeLength: 64 });
        const zero = new Uint8Array(8);
        const enter = Uint8Array.of(0, 0, 0x28, 0, 0, 0, 0, 0);
        const frames = [...garbage, zero, enter, zero, ...fx.typed(code)].flatMap((r) => decoder.push(r));
        const last = frames[frames.length - 1];
        return last !== undefined && last.kind === 'code' && last.text === code;
      }),
    );
  });
});
