// The decode worker's side: takes frames from the camera's thread, runs the decoder list on each
// within the frame budget, and answers with the symbols found. Requests are served one at a time
// in arrival order; the camera's side sends the next frame only after the answer (it drops stale
// frames itself), so nothing queues up here.
//
// Frame budget (cameraFrameBudgetMs): decoders run one after another until the budget is spent;
// the rest skip this frame and go first on the next one, so a slow decoder cannot starve the
// others (decoders are synchronous WebAssembly/JS, so the budget is checked between them). Each
// decoder also gets a FrameContext: the symbols found so far in the frame and whether the budget
// is spent, so the QR reader's small-code retries stop between crops and go on with the next
// frame (see ZxingQrDecoder.decode).

import { isPassgateError } from '../../../firmware/core/errors.js';
import type { GrayImage } from '../gray-image.js';
import type { DecodedSymbol, FrameContext, SymbolDecoder } from '../symbol-decoder.js';
import type { DecodeRequest, WorkerDecoderError, WorkerMessage } from './protocol.js';

/** The worker's end of the channel (worker_threads' parentPort in the worker). */
export interface WorkerPort {
  on(event: 'message', listener: (message: DecodeRequest) => void): unknown;
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

/** Serves decode requests on `port` with `decoders`; tells the camera's side it is ready. */
export function serveDecodeRequests(port: WorkerPort, decoders: readonly SymbolDecoder[], budgetMs: number): void {
  const list = new BudgetedDecoders(decoders, budgetMs);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request) => {
    if (request?.type !== 'decode') return;
    queue = queue.then(async () => {
      const start = performance.now();
      const frame: GrayImage = { width: request.width, height: request.height, data: new Uint8Array(request.pixels) };
      const { symbols, errors } = await list.decode(frame);
      // Only what the gate needs travels back: symbology, text, payload bytes.
      const small = symbols.map((s) => ({ symbology: s.symbology, text: s.text, bytes: s.bytes }));
      port.postMessage({ type: 'result', id: request.id, symbols: small, errors, decodeMs: performance.now() - start });
    });
  });
  port.postMessage({ type: 'ready' });
}
