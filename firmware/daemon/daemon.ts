// `passgate run`: the gate daemon. Wires config, identity, the portal client, the display, the
// input drivers and the gate runner together, applies config changes made by the CLI while it
// runs, answers the control socket, and on SIGTERM turns every output off and exits cleanly.
//
// Start order: the config, then the instance lock (one daemon per data directory), the control
// socket, the display, the portal and the gate, and the input drivers last. A start that fails
// at any step closes what it had opened and throws the cause.
import type { InputDriver } from '../../drivers/input.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';
import { PatternPlayer } from '../../ui-led/player.js';
import type { ConfigKey } from '../config/schema.js';
import { ConfigStore } from '../config/store.js';
import { type Clock, sleep } from '../core/clock.js';
import { type ErrorCode, isPassgateError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { TimeoutTable } from '../core/timeouts.js';
import { passgateVersion } from '../core/version.js';
import { GateRunner } from '../gate/runner.js';
import { BindingKeeper } from './binding-keeper.js';
import type { BindingSummary } from './binding-settings.js';
import { configChangeOf, gatePolicyFromConfig } from './config-bridge.js';
import {
  type ControlConnection,
  type ControlMessage,
  type ControlRequest,
  checkedControlSocketPath,
  listenControlSocket,
} from './control-socket.js';
import { isProvisioned, timeoutsFromConfig } from './device-identity.js';
import { displayBackendFromConfig, patternsFromConfig } from './display-from-config.js';
import { DriverStateLog } from './driver-state-log.js';
import { inputDriversFromConfig } from './drivers-from-config.js';
import { takeInstanceLock } from './instance-lock.js';
import { PortalLink, type PortalLinkStatus } from './portal-link.js';
import { ScanBinds } from './scan-binds.js';

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
  /** The display: outputs whose state at the backend is unknown or wrong (being retried), and failed writes. */
  display: { mismatched: string[]; consecutiveFailures: number };
  /** The running daemon's version (package.json's). */
  version: string;
  pid: number;
  /** Settings changed since the daemon started that apply only at its next start (display.*, drivers.*). */
  restartPending: string[];
}

export class Daemon {
  private readonly o: DaemonOptions;
  private store!: ConfigStore;
  private timeouts!: TimeoutTable;
  private binding!: BindingKeeper;
  private scanBinds!: ScanBinds;
  private portal!: PortalLink;
  private runner!: GateRunner;
  private player!: PatternPlayer;
  private drivers: InputDriver[] = [];
  /** What boot opened, in order; closed in reverse by stop() or by a failed start. */
  private readonly closers: Array<() => unknown> = [];
  private readonly startedAt: number;
  private readonly restartPending = new Set<ConfigKey>();
  private ready = false;
  private stopped = false;

  private constructor(options: DaemonOptions) {
    this.o = options;
    this.startedAt = options.clock.now();
  }

