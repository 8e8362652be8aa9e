// `passgate bind --scan` and the daemon's bind mode: bind mode lasts only while the CLI is there
// (Ctrl-C, SIGTERM or a lost terminal end it at once), a pass code scanned in bind mode is never
// sent to the portal as a venue code (the gate says "not a venue code" and goes on waiting), and a
// venue the portal answers with that the device cannot store never takes the daemon down.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import type { PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { cli, type DaemonRig, expectBilingual, spawnBin, startDaemon } from '../../support/cli.js';
import { gatePerTest } from '../../support/gate-per-test.js';
import { until } from '../../support/polling.js';

const VENUE = demoVenues()[1];
/** Long enough that only the CLI going away can explain a prompt end of bind mode. */
const BIND_MODE_MS = 30_000;

const gate = gatePerTest('pg-bind-scan', {
  settings: { 'display.backend': 'none', timeouts: { bindModeMs: BIND_MODE_MS } },
});
let rig: DaemonRig | null = null;
let scanner: MockSerialScanner;
let dataDir: string;
let fixture: PortalFixture;

beforeEach(async () => {
  ({ dataDir, fixture } = gate);
  fixture.mock.server.resetStats();
  scanner = new MockSerialScanner('bind-scan-scanner');
  rig = await startDaemon(dataDir, { inputs: [scanner] });
});
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

const phase = () => rig!.daemon.status().phase;
const events = (name: string) => rig!.logLines.map((l) => JSON.parse(l)).filter((l) => l.event === name);

describe('bind mode ends with the CLI that asked for it', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} to \`passgate bind --scan\`: bind mode ends at once, and the next pass code is verified`, async () => {
      const child = spawnBin('passgate', ['bind', '--scan', '--data-dir', dataDir]);
      await until(() => phase() === 'bind-mode', 15_000, 'bind mode');
      child.child.kill(signal);
      await child.exited;
      const started = Date.now();
      await until(() => phase() === 'unbound', 3000, 'bind mode to end');
      expect(Date.now() - started).toBeLessThan(BIND_MODE_MS / 10);
      expect(events('bind-abandoned')).toHaveLength(1);
      // The next resident is answered by the gate, not taken as a venue code.
      const verdict = rig!.nextVerdict();
      scanner.inject(fixture.mock.passCodeFor('green'));
      expect((await verdict).outcome).toBe('not-bound');
      expect(fixture.mock.server.stats().byPath[PATHS.bind]).toBeUndefined();
    });
  }
});

describe('a pass code scanned in bind mode', () => {
  it('is never sent as a venue code: "not a venue code" on the gate and the CLI, and bind mode goes on', async () => {
    const pending = cli(dataDir, 'bind', '--scan');
    await until(() => phase() === 'bind-mode', 3000, 'bind mode');
    scanner.inject(fixture.mock.passCodeFor('green'));
    scanner.inject('https://example.org/not-a-venue');
    await until(() => events('input-dropped').filter((e) => e.reason === 'not-venue-code').length === 2);
    expect(phase()).toBe('bind-mode');
    expect(fixture.mock.server.stats().byPath[PATHS.bind]).toBeUndefined();
    scanner.inject(VENUE.venueCode);
    const r = await pending;
    expect(r.code, r.stderr.join('\n')).toBe(EXIT.ok);
    expect(r.stderr.filter((l) => l.includes('not a venue code'))).toHaveLength(2);
    expect(r.stdout[0]).toContain(VENUE.name);
    expect(fixture.mock.server.stats().byPath[PATHS.bind]).toBe(1);
    expect(rig!.daemon.status().binding?.venueCode).toBe(VENUE.venueCode);
  });
});

describe('venue data the device cannot store, answered to a bind by scan', () => {
  it('fails the bind with the cause; the daemon stays up, and a retry once the portal is fixed binds', async () => {
    fixture.mock.server.setFaults({ venueFields: { name: 'A\tB' } });
    const pending = cli(dataDir, 'bind', '--scan');
    await until(() => phase() === 'bind-mode', 3000, 'bind mode');
    scanner.inject(VENUE.venueCode);
    const r = await pending;
    expect(r.code).toBe(EXIT.portalRejected);
    expect(expectBilingual(r).en).toContain('portal.bad-response');
    expect(events('bind-failed').map((e) => e.code)).toEqual(['portal.bad-response']);
    expect(phase()).toBe('unbound');

    fixture.mock.server.clearFaults();
    const retry = cli(dataDir, 'bind', '--scan');
    await until(() => phase() === 'bind-mode', 3000, 'bind mode again');
    scanner.inject(VENUE.venueCode);
    // The portal bound the device the first time: ALREADY_BOUND to this venue is a success.
    expect((await retry).code).toBe(EXIT.ok);
    expect(rig!.daemon.status().binding?.venueCode).toBe(VENUE.venueCode);
  });

  it('bound at the portal but not saved by the daemon: the CLI says so, and a retry by scan saves it', async () => {
    const pending = cli(dataDir, 'bind', '--scan');
    await until(() => phase() === 'bind-mode', 3000, 'bind mode');
    // Another writer holds the database for longer than the daemon's store waits (configBusyMs).
    const blocker = new Database(join(dataDir, 'passgate.db'));
    blocker.exec('BEGIN IMMEDIATE');
    let r: Awaited<typeof pending>;
    try {
      scanner.inject(VENUE.venueCode);
      r = await pending;
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(r.code).toBe(EXIT.storage);
    expect(expectBilingual(r).en).toContain('bound at the portal, but saving the binding on this device failed');
    expect(events('binding-save-failed').map((e) => e.code)).toEqual(['config.storage']);
    expect(rig!.daemon.status().binding).toBeNull();

    const retry = cli(dataDir, 'bind', '--scan');
    await until(() => phase() === 'bind-mode', 3000, 'bind mode again');
    scanner.inject(VENUE.venueCode);
    expect((await retry).code).toBe(EXIT.ok);
    expect(rig!.daemon.status().binding?.venueCode).toBe(VENUE.venueCode);
  }, 30_000);
});
