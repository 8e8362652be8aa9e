import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { GpiosetBackend, type GpiosetOptions } from '../../ui-led/backends/gpio-gpioset.js';
import { normalizePins } from '../../ui-led/backends/pins.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { until } from '../support/polling.js';

// The backend times its holders on a FakeClock: a holder counts as holding its line once the
// settle time has passed on that clock, and the tests move it only after the holder has written
// its "start" line, so a holder that is slow to start on a loaded machine is never mistaken for
// one that failed, nor one that failed for one that holds.

const dirs: string[] = [];
const open: Array<{ backend: GpiosetBackend; clock: FakeClock }> = [];
afterEach(async () => {
  for (const { backend, clock } of open.splice(0)) {
    // close() may still replace a holder (an output left on) and waits for it on the fake clock.
    const closing = backend.close();
    let closed = false;
    void closing.finally(() => (closed = true));
    while (!closed) {
      await clock.advance(timeouts.gpiosetSettleMs);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A stand-in for gpioset: logs "start <argv>" (and "stop <argv>" when terminated); in signal
 * mode it stays until SIGTERM like the real one. Line 99 is "busy": it fails at once. It notes
 * its pid and sets its SIGTERM trap before it logs "start", so a started holder always stops
 * cleanly.
 */
function fakeGpioset(): {
  command: string;
  log: () => string[];
  starts: () => number;
  pidOf: (args: string) => number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'gpioset-'));
  dirs.push(dir);
  const logFile = join(dir, 'log');
  const command = join(dir, 'gpioset');
  writeFileSync(
    command,
    `#!/bin/sh
LOG='${logFile}'
ARGS="$*"
case " $ARGS " in *" 99="*) echo "gpioset: error setting the GPIO line values: Device or resource busy" >&2; exit 1;; esac
case " $ARGS " in *" --mode=signal "*) trap 'echo "stop $ARGS" >> "$LOG"; exit 0' TERM;; esac
echo "$$ $ARGS" >> "$LOG.pids"
echo "start $ARGS" >> "$LOG"
case " $ARGS " in *" --mode=signal "*) while :; do sleep 0.02; done;; esac
exit 0
`,
  );
  chmodSync(command, 0o755);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n') : []);
  return {
    command,
    log,
    starts: () => log().filter((l) => l.startsWith('start ')).length,
    pidOf: (args) => {
      const entry = readFileSync(`${logFile}.pids`, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(` ${args}`))
        .at(-1);
      return Number(entry?.split(' ')[0]);
    },
  };
}

const pins = normalizePins({ red: 17, green: 27, buzzer: 23, relay: { line: 24, activeLow: true } });
const timeouts = timeoutTable();

/** A backend on its own FakeClock, closed after the test. */
function backendOnFakeClock(options: Omit<GpiosetOptions, 'clock' | 'timeouts'>, table = timeouts) {
  const clock = new FakeClock();
  const backend = new GpiosetBackend({ ...options, timeouts: table, clock });
  open.push({ backend, clock });
  return { backend, clock };
}

/**
 * Runs `work` to its end while it starts `holders` new holders: once each has logged "start"
 * (it runs, its trap is set), the backend's clock moves on by the settle time, after which the
 * backend takes every running holder as holding its line.
 */
async function settle<T>(
  clock: FakeClock,
  gpioset: { starts: () => number },
  holders: number,
  work: () => Promise<T>,
): Promise<T> {
  const target = gpioset.starts() + holders;
  const result = work();
  await until(() => gpioset.starts() >= target, undefined, `${holders} holder(s) to start`);
  await clock.advance(timeouts.gpiosetSettleMs);
  return result;
}

/** The child processes of this process, right now (Linux: /proc/self/task/<tid>/children). */
function children(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) =>
    readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

describe('gpio-gpioset backend, mode signal (one holder per line)', () => {
  it('opens every wired line off, one holder each, --active-low per pin', async () => {
    const gpioset = fakeGpioset();
    const { backend, clock } = backendOnFakeClock({ pins, chip: 'gpiochip0', command: gpioset.command });
    await settle(clock, gpioset, 4, () => backend.open());
    expect(gpioset.log().sort()).toEqual(
      [
        'start --mode=signal gpiochip0 17=0',
        'start --mode=signal gpiochip0 27=0',
        'start --mode=signal gpiochip0 23=0',
        'start --mode=signal --active-low gpiochip0 24=0',
      ].sort(),
    );
  });

  it('replaces only the holder of a changing line: stop old, then start new', async () => {
    const gpioset = fakeGpioset();
    const { log } = gpioset;
    const { backend, clock } = backendOnFakeClock({ pins, chip: 'gpiochip0', command: gpioset.command });
    await settle(clock, gpioset, 4, () => backend.open());
    // red unchanged, blue not wired
    await settle(clock, gpioset, 1, () => backend.set({ relay: true, red: false, blue: true }));
    expect(log().slice(4)).toEqual([
      'stop --mode=signal --active-low gpiochip0 24=0',
      'start --mode=signal --active-low gpiochip0 24=1',
    ]);
    await settle(clock, gpioset, 1, () => backend.close());
    const all = log(); // every holder logs "stop" before it exits, and close() waits for the exits
    expect(all).toHaveLength(6 + 2 + 4);
    // close: relay driven off (stop 24=1, start 24=0), then every holder stopped
    expect(all.slice(6, 8)).toEqual([
      'stop --mode=signal --active-low gpiochip0 24=1',
      'start --mode=signal --active-low gpiochip0 24=0',
    ]);
    expect(all.slice(8).sort()).toEqual(
      [
        'stop --mode=signal gpiochip0 17=0',
        'stop --mode=signal gpiochip0 27=0',
        'stop --mode=signal gpiochip0 23=0',
        'stop --mode=signal --active-low gpiochip0 24=0',
      ].sort(),
    );
    // closed: no new holder may be started (a spawned process would be our child at once)
    const before = children();
    const refused = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(refused, 'display.backend-failed')).toBe(true);
    expect(children().filter((pid) => !before.includes(pid))).toEqual([]);
    expect(log()).toHaveLength(12);
  });

  it('drives the pass pattern through the player, in order', async () => {
    const gpioset = fakeGpioset();
    const { backend, clock } = backendOnFakeClock({
      pins: normalizePins({ green: 27, buzzer: 23, relay: 24 }),
      chip: '0',
      command: gpioset.command,
    });
    await settle(clock, gpioset, 3, () => backend.open());
    // The pattern on a clock of its own: each step is played once the holders of the last one hold.
    const patternClock = new FakeClock();
    const player = new PatternPlayer({ backend, clock: patternClock });
    // green+buzzer+relay on at 0 (any order), buzzer off at 100 ms, relay off at 500, green off at 1500
    await settle(clock, gpioset, 3, async () => {
      player.play('pass');
      await player.idle();
    });
    for (const [atMs, holders] of [
      [100, 1],
      [500, 1],
      [1500, 1],
    ]) {
      await settle(clock, gpioset, holders, async () => {
        await patternClock.advanceTo(atMs);
        await player.idle();
      });
    }
    await player.close();
    const starts = gpioset
      .log()
      .slice(3)
      .filter((l) => l.startsWith('start'))
      .map((l) => l.replace('start --mode=signal 0 ', ''));
    expect(starts.slice(0, 3).sort()).toEqual(['23=1', '24=1', '27=1']);
    expect(starts.slice(3)).toEqual(['23=0', '24=0', '27=0']);
  });

  it('a line that is busy fails the set with display.backend-failed and the details of gpioset', async () => {
    const gpioset = fakeGpioset();
    const { backend, clock } = backendOnFakeClock({
      pins: normalizePins({ red: 17, relay: 99 }),
      chip: 'gpiochip0',
      command: gpioset.command,
    });
    // Line 17's holder starts and holds (the clock moves once it runs). Then line 99's exits at
    // once: with no other holder waiting for the settle time, the clock stays put, so only that
    // exit can end the set, however late it comes on a loaded machine.
    await settle(clock, gpioset, 1, () => backend.set({ red: true }));
    const error = await backend.set({ relay: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ backend: 'gpio-gpioset', line: 99, exitCode: 1 });
    expect(String((error as PassgateError).details.stderr)).toContain('Device or resource busy');
  });

  it('a holder that dies by itself is reported as a fault, and the line is driven again at the next write', async () => {
    const gpioset = fakeGpioset();
    const { backend, clock } = backendOnFakeClock({
      pins: normalizePins({ red: 17 }),
      chip: 'gpiochip0',
      command: gpioset.command,
    });
    const faults: PassgateError[] = [];
    const fault = new Promise<void>((resolve) =>
      backend.onFault((e) => {
        faults.push(e);
        resolve();
      }),
    );
    await settle(clock, gpioset, 1, () => backend.open());
    await settle(clock, gpioset, 1, () => backend.set({ red: true }));
    // someone kills our holder (the fake script wrote down its own pid)
    process.kill(gpioset.pidOf('--mode=signal gpiochip0 17=1'), 'SIGKILL');
    await fault;
    expect(faults.map((f) => [f.code, f.details.stage])).toEqual([['display.backend-failed', 'hold']]);
    await settle(clock, gpioset, 1, () => backend.set({ red: true }));
    expect(gpioset.log().filter((l) => l.startsWith('start '))).toEqual([
      'start --mode=signal gpiochip0 17=0',
      'start --mode=signal gpiochip0 17=1',
      'start --mode=signal gpiochip0 17=1',
    ]);
  });

  it('a missing gpioset command is display.backend-failed, not a crash', async () => {
    const { backend } = backendOnFakeClock({ pins, chip: 'gpiochip0', command: '/nonexistent/gpioset' });
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
  });
});

describe('gpio-gpioset backend with the real gpioset (libgpiod 1.6)', () => {
  it('a chip that does not exist: the holder exits at once and the set fails with its message', async () => {
    // The settle time never passes on the fake clock: the set can only end by the holder's exit.
    const { backend } = backendOnFakeClock({ pins: normalizePins({ red: 17 }), chip: 'gpiochip-absent-passgate' });
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ backend: 'gpio-gpioset', line: 17, exitCode: 1 });
    expect(String((error as PassgateError).details.stderr)).toMatch(/^gpioset: /);
  });
});

