// The camera's side of a frame inlet (see frame-inlet.ts for the worker's side): a private Unix
// socket the decode worker connects to, whose accepted end becomes ffmpeg's stdout. This thread
// never reads it; it only gets the decoded symbols back as messages from the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassgateError } from '../../../firmware/core/errors.js';
import { Listeners } from '../../../firmware/core/listeners.js';
import type { DecodedFrame, FrameInlet } from '../../camera/frame-source.js';
import type { DecodedSymbol } from '../symbol-decoder.js';

/**
 * Listens on a Unix socket in a new private directory (mkdtemp: mode 0700), calls `invite` with
 * its path, and resolves with the first connection, or rejects when `abandoned` rejects first.
 * The listener and its directory are gone when this settles: nobody else can connect.
 */
export async function acceptOneConnection(invite: (path: string) => void, abandoned: Promise<never>): Promise<Socket> {
  const dir = mkdtempSync(join(tmpdir(), 'passgate-frames-'));
  // Paused: this thread never reads the connection; it is ffmpeg's stdout.
  const server = createServer({ pauseOnConnect: true });
  try {
    const path = join(dir, 'frames.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const connected = new Promise<Socket>((resolve) => server.once('connection', resolve));
    invite(path);
    return await Promise.race([connected, abandoned]);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export class WorkerFrameInlet implements FrameInlet {
  readonly firstFrame: Promise<void>;
  private readonly decoded = new Listeners<DecodedFrame>();
  private readonly ends = new Listeners<PassgateError>();
  /** A result that came before anyone listened (the first frame's, while the camera attaches). */
  private held: DecodedFrame | undefined;
  private attached = false;
  private ended = false;
  private resolveFirst!: () => void;
  private rejectFirst!: (reason: PassgateError) => void;

  constructor(
    readonly socket: Socket,
    /** Tells the worker to stop reading this inlet. */
    private readonly closeRemote: () => void,
  ) {
    this.firstFrame = new Promise<void>((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.firstFrame.catch(() => undefined);
    socket.on('error', () => undefined);
  }

  onDecoded(listener: (decoded: DecodedFrame) => void): () => void {
    const remove = this.decoded.add(listener);
    this.attached = true;
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) listener(held);
    return remove;
  }

  onEnd(listener: (reason: PassgateError) => void): () => void {
    return this.ends.add(listener);
  }

  /** The worker has the first whole frame. */
  frameArrived(): void {
    this.resolveFirst();
  }

  /** The worker decoded a frame; `frameAt` in ms since the Unix epoch. */
  result(symbols: DecodedSymbol[], frameAtEpoch: number, skipped: number): void {
    if (this.ended) return;
    const decoded: DecodedFrame = { symbols, frameAt: frameAtEpoch - performance.timeOrigin, skipped };
    if (!this.attached) this.held = decoded;
    else this.decoded.emitIgnoringFailures(decoded);
  }

  /**
   * The writer closed its end (ffmpeg exited): nothing more comes. Not an end to report: the
   * camera learns why from ffmpeg's exit.
   */
  writerClosed(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.rejectFirst(new PassgateError('driver.disconnected', 'the camera stream ended'));
  }

  /** The worker's end failed (the worker crashed or was closed): told to onEnd's listeners. */
  end(reason: PassgateError): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.rejectFirst(reason);
    this.ends.emitIgnoringFailures(reason);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.rejectFirst(new PassgateError('driver.disconnected', 'camera stopped'));
    this.closeRemote();
  }
}
