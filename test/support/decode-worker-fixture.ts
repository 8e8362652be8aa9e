// A decode worker for tests (started by WorkerSymbolDecoder with `entry` = this file): the real
// serving loop (drivers/symbols/worker/serve.ts) with a decoder whose behaviour the frame picks,
// so tests can make the worker answer, hold a frame, or crash, without timing anything.
//
// Frame byte 0 says what happens:
// - 1..200: one symbol `frame-<byte 0>` comes back;
// - 250: the decoder waits until the test opens the gate (see `gate` below);
// - 253: the decoder keeps allocating until the worker's heap limit (resourceLimits) ends it;
// - 254: an uncaught exception in the worker; 255: the worker thread exits with code 7.
// workerData.gate (Int32Array over a SharedArrayBuffer): [0] counts frames begun (notified),
// [1] is set to 1 by the test to let held frames go. workerData.failLoad: report a load failure.
import { parentPort, workerData } from 'node:worker_threads';
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import type { DecodedSymbol, SymbolDecoder } from '../../drivers/symbols/symbol-decoder.js';
import type { WorkerMessage } from '../../drivers/symbols/worker/protocol.js';
import { serveDecodeRequests, type WorkerPort } from '../../drivers/symbols/worker/serve.js';

export const HOLD = 250;
export const EXHAUST_HEAP = 253;
export const THROW_UNCAUGHT = 254;
export const EXIT_THREAD = 255;

const data = workerData as { budgetMs: number; gate?: Int32Array; failLoad?: boolean };

const scripted: SymbolDecoder = {
  name: 'scripted',
  decode(frame: GrayImage): DecodedSymbol[] | Promise<DecodedSymbol[]> {
    const first = frame.data[0];
    if (data.gate) {
      Atomics.add(data.gate, 0, 1);
      Atomics.notify(data.gate, 0);
    }
    if (first === HOLD && data.gate) Atomics.wait(data.gate, 1, 0);
    if (first === THROW_UNCAUGHT) {
      // Thrown outside the serving loop's promise chain, so nothing catches it; no answer comes.
      return new Promise(() =>
        setImmediate(() => {
          throw new Error('scripted crash');
        }),
      );
    }
    if (first === EXIT_THREAD) process.exit(7);
    if (first === EXHAUST_HEAP) {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(1 << 16).fill(first));
    }
    return first >= 1 && first <= 200 ? [{ symbology: 'qr', text: `frame-${first}` }] : [];
  },
};

const port = parentPort as unknown as WorkerPort | null;
if (port !== null) {
  if (data.failLoad) {
    const message: WorkerMessage = { type: 'load-failed', code: 'driver.open-failed', message: 'scripted' };
    port.postMessage(message);
  } else serveDecodeRequests(port, [scripted], data.budgetMs);
}
