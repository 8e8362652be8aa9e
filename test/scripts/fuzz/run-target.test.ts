// The fuzz runner: it finds a planted bug and shrinks the input to the bytes that trigger it,
// passes a correct parser, and reports a seed that breaks the contract by itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PassgateError } from '../../../firmware/core/errors.js';
import { shorterBytes } from '../../../scripts/fuzz/minimise.js';
import { byteInputs } from '../../../scripts/fuzz/mutate.js';
import { runTarget } from '../../../scripts/fuzz/run-target.js';
import { allowing, check, type FuzzTarget, hex } from '../../../scripts/fuzz/target.js';

/** A "parser" that counts bytes; with `bug`, it dereferences nothing after the bytes 41 42. */
function byteTarget(bug: boolean, seeds: Uint8Array[] = [Uint8Array.of(0x41, 0x00, 0x43)]): FuzzTarget<Uint8Array> {
  return {
    name: 'planted',
    seeds: () => seeds,
    inputs: (corpus) => byteInputs(corpus, 64),
    run(bytes) {
      const r = allowing(['driver.frame-invalid'], () => {
        if (bytes.length > 40) throw new PassgateError('driver.frame-invalid', 'too long');
        for (let i = 1; i < bytes.length; i++) {
          if (bug && bytes[i - 1] === 0x41 && bytes[i] === 0x42) (undefined as unknown as { x: number }).x;
        }
        return bytes.length;
      });
      check(!r.ok || r.value === bytes.length, 'miscounted');
      return r.ok ? `length:${Math.min(r.value, 4)}` : r.outcome;
    },
    smaller: shorterBytes,
    show: (bytes) => hex(bytes),
  };
}

describe('runTarget', () => {
  it('finds a planted crash and shrinks it to the two bytes that trigger it', async () => {
    const result = await runTarget(byteTarget(true), { budgetMs: 60_000, seed: 42 });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].problem).toMatch(/^TypeError: /);
    expect(result.findings[0].input).toBe('4142');
    // The same seed draws the same inputs: the run finds the same problem again.
    const again = await runTarget(byteTarget(true), { budgetMs: 60_000, seed: 42 });
    expect(again.findings).toEqual(result.findings);
  });

  it('passes a correct parser, counting executions and growing the corpus with new outcome classes', async () => {
    const result = await runTarget(byteTarget(false), { budgetMs: 300, seed: 7 });
    expect(result.findings).toEqual([]);
    expect(result.executions).toBeGreaterThan(0);
    expect(result.corpus).toBe(result.outcomeClasses);
    expect(result.classNames.every((c) => /^length:[0-4]$|^error:driver.frame-invalid$/.test(c))).toBe(true);
  });

  it('reports a seed that breaks the contract by itself, showing the seed', async () => {
    const result = await runTarget(byteTarget(true, [Uint8Array.of(0x41, 0x42)]), { budgetMs: 60_000, seed: 1 });
    expect(result.findings).toEqual([{ problem: expect.stringMatching(/^TypeError/), input: '4142', seed: 1 }]);
  });

  it('reports a broken input generator as a finding of the harness', async () => {
    const target = byteTarget(false);
    target.inputs = () =>
      fc.nat().map(() => {
        throw new RangeError('generator bug');
      });
    const result = await runTarget(target, { budgetMs: 60_000, seed: 3 });
    expect(result.findings[0].problem).toContain('generator bug');
  });
});
