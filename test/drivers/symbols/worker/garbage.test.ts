import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { frameGarbageCollector } from '../../../../drivers/symbols/worker/garbage.js';
import { until } from '../../../support/polling.js';

describe('frameGarbageCollector', () => {
  it('runs a full GC once dead buffers have grown the external memory past the threshold', async () => {
    const collector = frameGarbageCollector(4 * 2 ** 20);
    collector.afterFrame();
    expect(collector.collections).toBe(0);
    // A frame's worth of working buffers, dead once the "frame" is done.
    let held: Uint8Array[] = [];
    for (let i = 0; i < 16; i++) held.push(new Uint8Array(512 * 1024).fill(i));
    const grown = getHeapStatistics().external_memory;
    held = [];
    expect(held).toEqual([]);
    collector.afterFrame();
    expect(collector.collections).toBe(1);
    // V8 releases the dead buffers' memory in a sweeper task after the GC.
    await until(() => getHeapStatistics().external_memory < grown - 4 * 2 ** 20, undefined, 'the buffers to be freed');
    // Below the threshold again: no collection.
    collector.afterFrame();
    collector.afterFrame();
    expect(collector.collections).toBe(1);
  });
});
