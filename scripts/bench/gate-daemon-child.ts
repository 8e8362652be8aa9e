// The gate daemon in a process of its own, for the `gate` bench section's memory figures: the
// parent (which runs the mock portal) sends the data directory and the scans over IPC; this
// process starts the Daemon exactly as `passgate run` does, except that its inputs are an
// in-memory scanner and card reader and its clock is a fake one. The fake clock is moved on by
// the show time after each verdict, so 100,000 scans take minutes instead of the 5.5 hours the
// real 200 ms minimum show time would need; the portal round trips, the crypto, the display
// writes (gpio-sysfs files) and the JSON log lines are all real. RSS is read after two forced
// GCs (run with --expose-gc) at each checkpoint and sent back to the parent.
//
// Started as: node --expose-gc scripts/bin/run-ts.mjs scripts/bench/gate-daemon-child.ts

import v8 from 'node:v8';
import { MockIdCardReader } from '../../drivers/idcard/mock-reader.js';
import { MockSerialScanner } from '../../drivers/serial-scanner/mock.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { createJsonLogger, type Logger } from '../../firmware/core/log.js';
import { Daemon } from '../../firmware/daemon/daemon.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { forceGc, runChildJob } from './child-process-job.js';

export interface ChildJob {
  dataDir: string;
  showMs: number;
  scans: number;
  checkpoints: number[];
  /** Each scan is the next item, round robin; a card when `card` is set. */
  items: Array<{ code: string } | { card: IdCardIdentity }>;
  /** Give up (and say so) when the whole run takes longer than this, in real ms. */
  budgetMs: number;
}

export type ChildReport =
  | { type: 'ready' }
  | {
      type: 'checkpoint';
      scans: number;
      rssMb: number;
      heapUsedMb: number;
      externalMb: number;
      gcForced: boolean;
      elapsedMs: number;
    }
  | {
      type: 'done';
      scans: number;
      outcomes: Record<string, number>;
      dropped: number;
      elapsedMs: number;
      budgetExceeded: boolean;
      /** User + system CPU time of this process over the scans, ms. */
      cpuMs: number;
      /** Where the RSS is at the end, after forced GCs. */
      breakdown: MemoryBreakdown;
    }
  | { type: 'failed'; message: string };

/** RSS split by what holds it, MB: V8's heap (objects), V8's code space, and the rest. */
export interface MemoryBreakdown {
  rssMb: number;
  /** V8 heap committed for JavaScript objects (heapTotal minus the code space). */
  v8HeapMb: number;
  /** Compiled code: V8's code space. */
  v8CodeMb: number;
  /** Buffers and ArrayBuffers held outside V8's heap (process.memoryUsage().external). */
  externalMb: number;
  /** Everything else: Node, the native addons (better-sqlite3, serialport), libc heap, stacks. */
  nativeMb: number;
}

const MB = 1024 * 1024;

export function memoryBreakdown(): MemoryBreakdown {
  const mem = process.memoryUsage();
  const code = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_size ?? 0;
  return {
    rssMb: mem.rss / MB,
    v8HeapMb: (mem.heapTotal - code) / MB,
    v8CodeMb: code / MB,
    externalMb: mem.external / MB,
    nativeMb: (mem.rss - mem.heapTotal - mem.external) / MB,
  };
}
/** A scan without a verdict this long (real ms) means the run is broken, not slow. */
const VERDICT_WAIT_MS = 10_000;

function send(report: ChildReport): void {
  process.send?.(report);
}

async function run(job: ChildJob): Promise<void> {
  const clock = new FakeClock(0);
  let verdicts = 0;
  let wake: (() => void) | null = null;
  const json = createJsonLogger(() => undefined); // formatted as on stdout, then dropped
  const logger: Logger = {
    log(level, event, fields) {
      json.log(level, event, fields);
      if (event === 'verdict') {
        verdicts++;
        wake?.();
      }
    },
  };
  const scanner = new MockSerialScanner('bench-scanner');
  const cards = new MockIdCardReader('bench-card-reader');
  const daemon = await Daemon.start({
    dataDir: job.dataDir,
    crypto: createGmCryptoSuite(),
    logger,
    clock,
    extraInputs: [scanner, cards],
    configuredDrivers: false,
    controlSocket: false,
  });
  send({ type: 'ready' });
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const checkpoints = new Set(job.checkpoints);
  let done = 0;
  let budgetExceeded = false;
  try {
    for (; done < job.scans; ) {
      const item = job.items[done % job.items.length];
      const want = verdicts + 1;
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<void>((resolve, reject) => {
        wake = () => verdicts >= want && resolve();
        timer = setTimeout(
          () => reject(new Error(`scan ${done} got no verdict within ${VERDICT_WAIT_MS} ms`)),
          VERDICT_WAIT_MS,
        );
      });
      if ('code' in item) scanner.inject(item.code);
      else cards.present(item.card);
      try {
        await answered;
      } finally {
        clearTimeout(timer);
        wake = null;
      }
      await clock.advance(job.showMs);
      done++;
      if (checkpoints.has(done)) {
        const gcForced = forceGc();
        const mem = process.memoryUsage();
        send({
          type: 'checkpoint',
          scans: done,
          rssMb: mem.rss / MB,
          heapUsedMb: mem.heapUsed / MB,
          externalMb: mem.external / MB,
          gcForced,
          elapsedMs: performance.now() - started,
        });
      }
      if (performance.now() - started > job.budgetMs) {
        budgetExceeded = true;
        break;
      }
    }
    const status = daemon.status();
    const cpu = process.cpuUsage(cpuAtStart);
    forceGc();
    send({
      type: 'done',
      scans: done,
      outcomes: status.outcomes,
      dropped: status.dropped,
      elapsedMs: performance.now() - started,
      budgetExceeded,
      cpuMs: (cpu.user + cpu.system) / 1000,
      breakdown: memoryBreakdown(),
    });
  } finally {
    await daemon.stop();
  }
}

export function main(): Promise<number> {
  return runChildJob(run);
}
