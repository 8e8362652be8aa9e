// Collecting the decode worker's garbage in time. The decoders allocate their working buffers
// (the PGM handed to zxing-wasm, crops, enlarged patches, the Grid Matrix reader's arrays) as
// typed arrays for every frame. A buffer still in use when a scavenge runs is promoted, and
// promoted garbage waits for a full GC, which V8 starts only once the isolate's external memory
// has grown by tens of MB: measured, the worker held 15 MB of dead buffers and glibc's arena for
// its thread 45 MB after 3000 frames. So the worker runs a full GC itself once its external
// memory has grown by EXTERNAL_GROWTH_FOR_GC since the last one.
//
// `gc` is not exposed without --expose-gc; the flag is set for this isolate's new contexts only
// (v8.setFlagsFromString, then a fresh vm context hands out its `gc`). The main thread's context
// exists already and is unaffected.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** External memory growth (bytes) that triggers a full GC in the decode worker. */
export const EXTERNAL_GROWTH_FOR_GC = 8 * 2 ** 20;

export interface GarbageCollector {
  /** Call after each frame: collects when the external memory grew past the threshold. */
  afterFrame(): void;
  /** Full collections run so far. */
  readonly collections: number;
  /** Milliseconds spent in them. */
  readonly collectionMs: number;
}

/** A collector for this thread, or one that never collects where `gc` cannot be had. */
export function frameGarbageCollector(growth = EXTERNAL_GROWTH_FOR_GC): GarbageCollector {
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = undefined;
  }
  let baseline: number | undefined = getHeapStatistics().external_memory;
  let collections = 0;
  let collectionMs = 0;
  return {
    afterFrame() {
      if (gc === undefined) return;
      const external = getHeapStatistics().external_memory;
      // Dead buffers are released by a sweeper task after the GC: the baseline is read a frame later.
      if (baseline === undefined || external < baseline) baseline = external;
      if (external - baseline < growth) return;
      const start = performance.now();
      gc();
      collectionMs += performance.now() - start;
      collections += 1;
      baseline = undefined;
    },
    get collections() {
      return collections;
    },
    get collectionMs() {
      return collectionMs;
    },
  };
}
