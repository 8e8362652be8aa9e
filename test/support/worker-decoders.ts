// Decode workers in tests: every decoder gets every frame (the frame budget is wall-clock time,
// which a loaded machine stretches), restarts come quickly so tests do not wait for the backoff,
// and each test's workers are closed after it.
import { afterEach } from 'vitest';
import { WorkerSymbolDecoder } from '../../drivers/symbols/worker/worker-decoder.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';

export const WORKER_TEST_TIMEOUTS = timeoutTable({
  cameraFrameBudgetMs: 60_000,
  driverReopenInitialMs: 1,
  driverReopenMaxMs: 4,
});

/** The scripted worker entry (decode-worker-fixture.ts). */
export const DECODE_WORKER_FIXTURE = new URL('./decode-worker-fixture.ts', import.meta.url);

type StartOptions = Partial<Parameters<typeof WorkerSymbolDecoder.start>[0]>;

/** A `start(options)` for this test file; what it starts is closed after each test. */
export function workerDecoderStarter(): (options?: StartOptions) => Promise<WorkerSymbolDecoder> {
  const open: WorkerSymbolDecoder[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
  });
  return async (options = {}) => {
    const decoder = await WorkerSymbolDecoder.start({ timeouts: WORKER_TEST_TIMEOUTS, ...options });
    open.push(decoder);
    return decoder;
  };
}
