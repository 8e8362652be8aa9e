// `passgate bind` / `passgate rebind` through main(), against the HTTPS mock portal: success,
// every failure with its own exit code and a Chinese + English message, and `--scan` through a
// running daemon's scanner.
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { DEMO_SUSPENDED_VENDOR, demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import type { FaultSettings } from '../../../portal-client/mock/faults.js';
import { MAX_BOUND_AT_MS } from '../../../portal-client/protocol/venue.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import {
  cli,
  DAEMON_CLI_TIMEOUTS,
  type DaemonRig,
  expectBilingual,
  provisionGateDir,
  startDaemon,
  tempRoot,
} from '../../support/cli.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { until } from '../../support/polling.js';

const VENUES = demoVenues();
const [VENUE_A, VENUE_B] = [VENUES[0], VENUES[5]];
/** What the category line must say, independently of the CLI's own table. */
const CATEGORY_EN: Record<string, string> = {
  transport: 'public transport',
  enterprise: 'enterprise',
  'public-place': 'crowded public place',
  residential: 'residential',
};

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let deviceSerial = 0;
const nextDeviceId = () => `WX-BIND-${String(++deviceSerial).padStart(4, '0')}`;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-bind-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function configGet(key: string): Promise<string> {
  const r = await cli(dataDir, 'config', 'get', key);
  expect(r.code).toBe(0);
  return r.stdout[0];
}

describe('passgate bind / rebind <venue>', () => {
  it('binds: prints the venue name and category, and writes binding.* config', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toEqual([]);
    expect(r.stdout[0]).toContain(VENUE_A.name);
    expect(r.stdout[0]).toContain(VENUE_A.venueCode);
    expect(r.stdout[1]).toContain(CATEGORY_EN[VENUE_A.category]);
    expect(r.stdout[1]).toMatch(/[\u4e00-\u9fff]/);
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
    expect(await configGet('binding.venueName')).toBe(VENUE_A.name);
    expect(await configGet('binding.venueCategory')).toBe(VENUE_A.category);
    expect(new Date(await configGet('binding.boundAt')).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // rebind moves it, and --json says so in one object.
    const moved = await cli(dataDir, 'rebind', VENUE_B.venueCode, '--json');
    expect(moved.code).toBe(EXIT.ok);
    expect(JSON.parse(moved.stdout[0])).toEqual({
      ok: true,
      mode: 'rebind',
      venue: { code: VENUE_B.venueCode, name: VENUE_B.name, category: VENUE_B.category },
    });
    expect(await configGet('binding.venueCode')).toBe(VENUE_B.venueCode);
    expect(await configGet('binding.natValidityHours')).toBe(String(VENUE_B.natValidityHours ?? 0));
  });

  it('not provisioned: exit 10', async () => {
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.notProvisioned);
    expect(r.code).toBe(10);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('passgate provision');
    expect(en).toContain('not provisioned');
    expect((await cli(dataDir, 'rebind', '--scan')).code).toBe(10);
  });

  it('portal unreachable (nothing listens on its port): exit 11, and fast', async () => {
    const port = await closedPort();
    const settings = { 'portal.url': `https://127.0.0.1:${port}` };
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), settings });
    const watch = startStopwatch();
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    // Fast: a refused connection, not a wait for the admin deadline (10 s). Measured without the
    // time this process waited for a CPU (support/cpu-wait.ts), so a loaded machine passes too.
    expect(watch.activeMs()).toBeLessThan(5000);
    expect(r.code).toBe(EXIT.portalUnreachable);
    expect(r.code).toBe(11);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('无法连接');
    expect(en).toContain('unreachable');
    expect(await configGet('binding.venueCode')).toBe('');
  });

  it('venue unknown: exit 12', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const r = await cli(dataDir, 'bind', 'wx-no-such-venue');
    expect(r.code).toBe(EXIT.venueUnknown);
    expect(r.code).toBe(12);
    expect(expectBilingual(r).en).toContain('venue code unknown');
    expect(await configGet('binding.venueCode')).toBe('');
  });

  it('already bound: exit 13, pointing at rebind; the binding stays', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect((await cli(dataDir, 'bind', VENUE_A.venueCode)).code).toBe(0);
    const r = await cli(dataDir, 'bind', VENUE_B.venueCode);
    expect(r.code).toBe(EXIT.alreadyBound);
    expect(r.code).toBe(13);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('passgate rebind');
    expect(en).toContain('passgate rebind');
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
    // The refusal names the venue the gate is bound to.
    expect(r.stderr).toContain(`当前绑定场所 / currently bound to: ${VENUE_A.name} (${VENUE_A.venueCode})`);
  });

  it('device not registered at the portal: exit 14', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), vendorId: null });
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.deviceNotRegistered);
    expect(r.code).toBe(14);
    expect(expectBilingual(r).en).toContain('not registered');
  });

  it('vendor suspended: exit 15', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), vendorId: DEMO_SUSPENDED_VENDOR.id });
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.vendorSuspended);
    expect(r.code).toBe(15);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('暂停');
    expect(en).toContain('suspended');
  });

  it('wrong vendor secret: authentication failed, exit 16', async () => {
    const settings = { 'vendor.appSecret': 'not-the-secret' };
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), settings });
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.authFailed);
    expect(expectBilingual(r).en).toContain('authentication failed');
  });

  it('portal faults: forged MAC 16, garbage 21, too slow 11; each in both languages', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const { server } = fixture.mock;
    try {
      server.setFaults({ wrongMac: true });
      const forged = await cli(dataDir, 'bind', VENUE_A.venueCode);
      expect(forged.code).toBe(EXIT.authFailed);
      // The answer was not trusted: not a matter of the device key or the vendor's credentials.
      const said = expectBilingual(forged);
      expect(said.zh).toContain('门户平台的应答未通过认证');
      expect(said.en).toContain("the portal's answer failed authentication");
      expect(said.en).not.toContain('credentials');
      server.setFaults({ wrongMac: false, malformedJson: true });
      const garbage = await cli(dataDir, 'bind', VENUE_A.venueCode);
      expect(garbage.code).toBe(EXIT.portalRejected);
      expect(expectBilingual(garbage).en).toContain('portal.bad-response');
      server.setFaults({ malformedJson: false, latencyMs: 3000 });
      expect((await cli(dataDir, 'config', 'set', 'timeouts', '{"adminDeadlineMs":300}')).code).toBe(0);
      const watch = startStopwatch();
      const slow = await cli(dataDir, 'bind', VENUE_A.venueCode);
      // Ended by the 300 ms admin deadline, not by the 3 s answer (CPU wait left out, as above).
      expect(watch.activeMs()).toBeLessThan(2500);
      expect(slow.code).toBe(EXIT.portalUnreachable);
      expect(expectBilingual(slow).en).toContain('in time');
    } finally {
      server.clearFaults();
    }
    expect(await configGet('binding.venueCode')).toBe('');
  });

  it('a device key file that is not 0600 or is gone: exit 1 with a message saying what to do', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    chmodSync(join(dataDir, 'device.key'), 0o644);
    const loose = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(loose.code).toBe(EXIT.failed);
    const { zh, en } = expectBilingual(loose);
    expect(zh).toContain('0600');
    expect(en).toContain('device key file');
    expect(en).toContain('passgate provision --force');
    unlinkSync(join(dataDir, 'device.key'));
    expect((await cli(dataDir, 'rebind', VENUE_A.venueCode)).code).toBe(EXIT.failed);
  });

  it('rebind before any bind: exit 17', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const r = await cli(dataDir, 'rebind', VENUE_A.venueCode);
    expect(r.code).toBe(EXIT.notBound);
    expect(r.code).toBe(17);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('passgate bind');
    expect(en).toContain('not bound');
  });

  it('usage errors: exit 2', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect((await cli(dataDir, 'bind')).code).toBe(EXIT.usage);
    expect((await cli(dataDir, 'bind', 'a', 'b')).code).toBe(EXIT.usage);
    expect((await cli(dataDir, 'bind', '--scan', VENUE_A.venueCode)).code).toBe(EXIT.usage);
    expect((await cli(dataDir, 'rebind', VENUE_A.venueCode, '--later')).code).toBe(EXIT.usage);
    const help = await cli(dataDir, 'bind', '--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout[0]).toContain('用法 / usage: passgate bind');
  });

  it('--scan without a running daemon: exit 19', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const r = await cli(dataDir, 'bind', '--scan');
    expect(r.code).toBe(EXIT.daemonNotRunning);
    expect(r.code).toBe(19);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('未运行');
    expect(en).toContain('not running');
  });
});

