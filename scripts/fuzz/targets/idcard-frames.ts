// GA 467 frames (drivers/idcard/frame.ts): any bytes in any chunks into the streaming decoder,
// for replies and for commands (the simulated reader's side). Contract: push never throws; the
// buffer stays within twice the largest frame; every frame has the preamble, a legal LEN and a
// good checksum; every discard carries driver.frame-invalid; a reply frame's text block is taken
// (or refused with driver.frame-invalid / driver.card-invalid) and the reply data is wiped.
import fc from 'fast-check';
import {
  COMMAND_LIMITS,
  type DecodeResult,
  encodeCommand,
  encodeReply,
  FrameDecoder,
  HEADER_BYTES,
  PREAMBLE,
  parseCommand,
  parseReply,
  REPLY_LIMITS,
  xorChecksum,
} from '../../../drivers/idcard/frame.js';
import { encodeReadData, encodeTextBlock, takeTextAndWipePhoto } from '../../../drivers/idcard/text-block.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import { mulberry32 } from '../../lab/synth-image.js';
import { withShorterBytes } from '../minimise.js';
import { byteInputs, type ChunkedBytes, chunked, chunksOf, concat } from '../mutate.js';
import { allowing, check, type FuzzTarget, hex } from '../target.js';

interface FramesInput {
  side: 'reply' | 'command';
  stream: ChunkedBytes;
  resetAfter: number | undefined;
}

function seedFrames(): Uint8Array[] {
  const random = mulberry32(467);
  const text = encodeTextBlock({ cardType: 'resident', name: '张三', idNumber: syntheticIdNumber({ random }) });
  const read = encodeReply(0x90, encodeReadData(text, new Uint8Array(1024).fill(0x5a)));
  return [
    encodeReply(0x90),
    encodeReply(0x9f, Uint8Array.of(0, 0, 0, 0)),
    read,
    concat(Uint8Array.of(0x00, 0xaa, 0xaa), encodeReply(0x80), encodeReply(0x90)),
    encodeCommand(0x20, 0x01),
    encodeCommand(0x30, 0x01),
    concat(Uint8Array.from(PREAMBLE), Uint8Array.of(0xff, 0xff), encodeReply(0x31)),
  ];
}

function checkFrameBytes(result: DecodeResult, maxLen: number): void {
  if (result.kind === 'discarded') {
    check(result.error.code === 'driver.frame-invalid', `a discard with error ${result.error.code}`);
    check(result.length > 0, 'a discard of no bytes');
    return;
  }
  const b = result.bytes;
  check(
    PREAMBLE.every((v, i) => b[i] === v),
    'a frame without the preamble',
  );
  const len = b.readUInt16BE(5);
  check(len <= maxLen && b.length === HEADER_BYTES + len, 'a frame whose LEN disagrees with its size');
  check(xorChecksum(b, 5, b.length - 1) === b[b.length - 1], 'a frame with a bad checksum');
}

export function idcardFramesTarget(): FuzzTarget<FramesInput> {
  return {
    name: 'idcard-frames',
    seeds: () =>
      seedFrames().map((bytes, i) => ({
        side: i >= 4 && i <= 5 ? 'command' : 'reply',
        stream: { bytes, cuts: [] },
        resetAfter: undefined,
      })),
    inputs: (corpus) =>
      fc.record({
        side: fc.constantFrom('reply' as const, 'command' as const),
        stream: chunked(
          byteInputs(
            corpus.map((e) => e.stream.bytes),
            6000,
          ),
        ),
        resetAfter: fc.option(fc.nat({ max: 6 }), { nil: undefined }),
      }),
    run(input) {
      const limits = input.side === 'reply' ? REPLY_LIMITS : COMMAND_LIMITS;
      const decoder = new FrameDecoder(limits);
      const results: DecodeResult[] = [];
      chunksOf(input.stream).forEach((chunk, i) => {
        results.push(...decoder.push(chunk));
        check(decoder.pending <= 2 * (HEADER_BYTES + limits.maxLen), `holds ${decoder.pending} bytes`);
        if (input.resetAfter === i) results.push(...decoder.reset());
      });
      const outcomes = new Set<string>();
      for (const r of results) {
        checkFrameBytes(r, limits.maxLen);
        if (r.kind === 'discarded') {
          outcomes.add(`discarded:${r.reason}`);
          continue;
        }
        if (input.side === 'command') {
          const command = allowing(['driver.frame-invalid'], () => parseCommand(r));
          outcomes.add(command.ok ? 'command' : command.outcome);
          continue;
        }
        const reply = allowing(['driver.frame-invalid'], () => parseReply(r));
        if (!reply.ok) {
          outcomes.add(reply.outcome);
          continue;
        }
        const data = reply.value.data;
        const text = allowing(['driver.frame-invalid', 'driver.card-invalid'], () => takeTextAndWipePhoto(reply.value));
        check(
          data.every((v) => v === 0),
          'reply data not wiped after taking the text block',
        );
        outcomes.add(text.ok ? 'text-block' : text.outcome);
      }
      return [...outcomes].sort().join(',');
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
