// Bench section `gate`, the parts that run passgate in child processes: memory (the Daemon fed
// 100,000 scans in scripts/bench/gate-daemon-child.ts, RSS after forced GCs) and ready time
// (`node dist/passgate.mjs run` to its `ready` log line). Both on built JavaScript, as devices run
// it (`npm run build`); PASSGATE_BENCH_GATE_TSX=1 measures them through tsx instead.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_V8_FLAGS, DEVICE_NODE_OPTIONS } from '../../firmware/daemon/node-runtime-options.js';
import { DEMO_PASS_CODE_KEYWORDS, DEMO_RESIDENT_KEYWORDS } from '../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../portal-client/protocol/constants.js';
import { crypto, type PortalFixture } from '../lab/portal-fixture.js';
import { demoCard, provisionGate } from '../lab/provisioned-gate.js';
import { bundleBenchChild } from './child-process-job.js';
import type { ChildJob, ChildReport, MemoryBreakdown } from './gate-daemon-child.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MEMORY_SCANS = 100_000;
const MEMORY_CHECKPOINTS = [10_000, 25_000, 50_000, 75_000, 100_000];
/** The 100k run is stopped (and the section fails) past this. */
const MEMORY_BUDGET_MS = 15 * 60_000;
const READY_WARMUP = 1;
const READY_RUNS = 3;
/** A `passgate run` that is not ready, or does not exit after SIGTERM, within this is a failure. */
const PROCESS_WAIT_MS = 60_000;
/**
 * Pause between `ready` and SIGTERM. `passgate run` installs its SIGTERM listener only after
 * Daemon.start() has resolved, i.e. just after `ready` is logged; a SIGTERM in that gap takes the
 * default action (killed, outputs left as they were). Measured: 1 run in 16 without the pause.
 */
const SIGTERM_AFTER_READY_MS = 250;
export const CONFIG_PINS = { red: 17, green: 27, blue: 22, buzzer: 23, relay: 24 };

/** A fake /sys/class/gpio with the lines exported. */
export function fakeSysfs(root: string): void {
  for (const line of Object.values(CONFIG_PINS)) {
    mkdirSync(join(root, `gpio${line}`), { recursive: true });
    writeFileSync(join(root, `gpio${line}`, 'value'), '0');
    writeFileSync(join(root, `gpio${line}`, 'direction'), 'out');
  }
  writeFileSync(join(root, 'export'), '');
}

/** How the daemon's process is started: Node options and environment. */
export interface RuntimeVariant {
  nodeOptions: readonly string[];
  env?: Record<string, string>;
}

/** As a device starts it and `passgate run` tunes itself (firmware/daemon/node-runtime-options.ts). */
export const DEVICE_RUNTIME: RuntimeVariant = { nodeOptions: [...DEVICE_NODE_OPTIONS, ...DAEMON_V8_FLAGS] };

export interface MemoryRun {
  scans: number;
  /** Scan counts at which RSS is read. */
  checkpoints: number[];
  runtime: RuntimeVariant;
}

export const FULL_MEMORY_RUN: MemoryRun = {
  scans: MEMORY_SCANS,
  checkpoints: MEMORY_CHECKPOINTS,
  runtime: DEVICE_RUNTIME,
};

export interface MemoryFigures {
  rssMb: Map<number, number>;
  gcForced: boolean;
  scans: number;
  verifies: number;
  elapsedMs: number;
  /** The daemon's own CPU time (user + system) per scan, ms. */
  cpuMsPerScan: number;
  breakdown: MemoryBreakdown;
}

let memoryRuns = 0;

