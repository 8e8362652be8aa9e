// One gate of the soak fleet: its data directory, GPIO tree and devices, the built daemon under
// a systemd-like supervisor, and what the daemon says (ready, driver states, outcomes). The scan
// loop (gate-scanner.ts) asks it whether the gate can take a scan and waits here for the scan's
// outcome line; the fault injector unplugs, garbles and kills through it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DaemonLogEvent, parseDaemonLogLine } from './daemon-log.js';
import { DaemonSupervisor } from './daemon-supervisor.js';
import { SimulatedReaderLine, SimulatedScannerLine } from './gate-devices.js';
import { type ProcSample, sampleProcess } from './proc-sampler.js';
import type { ProcessEnd, RestartRule } from './systemd-unit.js';

export const SCANNER_DRIVER = 'serial-scanner';
export const READER_DRIVER = 'idcard';

export type OutcomeLine = Extract<DaemonLogEvent, { type: 'verdict' } | { type: 'dropped' }>;

export interface OutcomeWait {
  ending: 'verdict' | 'dropped' | 'interrupted' | 'no-outcome';
  line?: OutcomeLine;
  /** Epoch ms the line was read (or the wait ended). */
  at: number;
}

export interface GateRigOptions {
  index: number;
  root: string;
  /** argv of `passgate run` for this gate's data directory (with any `ip netns exec` in front). */
  argv: (dataDir: string) => string[];
  env: (dataDir: string) => NodeJS.ProcessEnv;
  rule: RestartRule;
}

export interface GateExit {
  at: number;
  end: ProcessEnd;
  deliberate: boolean;
  /** Ended by the soak's own stop at the end of the run. */
  stopped: boolean;
  restartAt: number | null;
}

export class GateRig {
  readonly index: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly gpioRoot: string;
  readonly deviceId: string;
  readonly scanner: SimulatedScannerLine;
  readonly reader: SimulatedReaderLine;
  readonly supervisor: DaemonSupervisor;
  /** A `ready` line since the daemon last started. */
  private ready = false;
  private readonly drivers = new Map<string, string>();
  private pending: { resolve: (w: OutcomeWait) => void; timer: NodeJS.Timeout } | null = null;
  /** Set by a fault that kills the daemon on purpose: its scan in flight is interrupted, not lost. */
  private deliberate = false;
  private holds = 0;
  /** A scan of the loop is under way (its outcome not yet read). */
  scanning = false;
  /** Epoch ms until which a device fault counts as active (read errors expected). */
  deviceFaultUntil = 0;
  private wakers: Array<() => void> = [];
  /** Outcome lines no scan waited for (garbage frames; anything else is a finding). */
  readonly unsolicited: Array<{ at: number; line: OutcomeLine }> = [];
  readonly samples: ProcSample[] = [];
  readonly exits: GateExit[] = [];
  crashLines = 0;
  readyAt = 0;
  /** A `portal-authorized` line since the daemon last started. */
  authorized = false;
  /** Other log events worth counting (warnings and errors by event name). */
  readonly events = new Map<string, number>();

  constructor(o: GateRigOptions) {
    this.index = o.index;
    this.dir = join(o.root, `gate-${String(o.index).padStart(3, '0')}`);
    this.dataDir = join(this.dir, 'data');
    this.gpioRoot = join(this.dir, 'gpio');
    this.deviceId = `WX-SOAK-${String(o.index).padStart(3, '0')}`;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.scanner = new SimulatedScannerLine(join(this.dir, 'scanner'));
    this.reader = new SimulatedReaderLine(join(this.dir, 'reader'));
    this.supervisor = new DaemonSupervisor({
      argv: o.argv(this.dataDir),
      env: o.env(this.dataDir),
      rule: o.rule,
      stdoutLog: join(this.dir, 'daemon.stdout.log'),
      stderrLog: join(this.dir, 'daemon.stderr.log'),
      onStart: () => {
        this.ready = false;
        this.authorized = false;
        this.drivers.clear();
        this.notify();
      },
      onLine: (line) => this.onLine(line),
      onExit: (end, restartAt, stopped) => this.onExit(end, restartAt, stopped),
    });
  }

  get pid(): number | null {
    return this.supervisor.pid;
  }

  /** Daemon up, ready and not held by a fault. */
  get up(): boolean {
    return this.supervisor.running && this.ready && this.holds === 0;
  }

  canScan(kind: 'code' | 'card'): boolean {
    return this.up && this.inputOpen(kind);
  }

  /** The daemon is up and ready with this input open, whether or not a fault holds the gate. */
  inputOpen(kind: 'code' | 'card'): boolean {
    if (!this.supervisor.running || !this.ready) return false;
    if (kind === 'code') return this.scanner.plugged && this.drivers.get(SCANNER_DRIVER) === 'open';
    return this.reader.plugged && this.drivers.get(READER_DRIVER) === 'open';
  }

  /** Resolves at the next change of the gate's state (or after `ms`). */
  changed(ms = 250): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  notify(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }

  /** Keeps the scan loop off this gate until the returned function is called. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.notify();
    };
  }

  /** Holds the gate and waits until its scan under way (if any) has ended. */
  async holdIdle(): Promise<() => void> {
    const release = this.hold();
    while (this.scanning) await this.changed(100);
    return release;
  }

  /** Waits for the outcome line of the scan just made. */
  expectOutcome(timeoutMs: number): Promise<OutcomeWait> {
    if (this.pending) throw new Error(`gate ${this.index}: two scans in flight`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle({ ending: 'no-outcome', at: Date.now() }), timeoutMs);
      this.pending = { resolve, timer };
    });
  }

  private settle(wait: OutcomeWait): boolean {
    const pending = this.pending;
    if (!pending) return false;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(wait);
    return true;
  }

  /** Kills the daemon on purpose (SIGKILL): the unit's Restart= brings it back. */
  killDeliberately(): boolean {
    if (!this.supervisor.running) return false;
    this.deliberate = true;
    return this.supervisor.kill('SIGKILL');
  }

  sample(): ProcSample | null {
    const pid = this.pid;
    if (pid === null) return null;
    const s = sampleProcess(pid);
    if (s) this.samples.push(s);
    return s;
  }

  private onLine(line: string): void {
    const event = parseDaemonLogLine(line);
    if (!event) return;
    switch (event.type) {
      case 'verdict':
      case 'dropped': {
        const wait: OutcomeWait = { ending: event.type, line: event, at: Date.now() };
        if (!this.settle(wait)) this.unsolicited.push({ at: wait.at, line: event });
        return;
      }
      case 'ready':
        this.ready = true;
        this.readyAt = Date.now();
        this.notify();
        return;
      case 'driver-state':
        this.drivers.set(event.driver, event.state);
        this.notify();
        return;
      case 'crashed':
        this.crashLines++;
        return;
      case 'other':
        if (event.event === 'portal-authorized') {
          this.authorized = true;
          this.notify();
        }
        if (event.level === 'warn' || event.level === 'error')
          this.events.set(event.event, (this.events.get(event.event) ?? 0) + 1);
        return;
    }
  }

  private onExit(end: ProcessEnd, restartAt: number | null, stopped: boolean): void {
    const deliberate = this.deliberate;
    this.deliberate = false;
    this.ready = false;
    this.drivers.clear();
    this.exits.push({ at: Date.now(), end, deliberate, stopped, restartAt });
    this.settle({ ending: deliberate ? 'interrupted' : 'no-outcome', at: Date.now() });
    this.notify();
  }
}
