// The one place where the gate's effects happen: it feeds inputs to the pure transition
// function, then calls the portal, the display, timers and the host for each effect.
import { createHmac, randomBytes } from 'node:crypto';
import type { InputDriver, InputEvent } from '../../drivers/input.js';
import { isAuthenticatedPortalError } from '../../portal-client/portal-errors.js';
import type { BindResult } from '../../portal-client/protocol/messages.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { type ErrorCode, isPassgateError } from '../core/errors.js';
import type { IdCardIdentity } from '../core/id-number.js';
import type { Logger } from '../core/log.js';
import { OUTCOME_KINDS, type OutcomeKind, type SignalKind } from '../core/outcome.js';
import type { Verdict } from '../core/verdict.js';
import {
  type BindFailure,
  type BindMode,
  type GateEffect,
  type GateInput,
  type GateModel,
  type GatePolicy,
  initialModel,
  type Scan,
  type TimerName,
} from './model.js';
import { transition } from './transition.js';

/** The portal as the gate sees it (PortalClient fits). */
export interface GatePortal {
  verifyPassCode(code: string): Promise<Verdict>;
  verifyIdCard(card: IdCardIdentity): Promise<Verdict>;
  bind(venueCode: string): Promise<BindResult>;
  rebind(venueCode: string): Promise<BindResult>;
}

/** The display as the gate sees it (ui-led's PatternPlayer fits). */
export interface GateDisplay {
  /**
   * Shows the signal; for a verdict, the display chooses its words from the verdict itself. An
   * overlay signal (input-dropped) plays on top of what shows and must not hide it.
   */
  play(kind: SignalKind, verdict?: Verdict): void;
}

export interface GateRunnerOptions {
  portal: GatePortal;
  display: GateDisplay;
  clock: Clock;
  logger: Logger;
  policy: GatePolicy;
  provisioned: boolean;
  bound: boolean;
  /**
   * Called when the portal said, authenticated, that the device is not bound: the host asks the
   * portal again in the background and reconciles the stored binding with its answer.
   */
  onBindingDoubted?: () => void;
  /** Called when a bind or rebind ends, to persist it and answer the CLI. */
  onBindFinished?: (
    result:
      | { bindRequestId: string; mode: BindMode; ok: true; venue: BindResult['venue'] }
      | { bindRequestId: string; mode: BindMode; ok: false; code: BindFailure },
  ) => void;
}

export type OutcomeCounters = Record<OutcomeKind, number>;

interface Timing {
  readAt: number;
  requestAt?: number;
  replyAt?: number;
}

export class GateRunner {
  private model: GateModel;
  private policy: GatePolicy;
  private readonly o: GateRunnerOptions;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly timings = new Map<number, Timing>();
  private readonly fingerprintKey = randomBytes(32); // per process: fingerprints mean nothing elsewhere
  private readonly bindModes = new Map<string, BindMode>();
  private readonly counters: OutcomeCounters = Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as OutcomeCounters;
  private dropped = 0;
  /** Arrival time of the input being dispatched: outcomes decided without the portal start here. */
  private inputAt = 0;
  /** The attached drivers by name (the `source` of their events), asked to read again. */
  private readonly inputs = new Map<string, InputDriver>();
  private closed = false;

  constructor(options: GateRunnerOptions) {
    this.o = options;
    this.policy = options.policy;
    this.model = initialModel(options.provisioned, options.bound);
  }

  /** The phase, for status and tests. */
  phase(): GateModel['phase'] {
    return this.model.phase;
  }

  outcomeCounters(): OutcomeCounters {
    return { ...this.counters };
  }

  droppedCount(): number {
    return this.dropped;
  }

  setPolicy(policy: GatePolicy): void {
    this.policy = policy;
  }

  /**
   * Feeds the driver's events to the gate, and lets the gate ask it to read again an input it had
   * to drop (a card left on the reader). Returns the function that detaches it.
   */
  attachInput(driver: InputDriver): () => void {
    this.inputs.set(driver.name, driver);
    const stop = driver.onEvent((event) => this.acceptInput(event));
    return () => {
      stop();
      if (this.inputs.get(driver.name) === driver) this.inputs.delete(driver.name);
    };
  }

  /** Entry point for every driver event. */
  acceptInput(event: InputEvent): void {
    const at = this.o.clock.now();
    // On the same clock as ours (performance.now); a time ahead of it (another clock) counts from now.
    const arrivedAt = Number.isFinite(event.arrivedAt) ? Math.min(event.arrivedAt, at) : at;
    if (event.kind === 'read-error') {
      this.dispatch({ type: 'read-error', source: event.source, code: event.code, at, arrivedAt });
      return;
    }
    const payload =
      event.kind === 'code'
        ? ({ kind: 'code', text: event.text } as const)
        : ({ kind: 'card', card: event.card } as const);
    const identity =
      event.kind === 'code' ? `code\n${event.text}` : `card\n${event.card.cardType}\n${event.card.idNumber}`;
    const fingerprint = createHmac('sha256', this.fingerprintKey).update(identity, 'utf8').digest('base64');
    this.dispatch({ type: 'scan', scan: { source: event.source, payload, fingerprint, at, arrivedAt } });
  }

  requestBindMode(mode: BindMode, bindRequestId: string): void {
    this.bindModes.set(bindRequestId, mode);
    this.dispatch({ type: 'bind-requested', mode, bindRequestId });
  }

  cancelBindMode(bindRequestId: string): void {
    this.dispatch({ type: 'bind-cancelled', bindRequestId });
  }

