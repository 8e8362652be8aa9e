// `passgate status [--json] [--offline]` through main(): identity, binding, portal reachability and
// clock offset, and a running daemon's phase, drivers and outcome counters; never personal data.
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import type { IdCardIdentity } from '../../../firmware/core/id-number.js';
import { passgateVersion } from '../../../firmware/core/version.js';
import type { DemoPassCodeKeyword } from '../../../portal-client/mock/domain/demo-dataset.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import {
  allText,
  type CliResult,
  cli,
  DAEMON_CLI_TIMEOUTS,
  type DaemonRig,
  provisionGateDir,
  startDaemon,
  tempRoot,
} from '../../support/cli.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { until } from '../../support/polling.js';

const VENUE = demoVenues()[0];

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let deviceSerial = 0;
const nextDeviceId = () => `WX-STAT-${String(++deviceSerial).padStart(4, '0')}`;

interface StatusJson {
  deviceId: string | null;
  provisioned: boolean;
  binding: { venueCode: string; venueName: string; venueCategory: string } | null;
  portal: {
    reachable: boolean;
    clockOffsetMs: number | null;
    errorCode: string | null;
    portalSaysBound: boolean | null;
  } | null;
  daemon: {
    running: boolean;
    phase?: string;
    drivers?: Array<{ name: string; state: string }>;
    outcomes?: Record<string, number>;
    portal?: { tokenValid: boolean };
  };
}

/** `status --json`; `exit` is what status must end with (by default: the daemon is not running). */
async function statusJson(extra: string[] = [], exit: number = EXIT.daemonNotRunning): Promise<StatusJson> {
  const r = await cli(dataDir, 'status', '--json', ...extra);
  expect(r.code).toBe(exit);
  expect(r.stdout).toHaveLength(1);
  return JSON.parse(r.stdout[0]) as StatusJson;
}

async function boundGate(): Promise<void> {
  await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
  expect((await cli(dataDir, 'bind', VENUE.venueCode)).code).toBe(0);
}

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-status-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => {
  fixture.mock.server.clearFaults();
  tmp.remove();
});

