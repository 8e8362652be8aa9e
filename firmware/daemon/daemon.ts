// `passgate run`: the gate daemon. Wires config, identity, the portal client, the display, the
// input drivers and the gate runner together, applies config changes made by the CLI while it
// runs, answers the control socket, and on SIGTERM turns every output off and exits cleanly.
import type { Server } from 'node:net';
import type { InputDriver } from '../../drivers/input.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { DisplayBackend } from '../../ui-led/backend.js';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';
import { PatternPlayer } from '../../ui-led/player.js';
import type { ConfigKey } from '../config/schema.js';
import { ConfigStore } from '../config/store.js';
import { type Clock, sleep } from '../core/clock.js';
import { type ErrorCode, isPassgateError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { TimeoutTable } from '../core/timeouts.js';
import { GateRunner } from '../gate/runner.js';
import { BindingKeeper } from './binding-keeper.js';
import type { BindingSummary } from './binding-settings.js';
import { configChangeOf, gatePolicyFromConfig } from './config-bridge.js';
import { type ControlRequest, listenControlSocket } from './control-socket.js';
import { isProvisioned, timeoutsFromConfig } from './device-identity.js';
import { displayBackendFromConfig, patternsFromConfig } from './display-from-config.js';
import { DriverStateLog } from './driver-state-log.js';
import { inputDriversFromConfig } from './drivers-from-config.js';
import { PortalLink, type PortalLinkStatus } from './portal-link.js';

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
  binding: BindingSummary | null;
  phase: string;
  portal: PortalLinkStatus;
  drivers: Array<{ name: string; state: string; lastError?: string }>;
  outcomes: Record<string, number>;
  dropped: number;
  uptimeMs: number;
  pid: number;
}

export class Daemon {
  private readonly o: DaemonOptions;
  private store!: ConfigStore;
  private timeouts!: TimeoutTable;
  private binding!: BindingKeeper;
  private portal!: PortalLink;
  private runner!: GateRunner;
  private player!: PatternPlayer;
  private backend!: DisplayBackend;
  private drivers: InputDriver[] = [];
  private control: Server | null = null;
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
    const { logger, clock, dataDir } = this.o;
    this.store = ConfigStore.open(dataDir);
    this.timeouts = timeoutsFromConfig(this.store);
    this.binding = new BindingKeeper(this.store);

    const stream = this.o.displayStream ?? process.stdout;
    this.backend = displayBackendFromConfig(this.store, { stream, timeouts: this.timeouts, clock });
    await this.backend.open().catch((error: unknown) => {
      logger.log('error', 'display-open-failed', { code: codeOf(error) });
    });
    this.player = new PatternPlayer({ backend: this.backend, clock, patterns: patternsFromConfig(this.store) });
    this.player.onError((error) => logger.log('warn', 'display-error', { code: error.code }));

    this.portal = new PortalLink({
      store: this.store,
      dataDir,
      crypto: this.o.crypto,
      logger,
      timeouts: () => this.timeouts,
      onHealth: (up) => this.runner.dispatch({ type: 'portal-health', up }),
      // The portal's authenticated word: stored, and told to the gate even when nothing changed
      // (after an authenticated NOT_BOUND the gate rests unbound until it hears this).
      onBinding: (venue) => {
        this.binding.reconcile(venue);
        this.runner.dispatch({ type: 'binding', bound: venue !== null });
      },
    });
    const provisioned = isProvisioned(this.store);
    this.runner = new GateRunner({
      portal: this.portal.gatePortal(),
      display: this.player,
      clock,
      logger,
      policy: gatePolicyFromConfig(this.store, this.timeouts),
      provisioned,
      bound: this.binding.isBound(),
      onBindFinished: (result) => this.binding.recordScanBind(result),
      onBindingDoubted: () => this.portal.checkHealth(),
    });
    if (provisioned) await this.portal.connect();

    this.store.onChange((keys) => this.onConfigChange(keys));
    this.store.onError((error) => logger.log('warn', 'config-error', { code: error.code }));
    this.store.watch();

