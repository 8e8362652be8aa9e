// Bench section `gate`: the whole gate against the bundled mock portal over loopback HTTPS.
// - local overhead: scan read → the verdict pattern's first state written to the GPIO value files
//   (gpio-sysfs on a temp tree), minus the portal round trip the runner logs (portalMs: request
//   sent → answer verified), over 1000 scans in this process on the real clock; also without the
//   time this process's threads waited for a CPU (this is a shared 2-core machine);
// - requests per scan: verifications the mock counted / scans, over every scan of this section;
// - memory and ready time: in child processes (gate-process.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../firmware/core/clock.js';
import { createJsonLogger, type Logger } from '../../firmware/core/log.js';
import type { SignalKind } from '../../firmware/core/outcome.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import type { Verdict } from '../../firmware/core/verdict.js';
import { GateRunner } from '../../firmware/gate/runner.js';
import { DEMO_PASS_CODE_KEYWORDS } from '../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../portal-client/protocol/constants.js';
import type { DisplayBackend } from '../../ui-led/backend.js';
import { GpioSysfsBackend } from '../../ui-led/backends/gpio-sysfs.js';
import { normalizePins } from '../../ui-led/backends/pins.js';
import type { OutputChanges } from '../../ui-led/outputs.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { type PortalFixture, startPortalFixture } from '../lab/portal-fixture.js';
import { GATE_VENUE } from '../lab/provisioned-gate.js';
import { CONFIG_PINS, FULL_MEMORY_RUN, fakeSysfs, MEMORY_SCANS, measureMemory, measureReady } from './gate-process.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const OVERHEAD_WARMUP = 100;
const OVERHEAD_SCANS = 1000;

/** The sysfs backend, noting when the first write after `arm()` has reached the files. */
class SignalOnTap implements DisplayBackend {
  readonly name = 'signal-on-tap';
  private armed: ((at: number) => void) | null = null;

  constructor(private readonly inner: DisplayBackend) {}

