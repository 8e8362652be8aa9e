// The gate runner wired as the daemon wires it, but with every part in reach of a test: a real
// PortalClient talking HTTPS to the running mock portal, in-memory scanner and card reader, and
// the file-GPIO backend on a temporary sysfs tree. A tap between the player and the sysfs backend
// records each write with the clock time, so a test can compare the exact write sequence with the
// expanded pattern and, frame by frame, the value files with the state each frame should leave.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import type { Clock } from '../../../firmware/core/clock.js';
import { createJsonLogger, type Logger } from '../../../firmware/core/log.js';
import type { OutcomeKind } from '../../../firmware/core/outcome.js';
import { type TimeoutTable, timeoutTable } from '../../../firmware/core/timeouts.js';
import type { GatePolicy } from '../../../firmware/gate/model.js';
import { type GatePortal, GateRunner } from '../../../firmware/gate/runner.js';
import type { PortalClient } from '../../../portal-client/client.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { GATE_VENUE } from '../../../scripts/lab/provisioned-gate.js';
import type { DisplayBackend } from '../../../ui-led/backend.js';
import { GpioSysfsBackend } from '../../../ui-led/backends/gpio-sysfs.js';
import { lineLevel, normalizePins, type PinMap } from '../../../ui-led/backends/pins.js';
import type { DisplayText } from '../../../ui-led/display-text.js';
import { OUTPUT_NAMES, type OutputChanges, type OutputState } from '../../../ui-led/outputs.js';
import { PatternPlayer } from '../../../ui-led/player.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

/** Relay active-low, as on many relay boards: "on" is a 0 in its value file. */
export const PINS: PinMap = normalizePins({
  red: 17,
  green: 27,
  blue: 22,
  buzzer: 23,
  relay: { line: 24, activeLow: true },
});

export const BASE_POLICY: GatePolicy = {
  busyInput: 'drop',
  queueLimit: 1,
  dedupWindowMs: 3000,
  showMs: 5000, // longer than every pattern, so a pattern plays out before the gate rests again
  verifyDeadlineMs: 3000,
  bindModeMs: 60_000,
  natPolicy: 'deny',
  vaccinationPolicy: 'deny',
};

/** A write and its clock time: the same record the recording backend keeps. */
export type { RecordedWrite as TimedWrite } from '../../../ui-led/backends/recording.js';

import type { RecordedWrite as TimedWrite } from '../../../ui-led/backends/recording.js';

/** Passes every call to the sysfs backend; remembers each write and its clock time first. */
export class TapBackend implements DisplayBackend {
  readonly name = 'tap';
  readonly writes: TimedWrite[] = [];
  readonly shown: DisplayText[] = [];

  constructor(
    private readonly inner: DisplayBackend,
    private readonly clock: Clock,
  ) {}

  open(): Promise<void> {
    return this.inner.open();
  }

  set(changes: OutputChanges): Promise<void> {
    this.writes.push({ atMs: this.clock.now(), changes: { ...changes } });
    return this.inner.set(changes);
  }