describe('passgate bind: venue data the device cannot take, and a bind it could not save', () => {
  afterEach(() => fixture.mock.server.clearFaults());

  const BAD_VENUES: Array<[string, Partial<FaultSettings>]> = [
    ['a venue name with a tab', { venueFields: { name: '示例\t商场' } }],
    ['a venue name of terminal control characters', { venueFields: { name: '\u001b[2J\u0007' } }],
    ['a venue name longer than the protocol allows', { venueFields: { name: '长'.repeat(101) } }],
    ['a boundAt no date can hold', { boundAt: Number.MAX_SAFE_INTEGER }],
    ['a boundAt after year 9999', { boundAt: MAX_BOUND_AT_MS + 1 }],
  ];
  for (const [what, faults] of BAD_VENUES) {
    it(`${what}: a bad portal answer (exit 21), nothing stored; once fixed, the same command binds`, async () => {
      await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
      fixture.mock.server.setFaults(faults);
      const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
      expect(r.code).toBe(EXIT.portalRejected);
      expectBilingual(r);
      expect(await configGet('binding.venueCode')).toBe('');
      fixture.mock.server.clearFaults();
      // The portal made the binding: the retry hears ALREADY_BOUND for this very venue, a success.
      const retry = await cli(dataDir, 'bind', VENUE_A.venueCode);
      expect(retry.code, retry.stderr.join('\n')).toBe(EXIT.ok);
      expect(retry.stdout[0]).toContain(VENUE_A.name);
      expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
      expect(await configGet('binding.venueName')).toBe(VENUE_A.name);
      // Bound elsewhere is still "already bound": rebind is the way.
      expect((await cli(dataDir, 'bind', VENUE_B.venueCode)).code).toBe(EXIT.alreadyBound);
    });
  }

  it('a venue name of 100 characters beyond the BMP (200 UTF-16 units) is stored whole', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const name = '𠀀'.repeat(100);
    fixture.mock.server.setFaults({ venueFields: { name } });
    const r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(r.code, r.stderr.join('\n')).toBe(EXIT.ok);
    expect(await configGet('binding.venueName')).toBe(name);
  });

  it('bound at the portal but not saved here: says so; the same command again saves it', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    // Another writer holds the database for longer than the store waits (configBusyMs).
    const blocker = new Database(join(dataDir, 'passgate.db'));
    blocker.exec('BEGIN IMMEDIATE');
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(dataDir, 'bind', VENUE_A.venueCode);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(r.code).toBe(EXIT.storage);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('门户平台已绑定');
    expect(en).toContain('bound at the portal, but saving the binding on this device failed (config.storage');
    expect(en).toContain('passgate bind');
    expect(await configGet('binding.venueCode')).toBe('');
    const retry = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(retry.code, retry.stderr.join('\n')).toBe(EXIT.ok);
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
  }, 30_000);
});

