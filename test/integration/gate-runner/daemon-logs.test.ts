// What the daemon's log says when something fails, as `passgate run` builds it: a driver that
// keeps failing is logged once per change with a count (not once a second), a portal answer
// that fails authentication is an error line with its code, and a clock correction names the
// offset. Never any content of a scan.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { DEFAULT_TIMEOUTS } from '../../../firmware/core/timeouts.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { provisionGate } from '../../../scripts/lab/provisioned-gate.js';
import { tempRoot } from '../../support/cli.js';
import { CapturingLogger } from './runner-rig.js';

const TEN_MINUTES = 600_000;

describe('daemon logs that explain a failure', () => {
  const clock = new FakeClock(0);
  let fixture: PortalFixture;
  const tmp = tempRoot('pg-daemon-logs-');
  let daemon: Daemon;
  const logger = new CapturingLogger();
  const scanner = new MockSerialScanner('logs-scanner', clock);
  const lines = (event: string) =>
    logger.events(event).filter((e) => e.driver === undefined || e.driver === scanner.name);

  beforeAll(async () => {
    fixture = await startPortalFixture();
    const dataDir = join(tmp.root, 'gate');
    await provisionGate({
      dataDir,
      mock: fixture.mock,
      crypto,
      deviceId: 'WX-DAEMON-LOGS-01',
      settings: { 'display.backend': 'none', 'gate.showMs': 1000, 'gate.dedupWindowMs': 0 },
    });
    daemon = await Daemon.start({
      dataDir,
      crypto,
      logger,
      clock,
      extraInputs: [scanner],
      configuredDrivers: false,
      controlSocket: false,
    });
  });
  afterAll(async () => {
    await daemon?.stop();
    await fixture?.close();
    tmp.remove();
  });

  it('a device that fails to open every second for ten minutes: a handful of lines that count the tries', async () => {
    const before = logger.lines.length;
    for (let second = 0; second <= TEN_MINUTES / 1000; second++) {
      scanner.setState('reconnecting', 'driver.open-failed');
      await clock.advance(1000);
    }
    scanner.setState('open');
    const driverLines = logger.lines
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.driver === scanner.name);
    expect(driverLines.length).toBeLessThanOrEqual(2 + TEN_MINUTES / DEFAULT_TIMEOUTS.driverStateRepeatLogMs + 1);
    expect(driverLines[0]).toMatchObject({ event: 'driver-state', state: 'reconnecting', code: 'driver.open-failed' });
    expect(driverLines.at(-1)).toMatchObject({ event: 'driver-state', level: 'info', state: 'open', code: null });
    const repeated = driverLines.filter((e) => e.event === 'driver-state-repeated');
    expect(repeated.length).toBeGreaterThan(0);
    for (const line of repeated) {
      expect(line).toMatchObject({ level: 'warn', state: 'reconnecting', code: 'driver.open-failed' });
    }
    // Every try is accounted for: the first line and the counts of the repeats after it.
    expect(repeated.reduce((sum, e) => sum + Number(e.repeats), 0)).toBe(TEN_MINUTES / 1000);
  });

  it('a verification answer whose MAC does not verify: an error line with its code, nothing of the answer', async () => {
    fixture.mock.server.setFaults({ wrongMac: true, paths: [PATHS.verifyPassCode] });
    try {
      const index = logger.verdicts.length;
      const code = fixture.mock.passCodeFor('green');
      scanner.inject(code);
      expect(await logger.verdict(index)).toMatchObject({ outcome: 'network-error', cause: 'portal.auth-failed' });
      const [line] = lines('portal-response-unauthenticated');
      expect(line).toEqual({
        t: expect.any(String),
        level: 'error',
        event: 'portal-response-unauthenticated',
        code: 'portal.auth-failed',
        path: PATHS.verifyPassCode,
        check: 'mac',
      });
      expect(logger.lines.join('\n')).not.toContain(code);
    } finally {
      fixture.mock.server.clearFaults();
    }
    await clock.advance(2000);
  });

  it('a clock correction after a CLOCK_SKEW answer names the offset', async () => {
    fixture.mock.server.setFaults({ clockSkewMs: TEN_MINUTES });
    try {
      const index = logger.verdicts.length;
      scanner.inject(fixture.mock.passCodeFor('green'));
      expect((await logger.verdict(index)).outcome).toBe('pass');
      const [line] = lines('portal-clock-corrected');
      expect(line).toMatchObject({ level: 'warn', clockOffsetMs: expect.any(Number) });
      expect(Math.abs(Number(line.clockOffsetMs) - TEN_MINUTES)).toBeLessThan(2000);
    } finally {
      fixture.mock.server.clearFaults();
    }
    await clock.advance(2000);
  });
});
