import { describe, expect, it } from 'vitest';
import { fuzzFindingLines, fuzzJson, fuzzTable } from '../../../scripts/fuzz/fuzz-report.js';
import type { TargetResult } from '../../../scripts/fuzz/run-target.js';

const RESULTS: TargetResult[] = [
  {
    target: 'hid-report',
    executions: 1000,
    findings: [],
    corpus: 12,
    outcomeClasses: 10,
    blocks: 420,
    classNames: [],
    elapsedMs: 2000,
  },
  {
    target: 'cli-args',
    executions: 13,
    findings: [{ problem: 'ContractViolation: leak', input: '{"argv":["x"]}', seed: 65 }],
    corpus: 9,
    outcomeClasses: 5,
    blocks: 77,
    classNames: [],
    elapsedMs: 100,
  },
];

describe('the fuzz report', () => {
  it('a table: target, executions, exec/s, findings, corpus, outcome classes, code blocks reached', () => {
    expect(fuzzTable(RESULTS).split('\n')).toEqual([
      'target      executions  exec/s  findings  corpus  classes  blocks',
      'hid-report        1000     500         0      12       10     420',
      'cli-args            13     130         1       9        5      77',
    ]);
  });

  it('each finding with its input and the command that reruns it', () => {
    expect(fuzzFindingLines(RESULTS)).toEqual([
      'finding in cli-args: ContractViolation: leak\n  input: {"argv":["x"]}\n  rerun: npm run fuzz -- --only cli-args --seed 65',
    ]);
  });

  it('--json: totals and one entry per target', () => {
    const json = fuzzJson(RESULTS, 10, 65);
    expect(json).toMatchObject({
      fuzz_targets: 2,
      fuzz_seconds_per_target: 10,
      fuzz_executions: 1013,
      fuzz_findings: 1,
    });
    expect((json.targets as { problems: string[] }[])[1].problems).toEqual(['ContractViolation: leak']);
  });
});