describe('passgate bind --scan with a running daemon', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  async function daemonWithScanner(timeouts: Record<string, number>): Promise<MockSerialScanner> {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect(
      (
        await cli(
          dataDir,
          'config',
          'set',
          'display.backend',
          'none',
          'timeouts',
          JSON.stringify({ ...DAEMON_CLI_TIMEOUTS, ...timeouts }),
        )
      ).code,
    ).toBe(0);
    const scanner = new MockSerialScanner('cli-test-scanner');
    rig = await startDaemon(dataDir, { inputs: [scanner] });
    return scanner;
  }

  it('waits for the scanned venue code, binds through the daemon, then rebinds the same way', async () => {
    const scanner = await daemonWithScanner({ configPollMs: 50, bindModeMs: 5000 });
    const daemon = rig!.daemon;

    const pending = cli(dataDir, 'bind', '--scan');
    let settled = false;
    void pending.then(() => (settled = true));
    await until(() => daemon.status().phase === 'bind-mode', undefined, 'the daemon to enter bind mode');
    expect(settled).toBe(false); // the CLI is still waiting for the scan
    scanner.inject(VENUE_A.venueCode);
    const r = await pending;
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr.join('\n')).toContain('scan the venue code');
    expect(r.stdout[0]).toContain(VENUE_A.name);
    expect(r.stdout[0]).toContain(VENUE_A.venueCode);
    expect(r.stdout[1]).toContain(CATEGORY_EN[VENUE_A.category]);
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
    await until(
      () => daemon.status().phase === 'idle' && daemon.status().binding?.venueCode === VENUE_A.venueCode,
      undefined,
      'idle and bound',
    );

    const again = cli(dataDir, 'rebind', '--scan', '--json');
    await until(() => daemon.status().phase === 'bind-mode', undefined, 'bind mode for rebind');
    scanner.inject(VENUE_B.venueCode);
    const moved = await again;
    expect(moved.code).toBe(EXIT.ok);
    expect(JSON.parse(moved.stdout[0])).toMatchObject({
      ok: true,
      mode: 'rebind',
      venue: { code: VENUE_B.venueCode, name: VENUE_B.name },
    });
    expect(await configGet('binding.venueCode')).toBe(VENUE_B.venueCode);
  });

  it("a scanned code the portal does not know: the portal failure's exit code (12)", async () => {
    const scanner = await daemonWithScanner({ configPollMs: 50, bindModeMs: 5000 });
    const pending = cli(dataDir, 'bind', '--scan');
    await until(() => rig!.daemon.status().phase === 'bind-mode', undefined, 'bind mode');
    scanner.inject('wx-no-such-venue');
    const r = await pending;
    expect(r.code).toBe(EXIT.venueUnknown);
    expectBilingual(r);
    expect(await configGet('binding.venueCode')).toBe('');
  });

  it('nothing scanned within timeouts.bindModeMs: exit 18', async () => {
    await daemonWithScanner({ configPollMs: 50, bindModeMs: 500 });
    const watch = startStopwatch();
    const r = await cli(dataDir, 'bind', '--scan');
    // Ended by the daemon's 500 ms bind mode, not by the CLI's own longer wait (bindModeMs plus
    // bindScanGraceMs); CPU wait left out, as above.
    expect(watch.activeMs()).toBeLessThan(4000);
    expect(r.code).toBe(EXIT.bindTimeout);
    expect(r.code).toBe(18);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('超时');
    expect(en).toContain('in time');
    expect(await configGet('binding.venueCode')).toBe('');
    await until(() => rig!.daemon.status().phase === 'unbound', undefined, 'the daemon back to unbound');
  });
});
