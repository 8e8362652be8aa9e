import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_LIMITS,
  type DecodeResult,
  encodeCommand,
  encodeReply,
  type Frame,
  FrameDecoder,
  PREAMBLE,
  parseCommand,
  parseReply,
} from '../../../drivers/idcard/frame.js';
import { isPassgateError, PassgateError } from '../../../firmware/core/errors.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const frames = (results: DecodeResult[]) => results.filter((r): r is Frame => r.kind === 'frame');
const discards = (results: DecodeResult[]) => results.filter((r) => r.kind === 'discarded');

describe('idcard framing: encoder', () => {
  it('encodes the command frames of drivers/idcard/README.md byte for byte', () => {
    expect(encodeCommand(0x20, 0x01)).toEqual(hex('AA AA AA 96 69 00 03 20 01 22'));
    expect(encodeCommand(0x20, 0x02)).toEqual(hex('AA AA AA 96 69 00 03 20 02 21'));
    expect(encodeCommand(0x30, 0x01)).toEqual(hex('AA AA AA 96 69 00 03 30 01 32'));
  });

  it('encodes the replies of drivers/idcard/README.md byte for byte', () => {
    expect(encodeReply(0x9f, new Uint8Array(4))).toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    expect(encodeReply(0x80)).toEqual(hex('AA AA AA 96 69 00 04 00 00 80 84'));
    const read = encodeReply(0x90, new Uint8Array(4 + 256 + 1024));
    expect(read.length).toBe(1295);
    expect(read.readUInt16BE(5)).toBe(0x0508);
  });

  it('refuses the fingerprint read 30 10 with a typed error', () => {
    try {
      encodeCommand(0x30, 0x10);
      expect.unreachable();
    } catch (error) {
      expect(isPassgateError(error, 'driver.command-forbidden')).toBe(true);
    }
    expect(() => encodeCommand(0x30, 0x10, new Uint8Array([1]))).toThrow(PassgateError);
  });

  it('refuses non-byte CMD/PARA and oversized bodies', () => {
    expect(() => encodeCommand(0x120, 1)).toThrow(PassgateError);
    expect(() => encodeCommand(0x20, 1, new Uint8Array(COMMAND_LIMITS.maxLen))).toThrow(PassgateError);
    expect(() => encodeReply(0x90, new Uint8Array(0x0508))).toThrow(PassgateError);
  });
});