/** The daemon in a child process fed `run.scans` scans; RSS at the checkpoints. */
export async function measureMemory(fixture: PortalFixture, root: string, run: MemoryRun): Promise<MemoryFigures> {
  const dataDir = mkdtempSync(join(root, 'memory-gate-'));
  const gpioRoot = mkdtempSync(join(root, 'memory-gpio-'));
  fakeSysfs(gpioRoot);
  await provisionGate({
    dataDir,
    mock: fixture.mock,
    crypto,
    deviceId: `WX-BENCH-MEM-${String(++memoryRuns).padStart(2, '0')}`,
    settings: {
      'display.backend': 'gpio-sysfs',
      'display.gpioRoot': gpioRoot,
      'display.pins': CONFIG_PINS,
      'gate.showMs': 200,
    },
  });
  // 80 distinct items round robin: a repeat comes 80 × 200 ms = 16 s (fake) later, past the 3 s
  // duplicate window, so no scan is dropped. ("invalid" is the same text every time: once only.)
  const codes = new Set<string>();
  for (let i = 0; codes.size < 80 - DEMO_RESIDENT_KEYWORDS.length - 1; i++)
    codes.add(fixture.mock.passCodeFor(DEMO_PASS_CODE_KEYWORDS[i % DEMO_PASS_CODE_KEYWORDS.length]));
  const cardItems = [...DEMO_RESIDENT_KEYWORDS, 'unknown' as const].map((keyword) => ({
    card: demoCard(fixture.mock, keyword),
  }));
  const items: ChildJob['items'] = [];
  for (const code of codes) {
    items.push({ code });
    if (items.length % 6 === 5 && cardItems.length > 0) items.push(cardItems.shift()!); // a card every sixth scan
  }
  items.push(...cardItems);
  const job: ChildJob = {
    dataDir,
    showMs: 200,
    scans: run.scans,
    checkpoints: run.checkpoints,
    items,
    budgetMs: MEMORY_BUDGET_MS,
  };

  // As a device runs it: prebuilt JavaScript (packages external, like `npm run build`), not
  // TypeScript through tsx's loader, whose worker thread alone adds ~35 MB of RSS.
  // PASSGATE_BENCH_GATE_TSX=1 measures the tsx way instead.
  const viaTsx = process.env.PASSGATE_BENCH_GATE_TSX === '1';
  const entry = viaTsx ? join(REPO, 'scripts/bin/run-ts.mjs') : await bundleChild();
  const child = fork(entry, viaTsx ? [join(REPO, 'scripts/bench/gate-daemon-child.ts')] : [], {
    cwd: REPO,
    execArgv: ['--expose-gc', ...run.runtime.nodeOptions],
    env: { ...process.env, ...run.runtime.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const rssMb = new Map<number, number>();
  let gcForced = true;
  let done: Extract<ChildReport, { type: 'done' }> | undefined;
  let failure: string | undefined;
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.on('message', (m) => {
    const report = m as ChildReport;
    if (report.type === 'ready') fixture.mock.server.resetStats();
    else if (report.type === 'checkpoint') {
      rssMb.set(report.scans, report.rssMb);
      gcForced &&= report.gcForced;
      process.stderr.write(
        `bench: gate: ${report.scans} scans, rss ${report.rssMb.toFixed(1)} MB, heap ${report.heapUsedMb.toFixed(1)} MB, external ${report.externalMb.toFixed(1)} MB, ${(report.elapsedMs / 1000).toFixed(0)} s\n`,
      );
    } else if (report.type === 'done') done = report;
    else failure = report.message;
  });
  child.send(job);
  const code = await exited;
  if (failure) throw new Error(`daemon child failed: ${failure}`);
  if (!done || code !== 0) throw new Error(`daemon child exited ${code} without finishing`);
  if (done.budgetExceeded)
    throw new Error(`100k scans did not finish within ${MEMORY_BUDGET_MS / 60_000} min (reached ${done.scans})`);
  const verifies =
    (fixture.mock.server.stats().byPath[PATHS.verifyPassCode] ?? 0) +
    (fixture.mock.server.stats().byPath[PATHS.verifyIdCard] ?? 0);
  process.stderr.write(`bench: gate: daemon outcomes ${JSON.stringify(done.outcomes)}, dropped ${done.dropped}\n`);
  return {
    rssMb,
    gcForced,
    scans: done.scans,
    verifies,
    elapsedMs: done.elapsedMs,
    cpuMsPerScan: done.cpuMs / done.scans,
    breakdown: done.breakdown,
  };
}

/** The memory child as one ES module under .bench-tmp/ (inside the repo, so packages resolve). */
async function bundleChild(): Promise<string> {
  const outdir = await bundleBenchChild('gate-daemon-child', {
    'gate-daemon-child-entry': join(REPO, 'scripts/bench/gate-daemon-child-entry.ts'),
  });
  return join(outdir, 'gate-daemon-child-entry.mjs');
}

/** `npm run build`'s dist/passgate.mjs: what a vendor's image runs as `passgate run`. */
function buildDistBundle(): string {
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/rollup/dist/bin/rollup'), '--config', 'scripts/rollup.config.mjs', '--silent'],
    { cwd: REPO, stdio: 'ignore' },
  );
  return join(REPO, 'dist/passgate.mjs');
}

/** spawn → `ready` on stdout, in ms (and the daemon's own readyMs); then SIGTERM, which must end the process with exit code 0. */
async function readyOnce(passgate: string, dataDir: string): Promise<{ spawnToReadyMs: number; bootMs: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, [...DEVICE_NODE_OPTIONS, passgate, 'run', '--data-dir', dataDir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  try {
    const readyMs = await new Promise<{ spawnToReadyMs: number; bootMs: number }>((resolveReady, reject) => {
      let buffer = '';
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${PROCESS_WAIT_MS} ms: ${stderr}`)),
        PROCESS_WAIT_MS,
      );
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.includes('"event":"ready"')) {
            clearTimeout(timer);
            resolveReady({ spawnToReadyMs: performance.now() - start, bootMs: Number(JSON.parse(line).readyMs) });
          }
        }
      });
      void exited.then((code) => reject(new Error(`exited ${code} before ready: ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, SIGTERM_AFTER_READY_MS));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), PROCESS_WAIT_MS))]);
    if (code !== 0)
      throw new Error(`passgate run exited ${code} (signal ${child.signalCode}) after SIGTERM: ${stderr}`);
    return readyMs;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function measureReady(fixture: PortalFixture, root: string): Promise<number[]> {
  const dataDir = join(root, 'ready-gate');
  await provisionGate({
    dataDir,
    mock: fixture.mock,
    crypto,
    deviceId: 'WX-BENCH-READY-01',
    settings: { 'display.backend': 'terminal' },
  });
  const samples: number[] = [];
  const passgate =
    process.env.PASSGATE_BENCH_GATE_TSX === '1' ? join(REPO, 'scripts/bin/passgate.mjs') : buildDistBundle();
  for (let i = 0; i < READY_WARMUP + READY_RUNS; i++) {
    const { spawnToReadyMs, bootMs } = await readyOnce(passgate, dataDir);
    process.stderr.write(
      `bench: gate: passgate run ready after ${spawnToReadyMs.toFixed(0)} ms (daemon boot ${bootMs} ms)${i < READY_WARMUP ? ', warm-up' : ''}\n`,
    );
    if (i >= READY_WARMUP) samples.push(spawnToReadyMs);
  }
  return samples;
}
