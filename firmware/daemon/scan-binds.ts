// `passgate bind --scan` / `rebind --scan` as the daemon serves them: a request on the control
// socket whose connection is the bind mode's lifeline. The gate is in bind mode for as long as the
// CLI's connection is open; when it closes (Ctrl-C, SIGTERM, a lost terminal) before a venue code
// was scanned, bind mode ends at once, so the next resident's pass code is verified, not bound.
//
// Lines the CLI gets: {event:'bind-mode', mode, ms} once the gate waits for the code;
// {event:'not-venue-code'} for each scanned code that is no venue code (bind mode goes on); and
// the answer {event:'bind-finished', ok, venue | code, savedLocally?}.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.js';
import type { SignalKind } from '../core/outcome.js';
import type { BindMode } from '../gate/model.js';
import type { GateRunner } from '../gate/runner.js';
import type { BindFinished, BindingKeeper } from './binding-keeper.js';
import type { ControlConnection, ControlMessage } from './control-socket.js';

interface Pending {
  mode: BindMode;
  connection: ControlConnection;
  answer(message: ControlMessage): void;
}

export interface ScanBindsOptions {
  runner: () => GateRunner;
  keeper: BindingKeeper;
  bindModeMs: () => number;
  logger: Logger;
}

export class ScanBinds {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly o: ScanBindsOptions) {}

  /** Puts the gate in bind mode for this connection; resolves with the answer once the bind ends. */
  request(mode: BindMode, connection: ControlConnection): Promise<ControlMessage> {
    const bindRequestId = randomUUID();
    return new Promise((answer) => {
      this.pending.set(bindRequestId, { mode, connection, answer });
      connection.onClose(() => this.abandoned(bindRequestId));
      this.o.runner().requestBindMode(mode, bindRequestId);
      // Still pending: the gate waits for the code (an unprovisioned gate has answered already).
      if (this.pending.has(bindRequestId)) connection.send({ event: 'bind-mode', mode, ms: this.o.bindModeMs() });
    });
  }

  /** The runner's report that a bind ended: saved (when it succeeded) and answered. */
  finished(result: BindFinished): void {
    let message: ControlMessage;
    if (result.ok) {
      const { code, name, category } = result.venue;
      const failure = this.o.keeper.saveBound(result.venue);
      message = failure
        ? {
            event: 'bind-finished',
            ok: false,
            code: failure.code,
            savedLocally: false,
            venue: { code, name, category },
          }
        : { event: 'bind-finished', ok: true, venue: { code, name, category } };
    } else {
      message = { event: 'bind-finished', ok: false, code: result.code };
    }
    const pending = this.pending.get(result.bindRequestId);
    this.pending.delete(result.bindRequestId);
    pending?.answer(message);
  }

  /** What the gate shows: a scanned code that is no venue code is told to the waiting CLI too. */
  shown(signal: SignalKind): void {
    if (signal !== 'not-venue-code') return;
    for (const pending of this.pending.values()) pending.connection.send({ event: 'not-venue-code' });
  }

  /** The daemon stops: every waiting CLI hears that its bind was cancelled. */
  cancelAll(): void {
    for (const pending of this.pending.values())
      pending.answer({ event: 'bind-finished', ok: false, code: 'gate.bind-cancelled' });
    this.pending.clear();
  }

  private abandoned(bindRequestId: string): void {
    const pending = this.pending.get(bindRequestId);
    if (!pending) return;
    this.pending.delete(bindRequestId);
    const phase = this.o.runner().phase();
    // Only bind mode waits for a scan. A venue code already sent to the portal ends by itself
    // within the admin deadline, and is saved then (finished) whether or not anyone listens.
    if (phase.kind !== 'bind-mode' || phase.bindRequestId !== bindRequestId) return;
    this.o.logger.log('warn', 'bind-abandoned', { mode: pending.mode });
    this.o.runner().cancelBindMode(bindRequestId);
  }
}
