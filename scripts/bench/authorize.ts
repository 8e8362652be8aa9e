// Bench section `authorize`: what one authorize exchange costs, the SM2 work a daemon does at boot
// and after every lost session (and a whole fleet at once after a portal restart). The device
// signs and SM2-encrypts a fresh session secret; the portal verifies and decrypts it. Both run in
// this process (the bundled mock over loopback HTTPS on a warm connection), so the CPU figure is
// the exchange's total: device plus portal, crypto plus HTTP and JSON. The SM2 primitives alone
// are in the `crypto` section.
import { performance } from 'node:perf_hooks';
import { startPortalFixture } from '../lab/portal-fixture.js';
import { type BenchRow, type BenchSection, mean, percentile, round } from './section.js';

const WARMUP = 5;
const ROUNDS = 40;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export const authorizeSection: BenchSection = {
  name: 'authorize',
  async run(): Promise<BenchRow[]> {
    const fixture = await startPortalFixture();
    try {
      const client = fixture.client();
      for (let i = 0; i < WARMUP; i += 1) await client.authorize();
      const cpu: number[] = [];
      const wall: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        const cpuBefore = cpuMs();
        const start = performance.now();
        await client.authorize();
        wall.push(performance.now() - start);
        cpu.push(cpuMs() - cpuBefore);
      }
      return [
        { key: 'authorize_cpu_ms', value: round(mean(cpu), 2), unit: 'ms', target: 'device + portal, mean' },
        { key: 'authorize_cpu_ms_p50', value: round(percentile(cpu, 50), 2), unit: 'ms' },
        { key: 'authorize_wall_ms_p50', value: round(percentile(wall, 50), 2), unit: 'ms' },
      ];
    } finally {
      await fixture.close();
    }
  },
};