    const fromConfig = this.o.configuredDrivers !== false;
    const configured = fromConfig ? await inputDriversFromConfig(this.store, this.timeouts) : [];
    const drivers = [...configured, ...(this.o.extraInputs ?? [])];
    const driverStates = new DriverStateLog(logger, clock, () => this.timeouts.driverStateRepeatLogMs);
    for (const driver of drivers) {
      this.runner.attachInput(driver);
      driver.onState((s) => driverStates.record(s));
      await driver.open().catch((error: unknown) => {
        logger.log('error', 'driver-open-failed', { driver: driver.name, code: codeOf(error) });
      });
    }
    this.drivers = drivers;

    if (this.o.controlSocket !== false) this.control = await listenControlSocket(dataDir, (req) => this.onControl(req));
    this.startScanBind();
    const readyMs = Math.round(clock.now() - this.startedAt);
    logger.log('info', 'ready', { readyMs, provisioned, bound: this.binding.isBound(), inputs: drivers.length });
    // Authorize after `ready`: its SM2 work (~0.1 s) need not delay the gate's start.
    setImmediate(() => this.portal.checkHealth());
  }

  /** Feeds an input event as if a driver had read it (used by tests and the demo). */
  input(event: Parameters<GateRunner['acceptInput']>[0]): void {
    this.runner.acceptInput(event);
  }

  status(): DaemonStatus {
    return {
      deviceId: this.store.get('identity.deviceId'),
      provisioned: isProvisioned(this.store),
      binding: this.binding.summary(),
      phase: this.runner.phase().kind,
      portal: this.portal.status(),
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
    const portalClosed = this.portal.close(); // no health check reports from here on
    this.runner.close();
    await Promise.all(this.drivers.map((d) => d.close().catch(() => undefined)));
    await this.player.close().catch(() => undefined); // every output off
    await this.backend.close().catch(() => undefined);
    await portalClosed;
    if (this.control) await new Promise<void>((resolve) => this.control!.close(() => resolve()));
    this.store.close();
    this.o.logger.log('info', 'stopped', {});
  }

  // ------------------------------------------------------------------ wiring

  private onConfigChange(keys: ConfigKey[]): void {
    if (this.stopped) return;
    const change = configChangeOf(keys);
    if (change.policyKeys.length > 0) {
      this.timeouts = timeoutsFromConfig(this.store);
      this.runner.setPolicy(gatePolicyFromConfig(this.store, this.timeouts));
      this.o.logger.log('info', 'settings-applied', { keys: change.policyKeys.join(',') });
    }
    if (change.identity) {
      this.portal.reconnect();
      this.runner.dispatch({ type: 'provisioning', provisioned: isProvisioned(this.store) });
    }
    if (change.binding) this.runner.dispatch({ type: 'binding', bound: this.binding.isBound() });
    if (change.scanRequest) this.startScanBind();
    if (change.restartRequired) {
      this.o.logger.log('warn', 'restart-required', { reason: 'display and driver settings apply at the next start' });
    }
  }

  /** Bind mode, when the CLI asked for it (`passgate bind --scan`). */
  private startScanBind(): void {
    const request = this.binding.scanRequest();
    if (request) this.runner.requestBindMode(request.mode, request.requestId);
  }

  private async onControl(request: ControlRequest): Promise<unknown> {
    if (request.cmd === 'status') return this.status();
    if (request.cmd === 'selftest-display') {
      // Answer once the whole cycle has run, so "ok" covers every colour and the buzzer.
      this.player.play('selftest');
      await sleep(this.o.clock, patternsFromConfig(this.store).selftest.durationMs);
      await this.player.idle();
      return { ok: this.player.status().consecutiveFailures === 0 };
    }
    return { error: 'unknown command' };
  }
}

function codeOf(error: unknown): ErrorCode | 'unknown' {
  return isPassgateError(error) ? error.code : 'unknown';
}
