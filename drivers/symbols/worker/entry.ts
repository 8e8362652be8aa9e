// Entry of the decode worker thread (started by worker-decoder.ts; bundled as
// dist/decode-worker.mjs): loads zxing-wasm and the Grid Matrix reader in this thread and serves
// frames. A load failure is reported to the camera's side, which then ends the thread.

import { parentPort, workerData } from 'node:worker_threads';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { defaultSymbolDecoders } from '../default-decoders.js';
import type { WorkerMessage } from './protocol.js';
import { serveDecodeRequests, type WorkerPort } from './serve.js';

export interface DecodeWorkerData {
  /** cameraFrameBudgetMs. */
  budgetMs: number;
}

const port = parentPort as unknown as WorkerPort | null;
if (port !== null) {
  const { budgetMs } = workerData as DecodeWorkerData;
  try {
    serveDecodeRequests(port, await defaultSymbolDecoders(), budgetMs);
  } catch (error) {
    const message: WorkerMessage = {
      type: 'load-failed',
      code: isPassgateError(error) ? error.code : 'driver.open-failed',
      message: 'the decoders could not be loaded in the decode worker',
    };
    port.postMessage(message);
  }
}
