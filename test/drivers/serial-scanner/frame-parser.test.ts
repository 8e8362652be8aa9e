import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FrameParserOptions,
  type ScanFrame,
  ScanFrameFeed,
  ScanFrameParser,
} from '../../../drivers/serial-scanner/frame-parser.js';
import {
  GM65_WRITE_OK,
  gm65Replies,
  honeywellReplies,
  newlandReplies,
} from '../../../drivers/serial-scanner/profiles.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { until } from '../../support/polling.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function parser(overrides: Partial<FrameParserOptions> = {}): ScanFrameParser {
  return new ScanFrameParser({ suffix: 'cr', prefix: '', stripAimId: true, maxCodeLength: 64, ...overrides });
}

function codes(frames: ScanFrame[]): string[] {
  return frames.flatMap((f) => (f.kind === 'code' ? [f.text] : []));
}

describe('ScanFrameParser suffixes', () => {
  it('frames on CR', () => {
    expect(parser().push(bytes('PASS-001\rPASS-002\r'))).toEqual([
      { kind: 'code', text: 'PASS-001', symbology: 'unknown' },
      { kind: 'code', text: 'PASS-002', symbology: 'unknown' },
    ]);
  });

  it('frames on LF', () => {
    expect(codes(parser({ suffix: 'lf' }).push(bytes('A1\nB2\n')))).toEqual(['A1', 'B2']);
  });

  it('frames on CRLF and keeps a lone CR inside the code', () => {
    expect(codes(parser({ suffix: 'crlf' }).push(bytes('A1\r\nB\r2\r\n')))).toEqual(['A1', 'B\r2']);
  });

  it('tolerates a CRLF scanner when CR is configured (no empty frames)', () => {
    expect(parser().push(bytes('A1\r\nB2\r\n'))).toEqual([
      { kind: 'code', text: 'A1', symbology: 'unknown' },
      { kind: 'code', text: 'B2', symbology: 'unknown' },
    ]);
  });

  it('with no suffix, a code ends only at flush (the inter-byte pause)', () => {
    const p = parser({ suffix: 'none' });
    expect(p.push(bytes('ABC'))).toEqual([]);
    expect(p.push(bytes('DEF'))).toEqual([]);
    expect(p.flush()).toEqual([{ kind: 'code', text: 'ABCDEF', symbology: 'unknown' }]);
    expect(p.flush()).toEqual([]);
  });

  it('gives the same frames whatever the chunking', () => {
    const input = bytes(']Q1ticket-7\r]Q1票-8\r');
    const whole = parser().push(input);
    const p = parser();
    const split = [...input].flatMap((b) => p.push(Uint8Array.of(b)));
    expect(split).toEqual(whole);
    expect(codes(whole)).toEqual(['ticket-7', '票-8']);
  });

  it('drops an incomplete frame when the line goes quiet', () => {
    const p = parser();
    p.push(bytes('noise'));
    expect(p.flush()).toEqual([{ kind: 'discarded', reason: 'incomplete', length: 5 }]);
    expect(codes(p.push(bytes('CLEAN\r')))).toEqual(['CLEAN']);
  });
});

