// The daemon's word to systemd (Type=notify): READY=1 once the gate is ready, WATCHDOG=1 from the
// event loop at half of $WATCHDOG_USEC, STOPPING=1 on shutdown.
//
// How: each message is one run of `systemd-notify VAR=VALUE`, and the unit says NotifyAccess=all
// so the manager accepts it from a child of the main process. Node has no AF_UNIX datagram
// sockets; a native addon would need a compiler and a build per architecture for three short
// messages, while systemd-notify ships with systemd itself, on every device that has a unit to
// notify. It waits (a barrier) until the manager has taken the message, so the manager always
// knows which service a message came from. The cost, a short process every WATCHDOG period (15 s
// with the unit's WatchdogSec=30), is small. The ping is scheduled on the event loop, so a loop
// that hangs sends none and systemd restarts the service.

import { spawn } from 'node:child_process';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';

/** Sends one notification; resolves when the manager took it, rejects with a cause code otherwise. */
export type NotifySend = (assignment: string) => Promise<void>;

/**
 * `systemd-notify ASSIGNMENT` with the daemon's environment (NOTIFY_SOCKET), killed after
 * `timeoutMs`. Rejects with an Error whose `code` is the spawn error code, `exit-N` or `timeout`.
 */
export function systemdNotifySend(timeoutMs: number, command = 'systemd-notify'): NotifySend {
  return (assignment) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, [assignment], { stdio: 'ignore' });
      const fail = (code: string) => reject(Object.assign(new Error(`systemd-notify failed: ${code}`), { code }));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail('timeout');
      }, timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(error.code ?? 'spawn');
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else fail(signal ? `signal-${signal}` : `exit-${code}`);
      });
    });
}

/**
 * The watchdog period: half of $WATCHDOG_USEC (systemd's advice), or null when there is no
 * watchdog or it is meant for another process ($WATCHDOG_PID).
 */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

export interface ServiceNotifierDeps {
  send: NotifySend;
  clock: Clock;
  logger: Logger;
  /** From watchdogPeriodMs; null: no watchdog pings. */
  watchdogMs: number | null;
}

export class ServiceNotifier {
  private readied = false;
  private stopped = false;
  private timer: TimerHandle | undefined;
  /** A ping still on its way: the next one waits its turn rather than piling up processes. */
  private pinging = false;

  constructor(private readonly o: ServiceNotifierDeps) {}

  /** READY=1, once; then the watchdog pings start. */
  ready(): void {
    if (this.readied || this.stopped) return;
    this.readied = true;
    void this.notify('READY=1'); // never rejects
    this.schedulePing();
  }

  /** STOPPING=1, once; the pings end. */
  stopping(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    return this.notify('STOPPING=1');
  }

  private schedulePing(): void {
    const period = this.o.watchdogMs;
    if (period === null || this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      if (!this.pinging) {
        this.pinging = true;
        void this.notify('WATCHDOG=1').finally(() => {
          this.pinging = false;
        });
      }
      this.schedulePing();
    }, period);
  }

  /** Never rejects: a lost message is logged; the manager's own timeouts act on it. */
  private notify(assignment: string): Promise<void> {
    return this.o.send(assignment).catch((error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      this.o.logger.log('warn', 'notify-failed', { message: assignment, code: typeof code === 'string' ? code : null });
    });
  }
}

/** The notifier for this process's environment: null when no service manager listens ($NOTIFY_SOCKET unset). */
export function serviceNotifierFromEnv(
  env: NodeJS.ProcessEnv,
  deps: { clock: Clock; logger: Logger; timeoutMs: number; pid: number },
): ServiceNotifier | null {
  if (!env.NOTIFY_SOCKET) return null;
  return new ServiceNotifier({
    send: systemdNotifySend(deps.timeoutMs),
    clock: deps.clock,
    logger: deps.logger,
    watchdogMs: watchdogPeriodMs(env, deps.pid),
  });
}
