// One target in a process of its own (started by main.ts): `child.ts TARGET BUDGET_MS SEED
// [coverage|classes]` (the corpus guided by code coverage and outcome classes, or classes only). Prints {"progress":N} lines while it runs (the parent's watchdog) and one
// {"result":…} line at the end. A heap cap set by the parent turns unbounded memory into a death.
import { pathToFileURL } from 'node:url';
import { BlockCoverage, ownCode } from './coverage.js';
import { runTarget } from './run-target.js';
import { FUZZ_TARGETS } from './targets/index.js';

const PROGRESS_INTERVAL_MS = 1000;

export async function main(argv: string[]): Promise<number> {
  const [name, budget, seed, guide] = argv;
  const entry = FUZZ_TARGETS[name];
  if (entry === undefined) {
    process.stderr.write(`fuzz child: unknown target ${name}\n`);
    return 2;
  }
  const repoUrl = pathToFileURL(process.cwd()).href;
  const coverage = guide === 'classes' ? undefined : await BlockCoverage.start(ownCode(`${repoUrl}/`));
  let lastReport = 0;
  const result = await runTarget(await entry.load(), {
    budgetMs: Number(budget),
    seed: Number(seed),
    coverage,
    onProgress(executions) {
      const now = performance.now();
      if (now - lastReport < PROGRESS_INTERVAL_MS) return;
      lastReport = now;
      process.stdout.write(`${JSON.stringify({ progress: executions })}\n`);
    },
  });
  await coverage?.stop();
  process.stdout.write(`${JSON.stringify({ result })}\n`);
  return 0;
}