describe('gpio-gpioset backend, mode exit', () => {
  // Each run must end within gpiosetExitMs of real time (a process timeout, not the clock's): not
  // what these tests are about, so generous enough for a shell to start on a loaded machine.
  const exitModeTimeouts = timeoutTable({ gpiosetExitMs: 30_000 });

  it('runs gpioset once per change and polarity, with exactly the changed lines', async () => {
    const { command, log } = fakeGpioset();
    const { backend } = backendOnFakeClock({ pins, chip: 'gpiochip1', command, mode: 'exit' }, exitModeTimeouts);
    await backend.open();
    await backend.set({ green: true, buzzer: true, relay: true });
    await backend.set({ buzzer: false });
    await backend.close();
    expect(log()).toEqual([
      'start gpiochip1 17=0 27=0 23=0',
      'start --active-low gpiochip1 24=0',
      'start gpiochip1 27=1 23=1',
      'start --active-low gpiochip1 24=1',
      'start gpiochip1 23=0',
      'start gpiochip1 17=0 27=0 23=0',
      'start --active-low gpiochip1 24=0',
    ]);
  });

  it('a failing run rejects with display.backend-failed', async () => {
    const { command } = fakeGpioset();
    const { backend } = backendOnFakeClock(
      { pins: normalizePins({ red: 99 }), chip: 'gpiochip1', command, mode: 'exit' },
      exitModeTimeouts,
    );
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details.reason).toBe('gpioset failed');
  });
});
