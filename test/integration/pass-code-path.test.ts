// Grid Matrix pass codes along the product's own paths: the mock portal issues one as a PNG,
// `passgate decode` reads it, and the camera driver (zxing-wasm and the Grid Matrix reader on the
// same frames) turns a photographed one into a scan event.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MockCamera } from '../../drivers/camera/mock-camera.js';
import type { InputEvent } from '../../drivers/input.js';
import { defaultSymbolDecoders } from '../../drivers/symbols/default-decoders.js';
import { readImageFile } from '../../drivers/symbols/image-file.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { placeOnCanvas, renderMatrix } from '../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../scripts/lab/zint.js';
import { CHILD_TEST_MS, runBin, runMain, tempRoot } from '../support/cli.js';

const tmp = tempRoot('pg-gm-path-');
const dir = tmp.root;
afterAll(() => tmp.remove());

describe('Grid Matrix pass codes', () => {
  it(
    'passgate-mock issues a Grid Matrix PNG that passgate decode reads back exactly',
    async () => {
      const png = join(dir, 'green.png');
      const issued = await runBin('passgate-mock', [
        'issue',
        'green',
        '--dir',
        join(dir, 'mock'),
        '--png',
        png,
        '--grid-matrix',
      ]);
      expect(issued.code, issued.stderr).toBe(0);
      const code = issued.stdout.trim();
      expect(code).toMatch(/^PGC1\./);
      const image = await readImageFile(png);
      const decoded = (await Promise.all((await defaultSymbolDecoders()).map((d) => d.decode(image)))).flat();
      expect(decoded).toEqual([expect.objectContaining({ symbology: 'grid-matrix', text: code })]);
      const printed = await runMain(['decode', '--json', png]);
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.stdout[0]).symbols).toEqual([{ format: 'grid-matrix', text: code }]);
    },
    CHILD_TEST_MS,
  ); // a child process: Node plus the tsx loader

  it('the camera driver emits a grid-matrix scan for a rotated symbol in a 640×480 frame', async () => {
    const text = 'PGC1.camera-path-grid-matrix-0123456789';
    const frame = placeOnCanvas(renderMatrix(zintMatrix('GRIDMATRIX', text), { moduleSize: 4, quietZone: 6 }), {
      width: 640,
      height: 480,
      angleDeg: 33,
    });
    // One frame only, so every decoder must get to it: the frame budget (wall-clock ms, which a
    // loaded machine stretches) is not under test here but in decode-pipeline.test.ts, on fake time.
    const timeouts = timeoutTable({ cameraFrameBudgetMs: 60_000 });
    const camera = new MockCamera({ decoders: await defaultSymbolDecoders(), timeouts });
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    await camera.show(frame);
    await camera.close();
    expect(events).toEqual([
      { kind: 'code', source: 'mock-camera', text, symbology: 'grid-matrix', arrivedAt: expect.any(Number) },
    ]);
  });
});