describe('passgate status', () => {
  it('not provisioned: says so, asks no portal, exit 10 (the gate cannot verify)', async () => {
    ConfigStore.open(dataDir).close(); // a database, nothing in it (status itself creates none)
    const text = await cli(dataDir, 'status');
    expect(text.code).toBe(EXIT.notProvisioned);
    expect(text.stdout.at(-1)).toContain('cannot verify');
    expect(text.stdout.join('\n')).toContain('not provisioned');
    expect(text.stdout.join('\n')).toContain('not bound');
    expect(text.stdout.join('\n')).toContain('not running');
    expect(await statusJson([], EXIT.notProvisioned)).toEqual({
      version: passgateVersion(),
      deviceId: null,
      provisioned: false,
      binding: null,
      portal: null,
      daemon: { running: false },
      canVerify: false,
      problem: 'config.not-provisioned',
      error: {
        code: 'config.not-provisioned',
        message: {
          zh: '设备尚未初始化，请先运行 passgate provision',
          en: 'device not provisioned: run `passgate provision` first',
        },
      },
    });
  });

  it('provisioned and bound, portal reachable: binding, clock offset (with a 60 s skewed portal)', async () => {
    await boundGate();
    // The mock runs on this process's clock (shifted by the skew fault): the offset the CLI
    // reports is off by at most the round trip it came from, which took no longer than the whole
    // command. A bound that follows the machine's load, where a fixed tolerance would not.
    const offsetWithin = async <T>(skew: number, run: () => Promise<T>, offsetOf: (r: T) => number) => {
      const watch = startStopwatch();
      const result = await run();
      expect(Math.abs(offsetOf(result) - skew)).toBeLessThanOrEqual(Math.ceil(watch.elapsedMs()) + 1);
      return result;
    };
    const s = await offsetWithin(
      0,
      () => statusJson(),
      (r) => r.portal!.clockOffsetMs!,
    );
    expect(s.provisioned).toBe(true);
    expect(s.deviceId).toMatch(/^WX-STAT-/);
    expect(s.binding).toEqual({ venueCode: VENUE.venueCode, venueName: VENUE.name, venueCategory: VENUE.category });
    expect(s.portal).toMatchObject({ reachable: true, errorCode: null, portalSaysBound: true });
    expect(s.daemon).toEqual({ running: false });

    fixture.mock.server.setFaults({ clockSkewMs: 60_000 });
    const skewed = await offsetWithin(
      60_000,
      () => statusJson(),
      (r) => r.portal!.clockOffsetMs!,
    );
    expect(skewed.portal!.reachable).toBe(true);
    const shown = (r: CliResult) => Number(/clock offset:\s+(-?\d+) ms/.exec(r.stdout.join('\n'))?.[1]);
    const text = await offsetWithin(60_000, () => cli(dataDir, 'status'), shown);
    expect(text.stdout.join('\n')).toContain(VENUE.name);
    expect(text.stdout.join('\n')).toContain('reachable');
    expect(text.stdout.find((l) => l.includes('clock offset'))).toMatch(/clock offset:\s+\d+ ms/);
  });

  it('portal down: reachable false with the error code, exit 11', async () => {
    await boundGate();
    fixture.mock.server.setFaults({ dropConnection: true });
    const s = await statusJson([], EXIT.portalUnreachable);
    expect(s.portal).toEqual({
      reachable: false,
      clockOffsetMs: null,
      errorCode: 'portal.unreachable',
      responseCheck: null,
      portalSaysBound: null,
      portalVenueCode: null,
    });
    expect(s.binding?.venueCode).toBe(VENUE.venueCode); // the local copy is still shown
    const text = await cli(dataDir, 'status');
    expect(text.code).toBe(EXIT.portalUnreachable);
    expect(text.stdout.join('\n')).toContain('unreachable (portal.unreachable)');
    expect(text.stdout.join('\n')).not.toContain('clock offset');
  });

  it("a portal answer whose MAC fails: the answer failed authentication, not the device's credentials", async () => {
    await boundGate();
    fixture.mock.server.setFaults({ wrongMac: true });
    const s = await statusJson([], EXIT.authFailed);
    expect(s.portal).toMatchObject({ errorCode: 'portal.auth-failed', responseCheck: 'mac' });
    const verdict = (await cli(dataDir, 'status')).stdout.at(-1);
    expect(verdict).toContain("the portal's answer failed authentication");
    expect(verdict).toContain('门户平台的应答未通过认证');
    expect(verdict).not.toContain('credentials');
  });

  it('portal refuses the device: reachable, with the refusal code', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), vendorId: null });
    const s = await statusJson([], EXIT.deviceNotRegistered);
    expect(s.portal).toMatchObject({ reachable: true, errorCode: 'portal.device-unknown' });
    expect((await cli(dataDir, 'status')).stdout.join('\n')).toContain('refused (portal.device-unknown)');
  });

  it('a broken device key: the portal was not asked, so it is not called reachable', async () => {
    await boundGate();
    const before = fixture.mock.server.stats().requests;
    unlinkSync(join(dataDir, 'device.key'));
    const s = await statusJson([], EXIT.failed);
    expect(s.portal).toEqual({
      reachable: false,
      clockOffsetMs: null,
      errorCode: 'crypto.bad-key',
      responseCheck: null,
      portalSaysBound: null,
      portalVenueCode: null,
    });
    const text = await cli(dataDir, 'status');
    expect(text.code).toBe(EXIT.failed);
    expect(text.stdout.join('\n')).toContain('not asked (crypto.bad-key)');
    expect(fixture.mock.server.stats().requests).toBe(before);
  });

  it('--offline asks the portal nothing', async () => {
    await boundGate();
    const before = fixture.mock.server.stats().requests;
    const s = await statusJson(['--offline']);
    expect(s.portal).toBeNull();
    expect(s.provisioned).toBe(true);
    expect(s.binding?.venueCode).toBe(VENUE.venueCode);
    expect(fixture.mock.server.stats().requests).toBe(before);
    expect((await cli(dataDir, 'status', '--offline')).stdout.join('\n')).not.toContain('portal');
  });

  it('an unknown option: exit 2', async () => {
    expect((await cli(dataDir, 'status', '--verbose')).code).toBe(EXIT.usage);
  });
});

