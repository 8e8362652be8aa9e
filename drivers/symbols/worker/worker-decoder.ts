// The symbol decoders in a worker thread, behind the SymbolDecoder interface: the camera's frames
// are decoded off the event loop that drives the gate, so a 640×480 frame's tens of milliseconds
// of WebAssembly never delay a serial scan, a card or a relay pulse.
//
// - One frame in the worker at a time, one waiting here (latest wins): a frame handed over while
//   another waits replaces it; the replaced frame's decode() resolves with no symbols and counts
//   as dropped. So a slow frame never backs the camera up, and memory holds at most two frames.
// - A frame's pixel buffer is transferred (moved to the worker, not copied). A frame whose bytes
//   are a view into a larger buffer is copied once instead. After decode() the caller must not
//   read the frame again: this decoder is meant to be the only one in a CameraDriver's list (the
//   worker runs zxing-wasm and the Grid Matrix reader itself, within the frame budget).
// - The worker crashing (an uncaught error, the thread exiting, its decoders failing to load)
//   rejects the frame being decoded with `decode.worker-failed`, tells the failure listeners,
//   and the worker is started again after driverReopenInitialMs, doubling up to driverReopenMaxMs
//   while it keeps failing; a frame waiting meanwhile is decoded by the new worker.

import type { ResourceLimits, Worker } from 'node:worker_threads';
import { type Clock, systemClock, type TimerHandle } from '../../../firmware/core/clock.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { Listeners } from '../../../firmware/core/listeners.js';
import type { TimeoutTable } from '../../../firmware/core/timeouts.js';
import type { FrameInlet } from '../../camera/frame-source.js';
import { type GrayImage, isWellFormedGray } from '../gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../symbol-decoder.js';
import { acceptOneConnection, WorkerFrameInlet } from './inlet-handle.js';
import { DECODE_WORKER_LIMITS, defaultDecodeWorkerEntry, startWorkerThread } from './launch.js';
import type { CameraMessage, DecodeRequest, WorkerMemory, WorkerMessage, WorkerThread } from './protocol.js';

export type WorkerDecoderTimeouts = Pick<
  TimeoutTable,
  'cameraFrameBudgetMs' | 'driverReopenInitialMs' | 'driverReopenMaxMs'
>;

export interface WorkerDecoderOptions {
  timeouts: WorkerDecoderTimeouts;
  /** The worker's script (default: the decode worker, entry.ts). Tests give their own. */
  entry?: URL;
  /** Extra data for a test's worker script, beside `budgetMs`. */
  workerData?: Record<string, unknown>;
  /** For the restart delays (default the real clock). */
  clock?: Clock;
  /** The worker's V8 limits (default DECODE_WORKER_LIMITS). */
  resourceLimits?: ResourceLimits;
}

export interface WorkerDecoderStats {
  /** Frames sent to the worker. */
  framesSent: number;
  /** Frames replaced by a newer one before they were sent. */
  framesDropped: number;
  /** Frames whose bytes had to be copied (a view into a larger buffer) instead of transferred. */
  framesCopied: number;
  /** Decoders that failed on a frame inside the worker (the frame went on to the next one). */
  decoderErrors: number;
  /** Times the worker crashed or failed to load. */
  workerFailures: number;
  /** Workers started (1 + restarts). */
  workersStarted: number;
}

interface Slot {
  frame: GrayImage;
  resolve: (symbols: DecodedSymbol[]) => void;
  reject: (error: PassgateError) => void;
}

export class WorkerSymbolDecoder implements SymbolDecoder {
  readonly name = 'decode-worker';
  private readonly options: WorkerDecoderOptions;
  private readonly clock: Clock;
  private readonly failures = new Listeners<PassgateError>();
  private readonly drops = new Listeners<void>();
  private worker: Worker | undefined;
  private ready = false;
  private closed = false;
  private waiting: Slot | undefined;
  private inFlight: (Slot & { id: number }) | undefined;
  private nextId = 1;
  private restartDelay: number;
  private restartTimer: TimerHandle | undefined;
  private firstStart: { resolve: () => void; reject: (error: PassgateError) => void } | undefined;
  private nextInletId = 1;
  /** Inlets whose worker has not connected yet: rejecting one abandons it. */
  private readonly connecting = new Map<number, (error: PassgateError) => void>();
  private readonly inlets = new Map<number, WorkerFrameInlet>();
  private memoryWaiters: Array<(memory: WorkerMemory | undefined) => void> = [];
  private thread: WorkerThread | undefined;
  private readonly counts: WorkerDecoderStats = {
    framesSent: 0,
    framesDropped: 0,
    framesCopied: 0,
    decoderErrors: 0,
    workerFailures: 0,
    workersStarted: 0,
  };

