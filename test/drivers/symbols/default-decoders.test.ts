import { describe, expect, it } from 'vitest';
import { defaultSymbolDecoders } from '../../../drivers/symbols/default-decoders.js';
import { BudgetedDecoders } from '../../../drivers/symbols/worker/serve.js';
import { hardPresentation } from '../../../scripts/lab/hard-frames.js';
import { mulberry32 } from '../../../scripts/lab/synth-image.js';

describe('defaultSymbolDecoders', () => {
  it('runs the Grid Matrix reader before the QR reader on the camera, after it for still images', async () => {
    expect((await defaultSymbolDecoders()).map((d) => d.name)).toEqual(['grid-matrix', 'zxing-qr']);
    expect((await defaultSymbolDecoders({ thorough: true })).map((d) => d.name)).toEqual(['zxing-qr', 'grid-matrix']);
  });

  it('reads hard presentations of both symbologies through the camera budget, frame after frame', async () => {
    // A budget no frame can meet: after the first decoder, each frame goes on with one step only.
    const list = new BudgetedDecoders(await defaultSymbolDecoders(), 0);
    const rng = mulberry32(3101);
    let read = 0;
    for (const symbology of ['grid-matrix', 'qr', 'grid-matrix', 'qr'] as const) {
      const p = hardPresentation(symbology, rng, 3, { minModulePx: 2.6, maxModulePx: 3, maxBlurSigma: 1 });
      let seen = false;
      for (const frame of p.frames) if ((await list.decode(frame)).symbols.some((s) => s.text === p.text)) seen = true;
      if (seen) read++;
    }
    expect(read).toBe(4);
  });
});