describe('passgate status with a running daemon', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  function residentCard(keyword: string): IdCardIdentity {
    const ref = fixture.mock.state.demo.residents[keyword];
    const resident = fixture.mock.state.residents.byRef(ref)!;
    return { cardType: 'resident', name: resident.name, idNumber: resident.idNumber };
  }

  it('phase, drivers and outcome counters after scans, and no personal data anywhere', async () => {
    await boundGate();
    expect(
      (
        await cli(
          dataDir,
          'config',
          'set',
          'display.backend',
          'none',
          'gate.showMs',
          '200',
          'gate.dedupWindowMs',
          '0',
          'timeouts',
          JSON.stringify(DAEMON_CLI_TIMEOUTS),
        )
      ).code,
    ).toBe(0);
    const scanner = new MockSerialScanner('cli-test-scanner');
    const cards = new MockIdCardReader('cli-test-cards');
    rig = await startDaemon(dataDir, { inputs: [scanner, cards] });
    const daemon = rig.daemon;
    await until(() => daemon.status().portal.tokenValid, undefined, 'the daemon to authorize');

    const secrets: string[] = [];
    const scan = async (act: () => void): Promise<string> => {
      await until(() => daemon.status().phase === 'idle', undefined, 'idle');
      const verdict = rig!.nextVerdict();
      act();
      return (await verdict).outcome;
    };
    const code = (keyword: DemoPassCodeKeyword) => {
      const text = fixture.mock.passCodeFor(keyword);
      secrets.push(text);
      return text;
    };
    const card = (keyword: string) => {
      const c = residentCard(keyword);
      secrets.push(c.name, c.idNumber);
      return c;
    };
    expect(await scan(() => scanner.inject(code('green')))).toBe('pass');
    expect(await scan(() => scanner.inject(code('red')))).toBe('deny');
    expect(await scan(() => cards.present(card('green')))).toBe('pass');
    expect(await scan(() => cards.present(card('yellow')))).toBe('deny');
    expect(await scan(() => cards.fail('driver.card-invalid'))).toBe('read-error');

    const s = await statusJson([], EXIT.ok);
    expect(s.daemon.running).toBe(true);
    expect(s.daemon.phase).toMatch(/^(idle|showing)$/);
    expect(s.daemon.portal?.tokenValid).toBe(true);
    expect(s.daemon.drivers).toEqual([
      { name: 'cli-test-scanner', state: 'open' },
      { name: 'cli-test-cards', state: 'open' },
    ]);
    expect(s.daemon.outcomes).toMatchObject({ pass: 2, deny: 2, 'read-error': 1 });
    expect(s.portal).toMatchObject({ reachable: true, errorCode: null });

    scanner.unplug();
    const text = await cli(dataDir, 'status');
    expect(text.code).toBe(EXIT.ok);
    const joined = text.stdout.join('\n');
    expect(joined).toContain('running');
    expect(joined).toMatch(/cli-test-scanner: reconnecting/);
    expect(joined).toMatch(/cli-test-cards: open/);
    expect(joined).toMatch(/pass=2/);
    expect(joined).toMatch(/deny=2/);
    expect(joined).toMatch(/read-error=1/);
    scanner.replug();

    // The CLI's own authorize must not break the daemon's session.
    expect(await scan(() => scanner.inject(code('green')))).toBe('pass');

    // No pass code, name or ID number in status output, the daemon's logs, or any file.
    const outputs = [
      allText(text),
      JSON.stringify(s),
      allText(await cli(dataDir, 'status', '--json')),
      ...rig.logLines,
    ];
    const files = readdirSync(dataDir)
      .filter((f) => !f.endsWith('.sock'))
      .map((f) => readFileSync(join(dataDir, f)).toString('latin1'));
    for (const secret of secrets) {
      for (const output of outputs)
        expect(output.includes(secret), 'personal data in status output or logs').toBe(false);
      for (const file of files) expect(file.includes(secret), 'personal data in a data-dir file').toBe(false);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(6);
  });

  it('status and --offline show the daemon even when the portal is down', async () => {
    await boundGate();
    const set = await cli(
      dataDir,
      'config',
      'set',
      'display.backend',
      'none',
      'timeouts',
      JSON.stringify(DAEMON_CLI_TIMEOUTS),
    );
    expect(set.code).toBe(0);
    rig = await startDaemon(dataDir, { inputs: [new MockSerialScanner('cli-test-scanner')] });
    fixture.mock.server.setFaults({ dropConnection: true });
    const s = await statusJson(['--offline'], EXIT.ok);
    expect(s.portal).toBeNull();
    expect(s.daemon).toMatchObject({ running: true, drivers: [{ name: 'cli-test-scanner', state: 'open' }] });
    expect(typeof s.daemon.phase).toBe('string');
    const online = await statusJson([], EXIT.portalUnreachable);
    expect(online.portal).toMatchObject({ reachable: false, errorCode: 'portal.unreachable' });
    expect(online.daemon.running).toBe(true);
  });
});
