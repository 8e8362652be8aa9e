// GA 467 SAM reader framing: AA AA AA 96 69, LEN (2 bytes, big-endian, counting every byte
// after itself including the checksum), body, XOR checksum over LEN..body.
// A command body is CMD PARA [DATA]; a reply body is SW1 SW2 SW3 [DATA].
import { PassgateError } from '../../firmware/core/errors.js';

export const PREAMBLE: readonly number[] = [0xaa, 0xaa, 0xaa, 0x96, 0x69];
/** Preamble plus the two LEN bytes. */
export const HEADER_BYTES = 7;

export interface LengthLimits {
  /** Smallest legal LEN. */
  minLen: number;
  /** Largest legal LEN. */
  maxLen: number;
}

/**
 * Replies: at least SW1 SW2 SW3 CHK (LEN 4). At most the read of text + photo (30 01): 3 status
 * bytes, 2 + 2 length bytes, 256 text, 1024 photo, 1 checksum = 1288 = 0x0508, a 1295-byte frame.
 * Larger replies exist only for the fingerprint read (30 10), which passgate never sends, so any
 * longer LEN is line noise and is rejected at once instead of waiting for up to 64 KiB.
 */
export const REPLY_LIMITS: LengthLimits = { minLen: 4, maxLen: 0x0508 };
/** Commands: at least CMD PARA CHK (LEN 3); none that passgate or a reader uses carries much data. */
export const COMMAND_LIMITS: LengthLimits = { minLen: 3, maxLen: 0x0100 };

/** One checked frame. `bytes` is a private copy of the whole frame; `body` a view into it. */
export interface Frame {
  kind: 'frame';
  bytes: Buffer;
  body: Buffer;
}

export type DiscardReason = 'garbage' | 'length-out-of-range' | 'bad-checksum' | 'truncated';

/** Bytes the decoder dropped, with the typed error that says why ('driver.frame-invalid'). */
export interface Discarded {
  kind: 'discarded';
  reason: DiscardReason;
  length: number;
  error: PassgateError;
}

export type DecodeResult = Frame | Discarded;

/** XOR of `bytes[start..end)`. */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i];
  return x;
}

/** Frames a body; the caller has already checked what the body may contain. */
function frameBody(body: Uint8Array, limits: LengthLimits): Buffer {
  const len = body.length + 1;
  if (len < limits.minLen || len > limits.maxLen) {
    throw new PassgateError('driver.frame-invalid', 'body length outside the legal range', { length: len });
  }
  const out = Buffer.alloc(HEADER_BYTES + len);
  out.set(PREAMBLE, 0);
  out.writeUInt16BE(len, 5);
  out.set(body, HEADER_BYTES);
  out[out.length - 1] = xorChecksum(out, 5, out.length - 1);
  return out;
}

/**
 * True for the fingerprint read (30 10), which must never reach a reader (standard 8.1.2).
 * Kept separate so the driver can check again right before writing.
 */
export function isForbiddenCommand(cmd: number, para: number): boolean {
  return cmd === 0x30 && para === 0x10;
}

/** Encodes a command frame. Throws 'driver.command-forbidden' for the fingerprint read. */
export function encodeCommand(cmd: number, para: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  if (!Number.isInteger(cmd) || !Number.isInteger(para) || cmd < 0 || cmd > 0xff || para < 0 || para > 0xff) {
    throw new PassgateError('driver.frame-invalid', 'CMD and PARA must be bytes');
  }
  if (isForbiddenCommand(cmd, para)) {
    throw new PassgateError('driver.command-forbidden', 'the ID-card fingerprint read (30 10) is never sent', {
      cmd,
      para,
    });
  }
  const body = new Uint8Array(2 + data.length);
  body[0] = cmd;
  body[1] = para;
  body.set(data, 2);
  return frameBody(body, COMMAND_LIMITS);
}

