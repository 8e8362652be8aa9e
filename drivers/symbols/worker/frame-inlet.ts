// The decode worker's frame inlet: the camera's frames arrive in this thread, not in the gate's.
//
// The camera's side listens on a Unix socket in a private directory (mkdtemp, mode 0700); this
// worker connects to it, and the camera's side hands its end of the connection to ffmpeg as
// stdout (worker-decoder.ts). So ffmpeg writes raw gray frames straight into this thread; here
// they are cut into whole frames (the camera's RawFrameSplitter), the latest wins, and each
// decoded frame is answered with its symbols only.
//
// - No allocation per frame: the socket reads into one fixed buffer (`onread`), and a decoded
//   frame's buffer goes back to the splitter, which cuts later frames into it (three buffers in
//   all).
// - Latest wins: frames that arrive while one is being decoded replace each other; the decoder
//   takes the newest after the socket's pending bytes have been read (setImmediate runs after
//   the poll phase), counting the ones it never saw.
// - When the writer closes (ffmpeg exited) the camera's side is told; it also sees ffmpeg exit
//   and restarts it with a new inlet.

import { connect, type Socket } from 'node:net';
import { RawFrameSplitter } from '../../camera/frame-splitter.js';
import type { GrayImage } from '../gray-image.js';
import type { DecodedSymbol } from '../symbol-decoder.js';
import type { WorkerDecoderError, WorkerMessage } from './protocol.js';
/** What an inlet needs from the worker: its decoder list (shared with decode requests) and its port. */
export interface InletHost {
  decode(frame: GrayImage): Promise<{ symbols: DecodedSymbol[]; errors: WorkerDecoderError[] }>;
  post(message: WorkerMessage): void;
}

/** Milliseconds since the Unix epoch, comparable across threads (each has its own timeOrigin). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Bytes read from the socket at a time (the size of a pipe's buffer). */
const READ_CHUNK = 64 * 1024;

export class FrameInletClient {
  private readonly splitter: RawFrameSplitter;
  private readonly socket: Socket;
  private latest: { frame: GrayImage; at: number } | undefined;
  private skipped = 0;
  private decoding = false;
  private scheduled = false;
  private sawFrame = false;
  private closed = false;

  /** Connects to the camera's side at `path` (a Unix socket). */
  constructor(
    private readonly id: number,
    opts: { width: number; height: number; path: string },
    private readonly host: InletHost,
  ) {
    this.splitter = new RawFrameSplitter({ width: opts.width, height: opts.height, maxPending: 1 });
    this.socket = connect({
      path: opts.path,
      onread: {
        buffer: new Uint8Array(READ_CHUNK),
        callback: (bytes, buffer) => {
          this.push(buffer.subarray(0, bytes));
          return true;
        },
      },
    });
    let connected = false;
    this.socket.once('connect', () => (connected = true));
    this.socket.on('error', () => undefined); // 'close' follows
    this.socket.once('close', () => {
      if (this.closed) return;
      this.close();
      this.host.post(
        connected
          ? { type: 'inlet-ended', inlet: this.id }
          : { type: 'inlet-failed', inlet: this.id, code: 'driver.open-failed' },
      );
    });
  }

  /** Stops reading; a frame being decoded is still answered. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.latest = undefined;
  }

  private push(chunk: Uint8Array): void {
    if (this.closed) return;
    const { frames, dropped } = this.splitter.push(chunk);
    this.skipped += dropped;
    for (const frame of frames) {
      if (!this.sawFrame) {
        this.sawFrame = true;
        this.host.post({ type: 'inlet-frame', inlet: this.id });
      }
      if (this.latest !== undefined) {
        this.splitter.recycle(this.latest.frame.data);
        this.skipped += 1;
      }
      this.latest = { frame, at: epochNow() };
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.decoding || this.scheduled || this.latest === undefined || this.closed) return;
    this.scheduled = true;
    // After the poll phase: every byte the socket already holds has been read by then.
    setImmediate(() => {
      this.scheduled = false;
      void this.decodeLatest();
    });
  }

  private async decodeLatest(): Promise<void> {
    const item = this.latest;
    if (item === undefined || this.closed) return;
    this.latest = undefined;
    this.decoding = true;
    const start = performance.now();
    try {
      const { symbols, errors } = await this.host.decode(item.frame);
      const skipped = this.skipped;
      this.skipped = 0;
      this.host.post({
        type: 'inlet-result',
        inlet: this.id,
        // Only what the gate needs travels back: symbology, text, payload bytes.
        symbols: symbols.map((s) => ({ symbology: s.symbology, text: s.text, bytes: s.bytes })),
        errors,
        frameAt: item.at,
        skipped,
        decodeMs: performance.now() - start,
      });
    } finally {
      this.decoding = false;
      this.splitter.recycle(item.frame.data);
      this.schedule();
    }
  }
}
