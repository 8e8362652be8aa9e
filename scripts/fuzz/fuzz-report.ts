// The table `npm run fuzz` prints, and its --json object.
import type { TargetResult } from './run-target.js';

export function fuzzTable(results: readonly TargetResult[]): string {
  const rows = [
    ['target', 'executions', 'exec/s', 'findings', 'corpus', 'classes', 'blocks'],
    ...results.map((r) => [
      r.target,
      String(r.executions),
      String(Math.round(r.executions / Math.max(r.elapsedMs / 1000, 0.001))),
      String(r.findings.length),
      String(r.corpus),
      String(r.outcomeClasses),
      String(r.blocks),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    .join('\n');
}

export function fuzzFindingLines(results: readonly TargetResult[]): string[] {
  return results.flatMap((r) =>
    r.findings.map(
      (f) =>
        `finding in ${r.target}: ${f.problem}\n  input: ${f.input}\n  rerun: npm run fuzz -- --only ${r.target} --seed ${f.seed}`,
    ),
  );
}

export function fuzzJson(results: readonly TargetResult[], seconds: number, seed: number): Record<string, unknown> {
  return {
    fuzz_targets: results.length,
    fuzz_seconds_per_target: seconds,
    fuzz_seed: seed,
    fuzz_executions: results.reduce((sum, r) => sum + r.executions, 0),
    fuzz_findings: results.reduce((sum, r) => sum + r.findings.length, 0),
    targets: results.map((r) => ({
      target: r.target,
      executions: r.executions,
      findings: r.findings.length,
      corpus: r.corpus,
      classes: r.outcomeClasses,
      blocks: r.blocks,
      elapsed_ms: r.elapsedMs,
      problems: r.findings.map((f) => f.problem),
    })),
  };
}
