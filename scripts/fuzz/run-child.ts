// Runs one target in a child process with a heap cap and a watchdog, so that a parser that hangs
// or grows without bound becomes a finding instead of taking the fuzzer down with it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TargetResult } from './run-target.js';

/** The child's heap: generous for any target, small enough that unbounded growth hits it. */
export const CHILD_HEAP_MB = 512;
/** No progress for this long while inside the budget: a hang (the child reports every second). */
export const STALL_MS = 60_000;
/** Setup (tsx, seeds, a mock portal) and the final shrinking, on top of the budget. */
export const OVERRUN_MS = 120_000;

export interface ChildRun {
  repo: string;
  target: string;
  budgetMs: number;
  seed: number;
  /** Tells the caller the child's pid (to stop it on Ctrl-C). */
  onStart?: (pid: number) => void;
  /** Guide the corpus by outcome classes only, without code coverage (faster, blinder). */
  classesOnly?: boolean;
  /** Overrides, for the runner's own tests: the entry script, heap cap and watchdog limits. */
  entry?: string;
  heapMb?: number;
  stallMs?: number;
}

export function runTargetInChild(run: ChildRun): Promise<TargetResult> {
  const heapMb = run.heapMb ?? CHILD_HEAP_MB;
  const stallMs = run.stallMs ?? STALL_MS;
  const args = [
    `--max-old-space-size=${heapMb}`,
    join(run.repo, 'scripts/bin/run-ts.mjs'),
    run.entry ?? join(run.repo, 'scripts/fuzz/child.ts'),
    run.target,
    String(run.budgetMs),
    String(run.seed),
    run.classesOnly ? 'classes' : 'coverage',
  ];
  const child = spawn(process.execPath, args, { cwd: run.repo, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) run.onStart?.(child.pid);
  const started = performance.now();
  let executions = 0;
  let lastProgress = performance.now();
  let result: TargetResult | undefined;
  let killedFor: string | undefined;
  const stderrTail: string[] = [];
  let outOfMemory = false;

  createInterface({ input: child.stdout }).on('line', (line) => {
    lastProgress = performance.now();
    try {
      const message = JSON.parse(line) as { progress?: number; result?: TargetResult };
      if (message.progress !== undefined) executions = message.progress;
      if (message.result !== undefined) result = message.result;
    } catch {
      // a stray line from a library: progress all the same
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    // V8's report ("JavaScript heap out of memory") is followed by a long native stack.
    if (line.includes('heap out of memory') || line.includes('FatalProcessOutOfMemory')) outOfMemory = true;
    stderrTail.push(line);
    if (stderrTail.length > 8) stderrTail.shift();
  });
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (now - started > run.budgetMs + OVERRUN_MS)
      killedFor = `still running ${Math.round((now - started) / 1000)} s after start`;
    else if (now - lastProgress > stallMs) killedFor = `no progress for ${stallMs / 1000} s (a hang)`;
    if (killedFor !== undefined) child.kill('SIGKILL');
  }, 1000);

  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearInterval(watchdog);
      if (result !== undefined && killedFor === undefined) {
        resolve(result);
        return;
      }
      const why =
        killedFor ??
        (outOfMemory
          ? `out of memory (heap capped at ${heapMb} MB)`
          : `died (exit ${code ?? signal}): ${stderrTail.join(' | ').slice(0, 500)}`);
      resolve({
        target: run.target,
        executions,
        findings: [{ problem: `the target process ${why}`, input: '(rerun with the seed)', seed: run.seed }],
        corpus: 0,
        outcomeClasses: 0,
        blocks: 0,
        classNames: [],
        elapsedMs: Math.round(performance.now() - started),
      });
    });
  });
}
