// Bench section `memory-options`: the daemon's RSS and CPU per scan under each candidate set of
// Node and allocator options, measured the same way as the `gate` section's 100k run (a child
// process fed scans, RSS after forced GCs) but over fewer scans, since a steady state is reached
// within a few thousand. firmware/daemon/node-runtime-options.ts says which set a device uses
// and why; this section is how that choice is checked on new hardware or a new Node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortalFixture } from '../lab/portal-fixture.js';
import { DEVICE_RUNTIME, measureMemory, type RuntimeVariant } from './gate-process.js';
import { type BenchRow, type BenchSection, round } from './section.js';

const SCANS = 10_000;

const VARIANTS: Record<string, RuntimeVariant> = {
  node_defaults: { nodeOptions: [] },
  semi_space_1mb: { nodeOptions: ['--max-semi-space-size=1'] },
  semi_space_1mb_arena_max_2: { nodeOptions: ['--max-semi-space-size=1'], env: { MALLOC_ARENA_MAX: '2' } },
  device: DEVICE_RUNTIME,
  device_arena_max_2: { ...DEVICE_RUNTIME, env: { MALLOC_ARENA_MAX: '2' } },
  device_optimize_for_size: { nodeOptions: [...DEVICE_RUNTIME.nodeOptions, '--optimize-for-size'] },
};

export const memoryOptionsSection: BenchSection = {
  name: 'memory-options',
  async run(): Promise<BenchRow[]> {
    const root = mkdtempSync(join(tmpdir(), 'pg-bench-memopt-'));
    const fixture = await startPortalFixture();
    const rows: BenchRow[] = [];
    try {
      for (const [name, runtime] of Object.entries(VARIANTS)) {
        const figures = await measureMemory(fixture, root, { scans: SCANS, checkpoints: [SCANS], runtime });
        const rss = figures.rssMb.get(SCANS) ?? Number.NaN;
        process.stderr.write(
          `bench: memory-options: ${name} (${[...runtime.nodeOptions, ...Object.entries(runtime.env ?? {}).map(([k, v]) => `${k}=${v}`)].join(' ') || 'none'}): rss ${rss.toFixed(1)} MB, heap ${figures.breakdown.v8HeapMb.toFixed(1)} MB, native ${figures.breakdown.nativeMb.toFixed(1)} MB, cpu ${figures.cpuMsPerScan.toFixed(3)} ms/scan\n`,
        );
        rows.push(
          { key: `rss_mb_option_${name}`, value: round(rss, 1), unit: 'MB' },
          { key: `cpu_ms_per_scan_option_${name}`, value: round(figures.cpuMsPerScan, 3), unit: 'ms' },
        );
      }
      return rows;
    } finally {
      await fixture.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