describe('ScanFrameParser content', () => {
  it('strips a QR AIM identifier and reports the symbology', () => {
    expect(parser().push(bytes(']Q1HELLO\r'))).toEqual([{ kind: 'code', text: 'HELLO', symbology: 'qr' }]);
  });

  it('strips other AIM identifiers as unknown symbology', () => {
    expect(parser().push(bytes(']C0ABC\r'))).toEqual([{ kind: 'code', text: 'ABC', symbology: 'unknown' }]);
  });

  it('keeps the AIM identifier when stripping is off', () => {
    expect(codes(parser({ stripAimId: false }).push(bytes(']Q1HELLO\r')))).toEqual([']Q1HELLO']);
  });

  it('removes the configured prefix, then the AIM identifier', () => {
    expect(parser({ prefix: 'GT:' }).push(bytes('GT:]Q1X9\rX8\r'))).toEqual([
      { kind: 'code', text: 'X9', symbology: 'qr' },
      { kind: 'code', text: 'X8', symbology: 'unknown' },
    ]);
  });

  it('reports invalid UTF-8 and passes nothing on', () => {
    expect(parser().push(cat([0x41, 0xff, 0xfe, 0x42, 0x0d]))).toEqual([
      { kind: 'discarded', reason: 'invalid-utf8', length: 4 },
    ]);
    // A truncated multi-byte sequence is invalid too.
    expect(parser().push(cat([0xe7, 0xa5, 0x0d]))).toEqual([{ kind: 'discarded', reason: 'invalid-utf8', length: 2 }]);
  });

  it('reports an empty frame', () => {
    expect(parser({ prefix: 'P' }).push(bytes('P\r'))).toEqual([{ kind: 'discarded', reason: 'empty', length: 1 }]);
  });

  it('discards overlong input as one frame with bounded memory, then recovers', () => {
    const p = parser({ maxCodeLength: 16 });
    const frames: ScanFrame[] = [];
    for (let i = 0; i < 1000; i += 1) {
      frames.push(...p.push(bytes('x'.repeat(100))));
      expect(p.pending).toBeLessThanOrEqual(18);
    }
    frames.push(...p.push(bytes('\rOK-1\r')));
    expect(frames).toEqual([
      { kind: 'discarded', reason: 'overlong', length: 100_000 },
      { kind: 'code', text: 'OK-1', symbology: 'unknown' },
    ]);
  });

  it('accepts a code of exactly maxCodeLength bytes, with CRLF too', () => {
    const code = 'y'.repeat(16);
    expect(codes(parser({ maxCodeLength: 16 }).push(bytes(`${code}\r`)))).toEqual([code]);
    expect(codes(parser({ maxCodeLength: 16, suffix: 'crlf' }).push(bytes(`${code}\r\n`)))).toEqual([code]);
    expect(parser({ maxCodeLength: 16 }).push(bytes(`${code}z\r`))[0]).toMatchObject({
      kind: 'discarded',
      reason: 'overlong',
    });
  });
});

describe('ScanFrameParser replies', () => {
  it('keeps a GM65 write acknowledgement apart from the code after it', () => {
    const p = parser({ replies: gm65Replies });
    expect(p.push(cat(GM65_WRITE_OK, bytes('T-1\r')))).toEqual([
      { kind: 'reply', ok: true, data: Uint8Array.of(0x00) },
      { kind: 'code', text: 'T-1', symbology: 'unknown' },
    ]);
  });

  it('reads a GM65 register value reply containing a CR byte', () => {
    const p = parser({ replies: gm65Replies });
    expect(p.push(Uint8Array.of(0x02, 0x00, 0x00, 0x01, 0x0d, 0x12, 0x34))).toEqual([
      { kind: 'reply', ok: true, data: Uint8Array.of(0x0d) },
    ]);
  });

  it('recognises a Newland ACK and NAK reply', () => {
    const p = parser({ replies: newlandReplies });
    const reply = (status: number) => cat([0x02, 0x01], bytes('0000#SCNTRG1'), [status, 0x3b, 0x03]);
    expect(p.push(cat(reply(0x06), bytes('N-1\r'), reply(0x15)))).toEqual([
      { kind: 'reply', ok: true, data: bytes('#SCNTRG1') },
      { kind: 'code', text: 'N-1', symbology: 'unknown' },
      { kind: 'reply', ok: false, data: bytes('#SCNTRG1') },
    ]);
  });

  it('recognises a Honeywell menu echo only while a reply is expected', () => {
    const p = parser({ replies: honeywellReplies });
    p.expectReply(true);
    expect(p.push(cat(bytes('TRGMOD0'), [0x06, 0x21], bytes('H-1\r')))).toEqual([
      { kind: 'reply', ok: true, data: bytes('TRGMOD0') },
      { kind: 'code', text: 'H-1', symbology: 'unknown' },
    ]);
    // Not expecting: a code is a code, even a Honeywell one.
    expect(codes(p.push(bytes('H-2\r')))).toEqual(['H-2']);
  });

  it('a Honeywell scan arriving while a reply is awaited is still a code', () => {
    const p = parser({ replies: honeywellReplies });
    p.expectReply(true);
    expect(codes(p.push(bytes('H-3\r')))).toEqual(['H-3']);
  });
});