  /**
   * Starts the daemon. A start that fails closes whatever it had opened (outputs off, socket and
   * lock released) and throws the cause: a PassgateError whose message says what to fix.
   */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const daemon = new Daemon(options);
    try {
      await daemon.boot();
    } catch (error) {
      daemon.stopped = true;
      await daemon.closeOpened();
      throw error;
    }
    return daemon;
  }

  private async boot(): Promise<void> {
    const { logger, clock, dataDir } = this.o;
    const listen = this.o.controlSocket !== false;
    // Refused before anything is created: Node would bind a truncated path of another name.
    if (listen) checkedControlSocketPath(dataDir);
    const store = ConfigStore.open(dataDir);
    this.store = store;
    this.opened(() => store.close());
    // One daemon per data directory, decided before the socket or any device is opened.
    const lock = takeInstanceLock(dataDir);
    this.opened(() => lock.release());
    for (const entry of store.list()) {
      if (entry.storedInvalid) logger.log('warn', 'config-value-ignored', { key: entry.key, using: 'default' });
    }
    this.timeouts = timeoutsFromConfig(store);
    this.binding = new BindingKeeper(store, logger);
    this.scanBinds = new ScanBinds({
      runner: () => this.runner,
      keeper: this.binding,
      bindModeMs: () => this.timeouts.bindModeMs,
      logger,
    });
    if (listen) {
      const control = await listenControlSocket(
        dataDir,
        (request, connection) => this.onControl(request, connection),
        this.timeouts.controlSocketMs,
      );
      this.opened(() => control.close());
    }

    // Checked in full (createDisplayBackend, resolvePatterns) before any output is touched.
    const patterns = patternsFromConfig(store);
    const stream = this.o.displayStream ?? process.stdout;
    const backend = displayBackendFromConfig(store, { stream, timeouts: this.timeouts, clock });
    this.opened(() => backend.close());
    await backend.open().catch((error: unknown) => {
      logger.log('error', 'display-open-failed', { code: codeOf(error) });
    });
    const player = new PatternPlayer({ backend, clock, patterns });
    this.player = player;
    this.opened(() => player.close()); // every output off, before the backend closes
    player.onError((error) => logger.log('warn', 'display-error', { code: error.code }));

    const portal = new PortalLink({
      store,
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
    this.portal = portal;
    this.opened(() => portal.close());
    const provisioned = isProvisioned(store);
    const runner = new GateRunner({
      portal: portal.gatePortal(),
      display: {
        play: (kind, verdict) => {
          player.play(kind, verdict);
          this.scanBinds.shown(kind);
        },
      },
      clock,
      logger,
      policy: gatePolicyFromConfig(store, this.timeouts),
      provisioned,
      bound: this.binding.isBound(),
      onBindFinished: (result) => this.scanBinds.finished(result),
      onBindingDoubted: () => portal.checkHealth(),
    });
    this.runner = runner;
    this.opened(() => runner.close());
    if (provisioned) await portal.connect();

    store.onChange((keys) => this.onConfigChange(keys));
    store.onError((error) => logger.log('warn', 'config-error', { code: error.code }));
    store.watch();

    // The inputs last: nothing reaches the gate before it can answer.
    const fromConfig = this.o.configuredDrivers !== false;
    const configured = fromConfig ? await inputDriversFromConfig(store, this.timeouts) : [];
    const drivers = [...configured, ...(this.o.extraInputs ?? [])];
    const driverStates = new DriverStateLog(logger, clock, () => this.timeouts.driverStateRepeatLogMs);
    for (const driver of drivers) {
      this.opened(() => driver.close());
      runner.attachInput(driver);
      driver.onState((s) => driverStates.record(s));
      await driver.open().catch((error: unknown) => {
        logger.log('error', 'driver-open-failed', { driver: driver.name, code: codeOf(error) });
      });
    }
    this.drivers = drivers;

    this.ready = true;
    const readyMs = Math.round(clock.now() - this.startedAt);
    logger.log('info', 'ready', {
      version: passgateVersion(),
      readyMs,
      provisioned,
      bound: this.binding.isBound(),
      inputs: drivers.length,
    });
    // Authorize after `ready`: its SM2 work (~0.1 s) need not delay the gate's start.
    setImmediate(() => portal.checkHealth());
  }

  private opened(close: () => unknown): void {
    this.closers.push(close);
  }

  /** Closes what boot opened, newest first; one that fails does not keep the rest open. */
  private async closeOpened(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // Best effort: the outputs, the socket and the lock must still be released.
      }
    }
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
      display: (({ mismatched, consecutiveFailures }) => ({ mismatched, consecutiveFailures }))(this.player.status()),
      version: passgateVersion(),
      pid: process.pid,
      restartPending: [...this.restartPending],
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    this.scanBinds.cancelAll();
    await this.closeOpened(); // inputs, gate, portal, outputs off, socket, lock, config
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
    for (const key of change.restartKeys) this.restartPending.add(key);
    if (change.restartRequired) {
      this.o.logger.log('warn', 'restart-required', { reason: 'display and driver settings apply at the next start' });
    }
  }

  private async onControl(request: ControlRequest, connection: ControlConnection): Promise<ControlMessage> {
    if (!this.ready) return { error: 'the daemon is starting or stopping' };
    if (request.cmd === 'status') return { ...this.status() };
    if (request.cmd === 'bind-scan') return this.scanBinds.request(request.mode, connection);
    // Answer once the whole cycle has run, so "ok" covers every colour and the buzzer.
    this.player.play('selftest');
    await sleep(this.o.clock, patternsFromConfig(this.store).selftest.durationMs);
    await this.player.idle();
    return { ok: this.player.status().consecutiveFailures === 0 };
  }
}

function codeOf(error: unknown): ErrorCode | 'unknown' {
  return isPassgateError(error) ? error.code : 'unknown';
}
