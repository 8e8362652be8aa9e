import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { GpioSysfsBackend } from '../../ui-led/backends/gpio-sysfs.js';
import { normalizePins } from '../../ui-led/backends/pins.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { until } from '../support/polling.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake sysfs root: gpio<N>/{value,direction} for the given lines, plus an export file. */
function fakeSysfs(lines: number[], direction = 'in'): string {
  const root = mkdtempSync(join(tmpdir(), 'gpio-'));
  dirs.push(root);
  for (const line of lines) {
    mkdirSync(join(root, `gpio${line}`));
    writeFileSync(join(root, `gpio${line}`, 'value'), '0');
    writeFileSync(join(root, `gpio${line}`, 'direction'), direction);
  }
  writeFileSync(join(root, 'export'), '');
  return root;
}

const read = (root: string, line: number, file = 'value') =>
  readFileSync(join(root, `gpio${line}`, file), 'utf8').trim();
const pins = normalizePins({ red: 17, green: 27, blue: 22, buzzer: 23, relay: { line: 24, activeLow: true } });
const timeouts = timeoutTable();

describe('gpio-sysfs backend', () => {
  it('opens: lines become outputs at their off level, everything off (active-low relay high)', async () => {
    const root = fakeSysfs([17, 27, 22, 23, 24]);
    const backend = new GpioSysfsBackend({ pins, root, timeouts });
    await backend.open();
    expect([17, 27, 22, 23].map((l) => read(root, l, 'direction'))).toEqual(['low', 'low', 'low', 'low']);
    expect(read(root, 24, 'direction')).toBe('high');
    expect([17, 27, 22, 23, 24].map((l) => read(root, l))).toEqual(['0', '0', '0', '0', '1']);
    await backend.close();
  });

  it('leaves a line already configured as output alone', async () => {
    const root = fakeSysfs([17], 'out');
    const backend = new GpioSysfsBackend({ pins: { red: { line: 17 } }, root, timeouts });
    await backend.open();
    expect(read(root, 17, 'direction')).toBe('out');
    await backend.close();
  });

  it('follows the pass pattern over fake time, file by file', async () => {
    const root = fakeSysfs([17, 27, 22, 23, 24]);
    const clock = new FakeClock();
    const backend = new GpioSysfsBackend({ pins, root, timeouts, clock });
    await backend.open();
    const player = new PatternPlayer({ backend, clock });
    const snapshot = async () => {
      await player.idle();
      return { red: read(root, 17), green: read(root, 27), buzzer: read(root, 23), relay: read(root, 24) };
    };
    player.play('pass');
    expect(await snapshot()).toEqual({ red: '0', green: '1', buzzer: '1', relay: '0' }); // relay active-low: 0 = on
    await clock.advance(100);
    expect(await snapshot()).toEqual({ red: '0', green: '1', buzzer: '0', relay: '0' });
    await clock.advance(400);
    expect(await snapshot()).toEqual({ red: '0', green: '1', buzzer: '0', relay: '1' });
    await clock.advance(999);
    expect(await snapshot()).toEqual({ red: '0', green: '1', buzzer: '0', relay: '1' });
    await clock.advance(1);
    expect(await snapshot()).toEqual({ red: '0', green: '0', buzzer: '0', relay: '1' });
    player.play('deny');
    await clock.advance(10);
    expect(await snapshot()).toEqual({ red: '1', green: '0', buzzer: '1', relay: '1' });
    await player.close();
    expect(await snapshot()).toEqual({ red: '0', green: '0', buzzer: '0', relay: '1' });
  });

  it('exports a missing line through <root>/export and waits for its files', async () => {
    const root = fakeSysfs([17]);
    // The wait for the exported line's files runs on a fake clock: however late this test plays
    // the kernel, the backend has not given up (gpioExportSettleMs) unless the clock says so.
    const clock = new FakeClock();
    const backend = new GpioSysfsBackend({ pins: { red: { line: 17 }, relay: { line: 5 } }, root, timeouts, clock });
    let opened = false;
    const opening = backend.open().then(() => (opened = true));
    // play the kernel: when "5" is written to export, the line's directory appears
    await until(() => readFileSync(join(root, 'export'), 'utf8') === '5', undefined, 'the export to be written');
    mkdirSync(join(root, 'gpio5'));
    writeFileSync(join(root, 'gpio5', 'direction'), 'in');
    writeFileSync(join(root, 'gpio5', 'value'), '1');
    // The backend looks again every gpioExportPollMs (a timer on the clock between real file
    // checks): move the clock on each time it waits, until it has found the files.
    for (;;) {
      await until(() => opened || clock.pendingTimers() > 0, undefined, 'the backend to look again');
      if (opened) break;
      await clock.advance(timeouts.gpioExportPollMs);
    }
    await opening;
    expect(clock.now()).toBeLessThan(timeouts.gpioExportSettleMs);
    expect(read(root, 5, 'direction')).toBe('low');
    expect(read(root, 5)).toBe('0');
    await backend.set({ relay: true });
    expect(read(root, 5)).toBe('1');
    await backend.close();
  });

  it('fails to open with display.backend-failed when a line can be neither found nor exported', async () => {
    const root = fakeSysfs([17]);
    rmSync(join(root, 'export'));
    const backend = new GpioSysfsBackend({ pins: { red: { line: 17 }, green: { line: 9 } }, root, timeouts });
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ backend: 'gpio-sysfs', stage: 'open', line: 9 });
  });

  it('times out when an exported line never appears', async () => {
    const root = fakeSysfs([]);
    const backend = new GpioSysfsBackend({
      pins: { red: { line: 3 } },
      root,
      timeouts: { gpioExportSettleMs: 60, gpioExportPollMs: 10 },
    });
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details.missing).toBe('exported line');
  });

  it('a failing write is display.backend-failed; the player reports it once and goes on', async () => {
    const root = fakeSysfs([17, 27]);
    const clock = new FakeClock();
    const backend = new GpioSysfsBackend({ pins: { red: { line: 17 }, green: { line: 27 } }, root, timeouts, clock });
    await backend.open();
    const errors: PassgateError[] = [];
    const player = new PatternPlayer({ backend, clock });
    player.onError((e) => errors.push(e));
    // the red line's value file now refuses every write (ENOSPC), as a line gone bad would
    rmSync(join(root, 'gpio17', 'value'));
    symlinkSync('/dev/full', join(root, 'gpio17', 'value'));
    player.play('check-skm'); // amber blink: red and green together
    await clock.advance(1000);
    await player.idle();
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('display.backend-failed');
    expect(errors[0].details).toMatchObject({ backend: 'gpio-sysfs', stage: 'set', line: 17, reason: 'ENOSPC' });
    // green, written after red in the same change, is still driven at every step
    expect(read(root, 27)).toBe('1'); // 1000 ms: on
    await clock.advance(250);
    await player.idle();
    expect(read(root, 27)).toBe('0'); // 1250 ms: off
    await clock.advance(250);
    await player.idle();
    expect(read(root, 27)).toBe('1');
    expect(errors).toHaveLength(1);
    // the red line never recovers: close retries for displayCloseMs, then releases the backend
    const closing = player.close();
    await clock.advance(3000);
    await closing;
    expect(read(root, 27)).toBe('0');
  });

  it('set before open is refused, not silently dropped', async () => {
    const root = fakeSysfs([17]);
    const backend = new GpioSysfsBackend({ pins: { red: { line: 17 } }, root, timeouts });
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect(read(root, 17)).toBe('0');
  });
});