  /** Resolves with the time the next write (issued after now) completed. */
  arm(): Promise<number> {
    return new Promise((resolve) => (this.armed = resolve));
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  set(changes: OutputChanges): Promise<void> {
    const done = this.inner.set(changes);
    const armed = this.armed;
    this.armed = null;
    if (armed)
      done.then(
        () => armed(performance.now()),
        () => armed(Number.NaN),
      );
    return done;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Time the threads of this process have spent runnable but waiting for a CPU, in ms (Linux
 * schedstat, summed over every thread: the main thread and libuv's pool, which does the GPIO
 * file writes); null where the kernel does not offer it. On a shared machine the tail of a
 * sub-millisecond path is mostly this wait. Threads in `exclude` are not summed: the camera's
 * decode thread is not on a scan's path, and it waits whenever the gate's threads run.
 */
function runQueueWaitMs(exclude: ReadonlySet<number>): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync('/proc/self/task')) {
      if (exclude.has(Number(task))) continue;
      ns += Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[1]);
    }
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

export interface OverheadFigures {
  localMs: number[];
  /** Each local overhead minus the CPU wait outside the portal round trip; null off Linux. */
  localWithoutCpuWaitMs: number[] | null;
  /** Parts of the local overhead: read → request, answer → signal started, signal started → files written. */
  parts: { readToRequest: number[]; responseToSignal: number[]; signalWrite: number[] };
  scans: number;
  verifies: number;
}

/**
 * 1000 scans through GateRunner + PortalClient + PatternPlayer + gpio-sysfs, real clock.
 * `otherThreads`: thread ids of this process left out of the CPU wait (see runQueueWaitMs).
 */
export async function measureOverhead(
  fixture: PortalFixture,
  otherThreads: readonly number[] = [],
): Promise<OverheadFigures> {
  const exclude = new Set(otherThreads);
  const client = fixture.client();
  await client.authorize();
  await client.bind(GATE_VENUE.venueCode);
  const gpioRoot = mkdtempSync(join(tmpdir(), 'pg-bench-gpio-'));
  fakeSysfs(gpioRoot);
  const tap = new SignalOnTap(
    new GpioSysfsBackend({
      pins: normalizePins(CONFIG_PINS),
      root: gpioRoot,
      timeouts: timeoutTable(),
      clock: systemClock,
    }),
  );
  await tap.open();
  const player = new PatternPlayer({ backend: tap, clock: systemClock });
  let signalOn: Promise<number> = Promise.resolve(Number.NaN);
  // The runner's display: arm the tap just before the pattern starts, so the write it issues
  // (not one left over from the pattern before) marks "signal on".
  const display = {
    play(kind: SignalKind, verdict?: Verdict) {
      signalOn = tap.arm();
      signalAt = performance.now();
      player.play(kind, verdict);
    },
  };
  let verdict: ((fields: Record<string, unknown>) => void) | null = null;
  const json = createJsonLogger(() => undefined);
  const logger: Logger = {
    log(level, event, fields) {
      json.log(level, event, fields);
      if (event === 'verdict') verdict?.(fields ?? {});
    },
  };
  // CPU wait read at the portal call and at its answer (both inside the logged portal time).
  let waitAtRequest: number | null = null;
  let waitAtReply: number | null = null;
  const portal = {
    verifyPassCode: (code: string) => {
      waitAtRequest = runQueueWaitMs(exclude);
      return client.verifyPassCode(code).finally(() => (waitAtReply = runQueueWaitMs(exclude)));
    },
    verifyIdCard: client.verifyIdCard.bind(client),
    bind: client.bind.bind(client),
    rebind: client.rebind.bind(client),
  };
  let signalAt = 0;
  const runner = new GateRunner({
    portal,
    display,
    clock: systemClock,
    logger,
    // The daemon's policy, except the show time: 1 ms so the next scan need not wait for it.
    policy: {
      busyInput: 'drop',
      queueLimit: 1,
      dedupWindowMs: 0,
      showMs: 1,
      verifyDeadlineMs: 3000,
      bindModeMs: 60_000,
      natPolicy: 'deny',
      vaccinationPolicy: 'deny',
    },
    provisioned: true,
    bound: true,
  });
  const codes = Array.from({ length: OVERHEAD_WARMUP + OVERHEAD_SCANS }, (_, i) =>
    fixture.mock.passCodeFor(DEMO_PASS_CODE_KEYWORDS[i % DEMO_PASS_CODE_KEYWORDS.length]),
  );
  const localMs: number[] = [];
  let localWithoutCpuWaitMs: number[] | null = [];
  const parts: OverheadFigures['parts'] = { readToRequest: [], responseToSignal: [], signalWrite: [] };
  try {
    fixture.mock.server.resetStats();
    for (let i = 0; i < codes.length; i++) {
      // The gate at rest (all off) before each person, so the verdict's first state is a write.
      await player.allOff();
      while (runner.phase().kind !== 'idle') await new Promise((r) => setTimeout(r, 1));
      const logged = new Promise<Record<string, unknown>>((resolve) => (verdict = resolve));
      const waitBefore = runQueueWaitMs(exclude);
      const readAt = performance.now();
      runner.acceptInput({ kind: 'code', source: 'bench', text: codes[i], symbology: 'qr', arrivedAt: readAt });
      const fields = await logged;
      const onAt = await signalOn;
      const waitAfter = runQueueWaitMs(exclude);
      if (fields.outcome === 'network-error' || typeof fields.portalMs !== 'number')
        throw new Error(`scan ${i}: ${String(fields.outcome)}`);
      if (i < OVERHEAD_WARMUP) continue;
      const local = onAt - readAt - fields.portalMs;
      localMs.push(local);
      parts.readToRequest.push(Number(fields.readToRequestMs));
      parts.responseToSignal.push(Number(fields.responseToSignalMs));
      parts.signalWrite.push(onAt - signalAt);
      if (waitBefore === null || waitAfter === null || waitAtRequest === null || waitAtReply === null)
        localWithoutCpuWaitMs = null;
      else localWithoutCpuWaitMs?.push(Math.max(0, local - (waitAfter - waitBefore - (waitAtReply - waitAtRequest))));
    }
    const stats = fixture.mock.server.stats();
    return {
      localMs,
      localWithoutCpuWaitMs,
      parts,
      scans: codes.length,
      verifies: stats.byPath[PATHS.verifyPassCode] ?? 0,
    };
  } finally {
    runner.close();
    await player.close();
    await client.close();
    rmSync(gpioRoot, { recursive: true, force: true });
  }
}

export const gateSection: BenchSection = {
  name: 'gate',
  async run(): Promise<BenchRow[]> {
    const root = mkdtempSync(join(tmpdir(), 'pg-bench-gate-'));
    const fixture = await startPortalFixture();
    try {
      const overhead = await measureOverhead(fixture);
      const p = (xs: number[]) =>
        `p50 ${percentile(xs, 50).toFixed(3)} / p99 ${percentile(xs, 99).toFixed(3)} / max ${Math.max(...xs).toFixed(3)} ms`;
      process.stderr.write(
        `bench: gate: local overhead ${p(overhead.localMs)}; without CPU wait ${overhead.localWithoutCpuWaitMs ? p(overhead.localWithoutCpuWaitMs) : 'n/a'}\n`,
      );
      process.stderr.write(
        `bench: gate: read→request ${p(overhead.parts.readToRequest)}; answer→signal ${p(overhead.parts.responseToSignal)}; signal→files written ${p(overhead.parts.signalWrite)}\n`,
      );
      const ready = await measureReady(fixture, root);
      const memory = await measureMemory(fixture, root, FULL_MEMORY_RUN);
      const rss50 = memory.rssMb.get(MEMORY_SCANS / 2) ?? Number.NaN;
      const rss100 = memory.rssMb.get(MEMORY_SCANS) ?? Number.NaN;
      const requestsPerScan = (overhead.verifies + memory.verifies) / (overhead.scans + memory.scans);
      const gcNote = memory.gcForced ? 'after forced GC' : 'no forced GC';
      process.stderr.write(
        `bench: gate: local overhead over ${overhead.localMs.length} scans; rss ${gcNote}; ${memory.scans} daemon scans took ${(memory.elapsedMs / 1000).toFixed(0)} s\n`,
      );
      return [
        { key: 'local_overhead_ms_p50', value: round(percentile(overhead.localMs, 50)), unit: 'ms' },
        { key: 'local_overhead_ms_p99', value: round(percentile(overhead.localMs, 99)), unit: 'ms', target: '<= 3' },
        ...(overhead.localWithoutCpuWaitMs
          ? [
              {
                key: 'local_overhead_ms_p99_without_cpu_wait',
                value: round(percentile(overhead.localWithoutCpuWaitMs, 99)),
                unit: 'ms',
                target: '<= 3',
              },
            ]
          : []),
        { key: 'requests_per_scan', value: round(requestsPerScan, 2), unit: 'ratio', target: '= 1.00' },
        { key: 'rss_mb_after_100k', value: round(rss100, 1), unit: 'MB', target: '<= 80' },
        { key: 'rss_growth_mb_50k_to_100k', value: round(rss100 - rss50, 1), unit: 'MB', target: '<= 2' },
        { key: 'rss_mb_v8_heap', value: round(memory.breakdown.v8HeapMb, 1), unit: 'MB' },
        { key: 'rss_mb_v8_code', value: round(memory.breakdown.v8CodeMb, 1), unit: 'MB' },
        { key: 'rss_mb_external', value: round(memory.breakdown.externalMb, 1), unit: 'MB' },
        { key: 'rss_mb_native', value: round(memory.breakdown.nativeMb, 1), unit: 'MB' },
        { key: 'cpu_ms_per_scan', value: round(memory.cpuMsPerScan, 3), unit: 'ms', target: '<= 1.0' },
        // `passgate run` from the rollup bundle (dist/passgate.mjs), as the package installs it.
        { key: 'ready_ms_bundled', value: round(percentile(ready, 50), 0), unit: 'ms', target: '<= 1000' },
      ];
    } finally {
      await fixture.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
