// `passgate run`: the gate daemon. Wires config, identity, the portal client, the display, the
// input drivers and the gate runner together, applies config changes made by the CLI while it
// runs, answers the control socket, and on SIGTERM turns every output off and exits cleanly.
import type { Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ConfigStore } from '../config/store.js';
import type { ConfigKey } from '../config/schema.js';
import { isPassgateError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { TimeoutTable } from '../core/timeouts.js';
import { isProvisioned, portalClientFromConfig, timeoutsFromConfig } from './device-identity.js';
import { inputDriversFromConfig } from './drivers-from-config.js';
import { listenControlSocket, type ControlRequest } from './control-socket.js';
import { GateRunner, type GatePortal } from '../gate/runner.js';
import type { GatePolicy } from '../gate/model.js';
import type { InputDriver } from '../../drivers/input.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { PassgateError } from '../core/errors.js';
import type { PortalClient } from '../../portal-client/client.js';
import { sleep, type Clock } from '../core/clock.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { createDisplayBackend } from '../../ui-led/create-backend.js';
import { resolvePatterns } from '../../ui-led/patterns.js';
import type { DisplayBackend } from '../../ui-led/backend.js';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';
import { openSystemSerialPort } from '../../drivers/serial-port.js';

export interface DaemonOptions {
  dataDir: string;
  crypto: CryptoSuite;
  logger: Logger;
  clock: Clock;
  /** Where the terminal display backend draws (the demo's stdout). */
  displayStream?: TerminalStream;
  /** Inputs beside the configured drivers (the demo's keyboard scanner). */
  extraInputs?: InputDriver[];
  /** Build drivers from config (default true); tests inject inputs instead. */
  configuredDrivers?: boolean;
  /** Listen on the control socket (default true). */
  controlSocket?: boolean;
}

export interface DaemonStatus {
  deviceId: string;
  provisioned: boolean;
  binding: { venueCode: string; venueName: string; venueCategory: string } | null;
  phase: string;
  portal: { reachable: boolean | null; tokenValid: boolean; tokenExpiresInMs: number | null; clockOffsetMs: number; lastErrorCode: ErrorCode | null };
  drivers: Array<{ name: string; state: string; lastError?: string }>;
  outcomes: Record<string, number>;
  dropped: number;
  uptimeMs: number;
  pid: number;
}

const PORTAL_KEYS = /^(identity|portal|vendor)\./;

export class Daemon {
  private readonly o: DaemonOptions;
  private store!: ConfigStore;
  private timeouts!: TimeoutTable;
  private client: PortalClient | null = null;
  private runner!: GateRunner;
  private player!: PatternPlayer;
  private backend!: DisplayBackend;
  private drivers: InputDriver[] = [];
  private control: Server | null = null;
  private portalReachable: boolean | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly startedAt: number;
  private stopped = false;

  private constructor(options: DaemonOptions) {
    this.o = options;
    this.startedAt = options.clock.now();
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const daemon = new Daemon(options);
    await daemon.boot();
    return daemon;
  }

  private async boot(): Promise<void> {
    const { logger, clock } = this.o;
    this.store = ConfigStore.open(this.o.dataDir);
    this.timeouts = timeoutsFromConfig(this.store);

    this.backend = createDisplayBackend({
      backend: this.store.get('display.backend'),
      pins: this.store.get('display.pins'),
      gpioRoot: this.store.get('display.gpioRoot'),
      gpioChip: this.store.get('display.gpioChip'),
      serialPath: this.store.get('display.serialPath'),
      openSerialPort: openSystemSerialPort,
      stream: this.o.displayStream ?? process.stdout,
      timeouts: this.timeouts,
      clock,
    });
    await this.backend.open().catch((error: unknown) => logger.log('error', 'display-open-failed', { code: codeOf(error) }));
    this.player = new PatternPlayer({ backend: this.backend, clock, patterns: resolvePatterns(this.store.get('display.patterns')) });
    this.player.onError((error) => logger.log('warn', 'display-error', { code: error.code }));

    const provisioned = isProvisioned(this.store);
    this.runner = new GateRunner({
      portal: this.gatePortal(),
      display: this.player,
      clock,
      logger,
      policy: this.policy(),
      provisioned,
      bound: this.store.get('binding.venueCode') !== '',
      onBindFinished: (result) => this.onBindFinished(result),
    });
    if (provisioned) await this.connectPortal();

    this.store.onChange((keys) => this.onConfigChange(keys));
    this.store.onError((error) => logger.log('warn', 'config-error', { code: error.code }));
    this.store.watch();

    const drivers = [...(this.o.configuredDrivers === false ? [] : await inputDriversFromConfig(this.store, this.timeouts)), ...(this.o.extraInputs ?? [])];
    for (const driver of drivers) {
      driver.onEvent((event) => this.runner.acceptInput(event));
      driver.onState((s) => logger.log(s.state === 'open' ? 'info' : 'warn', 'driver-state', { driver: s.name, state: s.state, code: s.lastError ?? null }));
      await driver.open().catch((error: unknown) => logger.log('error', 'driver-open-failed', { driver: driver.name, code: codeOf(error) }));
    }
    this.drivers = drivers;

    if (this.o.controlSocket !== false) this.control = await listenControlSocket(this.o.dataDir, (req) => this.onControl(req));
    if (this.store.get('binding.scanRequest') !== '') this.startScanBind();
    logger.log('info', 'ready', { readyMs: Math.round(clock.now() - this.startedAt), provisioned, bound: this.store.get('binding.venueCode') !== '', inputs: drivers.length });
    // Authorize after `ready`: its SM2 work (~0.1 s) need not delay the gate's start.
    setImmediate(() => this.checkPortalHealth());
  }

  /** Feeds an input event as if a driver had read it (used by tests and the demo). */
  input(event: Parameters<GateRunner['acceptInput']>[0]): void {
    this.runner.acceptInput(event);
  }

  status(): DaemonStatus {
    const s = this.client?.status();
    const venueCode = this.store.get('binding.venueCode');
    return {
      deviceId: this.store.get('identity.deviceId'),
      provisioned: isProvisioned(this.store),
      binding: venueCode === '' ? null : { venueCode, venueName: this.store.get('binding.venueName'), venueCategory: this.store.get('binding.venueCategory') },
      phase: this.runner.phase().kind,
      portal: {
        reachable: this.portalReachable,
        tokenValid: s?.tokenValid ?? false,
        tokenExpiresInMs: s?.tokenExpiresInMs ?? null,
        clockOffsetMs: Math.round(s?.clockOffsetMs ?? 0),
        lastErrorCode: s?.lastErrorCode ?? null,
      },
      drivers: this.drivers.map((d) => {
        const st = d.status();
        return { name: st.name, state: st.state, ...(st.lastError ? { lastError: st.lastError } : {}) };
      }),
      outcomes: this.runner.outcomeCounters(),
      dropped: this.runner.droppedCount(),
      uptimeMs: Math.round(this.o.clock.now() - this.startedAt),
      pid: process.pid,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.runner.close();
    await Promise.all(this.drivers.map((d) => d.close().catch(() => undefined)));
    await this.player.close().catch(() => undefined); // every output off
    await this.backend.close().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
    if (this.control) await new Promise<void>((resolve) => this.control!.close(() => resolve()));
    this.store.close();
    this.o.logger.log('info', 'stopped', {});
  }

  // ------------------------------------------------------------------ wiring

  private policy(): GatePolicy {
    return {
      busyInput: this.store.get('gate.busyInput'),
      queueLimit: this.store.get('gate.queueLimit'),
      dedupWindowMs: this.store.get('gate.dedupWindowMs'),
      showMs: this.store.get('gate.showMs'),
      verifyDeadlineMs: this.timeouts.verifyDeadlineMs,
      bindModeMs: this.timeouts.bindModeMs,
      natPolicy: this.store.get('gate.natPolicy'),
      vaccinationPolicy: this.store.get('gate.vaccinationPolicy'),
    };
  }

  /** The runner always talks to the current client; a re-provisioned device gets a new one. */
  private gatePortal(): GatePortal {
    const client = (): PortalClient => {
      if (!this.client) throw new PassgateError('config.not-provisioned', 'device not provisioned');
      return this.client;
    };
    return {
      verifyPassCode: async (code) => client().verifyPassCode(code),
      verifyIdCard: async (card) => client().verifyIdCard(card),
      bind: async (venueCode) => client().bind(venueCode),
      rebind: async (venueCode) => client().rebind(venueCode),
    };
  }

  private async connectPortal(): Promise<void> {
    try {
      this.client = await portalClientFromConfig(this.store, this.o.dataDir, {
        crypto: this.o.crypto,
        timeouts: this.timeouts,
        onEvent: (e) => {
          if (e.type === 'authorized') this.o.logger.log('info', 'portal-authorized', { clockOffsetMs: e.clockOffsetMs, bound: e.bound });
          else if (e.type === 'authorize-failed') this.o.logger.log('warn', 'portal-authorize-failed', { code: e.code });
          else this.o.logger.log('info', 'portal-reauthorized', {});
        },
      });
    } catch (error) {
      this.o.logger.log('error', 'portal-client-failed', { code: codeOf(error) });
      this.client = null;
    }
  }

  /** Authorizes in the background: off every scan's path. Failing portals are retried. */
  private checkPortalHealth(): void {
    const client = this.client;
    if (!client || this.stopped) return;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = null;
    client.authorize().then(
      (summary) => {
        if (this.stopped || client !== this.client) return;
        this.portalReachable = true;
        this.runner.dispatch({ type: 'portal-health', up: true });
        this.reconcileBinding(summary.binding);
      },
      (error: unknown) => {
        if (this.stopped || client !== this.client) return;
        const code = codeOf(error);
        this.portalReachable = false;
        if (code === 'portal.not-bound') return;
        this.runner.dispatch({ type: 'portal-health', up: false });
        this.healthTimer = setTimeout(() => this.checkPortalHealth(), this.timeouts.portalHealthRetryMs);
        this.healthTimer.unref();
      },
    );
  }

  /** The portal's word on the binding wins over a stale local copy. */
  private reconcileBinding(venue: { code: string; name: string; category: string } | null): void {
    const local = this.store.get('binding.venueCode');
    if (venue === null && local !== '') {
      this.store.setMany({ 'binding.venueCode': '', 'binding.venueName': '', 'binding.venueCategory': '', 'binding.boundAt': '' });
    } else if (venue !== null && venue.code !== local) {
      this.store.setMany({ 'binding.venueCode': venue.code, 'binding.venueName': venue.name, 'binding.venueCategory': venue.category as never });
    }
  }

  private onConfigChange(keys: ConfigKey[]): void {
    if (this.stopped) return;
    const { logger } = this.o;
    if (keys.some((k) => k.startsWith('gate.') || k === 'timeouts')) {
      this.timeouts = timeoutsFromConfig(this.store);
      this.runner.setPolicy(this.policy());
      logger.log('info', 'settings-applied', { keys: keys.filter((k) => k.startsWith('gate.') || k === 'timeouts').join(',') });
    }
    if (keys.some((k) => PORTAL_KEYS.test(k))) {
      const old = this.client;
      this.client = null;
      void old?.close();
      const provisioned = isProvisioned(this.store);
      this.runner.dispatch({ type: 'provisioning', provisioned });
      if (provisioned) void this.connectPortal().then(() => this.checkPortalHealth());
    }
    if (keys.includes('binding.venueCode')) {
      this.runner.dispatch({ type: 'binding', bound: this.store.get('binding.venueCode') !== '' });
    }
    if (keys.includes('binding.scanRequest') && this.store.get('binding.scanRequest') !== '') this.startScanBind();
    if (keys.some((k) => k.startsWith('display.') || k.startsWith('drivers.'))) {
      logger.log('warn', 'restart-required', { reason: 'display and driver settings apply at the next start' });
    }
  }

  private startScanBind(): void {
    const mode = this.store.get('binding.scanRequest');
    if (mode === '') return;
    const id = this.store.get('binding.scanRequestId') || randomUUID();
    this.runner.requestBindMode(mode, id);
  }

  private onBindFinished(result: Parameters<NonNullable<ConstructorParameters<typeof GateRunner>[0]['onBindFinished']>>[0]): void {
    if (result.ok) {
      this.store.setMany({
        'binding.venueCode': result.venue.code,
        'binding.venueName': result.venue.name,
        'binding.venueCategory': result.venue.category,
        'binding.natValidityHours': result.venue.natValidityHours ?? 0,
        'binding.vaccinationDoses': result.venue.vaccinationDoses ?? 0,
        'binding.boundAt': new Date().toISOString(),
        'binding.scanRequest': '',
        'binding.scanResult': { requestId: result.bindRequestId, ok: true, venueName: result.venue.name, venueCategory: result.venue.category },
      });
    } else {
      this.store.setMany({
        'binding.scanRequest': '',
        'binding.scanResult': { requestId: result.bindRequestId, ok: false, errorCode: result.code },
      });
    }
  }

  private async onControl(request: ControlRequest): Promise<unknown> {
    if (request.cmd === 'status') return this.status();
    if (request.cmd === 'selftest-display') {
      // Answer once the whole cycle has run, so "ok" covers every colour and the buzzer.
      this.player.play('selftest');
      await sleep(this.o.clock, resolvePatterns(this.store.get('display.patterns')).selftest.durationMs);
      await this.player.idle();
      return { ok: this.player.status().consecutiveFailures === 0 };
    }
    return { error: 'unknown command' };
  }
}

function codeOf(error: unknown): ErrorCode | 'unknown' {
  return isPassgateError(error) ? error.code : 'unknown';
}