describe('idcard framing: streaming decoder', () => {
  it('decodes the replies of drivers/idcard/README.md, split at every possible point', () => {
    const wire = Buffer.concat([
      hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'),
      hex('AA AA AA 96 69 00 04 00 00 80 84'),
    ]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const decoder = new FrameDecoder();
      const results = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut))];
      expect(discards(results)).toEqual([]);
      const replies = frames(results).map(parseReply);
      expect(replies.map((r) => r.sw3)).toEqual([0x9f, 0x80]);
      expect(replies[0].data).toEqual(Buffer.alloc(4));
      expect(decoder.pending).toBe(0);
    }
  });

  it('decodes commands with the command limits', () => {
    const decoder = new FrameDecoder(COMMAND_LIMITS);
    const [frame] = frames(decoder.push(hex('AA AA AA 96 69 00 03 30 01 32')));
    expect(parseCommand(frame)).toMatchObject({ cmd: 0x30, para: 0x01 });
  });

  it('reports garbage between frames and still yields both frames', () => {
    const decoder = new FrameDecoder();
    const results = decoder.push(
      Buffer.concat([
        hex('01 02 AA 03'),
        encodeReply(0x80),
        hex('FF AA AA 00 96 69'),
        encodeReply(0x90, new Uint8Array(8)),
      ]),
    );
    expect(frames(results).map((f) => parseReply(f).sw3)).toEqual([0x80, 0x90]);
    const garbage = discards(results);
    expect(garbage.map((d) => d.reason)).toEqual(['garbage', 'garbage']);
    expect(garbage.map((d) => d.length)).toEqual([4, 6]);
    for (const d of garbage) expect(isPassgateError(d.error, 'driver.frame-invalid')).toBe(true);
  });

  it('rejects a bad checksum and recovers the next frame', () => {
    const bad = encodeReply(0x9f, new Uint8Array(4));
    bad[bad.length - 1] ^= 0x01;
    const decoder = new FrameDecoder();
    const results = decoder.push(Buffer.concat([bad, encodeReply(0x80)]));
    expect(discards(results).map((d) => d.reason)).toContain('bad-checksum');
    expect(frames(results).map((f) => parseReply(f).sw3)).toEqual([0x80]);
  });

  it('rejects impossible lengths at once (too small, larger than the 30 01 reply)', () => {
    for (const len of [0x0000, 0x0003, 0x0509, 0xffff]) {
      const decoder = new FrameDecoder();
      const header = Buffer.from([...PREAMBLE, len >> 8, len & 0xff]);
      const results = decoder.push(header);
      expect(discards(results)[0]?.reason).toBe('length-out-of-range');
      expect(decoder.pending).toBeLessThan(PREAMBLE.length);
    }
  });

  it('drops a truncated frame when a complete frame follows it', () => {
    const read = encodeReply(0x90, new Uint8Array(4 + 256 + 1024));
    const decoder = new FrameDecoder();
    const results = decoder.push(Buffer.concat([read.subarray(0, 600), encodeReply(0x80)]));
    expect(frames(results).map((f) => parseReply(f).sw3)).toEqual([0x80]);
    expect(discards(results).map((d) => [d.reason, d.length])).toEqual([['truncated', 600]]);
    expect(decoder.pending).toBe(0);
  });

  it('waits for the rest of an incomplete frame, and reset() drops it', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(encodeReply(0x80).subarray(0, 8))).toEqual([]);
    expect(decoder.pending).toBe(8);
    expect(decoder.reset().map((d) => [d.reason, d.length])).toEqual([['truncated', 8]]);
    expect(decoder.pending).toBe(0);
  });

  it('regression: a false frame passing its checksum, then a false header inside it, then the real frame', () => {
    // Found by fast-check: the false header's LEN swallowed the real frame's preamble.
    const garbage = Buffer.from([
      170, 170, 170, 150, 105, 0, 14, 0, 0, 174, 197, 120, 138, 177, 31, 94, 71, 114, 254, 6, 170, 170, 170, 150, 105,
      0,
    ]);
    const real = encodeReply(0, new Uint8Array(0));
    const wire = Buffer.concat([garbage, real]);
    const decoder = new FrameDecoder();
    const results: DecodeResult[] = [];
    for (let i = 0; i < wire.length; i += 5) results.push(...decoder.push(wire.subarray(i, i + 5)));
    expect(frames(results).at(-1)?.bytes).toEqual(real);
  });

  it('never throws on random bytes, keeps its buffer bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }), (chunks) => {
        const decoder = new FrameDecoder();
        for (const chunk of chunks) {
          decoder.push(chunk);
          expect(decoder.pending).toBeLessThan(7 + 0x0508);
        }
      }),
      { numRuns: 300 },
    );
  });

  // Garbage made of preamble pieces, false headers and random bytes: the worst case for resync.
  const nastyGarbage = fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 20 }),
        fc.constant(Uint8Array.from(PREAMBLE)),
        fc.integer({ min: 1, max: 5 }).map((n) => Uint8Array.from(PREAMBLE.slice(0, n))),
        fc.integer({ min: 0, max: 0xffff }).map((len) => Uint8Array.from([...PREAMBLE, len >> 8, len & 0xff])),
        // A reply cut short anywhere, or a whole one: whole frames are fine, the last must be ours.
        fc
          .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 30 }), fc.integer({ min: 0, max: 45 }))
          .map(([sw3, data, cut]) => encodeReply(sw3, data).subarray(0, cut)),
      ),
      { maxLength: 10 },
    )
    .map((parts) => Buffer.concat(parts));

  it('always recovers a valid frame sent after garbage, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        nastyGarbage,
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        (garbage, sw3, data, cuts) => {
          const frame = encodeReply(sw3, data);
          const wire = Buffer.concat([garbage, frame]);
          const decoder = new FrameDecoder();
          const results: DecodeResult[] = [];
          // Cuts fall anywhere except inside the frame's preamble: a false header in the garbage
          // that passes its checksum by chance (1 in 256) while only part of the real preamble
          // has arrived is indistinguishable from a real frame, for any decoder.
          const frameStart = garbage.length;
          let offset = 0;
          for (let i = 0; offset < wire.length; i++) {
            let end = offset + cuts[i % cuts.length];
            if (end > frameStart && end < frameStart + PREAMBLE.length) end = frameStart + PREAMBLE.length;
            results.push(...decoder.push(wire.subarray(offset, end)));
            offset = end;
          }
          const found = frames(results).map((f) => f.bytes);
          expect(found[found.length - 1]).toEqual(frame);
          for (const d of discards(results)) expect(d.error).toBeInstanceOf(PassgateError);
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 1000) },
    );
  });
});