describe('ScanFrameParser under random input', () => {
  const options = fc.record({
    suffix: fc.constantFrom('cr' as const, 'lf' as const, 'crlf' as const, 'none' as const),
    prefix: fc.constantFrom('', 'P:'),
    stripAimId: fc.boolean(),
    maxCodeLength: fc.integer({ min: 1, max: 80 }),
    replies: fc.constantFrom(undefined, gm65Replies, honeywellReplies, newlandReplies),
  });

  it('never throws anything but PassgateError, and holds bounded memory', () => {
    fc.assert(
      fc.property(
        options,
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
        fc.boolean(),
        (opts, chunks, expect_) => {
          const p = new ScanFrameParser(opts);
          p.expectReply(expect_);
          try {
            for (const chunk of chunks) {
              p.push(chunk);
              if (p.pending > Math.max(opts.maxCodeLength + 2, opts.replies?.maxLength ?? 0) + 1) return false;
            }
            p.flush();
          } catch (error) {
            if (!(error instanceof PassgateError)) throw error;
          }
          return true;
        },
      ),
    );
  });

  it('recovers a valid code sent after garbage and a terminator', () => {
    const terminated = fc.constantFrom('cr' as const, 'lf' as const, 'crlf' as const);
    const codeText = fc.stringMatching(/^[A-Za-z0-9:\-_]{1,40}$/);
    fc.assert(
      fc.property(terminated, fc.uint8Array({ maxLength: 300 }), codeText, (suffix, garbage, code) => {
        const p = new ScanFrameParser({ suffix, prefix: '', stripAimId: false, maxCodeLength: 64 });
        const end = suffix === 'cr' ? [0x0d] : suffix === 'lf' ? [0x0a] : [0x0d, 0x0a];
        const frames = p.push(cat(garbage, end, bytes(code), end));
        const last = frames[frames.length - 1];
        return last !== undefined && last.kind === 'code' && last.text === code;
      }),
    );
  });
});

describe('ScanFrameFeed', () => {
  it('hands frames to its listener as the bytes come, flushing a suffix-less code after the pause', async () => {
    const frames: ScanFrame[] = [];
    const feed = new ScanFrameFeed(parser({ suffix: 'none' }), 20, (f) => frames.push(f));
    feed.push(bytes('ABC'));
    expect(frames).toEqual([]);
    await until(() => frames.length > 0, undefined, 'the flushed frame');
    expect(frames).toEqual([{ kind: 'code', text: 'ABC', symbology: 'unknown', arrivedAt: expect.any(Number) }]);
    feed.close();
  });

  it('frames split across chunks, two in one chunk, each delivered at once', () => {
    const frames: ScanFrame[] = [];
    const feed = new ScanFrameFeed(parser(), 1000, (f) => frames.push(f));
    feed.push(Buffer.from(']Q1A'));
    feed.push(Buffer.from('B\rC'));
    expect(frames).toEqual([{ kind: 'code', text: 'AB', symbology: 'qr', arrivedAt: expect.any(Number) }]);
    feed.push(Buffer.from('D\rEF\r'));
    expect(frames.map((f) => (f.kind === 'code' ? f.text : f.kind))).toEqual(['AB', 'CD', 'EF']);
    feed.close();
  });

  it('end() flushes what is open; after close() nothing more comes, not even the idle flush', async () => {
    const frames: ScanFrame[] = [];
    const feed = new ScanFrameFeed(parser({ suffix: 'none' }), 20, (f) => frames.push(f));
    feed.push(bytes('XY'));
    feed.end();
    expect(frames).toEqual([expect.objectContaining({ kind: 'code', text: 'XY' })]);
    feed.push(bytes('Z'));
    feed.close();
    feed.push(bytes('W'));
    const control: ScanFrame[] = [];
    const controlFeed = new ScanFrameFeed(parser({ suffix: 'none' }), 20, (f) => control.push(f));
    controlFeed.push(bytes('Q'));
    await until(() => control.length > 0, undefined, 'a control feed flushed after the same pause');
    expect(frames).toHaveLength(1);
  });
});