  show(text: DisplayText): void {
    this.shown.push(text);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface VerdictEvent {
  outcome: OutcomeKind;
  /** Why a network-error or read-error came about (an error code). */
  cause?: string;
  source: string | null;
  readToRequestMs: number | null;
  portalMs: number | null;
  responseToSignalMs: number | null;
  totalMs: number | null;
}

/** A JSON logger that keeps every line and lets a test wait for verdicts. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  readonly verdicts: VerdictEvent[] = [];
  private readonly json = createJsonLogger((line) => this.lines.push(line));

  log(...args: Parameters<Logger['log']>): void {
    this.json.log(...args);
    const [, event, fields] = args;
    if (event === 'verdict') this.verdicts.push(fields as unknown as VerdictEvent);
  }

  events(name: string): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
  }

  /** Resolves with verdict number `index` (0-based) once logged; rejects after `withinMs` real ms. */
  async verdict(index: number, withinMs = EVENT_WAIT_MS): Promise<VerdictEvent> {
    const deadline = Date.now() + withinMs;
    while (this.verdicts.length <= index) {
      if (Date.now() > deadline)
        throw new Error(`no verdict #${index} within ${withinMs} ms (have ${this.verdicts.length})`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.verdicts[index];
  }
}

/**
 * The client as the runner sees it, passing every call through and noting when each has
 * settled: a test can wait for the portal's answer to a request the gate no longer waits for
 * (the late answer arrived, or the client's own deadline cut it off) instead of guessing how long
 * that takes.
 */
export class SettlingPortal implements GatePortal {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly inner: GatePortal) {}

  /**
   * Resolves once every call made so far has settled. The runner's own handler of each answer
   * was attached before this waiter, so it has run by then.
   */
  async allSettled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  verifyPassCode(...args: Parameters<GatePortal['verifyPassCode']>) {
    return this.track(this.inner.verifyPassCode(...args));
  }

  verifyIdCard(...args: Parameters<GatePortal['verifyIdCard']>) {
    return this.track(this.inner.verifyIdCard(...args));
  }

  bind(...args: Parameters<GatePortal['bind']>) {
    return this.track(this.inner.bind(...args));
  }

  rebind(...args: Parameters<GatePortal['rebind']>) {
    return this.track(this.inner.rebind(...args));
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.pending.add(call);
    const done = () => this.pending.delete(call);
    call.then(done, done);
    return call;
  }
}

export interface RunnerRigOptions {
  clock: Clock;
  policy?: Partial<GatePolicy>;
  clientTimeouts?: Partial<TimeoutTable>;
  /** Bind the device at the portal before the runner starts (default true). */
  portalBound?: boolean;
  /** What the runner believes at start (default: as the portal). */
  runnerBound?: boolean;
  tokenTtlMs?: number;
}

export interface RunnerRig {
  fixture: PortalFixture;
  client: PortalClient;
  /** The client as the runner uses it, with its calls' settling in view. */
  portal: SettlingPortal;
  runner: GateRunner;
  player: PatternPlayer;
  tap: TapBackend;
  logger: CapturingLogger;
  scanner: MockSerialScanner;
  cards: MockIdCardReader;
  gpioRoot: string;
  bindResults: Array<Parameters<NonNullable<ConstructorParameters<typeof GateRunner>[0]['onBindFinished']>>[0]>;
  /** The logical output state the value files hold now. */
  pins(): OutputState;
  close(): Promise<void>;
}

/** A fake /sys/class/gpio with every wired line already exported as an input. */
export function fakeSysfs(pins: PinMap): string {
  const root = mkdtempSync(join(tmpdir(), 'pg-gpio-'));
  for (const spec of Object.values(pins)) {
    mkdirSync(join(root, `gpio${spec.line}`));
    writeFileSync(join(root, `gpio${spec.line}`, 'value'), '0');
    writeFileSync(join(root, `gpio${spec.line}`, 'direction'), 'in');
  }
  writeFileSync(join(root, 'export'), '');
  return root;
}

/** The logical state of the outputs as the value files under `root` hold it. */
export function readPins(root: string, pins: PinMap): OutputState {
  const state = {} as OutputState;
  for (const name of OUTPUT_NAMES) {
    const spec = pins[name];
    if (!spec) {
      state[name] = false;
      continue;
    }
    const level = readFileSync(join(root, `gpio${spec.line}`, 'value'), 'utf8').trim();
    state[name] = level === String(lineLevel(spec, true));
  }
  return state;
}

export async function startRunnerRig(o: RunnerRigOptions): Promise<RunnerRig> {
  const fixture = await startPortalFixture({ tokenTtlMs: o.tokenTtlMs });
  const client = fixture.client({ timeouts: o.clientTimeouts });
  await client.authorize();
  const portalBound = o.portalBound !== false;
  if (portalBound) await client.bind(GATE_VENUE.venueCode);

  const gpioRoot = fakeSysfs(PINS);
  const sysfs = new GpioSysfsBackend({ pins: PINS, root: gpioRoot, timeouts: timeoutTable(), clock: o.clock });
  const tap = new TapBackend(sysfs, o.clock);
  await tap.open();
  const player = new PatternPlayer({ backend: tap, clock: o.clock });
  // The player knows nothing of the files until it first writes them: make that first write
  // (all five outputs) now, so every later write is exactly a pattern's change.
  await player.allOff();
  tap.writes.length = 0;

  const logger = new CapturingLogger();
  const bindResults: RunnerRig['bindResults'] = [];
  const portal = new SettlingPortal(client);
  const runner = new GateRunner({
    portal,
    display: player,
    clock: o.clock,
    logger,
    policy: { ...BASE_POLICY, ...o.policy },
    provisioned: true,
    bound: o.runnerBound ?? portalBound,
    onBindFinished: (result) => bindResults.push(result),
  });
  // The drivers stamp arrival times on the gate's clock, as real drivers do on performance.now().
  const scanner = new MockSerialScanner('test-scanner', o.clock);
  const cards = new MockIdCardReader('test-card-reader', o.clock);
  for (const driver of [scanner, cards]) {
    runner.attachInput(driver);
    await driver.open();
  }
  return {
    fixture,
    client,
    portal,
    runner,
    player,
    tap,
    logger,
    scanner,
    cards,
    gpioRoot,
    bindResults,
    pins: () => readPins(gpioRoot, PINS),
    async close() {
      runner.close();
      await player.close();
      await fixture.close();
      rmSync(gpioRoot, { recursive: true, force: true });
    },
  };
}

export { crypto };
