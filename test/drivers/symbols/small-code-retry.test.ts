import { describe, expect, it } from 'vitest';
import {
  applyGamma,
  MAX_RETRY_DECODES,
  RETRY_VARIANTS,
  retryAttempts,
  retryImage,
} from '../../../drivers/symbols/small-code-retry.js';
import { hardSample } from '../../../scripts/lab/hard-frames.js';
import { mulberry32 } from '../../../scripts/lab/synth-image.js';

describe('small-code retry plan', () => {
  it('γ below 1 lifts the mid-grays and keeps black and white', () => {
    const ramp = { width: 256, height: 1, data: Uint8Array.from({ length: 256 }, (_, i) => i) };
    const lifted = applyGamma(ramp, 0.7);
    expect(lifted.data[0]).toBe(0);
    expect(lifted.data[255]).toBe(255);
    expect(lifted.data[128]).toBe(Math.round(255 * (128 / 255) ** 0.7));
    for (let v = 1; v < 255; v++) {
      expect(lifted.data[v]).toBeGreaterThanOrEqual(v);
      expect(lifted.data[v]).toBeGreaterThanOrEqual(lifted.data[v - 1]);
    }
    expect(ramp.data[128]).toBe(128); // the input is left as it was
  });

  it('tries the code patch of a hard frame in every variant that fits, γ 0.7 first', () => {
    const s = hardSample('qr', mulberry32(91), { minModulePx: 2.4, maxModulePx: 2.6 });
    const attempts = retryAttempts(s.image);
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.length).toBeLessThanOrEqual(MAX_RETRY_DECODES);
    expect(attempts[0].variant).toBe(RETRY_VARIANTS[0]);
    expect(RETRY_VARIANTS[0]).toMatchObject({ kind: 'gaussian', factor: 2, gamma: 0.7 });
    // The patch holds the whole code: its centre is the scene's centre.
    const { region } = attempts[0];
    const cx = s.params.corners.reduce((sum, c) => sum + c[0], 0) / 4;
    const cy = s.params.corners.reduce((sum, c) => sum + c[1], 0) / 4;
    expect(cx).toBeGreaterThan(region.x);
    expect(cx).toBeLessThan(region.x + region.width);
    expect(cy).toBeGreaterThan(region.y);
    expect(cy).toBeLessThan(region.y + region.height);
    for (const a of attempts) {
      const img = retryImage(s.image, a);
      expect(img.width).toBe(region.width * a.variant.factor);
      expect(img.width * img.height).toBeLessThanOrEqual(400_000);
    }
  });

  it('has nothing to try on a flat frame', () => {
    expect(retryAttempts({ width: 640, height: 480, data: new Uint8Array(640 * 480).fill(180) })).toEqual([]);
  });
});
