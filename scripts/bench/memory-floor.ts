// Bench section `memory`: the floor under the daemon's RSS. Fresh Node processes load the runtime's
// dependencies (alone and together) and report their RSS after forced GCs: bare Node, Node with
// each dependency, and Node with all of them (the floor a gate cannot go below). The `gate`
// section's rss_mb_after_100k minus this floor is what passgate's own code and data cost.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = 3;

/**
 * What each dependency costs when a gate uses it: loaded, and for SQLite a database opened. (undici
 * is not among them: only passgate-mock loads it; the gate's portal connection is its own.)
 */
const DEPENDENCIES: Record<string, string> = {
  'better-sqlite3': "const D = (await import('better-sqlite3')).default; new D(':memory:').exec('select 1');",
  // Its first key builds the curve's table of base-point multiples, which then stays in memory.
  'sm-crypto-v2': "(await import('sm-crypto-v2/dist/index.mjs')).sm2.generateKeyPairHex();",
};

const REPORT = 'globalThis.gc(); globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss));';

/** Median RSS in MB of a fresh process running `script` (ES module), then reporting its RSS. */
function rssOf(script: string): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `${script}\n${REPORT}`], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0)
      throw new Error(`memory floor probe failed: ${run.stderr.trim().split('\n').at(-1) ?? run.status}`);
    samples.push(Number(run.stdout) / (1024 * 1024));
  }
  return percentile(samples, 50);
}

export const memoryFloorSection: BenchSection = {
  name: 'memory',
  async run(): Promise<BenchRow[]> {
    const bare = rssOf('');
    const rows: BenchRow[] = [{ key: 'rss_mb_bare_node', value: round(bare, 1), unit: 'MB' }];
    for (const [name, script] of Object.entries(DEPENDENCIES)) {
      const key = `rss_mb_floor_plus_${name.replace(/[^a-z0-9]+/g, '_')}`;
      rows.push({ key, value: round(rssOf(script) - bare, 1), unit: 'MB' });
    }
    const floor = rssOf(Object.values(DEPENDENCIES).join('\n'));
    rows.push({ key: 'rss_mb_floor', value: round(floor, 1), unit: 'MB' });
    process.stderr.write(
      `bench: memory: bare node ${bare.toFixed(1)} MB, with every dependency ${floor.toFixed(1)} MB\n`,
    );
    return rows;
  },
};
