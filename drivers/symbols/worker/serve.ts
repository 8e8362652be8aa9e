// The decode worker's side: takes frames from the camera's thread (decode requests) or from
// ffmpeg directly (frame inlets, frame-inlet.ts), runs the decoder list on each within the frame
// budget, and answers with the symbols found. Frames are decoded one at a time in arrival order;
// the camera's side sends the next request only after the answer, and an inlet keeps only its
// latest frame, so nothing queues up here.
//
// Frame budget (cameraFrameBudgetMs): decoders run one after another until the budget is spent;
// the rest skip this frame and go first on the next one, so a slow decoder cannot starve the
// others (decoders are synchronous WebAssembly/JS, so the budget is checked between them). Each
// decoder also gets a FrameContext: the symbols found so far in the frame and whether the budget
// is spent, so the QR reader's small-code retries stop between crops and go on with the next
// frame (see ZxingQrDecoder.decode).

import { getHeapStatistics } from 'node:v8';
import { isPassgateError } from '../../../firmware/core/errors.js';
import type { GrayImage } from '../gray-image.js';
import type { DecodedSymbol, FrameContext, SymbolDecoder } from '../symbol-decoder.js';
import { FrameInletClient, type InletHost } from './frame-inlet.js';
import { frameGarbageCollector } from './garbage.js';
import type { CameraMessage, WorkerDecoderError, WorkerMessage, WorkerThread } from './protocol.js';

/** The worker's end of the channel (worker_threads' parentPort in the worker). */
export interface WorkerPort {
  on(event: 'message', listener: (message: CameraMessage) => void): unknown;
  postMessage(message: WorkerMessage): void;
}

/** Runs a decoder list on frames within a budget, rotating the first decoder after an overrun. */
export class BudgetedDecoders {
  private firstDecoder = 0;

  constructor(
    private readonly decoders: readonly SymbolDecoder[],
    private readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async decode(frame: GrayImage): Promise<{ symbols: DecodedSymbol[]; errors: WorkerDecoderError[] }> {
    const n = this.decoders.length;
    const start = this.now();
    const symbols: DecodedSymbol[] = [];
    const errors: WorkerDecoderError[] = [];
    const context: FrameContext = { found: symbols, expired: () => this.now() - start >= this.budgetMs };
    let ran = 0;
    for (; ran < n; ran++) {
      const index = (this.firstDecoder + ran) % n;
      if (ran > 0 && this.now() - start >= this.budgetMs) {
        this.firstDecoder = index;
        break;
      }
      const decoder = this.decoders[index];
      try {
        symbols.push(...(await decoder.decode(frame, context)));
      } catch (error) {
        errors.push({ decoder: decoder.name, code: isPassgateError(error) ? error.code : 'decode.unsupported' });
      }
    }
    if (ran === n) this.firstDecoder = 0;
    return { symbols, errors };
  }
}

/** Serves decode requests and frame inlets on `port` with `decoders`; tells the camera's side it is ready. */
export function serveDecodeRequests(
  port: WorkerPort,
  decoders: readonly SymbolDecoder[],
  budgetMs: number,
  thread?: WorkerThread,
): void {
  const list = new BudgetedDecoders(decoders, budgetMs);
  // One frame at a time through the decoders, whether it came as a request or through an inlet.
  let queue: Promise<unknown> = Promise.resolve();
  const collector = frameGarbageCollector();
  const decode = (frame: GrayImage) => {
    const run = queue.then(() => list.decode(frame)).finally(() => collector.afterFrame());
    queue = run.catch(() => undefined);
    return run;
  };
  const inlets = new Map<number, FrameInletClient>();
  const host: InletHost = {
    decode,
    post: (message) => {
      if ((message.type === 'inlet-ended' || message.type === 'inlet-failed') && 'inlet' in message)
        inlets.delete(message.inlet);
      port.postMessage(message);
    },
  };
  port.on('message', (message) => {
    switch (message?.type) {
      case 'decode': {
        const request = message;
        const start = performance.now();
        const frame: GrayImage = { width: request.width, height: request.height, data: new Uint8Array(request.pixels) };
        void decode(frame).then(({ symbols, errors }) => {
          // Only what the gate needs travels back: symbology, text, payload bytes.
          const small = symbols.map((s) => ({ symbology: s.symbology, text: s.text, bytes: s.bytes }));
          port.postMessage({
            type: 'result',
            id: request.id,
            symbols: small,
            errors,
            decodeMs: performance.now() - start,
          });
        });
        break;
      }
      case 'open-inlet':
        inlets.get(message.inlet)?.close();
        inlets.set(message.inlet, new FrameInletClient(message.inlet, message, host));
        break;
      case 'close-inlet':
        inlets.get(message.inlet)?.close();
        inlets.delete(message.inlet);
        break;
      case 'memory': {
        const { heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
        port.postMessage({
          type: 'memory',
          heapTotal,
          heapLimit: getHeapStatistics().heap_size_limit,
          heapUsed,
          external,
          arrayBuffers,
          collections: collector.collections,
          collectionMs: collector.collectionMs,
        });
        break;
      }
    }
  });
  port.postMessage(thread === undefined ? { type: 'ready' } : { type: 'ready', thread });
}
