// Entry of the decode worker thread (started by worker-decoder.ts; bundled as
// dist/decode-worker.mjs): lowers this thread's scheduling priority below the gate's, loads
// zxing-wasm and the Grid Matrix reader in this thread and serves frames. A load failure is
// reported to the camera's side, which then ends the thread.

import { parentPort, workerData } from 'node:worker_threads';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { defaultSymbolDecoders } from '../default-decoders.js';
import type { WorkerMessage } from './protocol.js';
import { serveDecodeRequests, type WorkerPort } from './serve.js';
import { DECODE_THREAD_NICE, lowerThreadPriority } from './thread-priority.js';

export interface DecodeWorkerData {
  /** cameraFrameBudgetMs. */
  budgetMs: number;
  /** This thread's nice value (default DECODE_THREAD_NICE). */
  nice?: number;
}

const port = parentPort as unknown as WorkerPort | null;
if (port !== null) {
  const { budgetMs, nice } = workerData as DecodeWorkerData;
  const thread = lowerThreadPriority(nice ?? DECODE_THREAD_NICE);
  try {
    serveDecodeRequests(port, await defaultSymbolDecoders(), budgetMs, thread);
  } catch (error) {
    const message: WorkerMessage = {
      type: 'load-failed',
      code: isPassgateError(error) ? error.code : 'driver.open-failed',
      message: 'the decoders could not be loaded in the decode worker',
    };
    port.postMessage(message);
  }
}