/** Encodes a reply frame (for the simulated reader). */
export function encodeReply(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Buffer {
  const body = new Uint8Array(3 + data.length);
  body[0] = sw1;
  body[1] = sw2;
  body[2] = sw3;
  body.set(data, 3);
  return frameBody(body, REPLY_LIMITS);
}

export interface Reply {
  sw1: number;
  sw2: number;
  sw3: number;
  /** View into the frame's bytes: wiping it wipes the frame. */
  data: Buffer;
}

export interface Command {
  cmd: number;
  para: number;
  data: Buffer;
}

/** Splits a checked reply frame's body. Throws 'driver.frame-invalid' if it is too short. */
export function parseReply(frame: Frame): Reply {
  if (frame.body.length < 3) throw new PassgateError('driver.frame-invalid', 'reply shorter than SW1 SW2 SW3');
  return { sw1: frame.body[0], sw2: frame.body[1], sw3: frame.body[2], data: frame.body.subarray(3) };
}

/** Splits a checked command frame's body. Throws 'driver.frame-invalid' if it is too short. */
export function parseCommand(frame: Frame): Command {
  if (frame.body.length < 2) throw new PassgateError('driver.frame-invalid', 'command shorter than CMD PARA');
  return { cmd: frame.body[0], para: frame.body[1], data: frame.body.subarray(2) };
}

function discarded(reason: DiscardReason, length: number): Discarded {
  const message = {
    garbage: 'bytes outside any frame',
    'length-out-of-range': 'frame length outside the legal range',
    'bad-checksum': 'frame checksum mismatch',
    truncated: 'frame cut short by the next frame',
  }[reason];
  return {
    kind: 'discarded',
    reason,
    length,
    error: new PassgateError('driver.frame-invalid', message, { reason, length }),
  };
}

/**
 * Streaming decoder. `push` never throws; it returns frames and reports what it discarded.
 *
 * Resynchronisation: bytes before a preamble are garbage. A preamble whose LEN is out of range,
 * or whose frame fails its checksum, is a false start: only its first byte is dropped and the
 * search goes on, so a real frame hidden behind it is still found. While a frame is incomplete,
 * a complete, checksum-valid frame starting later in the buffer wins (the first was cut short);
 * and a complete frame overlapped by a valid frame that starts inside it and ends beyond it was a
 * false start that happened to pass its checksum (1 in 256).
 *
 * Memory: the buffer holds at most one incomplete frame plus one chunk slice (2 × the largest
 * frame). Consumed bytes are zeroed, since frames carry personal data.
 */
export class FrameDecoder {
  private readonly limits: LengthLimits;
  private readonly buffer: Buffer;
  private length = 0;

  constructor(limits: LengthLimits = REPLY_LIMITS) {
    this.limits = limits;
    this.buffer = Buffer.alloc(2 * (HEADER_BYTES + limits.maxLen));
  }

  /** Bytes waiting for the rest of a frame. */
  get pending(): number {
    return this.length;
  }

  /** Drops (and zeroes) any partial frame, e.g. after a command timed out. */
  reset(): Discarded[] {
    const dropped = this.length;
    this.consume(this.length);
    return dropped > 0 ? [discarded('truncated', dropped)] : [];
  }

  push(chunk: Uint8Array): DecodeResult[] {
    const out: DecodeResult[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.buffer.length - this.length, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + take), this.length);
      this.length += take;
      offset += take;
      this.drain(out);
    }
    return mergeDiscards(out);
  }

  private drain(out: DecodeResult[]): void {
    for (;;) {
      const start = this.findPreamble(0);
      if (start < 0) {
        // Keep a tail that could be the beginning of a preamble.
        const keep = this.preamblePrefixTail();
        if (this.length - keep > 0) {
          out.push(discarded('garbage', this.length - keep));
          this.consume(this.length - keep);
        }
        return;
      }
      if (start > 0) {
        out.push(discarded('garbage', start));
        this.consume(start);
      }
      if (this.length < HEADER_BYTES) return;
      const len = this.buffer.readUInt16BE(5);
      if (len < this.limits.minLen || len > this.limits.maxLen) {
        out.push(discarded('length-out-of-range', 1));
        this.consume(1);
        continue;
      }
      const total = HEADER_BYTES + len;
      if (this.length < total) {
        const later = this.findCompleteFrame(1);
        if (later < 0) return;
        out.push(discarded('truncated', later));
        this.consume(later);
        continue;
      }
      if (xorChecksum(this.buffer, 5, total - 1) !== this.buffer[total - 1]) {
        out.push(discarded('bad-checksum', 1));
        this.consume(1);
        continue;
      }
      const overlapping = this.findOverlappingFrame(total);
      if (overlapping === 'wait') return;
      if (overlapping > 0) {
        out.push(discarded('truncated', overlapping));
        this.consume(overlapping);
        continue;
      }
      const bytes = Buffer.from(this.buffer.subarray(0, total));
      out.push({ kind: 'frame', bytes, body: bytes.subarray(HEADER_BYTES, total - 1) });
      this.consume(total);
    }
  }

  private findPreamble(from: number): number {
    const last = this.length - PREAMBLE.length;
    outer: for (let i = from; i <= last; i++) {
      for (let k = 0; k < PREAMBLE.length; k++) if (this.buffer[i + k] !== PREAMBLE[k]) continue outer;
      return i;
    }
    return -1;
  }

  /** Start of the first later frame that is complete and checksum-valid, or -1. */
  private findCompleteFrame(from: number): number {
    for (let i = this.findPreamble(from); i >= 0; i = this.findPreamble(i + 1)) {
      if (this.length - i < HEADER_BYTES) return -1;
      const len = this.buffer.readUInt16BE(i + 5);
      if (len < this.limits.minLen || len > this.limits.maxLen) continue;
      const end = i + HEADER_BYTES + len;
      if (end > this.length) continue;
      if (xorChecksum(this.buffer, i + 5, end - 1) === this.buffer[end - 1]) return i;
    }
    return -1;
  }

  /**
   * For a complete, valid frame at 0 ending at `end`: a checksum-valid frame that starts inside it
   * and ends after it means the first was a false start in garbage (two real frames cannot
   * overlap; one nested entirely inside another is just data). Returns its start, 0 if there is
   * none, or 'wait' while such a candidate is still incomplete (and no complete frame follows).
   */
  private findOverlappingFrame(end: number): number | 'wait' {
    for (let i = this.findPreamble(1); i >= 0 && i < end; i = this.findPreamble(i + 1)) {
      if (this.length - i < HEADER_BYTES) return 'wait';
      const len = this.buffer.readUInt16BE(i + 5);
      if (len < this.limits.minLen || len > this.limits.maxLen) continue;
      const candidateEnd = i + HEADER_BYTES + len;
      if (candidateEnd <= end) continue;
      if (candidateEnd > this.length) {
        // It may yet complete, unless a complete frame after its start shows the stream moved on.
        if (this.findCompleteFrame(i + 1) >= 0) continue;
        return 'wait';
      }
      if (xorChecksum(this.buffer, i + 5, candidateEnd - 1) === this.buffer[candidateEnd - 1]) return i;
    }
    return 0;
  }

  /** Length of the longest buffer tail that is a proper prefix of the preamble. */
  private preamblePrefixTail(): number {
    for (let n = Math.min(PREAMBLE.length - 1, this.length); n > 0; n--) {
      let match = true;
      for (let k = 0; k < n; k++) {
        if (this.buffer[this.length - n + k] !== PREAMBLE[k]) {
          match = false;
          break;
        }
      }
      if (match) return n;
    }
    return 0;
  }

  private consume(n: number): void {
    this.buffer.copy(this.buffer, 0, n, this.length);
    this.buffer.fill(0, this.length - n, this.length);
    this.length -= n;
  }
}

/** Adjacent discards of the same reason become one report (a false start is dropped byte by byte). */
function mergeDiscards(results: DecodeResult[]): DecodeResult[] {
  const merged: DecodeResult[] = [];
  for (const result of results) {
    const previous = merged[merged.length - 1];
    if (result.kind === 'discarded' && previous?.kind === 'discarded' && previous.reason === result.reason) {
      merged[merged.length - 1] = discarded(result.reason, previous.length + result.length);
    } else {
      merged.push(result);
    }
  }
  return merged;
}
