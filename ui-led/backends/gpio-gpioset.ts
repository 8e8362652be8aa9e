// LEDs, buzzer and relay on GPIO lines through libgpiod v1 `gpioset` (Debian's gpiod 1.6):
// `gpioset [--mode=signal] [--active-low] <chip> <line>=<value> ...`.
//
// Why one long-running holder per line (mode 'signal', the default):
// a GPIO line requested over the character device stays driven only while some process holds
// it open. gpioset v1 in its default mode (`--mode=exit`) sets the value and exits, releasing
// the line; what the line does then is up to the driver: some keep the last value, others
// return it to its default (input, floating or pulled). The libgpiod help says to treat that as
// undefined. A relay that may or may not stay energised is not acceptable, so each wired output
// gets its own `gpioset --mode=signal` process, which keeps the line driven until it receives
// SIGTERM. Changing an output replaces only that output's holder: SIGTERM the old one, wait for
// its exit (the kernel refuses a second request for a held line, EBUSY), spawn the new one.
// The changing line is undriven for the few milliseconds in between, which is harmless because
// it is changing anyway; the other outputs are never touched, so a beep ending does not disturb
// the relay. Holding each line in its own process is also why active-low can be set per pin
// (`--active-low` applies to all lines of one invocation).
//
// Mode 'exit' (one short `gpioset` run per change) remains for drivers known to keep the value
// after release and for systems where five resident processes are too many.
//
// On close every output is driven off, then the holders are stopped: the lines are released to
// their power-on default, so the board must keep an undriven relay line off (pull resistor).
// That is a hardware requirement anyway, for the seconds between power-on and our start.
import { type ChildProcess, execFile } from 'node:child_process';
import { type Clock, systemClock } from '../../firmware/core/clock.js';
import type { PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { backendFailed, type DisplayBackend } from '../backend.js';
import { OUTPUT_NAMES, type OutputChanges, type OutputName } from '../outputs.js';
import type { PinMap, PinSpec } from './pins.js';

export type GpiosetMode = 'signal' | 'exit';

export interface GpiosetOptions {
  pins: PinMap;
  /** gpiochip name, number or path, e.g. `gpiochip0`. */
  chip: string;
  /** Default `gpioset` (found on PATH). */
  command?: string;
  /** Default 'signal' (see the comment at the top of this file). */
  mode?: GpiosetMode;
  timeouts: Pick<TimeoutTable, 'gpiosetSettleMs' | 'gpiosetExitMs'>;
  clock?: Clock;
}

interface Holder {
  child: ChildProcess;
  on: boolean;
  exited: Promise<void>;
  hasExited: boolean;
  stopping: boolean;
  stderr: string;
}

const STDERR_KEEP = 160;

export class GpiosetBackend implements DisplayBackend {
  readonly name = 'gpio-gpioset';
  private readonly command: string;
  private readonly mode: GpiosetMode;
  private readonly clock: Clock;
  private readonly holders = new Map<OutputName, Holder>();
  private readonly faults = new Listeners<PassgateError>();
  /** Serialises changes: holders of one line must never overlap. */
  private queue: Promise<unknown> = Promise.resolve();
  /** After close(), set() refuses until open(): no holder may outlive the backend. */
  private closed = false;

  constructor(private readonly options: GpiosetOptions) {
    this.command = options.command ?? 'gpioset';
    this.mode = options.mode ?? 'signal';
    this.clock = options.clock ?? systemClock;
  }

  async open(): Promise<void> {
    this.closed = false;
    try {
      await this.set(Object.fromEntries(OUTPUT_NAMES.map((n) => [n, false])) as OutputChanges);
    } catch (error) {
      await this.close();
      throw backendFailed(this.name, 'open', error);
    }
  }

  set(changes: OutputChanges): Promise<void> {
    if (this.closed) return Promise.reject(backendFailed(this.name, 'set', undefined, { reason: 'not open' }));
    return this.apply(changes);
  }

  private apply(changes: OutputChanges): Promise<void> {
    const run = this.queue.then(() => (this.mode === 'signal' ? this.setHeld(changes) : this.setOnce(changes)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  onFault(listener: (error: PassgateError) => void): () => void {
    return this.faults.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const wired = OUTPUT_NAMES.filter((n) => this.options.pins[n]);
    await this.apply(Object.fromEntries(wired.map((n) => [n, false]))).catch(() => undefined);
    if (this.mode === 'exit') return;
    const stopping = this.queue.then(() => Promise.all([...this.holders.keys()].map((n) => this.stopHolder(n))));
    this.queue = stopping.catch(() => undefined);
    await this.queue;
  }

  // ---- mode 'signal' -----------------------------------------------------------------------

  private async setHeld(changes: OutputChanges): Promise<void> {
    const work: Promise<void>[] = [];
    for (const name of OUTPUT_NAMES) {
      const on = changes[name];
      const spec = this.options.pins[name];
      if (on === undefined || !spec) continue;
      const holder = this.holders.get(name);
      if (holder && !holder.hasExited && holder.on === on) continue;
      work.push(this.replaceHolder(name, spec, on));
    }
    const results = await Promise.allSettled(work);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw backendFailed(this.name, 'set', failed.reason);
  }

  private async replaceHolder(name: OutputName, spec: PinSpec, on: boolean): Promise<void> {
    await this.stopHolder(name);
    const args = [
      '--mode=signal',
      ...(spec.activeLow ? ['--active-low'] : []),
      this.options.chip,
      `${spec.line}=${on ? 1 : 0}`,
    ];
    const holder = this.spawnHolder(name, args, on);
    // gpioset says nothing once the value is set; a holder still alive after the settle time
    // has its line. One that exits at once failed (busy line, unknown chip, no permission).
    let timer: unknown;
    const settled = await Promise.race([
      holder.exited.then(() => 'exited' as const),
      new Promise<'holding'>(
        (resolve) => (timer = this.clock.setTimeout(() => resolve('holding'), this.options.timeouts.gpiosetSettleMs)),
      ),
    ]).finally(() => this.clock.clearTimeout(timer));
    if (settled === 'exited') {
      this.holders.delete(name);
      throw backendFailed(this.name, 'set', undefined, { line: spec.line, ...gpiosetFailure(holder) });
    }
  }

  private spawnHolder(name: OutputName, args: string[], on: boolean): Holder {
    let markExited!: () => void;
    const holder: Holder = {
      child: undefined as unknown as ChildProcess,
      on,
      exited: new Promise<void>((resolve) => (markExited = resolve)),
      hasExited: false,
      stopping: false,
      stderr: '',
    };
    holder.child = execFile(
      this.command,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 },
      (error, _stdout, stderr) => {
        holder.hasExited = true;
        holder.stderr = String(stderr ?? '').slice(0, STDERR_KEEP);
        if (error && !holder.stopping && (error as NodeJS.ErrnoException).code === 'ENOENT')
          holder.stderr = 'command not found';
        markExited();
        if (!holder.stopping && this.holders.get(name) === holder) {
          // A holder that dies by itself (killed by someone else, chip removed) lost the line.
          this.holders.delete(name);
          this.faults.emit(backendFailed(this.name, 'hold', undefined, gpiosetFailure(holder)));
        }
      },
    );
    this.holders.set(name, holder);
    return holder;
  }

  private async stopHolder(name: OutputName): Promise<void> {
    const holder = this.holders.get(name);
    if (!holder) return;
    this.holders.delete(name);
    holder.stopping = true;
    if (holder.hasExited) return;
    holder.child.kill('SIGTERM');
    if (await this.exitsWithin(holder)) return;
    holder.child.kill('SIGKILL');
    if (!(await this.exitsWithin(holder)))
      throw backendFailed(this.name, 'release', undefined, { reason: 'holder did not exit' });
  }

  private exitsWithin(holder: Holder): Promise<boolean> {
    let timer: unknown;
    return Promise.race([
      holder.exited.then(() => true),
      new Promise<boolean>(
        (resolve) => (timer = this.clock.setTimeout(() => resolve(false), this.options.timeouts.gpiosetExitMs)),
      ),
    ]).finally(() => this.clock.clearTimeout(timer));
  }

  // ---- mode 'exit' -------------------------------------------------------------------------

  private async setOnce(changes: OutputChanges): Promise<void> {
    // --active-low applies to a whole invocation: one run per polarity.
    for (const activeLow of [false, true]) {
      const assignments: string[] = [];
      for (const name of OUTPUT_NAMES) {
        const on = changes[name];
        const spec = this.options.pins[name];
        if (on === undefined || !spec || (spec.activeLow === true) !== activeLow) continue;
        assignments.push(`${spec.line}=${on ? 1 : 0}`);
      }
      if (assignments.length === 0) continue;
      const args = [...(activeLow ? ['--active-low'] : []), this.options.chip, ...assignments];
      await new Promise<void>((resolve, reject) => {
        execFile(
          this.command,
          args,
          {
            encoding: 'utf8',
            timeout: this.options.timeouts.gpiosetExitMs,
            killSignal: 'SIGKILL',
            maxBuffer: 64 * 1024,
          },
          (error, _stdout, stderr) => {
            if (!error) return resolve();
            const code = (error as NodeJS.ErrnoException).code;
            reject(
              backendFailed(this.name, 'set', undefined, {
                reason: code === 'ENOENT' ? 'command not found' : error.killed ? 'timeout' : 'gpioset failed',
                stderr: String(stderr ?? '')
                  .slice(0, STDERR_KEEP)
                  .trim(),
              }),
            );
          },
        );
      });
    }
  }
}

function gpiosetFailure(holder: Holder): Record<string, string | number> {
  const details: Record<string, string | number> = {};
  if (holder.child.exitCode !== null) details.exitCode = holder.child.exitCode;
  if (holder.child.signalCode) details.signal = holder.child.signalCode;
  const stderr = holder.stderr.trim();
  if (stderr) details.stderr = stderr;
  return details;
}
