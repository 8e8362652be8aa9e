// Each target runs in a child process: a hang and unbounded memory become findings instead of
// taking the fuzzer down, and a real target reports its result through the child.
import { describe, expect, it } from 'vitest';
import { runTargetInChild } from '../../../scripts/fuzz/run-child.js';
import { REPO } from '../../support/repo.js';

describe('runTargetInChild', () => {
  it('a child that stops making progress is killed and reported as a hang', async () => {
    const result = await runTargetInChild({
      repo: REPO,
      target: 'hang',
      budgetMs: 60_000,
      seed: 1,
      entry: 'test/scripts/fuzz/children/hang.ts',
      stallMs: 3000,
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].problem).toContain('no progress for 3 s (a hang)');
  });

  it('a child whose memory grows without bound dies at the heap cap and is reported', async () => {
    const result = await runTargetInChild({
      repo: REPO,
      target: 'grow',
      budgetMs: 60_000,
      seed: 1,
      entry: 'test/scripts/fuzz/children/grow.ts',
      heapMb: 64,
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].problem).toContain('out of memory (heap capped at 64 MB)');
  });

  it('a real target runs in its child and reports executions and no findings', async () => {
    const result = await runTargetInChild({ repo: REPO, target: 'hid-report', budgetMs: 300, seed: 5 });
    expect(result.target).toBe('hid-report');
    expect(result.findings).toEqual([]);
    expect(result.executions).toBeGreaterThan(0);
  });
});
