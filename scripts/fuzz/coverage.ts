// Code coverage as the fuzzer's guide: V8's block coverage of the repository's own code (not
// node_modules, not the fuzzer), read through the inspector of this very process. Reading it
// costs milliseconds, so the runner reads it once per batch of inputs; only a batch that reached
// a block never reached before is run again input by input, to find which inputs join the corpus.
import { Session } from 'node:inspector';

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  url: string;
  functions: { ranges: CoverageRange[] }[];
}

export class BlockCoverage {
  readonly #session = new Session();
  readonly #seen = new Set<string>();
  readonly #include: (url: string) => boolean;

  private constructor(include: (url: string) => boolean) {
    this.#include = include;
  }

  /** Starts counting blocks of the scripts whose URL `include` accepts. */
  static async start(include: (url: string) => boolean): Promise<BlockCoverage> {
    const coverage = new BlockCoverage(include);
    coverage.#session.connect();
    await coverage.#post('Profiler.enable');
    await coverage.#post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    return coverage;
  }

  /** Blocks reached so far (recorded). */
  get blocks(): number {
    return this.#seen.size;
  }

  /** The blocks run since the last take (V8's counters restart at every take). */
  async take(): Promise<string[]> {
    const { result } = (await this.#post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] };
    const run: string[] = [];
    for (const script of result) {
      if (!this.#include(script.url)) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count > 0) run.push(`${script.url}:${range.startOffset}:${range.endOffset}`);
        }
      }
    }
    return run;
  }

  /** Of `blocks`, those never recorded before. */
  unseen(blocks: readonly string[]): string[] {
    return blocks.filter((block) => !this.#seen.has(block));
  }

  record(blocks: readonly string[]): void {
    for (const block of blocks) this.#seen.add(block);
  }

  async stop(): Promise<void> {
    await this.#post('Profiler.stopPreciseCoverage');
    this.#session.disconnect();
  }

  #post(method: string, params: object = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
}

/** The repository's own code under `repo`, without its dependencies and the fuzzer itself. */
export function ownCode(repoUrl: string): (url: string) => boolean {
  return (url) =>
    url.startsWith(repoUrl) &&
    !url.includes('/node_modules/') &&
    !url.includes('/scripts/fuzz/') &&
    !url.includes('/scripts/lab/') &&
    !url.includes('/test/');
}
