// Real-time bounds that hold on a loaded machine. A test of "X happens within N ms" on the wall
// clock fails on a busy machine for the wrong reason: the process was ready to run but waited for
// a CPU. Linux counts that wait per thread (/proc/<pid>/task/<tid>/schedstat, second field: time
// spent runnable on a run queue, in ns). A stopwatch here reports the elapsed time minus that
// wait, for this process's main thread (the event loop: the code under test, its timers and its
// I/O callbacks run there) and for any child process it is told to watch. The result is the time
// the code itself took, its own CPU time and its sleeps included: a deadline timer that fires
// late only because the machine is busy does not count against it, a timer set too long does.
//
// Where schedstat cannot be read (not Linux, or a kernel without it) the wait counts as 0 and
// the stopwatch is the plain wall clock.
import { readFileSync } from 'node:fs';

/** ms the main thread of process `pid` has waited for a CPU since it started, or undefined. */
export function cpuWaitMs(pid = process.pid): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    const ns = Number(fields[1]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

export interface Stopwatch {
  /** Wall-clock ms since the start. */
  elapsedMs(): number;
  /** ms the watched threads waited for a CPU since the start (or since a child was watched). */
  waitMs(): number;
  /** elapsedMs() − waitMs(): the time the code took, the machine's load left out. */
  activeMs(): number;
  /**
   * Also counts the CPU wait of child process `pid` from now on. Its count is sampled every few
   * ms while it runs, so a child's last few ms of waiting may be missed (the bound gets stricter,
   * never looser).
   */
  watch(pid: number): void;
  /** Stops sampling watched children; the readings stay. */
  stop(): void;
}

interface Watched {
  pid: number;
  start: number;
  last: number;
}

export function startStopwatch(): Stopwatch {
  const t0 = performance.now();
  const ownStart = cpuWaitMs();
  const children: Watched[] = [];
  let sampler: NodeJS.Timeout | undefined;
  const sample = () => {
    for (const child of children) {
      const now = cpuWaitMs(child.pid);
      if (now !== undefined) child.last = now;
    }
  };
  const waitMs = () => {
    sample();
    const ownNow = cpuWaitMs();
    const own = ownStart === undefined || ownNow === undefined ? 0 : ownNow - ownStart;
    return own + children.reduce((sum, c) => sum + (c.last - c.start), 0);
  };
  return {
    elapsedMs: () => performance.now() - t0,
    waitMs,
    activeMs() {
      const wait = waitMs(); // read before the clock: the difference can only come out larger
      return performance.now() - t0 - wait;
    },
    watch(pid) {
      const start = cpuWaitMs(pid);
      if (start === undefined) return;
      children.push({ pid, start, last: start });
      if (!sampler) {
        sampler = setInterval(sample, 5);
        sampler.unref();
      }
    },
    stop() {
      if (sampler) clearInterval(sampler);
      sampler = undefined;
    },
  };
}

/** Runs `fn`; its settled outcome, the wall-clock ms it took, and those ms without the CPU wait. */
export async function timedExcludingCpuWait<T>(
  fn: () => Promise<T>,
): Promise<{ elapsedMs: number; activeMs: number; result: PromiseSettledResult<T> }> {
  const watch = startStopwatch();
  const [result] = await Promise.allSettled([fn()]);
  const activeMs = watch.activeMs();
  return { elapsedMs: watch.elapsedMs(), activeMs, result };
}