  dispatch(input: GateInput): void {
    if (this.closed) return;
    if (input.type === 'scan') this.inputAt = input.scan.arrivedAt;
    else if (input.type === 'read-error') this.inputAt = input.arrivedAt;
    const step = transition(this.model, input, this.policy);
    this.model = step.model;
    for (const effect of step.effects) this.perform(effect);
  }

  close(): void {
    this.closed = true;
    for (const handle of this.timers.values()) this.o.clock.clearTimeout(handle);
    this.timers.clear();
  }

  // ------------------------------------------------------------------ effects

  private perform(effect: GateEffect): void {
    switch (effect.type) {
      case 'verify':
        this.verify(effect.requestId, effect.scan);
        return;
      case 'signal':
        this.signal(effect);
        return;
      case 'reconcile-binding':
        this.o.onBindingDoubted?.();
        return;
      case 'start-timer': {
        this.cancelTimer(effect.timer);
        const handle = this.o.clock.setTimeout(() => {
          this.timers.delete(effect.timer);
          this.dispatch({ type: 'timer', timer: effect.timer, token: effect.token });
        }, effect.ms);
        this.timers.set(effect.timer, handle);
        return;
      }
      case 'cancel-timer':
        this.cancelTimer(effect.timer);
        return;
      case 'bind':
        this.bind(effect.mode, effect.bindRequestId, effect.venueCode);
        return;
      case 'bind-finished':
        if (!effect.ok) {
          const mode = this.bindModes.get(effect.bindRequestId) ?? 'bind';
          this.bindModes.delete(effect.bindRequestId);
          this.o.logger.log('warn', 'bind-failed', { mode, code: effect.code });
          this.o.onBindFinished?.({ bindRequestId: effect.bindRequestId, mode, ok: false, code: effect.code });
        }
        return;
      case 'dropped':
        this.dropped++;
        // A duplicate is routine (a scanner or camera reading a code held still); any other drop
        // was signalled to a person, and the line says why.
        this.o.logger.log(effect.reason === 'duplicate' ? 'debug' : 'info', 'input-dropped', {
          reason: effect.reason,
          source: effect.source,
          ...(effect.cause ? { cause: effect.cause } : {}),
        });
        return;
      case 'read-again': {
        const driver = this.inputs.get(effect.source);
        // After this dispatch: the driver may deliver at once, and the gate is not re-entered.
        if (driver) {
          queueMicrotask(() => {
            if (!this.closed) driver.readAgain();
          });
        }
        return;
      }
    }
  }

  private cancelTimer(timer: TimerName): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) this.o.clock.clearTimeout(handle);
    this.timers.delete(timer);
  }

  private verify(requestId: number, scan: Scan): void {
    this.timings.set(requestId, { readAt: scan.arrivedAt, requestAt: this.o.clock.now() });
    let call: Promise<Verdict>;
    try {
      call =
        scan.payload.kind === 'code'
          ? this.o.portal.verifyPassCode(scan.payload.text)
          : this.o.portal.verifyIdCard(scan.payload.card);
    } catch (error) {
      // A portal that throws instead of rejecting still ends the scan in an outcome with a cause.
      call = Promise.reject(error);
    }
    // The answer is shown (and its timing logged) inside dispatch; an answer the gate no longer
    // waits for (a bind request took over meanwhile) is never shown: drop its timing here too.
    call.then(
      (verdict) => {
        this.markReply(requestId);
        this.dispatch({ type: 'verdict', requestId, verdict });
        this.timings.delete(requestId);
      },
      (error: unknown) => {
        this.markReply(requestId);
        this.dispatch({
          type: 'portal-error',
          requestId,
          code: errorCode(error),
          authenticated: isAuthenticatedPortalError(error),
        });
        this.timings.delete(requestId);
      },
    );
  }

  private markReply(requestId: number): void {
    const timing = this.timings.get(requestId);
    if (timing) timing.replyAt = this.o.clock.now();
  }

  private signal({ signal, verdict, requestId, source, cause }: Extract<GateEffect, { type: 'signal' }>): void {
    this.o.display.play(signal, verdict);
    if (requestId === undefined || !(OUTCOME_KINDS as readonly string[]).includes(signal)) return;
    const outcome = signal as OutcomeKind;
    this.counters[outcome]++;
    const signalAt = this.o.clock.now();
    const t = this.timings.get(requestId) ?? { readAt: this.inputAt };
    this.timings.delete(requestId);
    const ms = (a?: number, b?: number) =>
      a !== undefined && b !== undefined ? Math.round((b - a) * 1000) / 1000 : null;
    this.o.logger.log('info', 'verdict', {
      source: source ?? null,
      outcome,
      ...(cause ? { cause } : {}),
      readToRequestMs: ms(t?.readAt, t?.requestAt),
      portalMs: ms(t?.requestAt, t?.replyAt),
      responseToSignalMs: ms(t?.replyAt, signalAt),
      totalMs: ms(t?.readAt, signalAt),
    });
  }

  private bind(mode: BindMode, bindRequestId: string, venueCode: string): void {
    const call = mode === 'bind' ? this.o.portal.bind(venueCode) : this.o.portal.rebind(venueCode);
    call.then(
      (result) => {
        this.bindModes.delete(bindRequestId);
        this.o.logger.log('info', 'bound', { mode, venueCategory: result.venue.category });
        this.o.onBindFinished?.({ bindRequestId, mode, ok: true, venue: result.venue });
        this.dispatch({ type: 'bind-result', bindRequestId, ok: true });
      },
      (error: unknown) => this.dispatch({ type: 'bind-result', bindRequestId, ok: false, code: errorCode(error) }),
    );
  }
}

function errorCode(error: unknown): ErrorCode {
  return isPassgateError(error) ? error.code : 'portal.bad-response';
}
