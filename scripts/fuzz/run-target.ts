// Runs one target for a time budget: fast-check draws inputs (random and mutated from the growing
// corpus) until the budget is spent, and on a contract break shrinks the input to a minimal one.
// Every execution, shrinking included, is counted.
import fc from 'fast-check';
import { PassgateError } from '../../firmware/core/errors.js';
import type { BlockCoverage } from './coverage.js';
import { Corpus, type FuzzTarget } from './target.js';

export interface Finding {
  /** What broke: the error's class, code and message (first line). */
  problem: string;
  /** The minimised input, as the target shows it. */
  input: string;
  /**
   * The seed of the run: the same seed explores the same inputs in the same order (the corpus
   * grows the same way), so a deterministic target finds the problem again.
   */
  seed: number;
}

export interface TargetResult {
  target: string;
  executions: number;
  findings: Finding[];
  corpus: number;
  outcomeClasses: number;
  /** Blocks of the repository's code reached (0 without coverage). */
  blocks: number;
  /** The outcome classes reached (frame kinds, error codes), for --verbose. */
  classNames: string[];
  elapsedMs: number;
}

export interface RunOptions {
  budgetMs: number;
  seed: number;
  /** Block coverage to guide the corpus by (the child passes it); without, outcome classes only. */
  coverage?: BlockCoverage;
  /** Called now and then with the executions so far (the parent's watchdog). */
  onProgress?: (executions: number) => void;
}

export function describeProblem(error: unknown): string {
  if (error instanceof PassgateError) return `PassgateError ${error.code}: ${error.message}`.split('\n')[0];
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0].slice(0, 300);
  return `thrown non-error: ${String(error).slice(0, 200)}`;
}

export async function runTarget<T>(target: FuzzTarget<T>, options: RunOptions): Promise<TargetResult> {
  // The budget is for fuzzing: setting up (a mock portal, say) comes before it.
  const corpus = new Corpus(await target.seeds());
  const started = performance.now();
  let executions = 0;
  const count = () => {
    executions++;
    options.onProgress?.(executions);
  };
  const findings: Finding[] = [];
  const coverage = options.coverage;
  try {
    // Seeds first: each must pass the contract on its own.
    for (const seed of [...corpus.entries]) {
      count();
      try {
        corpus.recordClass(await target.run(seed));
      } catch (error) {
        findings.push({ problem: describeProblem(error), input: target.show(seed), seed: options.seed });
      }
    }
    if (findings.length > 0) return result();
    if (coverage) coverage.record(await coverage.take());
    let batch: T[] = [];
    let batchSize = COVERAGE_BATCH.first;
    const property = fc.asyncProperty(target.inputs(corpus), async (input) => {
      count();
      corpus.observe(input, await target.run(input));
      if (coverage === undefined) return;
      batch.push(input);
      if (batch.length < batchSize) return;
      const inputs = batch;
      batch = [];
      const found = await keepInputsReachingNewCode(target, coverage, corpus, inputs, count);
      batchSize = found ? COVERAGE_BATCH.first : Math.min(COVERAGE_BATCH.most, batchSize * 2);
    });
    const remaining = Math.max(1, options.budgetMs - (performance.now() - started));
    const details = await fc
      .check(property, {
        seed: options.seed,
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: remaining,
        markInterruptAsFailure: false,
        endOnFailure: false,
      })
      .catch((error: unknown) => {
        // fast-check could not draw an input: a bug in the target's generator, not in the parser.
        findings.push({
          problem: `input generator failed: ${describeProblem(error)}`,
          input: '',
          seed: options.seed,
        });
        return undefined;
      });
    if (details === undefined) return result();
    if (details.failed && details.counterexample) {
      const problem = describeProblem(details.errorInstance);
      const input = await minimise(target, details.counterexample[0] as T, problem, count);
      findings.push({
        problem,
        input: target.show(input),
        seed: details.seed,
      });
    }
  } finally {
    await target.close?.();
  }
  return result();

  function result(): TargetResult {
    return {
      target: target.name,
      executions,
      findings,
      corpus: corpus.entries.length,
      outcomeClasses: corpus.classes,
      blocks: coverage?.blocks ?? 0,
      classNames: corpus.classNames(),
      elapsedMs: Math.round(performance.now() - started),
    };
  }
}

/** Most candidates tried, and most time spent, minimising one finding. */
const MAX_MINIMISE_RUNS = 20_000;
const MAX_MINIMISE_MS = 30_000;

/** The same failure, up to the numbers in its message (a length, a count). */
function sameProblem(a: string, b: string): boolean {
  return a.replace(/[0-9]+/g, 'N') === b.replace(/[0-9]+/g, 'N');
}

/** Greedily replaces `input` by a smaller variant that fails with the same problem, while one does. */
async function minimise<T>(target: FuzzTarget<T>, input: T, problem: string, count: () => void): Promise<T> {
  if (target.smaller === undefined) return input;
  let best = input;
  let runs = 0;
  const until = performance.now() + MAX_MINIMISE_MS;
  const spent = () => runs >= MAX_MINIMISE_RUNS || performance.now() > until;
  for (let improved = true; improved && !spent(); ) {
    improved = false;
    for (const candidate of target.smaller(best)) {
      if (spent()) break;
      runs++;
      count();
      let failure: string | undefined;
      try {
        await target.run(candidate);
      } catch (error) {
        failure = describeProblem(error);
      }
      if (failure !== undefined && sameProblem(failure, problem)) {
        best = candidate;
        improved = true;
        break;
      }
    }
  }
  return best;
}

/**
 * Inputs run between two reads of the coverage counters: few while new code keeps turning up,
 * doubling up to the most while none does (a read costs milliseconds).
 */
const COVERAGE_BATCH = { first: 64, most: 4096 };

/**
 * After a batch: if it reached blocks never reached before, finds the inputs that reached them by
 * bisection (each half run again and the counters read) and adds those to the corpus. Returns
 * whether anything new was reached.
 */
async function keepInputsReachingNewCode<T>(
  target: FuzzTarget<T>,
  coverage: BlockCoverage,
  corpus: Corpus<T>,
  inputs: readonly T[],
  count: () => void,
): Promise<boolean> {
  const fresh = coverage.unseen(await coverage.take());
  if (fresh.length === 0) return false;
  coverage.record(fresh);
  const reaching = async (part: readonly T[], wanted: ReadonlySet<string>): Promise<Set<string>> => {
    for (const input of part) {
      count();
      try {
        await target.run(input);
      } catch {
        // it passed a moment ago; a stateful target may differ on a second run, which is no finding
      }
    }
    return new Set((await coverage.take()).filter((block) => wanted.has(block)));
  };
  const bisect = async (part: readonly T[], wanted: Set<string>): Promise<void> => {
    if (part.length === 1) {
      corpus.add(part[0]);
      return;
    }
    const half = part.length >> 1;
    for (const side of [part.slice(0, half), part.slice(half)]) {
      if (wanted.size === 0) return;
      const reached = await reaching(side, wanted);
      if (reached.size === 0) continue;
      for (const block of reached) wanted.delete(block);
      await bisect(side, reached);
    }
  };
  await bisect(inputs, new Set(fresh));
  return true;
}
