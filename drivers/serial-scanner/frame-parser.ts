// Bytes from a serial scanner in, typed frames out. Pure: no port, no timers (the feed below
// adds the idle timer). Memory is bounded: at most max(maxCodeLength + 2, reply maxLength) bytes
// are held; longer input is counted, dropped, and reported as one 'overlong' discard.
import type { Symbology } from '../input.js';
import type { SerialSuffix } from './options.js';

export type DiscardReason = 'overlong' | 'invalid-utf8' | 'empty' | 'incomplete';

/**
 * `arrivedAt`: the time given with the chunk that held the frame's first byte (see push); absent
 * when push was given none.
 */
export type ScanFrame = (
  | { kind: 'code'; text: string; symbology: Symbology }
  /** `length` counts the bytes dropped (never their content: it may be a pass code). */
  | { kind: 'discarded'; reason: DiscardReason; length: number }
  /** A module's answer to a command; `data` is its payload (a register value, an echo). */
  | { kind: 'reply'; ok: boolean; data: Uint8Array }
) & { arrivedAt?: number };

export type ReplyMatch =
  | { kind: 'none' }
  | { kind: 'partial' }
  | { kind: 'reply'; length: number; ok: boolean; data: Uint8Array };

/**
 * Recognises a module's reply at the start of the buffer, so it is not taken for a code.
 * Consulted while a reply is awaited (after the driver sent a command), and always when
 * `alwaysOn` says the replies start with a marker no code starts with (a late reply, after its
 * command timed out, must not end up in front of the next code).
 */
export interface ReplyRecogniser {
  /** Longest reply; a 'partial' match longer than this is not a reply. */
  readonly maxLength: number;
  readonly alwaysOn: boolean;
  match(bytes: Uint8Array): ReplyMatch;
}

export interface FrameParserOptions {
  suffix: SerialSuffix;
  prefix: string;
  stripAimId: boolean;
  maxCodeLength: number;
  replies?: ReplyRecogniser;
}

const CR = 0x0d;
const LF = 0x0a;
const AIM_FLAG = 0x5d; // ']'

/** AIM symbology identifier code characters (ISO/IEC 15424) that passgate tells apart. */
const AIM_SYMBOLOGIES: Readonly<Record<string, Symbology>> = {
  Q: 'qr',
};

function isAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

export class ScanFrameParser {
  private readonly options: FrameParserOptions;
  private readonly prefix: Uint8Array;
  private readonly buffer: Uint8Array;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private length = 0;
  private discarding = false;
  private discardedLength = 0;
  private awaitingReply = false;
  /** When the first byte of the frame being collected arrived (the time its chunk was pushed with). */
  private frameStartedAt: number | undefined;

  constructor(options: FrameParserOptions) {
    this.options = options;
    this.prefix = new TextEncoder().encode(options.prefix);
    this.buffer = new Uint8Array(Math.max(options.maxCodeLength + 2, options.replies?.maxLength ?? 0));
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.length + (this.discarding ? 1 : 0);
  }

  /** While on, a reply recogniser (if any) is asked first; it goes off after one reply. */
  expectReply(on: boolean): void {
    this.awaitingReply = on && this.options.replies !== undefined;
  }

  /** `at`: when the chunk arrived (monotonic ms); each frame carries the time of its first byte. */
  push(bytes: Uint8Array, at?: number): ScanFrame[] {
    const frames: ScanFrame[] = [];
    for (const byte of bytes) this.pushByte(byte, frames, at);
    return frames;
  }

  /**
   * The line went quiet (or the input ended). With suffix 'none' this ends the code; otherwise
   * held bytes are an incomplete frame and are dropped, so stale garbage never prefixes a code.
   */
  flush(): ScanFrame[] {
    if (this.discarding) {
      const length = this.discardedLength;
      this.discarding = false;
      this.discardedLength = 0;
      return [this.stamp({ kind: 'discarded', reason: 'overlong', length })];
    }
    if (this.length === 0) return [];
    const held = this.length;
    this.length = 0;
    if (this.options.suffix !== 'none' || this.replyStarted(held)) {
      return [this.stamp({ kind: 'discarded', reason: 'incomplete', length: held })];
    }
    return [this.stamp(this.frame(this.buffer.subarray(0, held)))];
  }

  private stamp(frame: ScanFrame): ScanFrame {
    return this.frameStartedAt === undefined ? frame : { ...frame, arrivedAt: this.frameStartedAt };
  }

  /** Whether the held bytes are the start of an unfinished reply (never a code). */
  private replyStarted(held: number): boolean {
    const replies = this.options.replies;
    if (replies === undefined || !(this.awaitingReply || replies.alwaysOn)) return false;
    return replies.match(this.buffer.subarray(0, held)).kind === 'partial';
  }

