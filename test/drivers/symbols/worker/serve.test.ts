import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../../../drivers/symbols/gray-image.js';
import type { DecodedSymbol, FrameContext, SymbolDecoder } from '../../../../drivers/symbols/symbol-decoder.js';
import { BudgetedDecoders } from '../../../../drivers/symbols/worker/serve.js';

const frame: GrayImage = { width: 2, height: 2, data: new Uint8Array(4) };

/** A decoder that takes `costMs` of the fake clock and reports what its context said. */
function scripted(
  name: string,
  clock: { t: number },
  costMs: number,
  symbols: DecodedSymbol[],
  seen: { name: string; found: string[]; expiredBefore: boolean; expiredAfter: boolean }[],
): SymbolDecoder {
  return {
    name,
    decode(_image: GrayImage, context?: FrameContext) {
      const expiredBefore = context?.expired() ?? false;
      clock.t += costMs;
      seen.push({
        name,
        found: (context?.found ?? []).map((s) => s.text),
        expiredBefore,
        expiredAfter: context?.expired() ?? false,
      });
      return symbols;
    },
  };
}

describe('BudgetedDecoders', () => {
  it('tells each decoder what the earlier ones found in the frame and whether the budget is spent', async () => {
    const clock = { t: 0 };
    const seen: { name: string; found: string[]; expiredBefore: boolean; expiredAfter: boolean }[] = [];
    const gm = scripted('gm', clock, 10, [{ symbology: 'grid-matrix', text: 'PG1-A' }], seen);
    const qr = scripted('qr', clock, 25, [], seen);
    const list = new BudgetedDecoders([gm, qr], 30, () => clock.t);
    const { symbols } = await list.decode(frame);
    expect(symbols.map((s) => s.text)).toEqual(['PG1-A']);
    expect(seen).toEqual([
      { name: 'gm', found: [], expiredBefore: false, expiredAfter: false },
      // 10 ms spent on entry, 35 ms after its own work: past the 30 ms budget.
      { name: 'qr', found: ['PG1-A'], expiredBefore: false, expiredAfter: true },
    ]);
  });

  it('measures the budget from the start of each frame', async () => {
    const clock = { t: 0 };
    const seen: { name: string; found: string[]; expiredBefore: boolean; expiredAfter: boolean }[] = [];
    const slow = scripted('slow', clock, 40, [], seen);
    const list = new BudgetedDecoders([slow], 30, () => clock.t);
    await list.decode(frame);
    await list.decode(frame);
    expect(seen.map((s) => [s.expiredBefore, s.expiredAfter])).toEqual([
      [false, true],
      [false, true],
    ]);
  });
});
