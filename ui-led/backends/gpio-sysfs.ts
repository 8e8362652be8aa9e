// LEDs, buzzer and relay on GPIO lines through the legacy sysfs interface
// (`/sys/class/gpio/gpio<N>/value`): deprecated upstream but still what many vendor kernels
// of scanner terminals offer. The root is configurable so tests can point it at a temp dir.
//
// Active-low is handled here, by inverting the level we write, rather than through the
// `active_low` attribute, so the mapping is the same for sysfs and gpioset.
import { constants as fsConstants, writeFileSync } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, sleep, systemClock } from '../../firmware/core/clock.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { backendFailed, type DisplayBackend } from '../backend.js';
import { OUTPUT_NAMES, type OutputChanges, type OutputName } from '../outputs.js';
import { lineLevel, type PinMap, type PinSpec } from './pins.js';

/** Where the kernel's sysfs GPIO interface lives. */
export const DEFAULT_GPIO_SYSFS_ROOT = '/sys/class/gpio';

export interface GpioSysfsOptions {
  pins: PinMap;
  /** Default DEFAULT_GPIO_SYSFS_ROOT. */
  root?: string;
  timeouts: Pick<TimeoutTable, 'gpioExportSettleMs' | 'gpioExportPollMs'>;
  clock?: Clock;
}

export class GpioSysfsBackend implements DisplayBackend {
  readonly name = 'gpio-sysfs';
  private readonly root: string;
  private readonly clock: Clock;
  /** value file per wired output, filled by open(). */
  private readonly valueFiles = new Map<OutputName, string>();

  constructor(private readonly options: GpioSysfsOptions) {
    this.root = options.root ?? DEFAULT_GPIO_SYSFS_ROOT;
    this.clock = options.clock ?? systemClock;
  }

  async open(): Promise<void> {
    try {
      for (const name of OUTPUT_NAMES) {
        const spec = this.options.pins[name];
        if (!spec || this.valueFiles.has(name)) continue;
        const dir = join(this.root, `gpio${spec.line}`);
        if (!(await exists(dir))) await this.exportLine(spec.line, dir);
        await this.makeOutput(spec, dir);
        this.valueFiles.set(name, join(dir, 'value'));
      }
      await this.set(Object.fromEntries(OUTPUT_NAMES.map((n) => [n, false])) as OutputChanges);
    } catch (error) {
      await this.close();
      throw backendFailed(this.name, 'open', error);
    }
  }

  async set(changes: OutputChanges): Promise<void> {
    // Every line is tried even when one fails: a bad LED line must not keep the relay from
    // switching. The first failure is reported after the others are written.
    let firstFailure: unknown;
    for (const name of OUTPUT_NAMES) {
      const on = changes[name];
      const spec = this.options.pins[name];
      if (on === undefined || !spec) continue;
      const valueFile = this.valueFiles.get(name);
      if (!valueFile) {
        firstFailure ??= backendFailed(this.name, 'set', undefined, { line: spec.line, reason: 'not open' });
        continue;
      }
      try {
        await writeValue(valueFile, lineLevel(spec, on));
      } catch (error) {
        firstFailure ??= backendFailed(this.name, 'set', error, { line: spec.line });
      }
    }
    if (firstFailure) throw firstFailure;
  }

  async close(): Promise<void> {
    // Leave the lines exported and driven off: unexporting would turn them back into inputs,
    // and an undriven active-low relay input might energise.
    for (const name of OUTPUT_NAMES) {
      const spec = this.options.pins[name];
      const valueFile = this.valueFiles.get(name);
      if (!valueFile || !spec) continue;
      await writeValue(valueFile, lineLevel(spec, false)).catch(() => undefined);
    }
    this.valueFiles.clear();
  }

  private async exportLine(line: number, dir: string): Promise<void> {
    const exportFile = join(this.root, 'export');
    if (!(await exists(exportFile)))
      throw backendFailed(this.name, 'open', undefined, { line, missing: 'gpio directory' });
    await writeFile(exportFile, String(line));
    // The kernel creates the directory at once, but udev may still be changing the owner of
    // its files: wait until `value` is writable.
    const deadline = this.clock.now() + this.options.timeouts.gpioExportSettleMs;
    for (;;) {
      if (await writable(join(dir, 'value'))) return;
      if (this.clock.now() >= deadline)
        throw backendFailed(this.name, 'open', undefined, { line, missing: 'exported line' });
      await sleep(this.clock, this.options.timeouts.gpioExportPollMs);
    }
  }

  private async makeOutput(spec: PinSpec, dir: string): Promise<void> {
    const directionFile = join(dir, 'direction');
    if (!(await exists(directionFile))) return; // lines fixed as outputs may have no direction file
    const direction = (await readFile(directionFile, 'utf8')).trim();
    if (direction === 'out') return;
    // "low"/"high" makes the line an output already at the given level: writing "out" would
    // drive it low first, which for an active-low relay means a click.
    await writeFile(directionFile, lineLevel(spec, false) === 1 ? 'high' : 'low');
  }
}

/**
 * One write of "0" or "1". The file is opened per write, not held, so a line re-exported or
 * re-permissioned by udev meanwhile is still reached. r+: never create a file that should have
 * been there (sysfs attributes exist or the line is gone). Synchronous on purpose: a sysfs value
 * write never blocks, and three thread-pool round trips per signal cost milliseconds of latency
 * on a busy 2-core gate (bench: p99 6.1 ms async, 0.04 ms sync).
 */
async function writeValue(path: string, level: 0 | 1): Promise<void> {
  writeFileSync(path, String(level), { flag: 'r+' });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writable(path: string): Promise<boolean> {
  return access(path, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
}