  private pushByte(byte: number, frames: ScanFrame[], at: number | undefined): void {
    const { suffix, maxCodeLength } = this.options;
    if (this.discarding) {
      if (this.ends(byte)) {
        frames.push(this.stamp({ kind: 'discarded', reason: 'overlong', length: this.discardedLength }));
        this.discarding = false;
        this.discardedLength = 0;
      } else {
        this.discardedLength += 1;
      }
      return;
    }
    if (this.length === 0) this.frameStartedAt = at;
    this.buffer[this.length] = byte;
    this.length += 1;

    const replies = this.options.replies;
    if (replies !== undefined && (this.awaitingReply || replies.alwaysOn)) {
      const match = replies.match(this.buffer.subarray(0, this.length));
      if (match.kind === 'reply') {
        frames.push(this.stamp({ kind: 'reply', ok: match.ok, data: match.data.slice() }));
        this.awaitingReply = false;
        // Bytes past the reply (none, with the recognisers here) start the next frame.
        const rest = this.buffer.slice(match.length, this.length);
        this.length = 0;
        for (const next of rest) this.pushByte(next, frames, at);
        return;
      }
      if (match.kind === 'partial' && this.length < replies.maxLength) return;
    }

    // A scanner set to CRLF while we expect CR leaves a LF at the start of the next frame.
    if (this.length === 1 && ((suffix === 'cr' && byte === LF) || (suffix === 'lf' && byte === CR))) {
      this.length = 0;
      return;
    }
    if (this.ends(byte)) {
      let end = this.length - 1;
      if ((suffix === 'crlf' || suffix === 'lf') && end > 0 && this.buffer[end - 1] === CR) end -= 1;
      this.length = 0;
      frames.push(this.stamp(this.frame(this.buffer.subarray(0, end))));
      return;
    }
    // Room for one more byte of a CRLF terminator; past that the code is overlong.
    if (this.length > maxCodeLength + 1 || this.length >= this.buffer.length) {
      this.discarding = true;
      this.discardedLength = this.length;
      this.length = 0;
    }
  }

  private ends(byte: number): boolean {
    switch (this.options.suffix) {
      case 'cr':
        return byte === CR;
      case 'lf':
      case 'crlf':
        return byte === LF;
      case 'none':
        return false;
    }
  }

  private frame(content: Uint8Array): ScanFrame {
    if (content.length > this.options.maxCodeLength) {
      return { kind: 'discarded', reason: 'overlong', length: content.length };
    }
    let body = content;
    if (this.prefix.length > 0 && startsWith(body, this.prefix)) body = body.subarray(this.prefix.length);
    let symbology: Symbology = 'unknown';
    if (
      this.options.stripAimId &&
      body.length >= 3 &&
      body[0] === AIM_FLAG &&
      isAlphanumeric(body[1]) &&
      isAlphanumeric(body[2])
    ) {
      symbology = AIM_SYMBOLOGIES[String.fromCharCode(body[1])] ?? 'unknown';
      body = body.subarray(3);
    }
    if (body.length === 0) return { kind: 'discarded', reason: 'empty', length: content.length };
    let text: string;
    try {
      text = this.decoder.decode(body);
    } catch {
      return { kind: 'discarded', reason: 'invalid-utf8', length: content.length };
    }
    return { kind: 'code', text, symbology };
  }
}

function startsWith(bytes: Uint8Array, head: Uint8Array): boolean {
  if (bytes.length < head.length) return false;
  for (let i = 0; i < head.length; i += 1) if (bytes[i] !== head[i]) return false;
  return true;
}

/**
 * The parser fed straight from the port's `data` events: Buffers in, each ScanFrame handed to
 * `onFrame` at once, stamped with the arrival of its first byte. After `idleMs` without a byte
 * while a frame is open, it flushes (ends a suffix-less code, drops an incomplete one). Not a
 * stream on purpose: a Transform between the port and the driver ran Node's stream machinery a
 * second time for every chunk, a measurable share of a gate's CPU per scan.
 */
export class ScanFrameFeed {
  readonly parser: ScanFrameParser;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly onFrame: (frame: ScanFrame) => void;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  /** `now`: monotonic ms each chunk is stamped with on arrival (default performance.now). */
  constructor(
    parser: ScanFrameParser,
    idleMs: number,
    onFrame: (frame: ScanFrame) => void,
    now: () => number = () => performance.now(),
  ) {
    this.parser = parser;
    this.idleMs = idleMs;
    this.onFrame = onFrame;
    this.now = now;
  }

  /** Bytes from the port. Ignored once closed. */
  push(chunk: Uint8Array): void {
    if (this.closed) return;
    this.clearIdle();
    for (const frame of this.parser.push(chunk, this.now())) this.deliver(frame);
    if (this.parser.pending > 0) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        for (const frame of this.parser.flush()) this.deliver(frame);
      }, this.idleMs);
    }
  }

  /** The port's stream ended: whatever is open is flushed now. */
  end(): void {
    if (this.closed) return;
    this.clearIdle();
    for (const frame of this.parser.flush()) this.deliver(frame);
  }

  /** No more frames: the idle timer is stopped and anything half-received is dropped. */
  close(): void {
    this.closed = true;
    this.clearIdle();
  }

  private deliver(frame: ScanFrame): void {
    // A listener may close the feed (the port lost) while frames of one chunk are handed out.
    if (!this.closed) this.onFrame(frame);
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
