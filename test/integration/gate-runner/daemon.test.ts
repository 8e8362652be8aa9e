// The daemon as `passgate run` builds it from config (gpio-sysfs display on a temp tree, portal
// client from the provisioned identity, timeouts from config), fed by an in-memory scanner:
// bind by scanning the venue code, then scans, a portal fault, and a clean stop.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { type DaemonSession, openDaemonSession } from '../../../firmware/daemon/control-socket.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { GATE_VENUE, provisionGate } from '../../../scripts/lab/provisioned-gate.js';
import { normalizePins } from '../../../ui-led/backends/pins.js';
import { allOutputsOff, type OutputState } from '../../../ui-led/outputs.js';
import { tempRoot } from '../../support/cli.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import { expectedStates } from './expected-pattern.js';
import { CapturingLogger, fakeSysfs, readPins } from './runner-rig.js';

const CONFIG_PINS = { red: 17, green: 27, blue: 22, buzzer: 23, relay: 24 };
const PINS = normalizePins(CONFIG_PINS);
const DEADLINE_MS = 800;
/**
 * How long after the deadline the network-error may show: timer granularity and the daemon's own
 * work. Measured without the time this process waited for a CPU (support/cpu-wait.ts).
 */
const MARGIN_MS = 400;

async function until<T>(what: string, probe: () => T | undefined | false, withinMs = EVENT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('daemon: bind by scan, verify, faults, stop (gpio-sysfs from config)', () => {
  const clock = new FakeClock(0);
  let fixture: PortalFixture;
  const tmp = tempRoot('pg-daemon-');
  let dataDir: string;
  let gpioRoot: string;
  let daemon: Daemon;
  const logger = new CapturingLogger();
  const scanner = new MockSerialScanner('daemon-test-scanner');
  let bindRequest: DaemonSession;
  const pinsAre = (state: OutputState) =>
    until(`pins ${JSON.stringify(state)}`, () => JSON.stringify(readPins(gpioRoot, PINS)) === JSON.stringify(state));

  beforeAll(async () => {
    fixture = await startPortalFixture();
    dataDir = join(tmp.root, 'gate');
    gpioRoot = fakeSysfs(PINS);
    await provisionGate({
      dataDir,
      mock: fixture.mock,
      crypto,
      deviceId: 'WX-DAEMON-TEST-01',
      bind: false,
      settings: {
        'display.backend': 'gpio-sysfs',
        'display.gpioRoot': gpioRoot,
        'display.pins': CONFIG_PINS,
        'gate.showMs': 1000,
        timeouts: { verifyDeadlineMs: DEADLINE_MS },
      },
    });
    daemon = await Daemon.start({ dataDir, crypto, logger, clock, extraInputs: [scanner], configuredDrivers: false });
    // As `passgate bind --scan` asks for it: the connection stays open while bind mode lasts.
    bindRequest = openDaemonSession(dataDir, { cmd: 'bind-scan', mode: 'bind' });
    await until('bind mode', () => daemon.status().phase === 'bind-mode');
  });
  afterAll(async () => {
    await daemon?.stop();
    await fixture?.close();
    tmp.remove();
    rmSync(gpioRoot, { recursive: true, force: true });
  });

  it("enters bind mode for the CLI's request, flashing blue, with every other output off", async () => {
    expect(daemon.status().phase).toBe('bind-mode');
    expect(daemon.status().binding).toBeNull();
    await pinsAre(expectedStates('bind-mode')[0].state);
    expect(logger.events('ready')).toHaveLength(1);
  });

  it('a scanned venue code binds through the portal; config and status say so; bind-ok shows', async () => {
    scanner.inject(GATE_VENUE.venueCode);
    const binding = await until('binding', () => daemon.status().binding ?? undefined);
    expect(binding).toMatchObject({
      venueCode: GATE_VENUE.venueCode,
      venueName: GATE_VENUE.name,
      venueCategory: GATE_VENUE.category,
    });
    const store = ConfigStore.open(dataDir);
    try {
      expect(store.get('binding.venueCode')).toBe(GATE_VENUE.venueCode);
      expect(store.get('binding.natValidityHours')).toBe(48);
    } finally {
      store.close();
    }
    expect((await bindRequest.ended).answer).toEqual({
      event: 'bind-finished',
      ok: true,
      venue: { code: GATE_VENUE.venueCode, name: GATE_VENUE.name, category: GATE_VENUE.category },
    });
    await pinsAre(expectedStates('bind-ok')[0].state);
    expect(daemon.status().phase).toBe('idle');
    await clock.advance(2000);
    await pinsAre(allOutputsOff());
  });

  it('a green pass code then opens the gate (relay file on), and the pattern ends with it off', async () => {
    const index = logger.verdicts.length;
    scanner.inject(fixture.mock.passCodeFor('green'));
    expect((await logger.verdict(index)).outcome).toBe('pass');
    await pinsAre(expectedStates('pass')[0].state);
    await clock.advance(2000);
    await pinsAre(allOutputsOff());
  });

  it('portal slower than timeouts.verifyDeadlineMs from config → network-error within it', async () => {
    fixture.mock.server.setFaults({ latencyMs: DEADLINE_MS * 3 });
    try {
      const index = logger.verdicts.length;
      const watch = startStopwatch();
      scanner.inject(fixture.mock.passCodeFor('green'));
      expect((await logger.verdict(index)).outcome).toBe('network-error');
      expect(watch.activeMs()).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      await pinsAre(expectedStates('network-error')[0].state);
      expect(readPins(gpioRoot, PINS).relay).toBe(false);
    } finally {
      fixture.mock.server.clearFaults();
    }
    await clock.advance(3000);
    expect(daemon.status().outcomes).toMatchObject({ pass: 1, 'network-error': 1 });
  });

  it('a plaintext NOT_BOUND (anyone on the path could send it) is a network error; the gate stays bound', async () => {
    fixture.mock.server.setFaults({ plainError: 'NOT_BOUND', paths: [PATHS.verifyPassCode] });
    try {
      const index = logger.verdicts.length;
      scanner.inject(fixture.mock.passCodeFor('green'));
      expect(await logger.verdict(index)).toMatchObject({ outcome: 'network-error', cause: 'portal.not-bound' });
    } finally {
      fixture.mock.server.clearFaults();
    }
    await clock.advance(3000);
    expect(daemon.status().phase).toBe('idle');
    expect(daemon.status().binding?.venueCode).toBe(GATE_VENUE.venueCode);
  });

  it('an authenticated NOT_BOUND shows not-bound; the daemon asks the portal again and the gate is back', async () => {
    const authorizesBefore = logger.events('portal-authorized').length;
    fixture.mock.server.setFaults({ sealedError: 'NOT_BOUND', paths: [PATHS.verifyPassCode] });
    const index = logger.verdicts.length;
    scanner.inject(fixture.mock.passCodeFor('green'));
    expect(await logger.verdict(index)).toMatchObject({ outcome: 'not-bound', cause: 'portal.not-bound' });
    fixture.mock.server.clearFaults();
    // The background authorize says the device is bound after all (the binding survived).
    await until('re-authorize', () => logger.events('portal-authorized').length > authorizesBefore);
    await clock.advance(3000);
    await until('idle again', () => daemon.status().phase === 'idle');
    expect(daemon.status().binding?.venueCode).toBe(GATE_VENUE.venueCode);
    scanner.inject(fixture.mock.passCodeFor('green'));
    expect((await logger.verdict(index + 1)).outcome).toBe('pass');
    await clock.advance(2000);
  });

  it('stop() switches every output off and logs stopped', async () => {
    const index = logger.verdicts.length;
    scanner.inject(fixture.mock.passCodeFor('yellow'));
    expect((await logger.verdict(index)).outcome).toBe('deny');
    await pinsAre(expectedStates('deny')[0].state);
    await daemon.stop();
    expect(readPins(gpioRoot, PINS)).toEqual(allOutputsOff());
    expect(logger.events('stopped')).toHaveLength(1);
  });
});
