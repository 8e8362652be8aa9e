// Bench section `config`: what the config store costs the daemon (reads on the scan path, the
// idle poll) and the CLI (a durable setMany), and how soon a running daemon sees a CLI change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigStore } from '../../firmware/config/store.js';
import { DEFAULT_TIMEOUTS } from '../../firmware/core/timeouts.js';
import { type BenchRow, type BenchSection, percentile, round, timeEach } from './section.js';

const READS = 20_000;
const POLLS = 20_000;
const WRITES = 200;
const CHANGES = 8;

export const configSection: BenchSection = {
  name: 'config',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'passgate-bench-config-'));
    const daemon = ConfigStore.open(dir);
    const cli = ConfigStore.open(dir);
    try {
      cli.setMany({ 'gate.dedupWindowMs': 2500, 'display.pins': { red: 1, green: 2, buzzer: 3, relay: 4 } });
      const gets = timeEach(READS, () => daemon.get('gate.dedupWindowMs')).map((ms) => ms * 1000);
      const jsonGets = timeEach(READS, () => daemon.get('display.pins')).map((ms) => ms * 1000);
      const polls = timeEach(POLLS, () => daemon.poll()).map((ms) => ms * 1000);
      const writes = timeEach(WRITES, (i) => cli.setMany({ 'gate.showMs': 1000 + i, 'gate.dedupWindowMs': i }));

      // CLI write → daemon onChange, at the default poll interval.
      daemon.watch();
      const detect: number[] = [];
      let waiting: (() => void) | undefined;
      daemon.onChange(() => waiting?.());
      for (let i = 0; i < CHANGES; i++) {
        const seen = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('change not seen within 4 poll intervals')),
            DEFAULT_TIMEOUTS.configPollMs * 4,
          );
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const start = performance.now();
        cli.set('gate.queueLimit', (i % 2) + 2); // default 1, then 2, 3, 2, …: always a change
        await seen;
        detect.push(performance.now() - start);
      }
      return [
        { key: 'config_get_int_p50_us', value: round(percentile(gets, 50), 2), unit: 'µs' },
        { key: 'config_get_int_p99_us', value: round(percentile(gets, 99), 2), unit: 'µs', target: '<= 100' },
        { key: 'config_get_json_p99_us', value: round(percentile(jsonGets, 99), 2), unit: 'µs', target: '<= 200' },
        { key: 'config_poll_idle_p99_us', value: round(percentile(polls, 99), 2), unit: 'µs', target: '<= 100' },
        { key: 'config_setmany_p50_ms', value: round(percentile(writes, 50)), unit: 'ms' },
        // Dominated by the fsync of synchronous=FULL, so it depends on the storage more than on us.
        { key: 'config_setmany_p99_ms', value: round(percentile(writes, 99)), unit: 'ms', target: '<= 100' },
        {
          key: 'config_change_seen_max_ms',
          value: round(Math.max(...detect)),
          unit: 'ms',
          target: `<= ${DEFAULT_TIMEOUTS.configPollMs + 50}`,
        },
      ];
    } finally {
      daemon.close();
      cli.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