  private constructor(options: WorkerDecoderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.restartDelay = options.timeouts.driverReopenInitialMs;
  }

  /** Starts the worker; resolves once its decoders are loaded, rejects if it fails first. */
  static async start(options: WorkerDecoderOptions): Promise<WorkerSymbolDecoder> {
    const decoder = new WorkerSymbolDecoder(options);
    const started = new Promise<void>((resolve, reject) => (decoder.firstStart = { resolve, reject }));
    decoder.spawn();
    try {
      await started;
    } catch (error) {
      await decoder.close();
      throw error;
    }
    return decoder;
  }

  stats(): WorkerDecoderStats {
    return { ...this.counts };
  }

  /** The running worker's thread id and nice value (Linux; undefined elsewhere or while restarting). */
  workerThread(): WorkerThread | undefined {
    return this.ready ? this.thread : undefined;
  }

  /** The worker crashed or failed to load (it is being restarted). */
  onFailure(listener: (error: PassgateError) => void): () => void {
    return this.failures.add(listener);
  }

  /** A waiting frame was replaced by a newer one (latest wins). */
  onDrop(listener: () => void): () => void {
    return this.drops.add(listener);
  }

  /**
   * Decodes a frame in the worker. Takes the frame's buffer: the caller must not use the frame
   * afterwards. Resolves with no symbols if a newer frame replaced this one before it was sent, or
   * if the decoder was closed; rejects with decode.worker-failed if the worker died on it.
   */
  decode(frame: GrayImage): Promise<DecodedSymbol[]> {
    if (!isWellFormedGray(frame)) {
      const { width, height } = frame;
      return Promise.reject(
        new PassgateError('decode.image-unreadable', 'frame size does not match its pixel buffer', { width, height }),
      );
    }
    if (this.closed) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const replaced = this.waiting;
      this.waiting = { frame, resolve, reject };
      if (replaced !== undefined) {
        this.counts.framesDropped += 1;
        replaced.resolve([]);
        this.drops.emitIgnoringFailures(undefined);
      }
      this.pump();
    });
  }

  /**
   * Opens a frame inlet (frame-inlet.ts): a connected socket whose bytes, raw `width × height`
   * gray frames, go straight to the worker, which decodes the latest frame at a time and sends
   * back only the symbols. The camera hands `socket` to ffmpeg as its stdout, so frames never
   * pass through this thread. Rejects with decode.worker-failed while the worker is not running
   * (it is restarting): the camera retries with its own backoff.
   */
  async openFrameInlet(width: number, height: number): Promise<FrameInlet> {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
      throw new PassgateError('decode.image-unreadable', 'frame size must be positive integers', { width, height });
    const worker = this.worker;
    if (this.closed || worker === undefined || !this.ready)
      throw new PassgateError('decode.worker-failed', 'the decode worker is not running', {});
    const id = this.nextInletId++;
    const abandoned = new Promise<never>((_, reject) => this.connecting.set(id, reject));
    abandoned.catch(() => undefined);
    let socket: Awaited<ReturnType<typeof acceptOneConnection>>;
    try {
      socket = await acceptOneConnection(
        (path) => this.send(worker, { type: 'open-inlet', inlet: id, width, height, path }),
        abandoned,
      );
    } finally {
      this.connecting.delete(id);
    }
    const inlet = new WorkerFrameInlet(socket, () => {
      this.inlets.delete(id);
      if (this.worker === worker) this.send(worker, { type: 'close-inlet', inlet: id });
    });
    if (this.worker !== worker || this.closed) {
      inlet.end(new PassgateError('decode.worker-failed', 'the decode worker stopped', {}));
      throw new PassgateError('decode.worker-failed', 'the decode worker stopped', {});
    }
    this.inlets.set(id, inlet);
    return inlet;
  }

  /** The worker's heap and external memory (for the bench); undefined while it is not running. */
  async workerMemory(): Promise<WorkerMemory | undefined> {
    const worker = this.worker;
    if (worker === undefined || !this.ready) return undefined;
    const answer = new Promise<WorkerMemory | undefined>((resolve) => this.memoryWaiters.push(resolve));
    this.send(worker, { type: 'memory' });
    return answer;
  }

  /** Ends the worker; frames waiting or in flight resolve with no symbols. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.waiting?.resolve([]);
    this.waiting = undefined;
    this.inFlight?.resolve([]);
    this.inFlight = undefined;
    this.dropInlets(new PassgateError('driver.disconnected', 'the decode worker was closed', {}));
    const worker = this.worker;
    this.worker = undefined;
    this.ready = false;
    if (worker !== undefined) await worker.terminate();
  }

  private spawn(): void {
    this.restartTimer = undefined;
    if (this.closed) return;
    const entry = this.options.entry ?? defaultDecodeWorkerEntry();
    const data = { ...this.options.workerData, budgetMs: this.options.timeouts.cameraFrameBudgetMs };
    let worker: Worker;
    try {
      worker = startWorkerThread(entry, data, this.options.resourceLimits ?? DECODE_WORKER_LIMITS);
    } catch (error) {
      this.failed(
        undefined,
        new PassgateError('decode.worker-failed', 'the decode worker could not be started', {}, { cause: error }),
      );
      return;
    }
    this.worker = worker;
    this.ready = false;
    this.counts.workersStarted += 1;
    worker.on('message', (message: WorkerMessage) => this.received(worker, message));
    worker.on('error', (error) =>
      this.failed(worker, new PassgateError('decode.worker-failed', 'the decode worker failed', {}, { cause: error })),
    );
    worker.on('exit', (exitCode) =>
      this.failed(worker, new PassgateError('decode.worker-failed', 'the decode worker exited', { exitCode })),
    );
  }

  private received(worker: Worker, message: WorkerMessage): void {
    if (worker !== this.worker) return;
    if (message.type === 'ready') {
      this.ready = true;
      this.thread = message.thread;
      this.firstStart?.resolve();
      this.firstStart = undefined;
      this.pump();
    } else if (message.type === 'result') {
      const slot = this.inFlight;
      if (slot === undefined || slot.id !== message.id) return;
      this.inFlight = undefined;
      // The worker works again: the next failure starts the backoff from the beginning.
      this.restartDelay = this.options.timeouts.driverReopenInitialMs;
      this.counts.decoderErrors += message.errors.length;
      slot.resolve(message.symbols);
      this.pump();
    } else if (message.type === 'load-failed') {
      this.failed(worker, new PassgateError(message.code, 'the decode worker could not load its decoders', {}));
    } else if (message.type === 'inlet-frame') {
      this.inlets.get(message.inlet)?.frameArrived();
    } else if (message.type === 'inlet-result') {
      this.counts.decoderErrors += message.errors.length;
      this.inlets.get(message.inlet)?.result(message.symbols, message.frameAt, message.skipped);
    } else if (message.type === 'inlet-ended') {
      this.inlets.get(message.inlet)?.writerClosed();
      this.inlets.delete(message.inlet);
    } else if (message.type === 'inlet-failed') {
      this.connecting.get(message.inlet)?.(new PassgateError(message.code, 'the decode worker could not connect', {}));
    } else if (message.type === 'memory') {
      const { type: _, ...memory } = message;
      for (const waiter of this.memoryWaiters.splice(0)) waiter(memory);
    }
  }

  private send(worker: Worker, message: CameraMessage, transfer?: ArrayBuffer[]): void {
    worker.postMessage(message, transfer);
  }

  /** Every inlet, connected or not, ends with `reason`. */
  private dropInlets(reason: PassgateError): void {
    for (const reject of this.connecting.values()) reject(reason);
    this.connecting.clear();
    for (const inlet of this.inlets.values()) inlet.end(reason);
    this.inlets.clear();
    for (const waiter of this.memoryWaiters.splice(0)) waiter(undefined);
  }

  /** The worker `worker` (undefined: one that could not even be started) stopped working. */
  private failed(worker: Worker | undefined, error: PassgateError): void {
    if (worker !== this.worker || this.closed) return;
    this.worker = undefined;
    this.ready = false;
    void worker?.terminate();
    this.counts.workerFailures += 1;
    const slot = this.inFlight;
    this.inFlight = undefined;
    slot?.reject(error);
    this.dropInlets(error);
    this.failures.emitIgnoringFailures(error);
    if (this.firstStart !== undefined) {
      this.firstStart.reject(error);
      this.firstStart = undefined;
      return;
    }
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, this.options.timeouts.driverReopenMaxMs);
    this.restartTimer = this.clock.setTimeout(() => this.spawn(), delay);
  }

  /** Sends the waiting frame if the worker is ready and idle. */
  private pump(): void {
    const worker = this.worker;
    const slot = this.waiting;
    if (worker === undefined || !this.ready || this.inFlight !== undefined || slot === undefined) return;
    this.waiting = undefined;
    const id = this.nextId++;
    const { width, height, data } = slot.frame;
    const owned =
      data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    if (!owned) this.counts.framesCopied += 1;
    const pixels = owned ? (data.buffer as ArrayBuffer) : data.slice().buffer;
    const request: DecodeRequest = { type: 'decode', id, width, height, pixels };
    this.inFlight = { ...slot, id };
    this.counts.framesSent += 1;
    this.send(worker, request, [pixels]);
  }
}
