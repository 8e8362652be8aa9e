import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../firmware/core/clock.js';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { GpiosetBackend } from '../../ui-led/backends/gpio-gpioset.js';
import { normalizePins } from '../../ui-led/backends/pins.js';
import { PatternPlayer } from '../../ui-led/player.js';

const dirs: string[] = [];
const backends: GpiosetBackend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A stand-in for gpioset: logs "start <argv>" (and "stop <argv>" when terminated); in signal
 * mode it stays until SIGTERM like the real one. Line 99 is "busy": it fails at once.
 */
function fakeGpioset(): { command: string; log: () => string[]; pidOf: (args: string) => number } {
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
echo "start $ARGS" >> "$LOG"
echo "$$ $ARGS" >> "$LOG.pids"
case " $ARGS " in
  *" --mode=signal "*)
    trap 'echo "stop $ARGS" >> "$LOG"; exit 0' TERM
    while :; do sleep 0.02; done;;
esac
exit 0
`,
  );
  chmodSync(command, 0o755);
  return {
    command,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n') : []),
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

async function waitForLog(log: () => string[], count: number): Promise<string[]> {
  const deadline = Date.now() + 3000;
  while (log().length < count) {
    if (Date.now() > deadline)
      throw new Error(`log has ${log().length} lines, expected ${count}: ${log().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return log();
}

const pins = normalizePins({ red: 17, green: 27, buzzer: 23, relay: { line: 24, activeLow: true } });
const timeouts = timeoutTable();

describe('gpio-gpioset backend, mode signal (one holder per line)', () => {
  it('opens every wired line off, one holder each, --active-low per pin', async () => {
    const { command, log } = fakeGpioset();
    const backend = new GpiosetBackend({ pins, chip: 'gpiochip0', command, timeouts });
    backends.push(backend);
    await backend.open();
    const lines = await waitForLog(log, 4);
    expect(lines.sort()).toEqual(
      [
        'start --mode=signal gpiochip0 17=0',
        'start --mode=signal gpiochip0 27=0',
        'start --mode=signal gpiochip0 23=0',
        'start --mode=signal --active-low gpiochip0 24=0',
      ].sort(),
    );
  });

  it('replaces only the holder of a changing line: stop old, then start new', async () => {
    const { command, log } = fakeGpioset();
    const backend = new GpiosetBackend({ pins, chip: 'gpiochip0', command, timeouts });
    backends.push(backend);
    await backend.open();
    await waitForLog(log, 4);
    await backend.set({ relay: true, red: false, blue: true }); // red unchanged, blue not wired
    const lines = await waitForLog(log, 6);
    expect(lines.slice(4)).toEqual([
      'stop --mode=signal --active-low gpiochip0 24=0',
      'start --mode=signal --active-low gpiochip0 24=1',
    ]);
    await backend.close();
    const all = await waitForLog(log, 6 + 2 + 4);
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
    // closed: no new holder may be started
    const refused = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(refused, 'display.backend-failed')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(log()).toHaveLength(12);
  });

  it('drives the pass pattern through the player, in order', async () => {
    const { command, log } = fakeGpioset();
    const backend = new GpiosetBackend({
      pins: normalizePins({ green: 27, buzzer: 23, relay: 24 }),
      chip: '0',
      command,
      timeouts,
    });
    backends.push(backend);
    await backend.open();
    await waitForLog(log, 3);
    const player = new PatternPlayer({ backend, clock: systemClock });
    player.play('pass');
    await new Promise((r) => setTimeout(r, 1700));
    await player.close();
    const starts = log()
      .slice(3)
      .filter((l) => l.startsWith('start'))
      .map((l) => l.replace('start --mode=signal 0 ', ''));
    // green+buzzer+relay on (any order), buzzer off at 100 ms, relay off at 500, green off at 1500
    expect(starts.slice(0, 3).sort()).toEqual(['23=1', '24=1', '27=1']);
    expect(starts.slice(3)).toEqual(['23=0', '24=0', '27=0']);
  });

  it('a line that is busy fails the set with display.backend-failed and the details of gpioset', async () => {
    const { command } = fakeGpioset();
    const backend = new GpiosetBackend({
      pins: normalizePins({ red: 17, relay: 99 }),
      chip: 'gpiochip0',
      command,
      timeouts,
    });
    backends.push(backend);
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ backend: 'gpio-gpioset', line: 99, exitCode: 1 });
    expect(String((error as PassgateError).details.stderr)).toContain('Device or resource busy');
  });

  it('a holder that dies by itself is reported as a fault, and the line is driven again at the next write', async () => {
    const { command, log, pidOf } = fakeGpioset();
    const backend = new GpiosetBackend({ pins: normalizePins({ red: 17 }), chip: 'gpiochip0', command, timeouts });
    backends.push(backend);
    const faults: PassgateError[] = [];
    backend.onFault((e) => faults.push(e));
    await backend.open();
    await backend.set({ red: true });
    await waitForLog(log, 2);
    // someone kills our holder (the fake script wrote down its own pid)
    process.kill(pidOf('--mode=signal gpiochip0 17=1'), 'SIGKILL');
    const deadline = Date.now() + 3000;
    while (faults.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(faults.map((f) => [f.code, f.details.stage])).toEqual([['display.backend-failed', 'hold']]);
    await backend.set({ red: true });
    expect((await waitForLog(log, 3)).at(-1)).toBe('start --mode=signal gpiochip0 17=1');
  });

  it('a missing gpioset command is display.backend-failed, not a crash', async () => {
    const backend = new GpiosetBackend({ pins, chip: 'gpiochip0', command: '/nonexistent/gpioset', timeouts });
    backends.push(backend);
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
  });
});

describe('gpio-gpioset backend with the real gpioset (libgpiod 1.6)', () => {
  it('a chip that does not exist: the holder exits at once and the set fails with its message', async () => {
    const backend = new GpiosetBackend({
      pins: normalizePins({ red: 17 }),
      chip: 'gpiochip-absent-passgate',
      timeouts,
    });
    backends.push(backend);
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ backend: 'gpio-gpioset', line: 17, exitCode: 1 });
    expect(String((error as PassgateError).details.stderr)).toMatch(/^gpioset: /);
  });
});

describe('gpio-gpioset backend, mode exit', () => {
  it('runs gpioset once per change and polarity, with exactly the changed lines', async () => {
    const { command, log } = fakeGpioset();
    const backend = new GpiosetBackend({ pins, chip: 'gpiochip1', command, mode: 'exit', timeouts });
    backends.push(backend);
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
    const backend = new GpiosetBackend({
      pins: normalizePins({ red: 99 }),
      chip: 'gpiochip1',
      command,
      mode: 'exit',
      timeouts,
    });
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details.reason).toBe('gpioset failed');
  });
});
