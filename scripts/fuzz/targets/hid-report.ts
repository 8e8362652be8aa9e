// HID report decoding (drivers/hid-scanner/report-decoder.ts): sequences of reports of any
// length and content, with and without a report ID. Contract: never throws; a code is only
// typeable text within the length limit; after a flush nothing is pending; garbage becomes a
// discard, never a code.
import fc from 'fast-check';
import { type HidFrame, HidReportDecoder } from '../../../drivers/hid-scanner/report-decoder.js';
import { withShorterBytes } from '../minimise.js';
import { byteInputs } from '../mutate.js';
import { check, type FuzzTarget, hex } from '../target.js';

interface HidInput {
  maxCodeLength: number;
  reportId: number | undefined;
  /** The reports, back to back; `lengths` cuts them apart. */
  bytes: Uint8Array;
  lengths: number[];
  quietAtEnd: boolean;
}

/** Usage of each character a pass code uses (US layout), with Shift for capitals. */
function typed(text: string, reportId?: number): Uint8Array {
  const reports: number[][] = [];
  for (const ch of text) {
    let usage = 0;
    let mods = 0;
    if (ch >= 'a' && ch <= 'z') usage = 0x04 + ch.charCodeAt(0) - 0x61;
    else if (ch >= 'A' && ch <= 'Z') [usage, mods] = [0x04 + ch.charCodeAt(0) - 0x41, 0x02];
    else if (ch >= '1' && ch <= '9') usage = 0x1e + ch.charCodeAt(0) - 0x31;
    else if (ch === '0') usage = 0x27;
    else if (ch === '-') usage = 0x2d;
    else if (ch === '\n') usage = 0x28;
    reports.push([mods, 0, usage, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]);
  }
  return Uint8Array.from(reports.flatMap((r) => (reportId === undefined ? r : [reportId, ...r])));
}

const SEEDS = [
  typed('PGX1-0001-abc\n'),
  typed('aa11\n'),
  typed('\n\n'),
  Uint8Array.of(0, 0, 4, 5, 6, 7, 8, 9, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0x28, 0, 0, 0, 0, 0),
  Uint8Array.of(0x05, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x32, 0, 0, 0, 0, 0, 0, 0, 0x58, 0, 0, 0, 0, 0),
];

const TYPEABLE = /^[\x20-\x7e]+$/;

export function hidReportTarget(): FuzzTarget<HidInput> {
  return {
    name: 'hid-report',
    seeds: () =>
      SEEDS.map((bytes) => ({ maxCodeLength: 64, reportId: undefined, bytes, lengths: [8], quietAtEnd: true })),
    inputs: (corpus) =>
      fc.record({
        maxCodeLength: fc.integer({ min: 1, max: 128 }),
        reportId: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
        bytes: byteInputs(
          corpus.map((e) => e.bytes),
          1024,
        ),
        lengths: fc.array(fc.oneof(fc.constantFrom(8, 9), fc.integer({ min: 0, max: 20 })), {
          minLength: 1,
          maxLength: 4,
        }),
        quietAtEnd: fc.boolean(),
      }),
    run(input) {
      const decoder = new HidReportDecoder({ maxCodeLength: input.maxCodeLength, reportId: input.reportId });
      const frames: HidFrame[] = [];
      let offset = 0;
      let i = 0;
      while (offset < input.bytes.length) {
        const length = input.lengths[i++ % input.lengths.length] || 1;
        frames.push(...decoder.push(input.bytes.subarray(offset, offset + length), i));
        offset += length;
      }
      if (input.quietAtEnd) {
        frames.push(...decoder.flush());
        check(decoder.pending === 0, 'characters still pending after the keys went quiet');
      }
      for (const f of frames) {
        if (f.kind === 'code') {
          check(f.text.length > 0 && f.text.length <= input.maxCodeLength, `a ${f.text.length}-character code`);
          check(TYPEABLE.test(f.text), 'a code with a character no key types');
        } else {
          check(Number.isSafeInteger(f.length) && f.length >= 0, 'a discard with a bad length');
        }
      }
      return [...new Set(frames.map((f) => (f.kind === 'code' ? 'code' : `discarded:${f.reason}`)))].sort().join(',');
    },
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.bytes,
        (i, bytes) => ({ ...i, bytes }),
      ),
    show: (input) => JSON.stringify({ ...input, bytes: hex(input.bytes) }),
  };
}
