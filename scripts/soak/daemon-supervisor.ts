// Runs `passgate run` the way systemd runs firmware/systemd/passgate.service: the unit's
// environment, its Restart= rule and its RestartSec= delay after the process ends (a crash exits
// 70, a SIGKILL ends it by signal). stdout (JSON log lines) goes to the caller line by line and,
// with stderr, to files for the privacy search.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { track } from './child-processes.js';
import { LineSplitter } from './daemon-log.js';
import { type ProcessEnd, type RestartRule, shouldRestart } from './systemd-unit.js';

export interface SupervisorOptions {
  /** argv of the service's ExecStart, e.g. [ip netns exec NS] node dist/passgate.mjs run --data-dir D. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  rule: RestartRule;
  stdoutLog: string;
  stderrLog: string;
  onStart(pid: number): void;
  onLine(line: string): void;
  /** After the process ended; `restartAt` is when it will be started again (null: not); `stopped`: by stop(). */
  onExit(end: ProcessEnd, restartAt: number | null, stopped: boolean): void;
}

/** systemd's exit status for a service whose ExecStart could not be executed. */
const EXIT_EXEC = 203;
/** systemd's TimeoutStopSec of the unit: SIGTERM, then SIGKILL after this. */
const STOP_TIMEOUT_MS = 10_000;

export class DaemonSupervisor {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /**
   * The log files, written synchronously: a file write is a short syscall, where a write stream
   * hands every chunk to libuv's thread pool and back (a fleet's worth of verdict lines a second).
   */
  private out: number | null;
  private err: number | null;
  /** Starts after the first. */
  restarts = 0;
  startedAt = 0;

  constructor(private readonly o: SupervisorOptions) {
    this.out = openSync(o.stdoutLog, 'a');
    this.err = openSync(o.stderrLog, 'a');
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.child || this.stopping) return;
    const [cmd, ...args] = this.o.argv;
    let child: ChildProcess;
    try {
      child = track(spawn(cmd, args, { env: this.o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    } catch {
      // The exec itself failed: systemd counts that as a failed start (EXIT_EXEC) and restarts.
      this.scheduleRestart({ code: EXIT_EXEC, signal: null });
      return;
    }
    this.child = child;
    this.startedAt = Date.now();
    const lines = new LineSplitter();
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.out !== null) writeSync(this.out, chunk);
      for (const line of lines.push(chunk)) this.o.onLine(line);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.err !== null) writeSync(this.err, chunk);
    });
    // 'close', not 'exit': every line the daemon printed has been read by then.
    child.once('close', (code, signal) => {
      if (this.child === child) this.child = null;
      const end: ProcessEnd = signal ? { code: null, signal } : { code: code ?? 0, signal: null };
      this.scheduleRestart(end);
    });
    if (child.pid !== undefined) this.o.onStart(child.pid);
  }

  private scheduleRestart(end: ProcessEnd): void {
    const restart = !this.stopping && shouldRestart(this.o.rule.restart, end);
    const restartAt = restart ? Date.now() + this.o.rule.restartSecMs : null;
    this.o.onExit(end, restartAt, this.stopping);
    if (!restart) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts++;
      this.start();
    }, this.o.rule.restartSecMs);
  }

  /** Sends a signal to the running daemon (SIGKILL for the crash and power-cut faults). */
  kill(signal: NodeJS.Signals): boolean {
    return this.child?.kill(signal) ?? false;
  }

  /** systemctl stop: SIGTERM, SIGKILL after the unit's timeout; no restart. */
  async stop(): Promise<ProcessEnd | null> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    let end: ProcessEnd | null = null;
    if (child) {
      const exited = new Promise<ProcessEnd>((resolve) =>
        child.once('close', (code, signal) =>
          resolve(signal ? { code: null, signal } : { code: code ?? 0, signal: null }),
        ),
      );
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      end = await exited;
      clearTimeout(timer);
    }
    for (const fd of [this.out, this.err]) if (fd !== null) closeSync(fd);
    this.out = null;
    this.err = null;
    return end;
  }
}
