// The serial scanner framing (drivers/serial-scanner/frame-parser.ts): any bytes, in any chunks,
// with any options and reply recogniser. Contract: never throws; holds at most its buffer; every
// frame is a code within the length limit without a terminator in it, a reply, or a discard; the
// frames account for no more bytes than arrived; after a flush nothing is held; and how the bytes
// were cut into chunks changes nothing.
import fc from 'fast-check';
import { type ScanFrame, ScanFrameParser } from '../../../drivers/serial-scanner/frame-parser.js';
import { SERIAL_SUFFIXES, type SerialSuffix } from '../../../drivers/serial-scanner/options.js';
import {
  GM65_WRITE_OK,
  gm65Replies,
  honeywellReplies,
  newlandReplies,
} from '../../../drivers/serial-scanner/profiles.js';
import { withShorterBytes } from '../minimise.js';
import { byteInputs, type ChunkedBytes, chunked, chunksOf } from '../mutate.js';
import { check, type FuzzTarget, hex } from '../target.js';

const RECOGNISERS = { none: undefined, gm65: gm65Replies, honeywell: honeywellReplies, newland: newlandReplies };

interface SerialInput {
  suffix: SerialSuffix;
  prefix: string;
  stripAimId: boolean;
  maxCodeLength: number;
  replies: keyof typeof RECOGNISERS;
  expectReply: boolean;
  stream: ChunkedBytes;
  /** Chunk indexes after which the line goes quiet (flush). */
  quietAfter: number[];
}

const text = (s: string) => new TextEncoder().encode(s);

const SEEDS: Uint8Array[] = [
  text('PGX1-0001-ABCDEF\r'),
  text(']Q1PGX1-0002\r\n'),
  text('PRE]Q1abc\n'),
  text('通行码-1234\r'),
  text('\n\r\r\n'),
  GM65_WRITE_OK,
  Uint8Array.of(0x02, 0x01, 0x30, 0x30, 0x30, 0x30, 0x41, 0x42, 0x06, 0x2e),
  text(`${'A'.repeat(300)}\r`),
  Uint8Array.of(0xc3, 0x28, 0x0d, 0xff, 0xfe, 0x0a),
];

function frameKey(f: ScanFrame): string {
  if (f.kind === 'code') return `code:${f.text}:${f.symbology}`;
  if (f.kind === 'reply') return `reply:${f.ok}:${Buffer.from(f.data).toString('hex')}`;
  return `discarded:${f.reason}:${f.length}`;
}

function parse(input: SerialInput, chunks: Uint8Array[], quietAfter: ReadonlySet<number>) {
  const replies = RECOGNISERS[input.replies];
  const parser = new ScanFrameParser({
    suffix: input.suffix,
    prefix: input.prefix,
    stripAimId: input.stripAimId,
    maxCodeLength: input.maxCodeLength,
    replies,
  });
  parser.expectReply(input.expectReply);
  const bound = Math.max(input.maxCodeLength + 2, replies?.maxLength ?? 0) + 1;
  const frames: ScanFrame[] = [];
  chunks.forEach((chunk, i) => {
    frames.push(...parser.push(chunk, i));
    check(parser.pending <= bound, `holds ${parser.pending} bytes, more than its ${bound}-byte buffer`);
    if (quietAfter.has(i)) frames.push(...parser.flush());
  });
  frames.push(...parser.flush());
  check(parser.pending === 0, 'bytes still held after the line went quiet');
  return frames;
}

export function serialScannerTarget(): FuzzTarget<SerialInput> {
  return {
    name: 'serial-scanner',
    seeds: () =>
      SEEDS.map((bytes) => ({
        suffix: 'cr',
        prefix: '',
        stripAimId: true,
        maxCodeLength: 512,
        replies: 'gm65',
        expectReply: false,
        stream: { bytes, cuts: [] },
        quietAfter: [],
      })),
    inputs(corpus) {
      const bytes = byteInputs(
        corpus.map((e) => e.stream.bytes),
        2048,
      );
      return fc.record({
        suffix: fc.constantFrom(...SERIAL_SUFFIXES),
        prefix: fc.constantFrom('', 'PRE', '\x02', '通'),
        stripAimId: fc.boolean(),
        maxCodeLength: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 1024 })),
        replies: fc.constantFrom(...(Object.keys(RECOGNISERS) as (keyof typeof RECOGNISERS)[])),
        expectReply: fc.boolean(),
        stream: chunked(bytes),
        quietAfter: fc.array(fc.nat({ max: 7 }), { maxLength: 3 }),
      });
    },
    run(input) {
      const chunks = chunksOf(input.stream);
      const frames = parse(input, chunks, new Set(input.quietAfter));
      let accounted = 0;
      for (const f of frames) {
        if (f.kind === 'code') {
          const size = Buffer.byteLength(f.text);
          check(size > 0, 'an empty code');
          check(size <= input.maxCodeLength, `a ${size}-byte code over the ${input.maxCodeLength}-byte limit`);
          if (input.suffix === 'cr') check(!f.text.includes('\r'), 'a code with its CR terminator inside');
          if (input.suffix === 'lf' || input.suffix === 'crlf')
            check(!f.text.includes('\n'), 'a code with a LF inside');
          accounted += size;
        } else if (f.kind === 'reply') {
          check(input.replies !== 'none', 'a reply without a reply recogniser');
          accounted += f.data.length;
        } else {
          check(Number.isSafeInteger(f.length) && f.length >= 0, 'a discard with a bad length');
          accounted += f.length;
        }
      }
      check(
        accounted <= input.stream.bytes.length,
        `frames account for ${accounted} of ${input.stream.bytes.length} bytes`,
      );
      if (input.quietAfter.length === 0) {
        const whole = parse(input, [input.stream.bytes], new Set());
        check(
          whole.map(frameKey).join('|') === frames.map(frameKey).join('|'),
          'the frames depend on how the bytes were cut into chunks',
        );
      }
      return [...new Set(frames.map((f) => (f.kind === 'discarded' ? `discarded:${f.reason}` : f.kind)))]
        .sort()
        .join(',');
    },
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.stream.bytes,
        (i, bytes) => ({ ...i, stream: { ...i.stream, bytes } }),
      ),
    show: (input) => JSON.stringify({ ...input, stream: { bytes: hex(input.stream.bytes), cuts: input.stream.cuts } }),
  };
}
