// `passgate bind` / `rebind` and the venue the gate is bound to: binding it again succeeds and
// names it; a refusal names it, so the technician sees what a rebind would replace.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
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
import { until } from '../../support/polling.js';

const [VENUE_A, VENUE_B] = [demoVenues()[0], demoVenues()[5]];

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let deviceSerial = 0;
const nextDeviceId = () => `WX-BVEN-${String(++deviceSerial).padStart(4, '0')}`;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-bind-venue-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

async function configGet(key: string): Promise<string> {
  const r = await cli(dataDir, 'config', 'get', key);
  expect(r.code).toBe(0);
  return r.stdout[0];
}

describe('bind and the current venue', () => {
  it('bind to the venue it is already bound to: exit 0, naming that venue', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect((await cli(dataDir, 'bind', VENUE_A.venueCode)).code).toBe(0);
    const again = await cli(dataDir, 'bind', VENUE_A.venueCode);
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout[0]).toBe(
      `已绑定该场所，无需更改 / already bound to this venue: ${VENUE_A.name} (${VENUE_A.venueCode})`,
    );
    const json = await cli(dataDir, 'bind', VENUE_A.venueCode, '--json');
    expect(JSON.parse(json.stdout[0])).toMatchObject({
      ok: true,
      alreadyBound: true,
      venue: { code: VENUE_A.venueCode },
    });
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
  });

  it('a rebind the portal refuses names the venue the gate stays bound to', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect((await cli(dataDir, 'bind', VENUE_A.venueCode)).code).toBe(0);
    const r = await cli(dataDir, 'rebind', 'wx-no-such-venue');
    expect(r.code).toBe(EXIT.venueUnknown);
    expectBilingual(r);
    expect(r.stderr).toContain(`当前绑定场所 / currently bound to: ${VENUE_A.name} (${VENUE_A.venueCode})`);
  });
});

describe('bind --scan and the current venue', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('scanning the venue it is bound to: exit 0, saying so; another venue: exit 13, naming the current one', async () => {
    await provisionGateDir(fixture.mock, dataDir, {
      deviceId: nextDeviceId(),
      settings: { 'display.backend': 'none', timeouts: { ...DAEMON_CLI_TIMEOUTS, configPollMs: 50, bindModeMs: 5000 } },
    });
    expect((await cli(dataDir, 'bind', VENUE_A.venueCode)).code).toBe(0);
    const scanner = new MockSerialScanner('cli-bind-venue-scanner');
    rig = await startDaemon(dataDir, { inputs: [scanner] });
    const daemon = rig.daemon;
    await until(() => daemon.status().phase === 'idle', undefined, 'idle');

    const same = cli(dataDir, 'bind', '--scan');
    await until(() => daemon.status().phase === 'bind-mode', undefined, 'bind mode');
    scanner.inject(VENUE_A.venueCode);
    const r = await same;
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout[0]).toBe(
      `已绑定该场所，无需更改 / already bound to this venue: ${VENUE_A.name} (${VENUE_A.venueCode})`,
    );
    await until(() => daemon.status().phase === 'idle', undefined, 'idle again');

    const other = cli(dataDir, 'bind', '--scan');
    await until(() => daemon.status().phase === 'bind-mode', undefined, 'bind mode again');
    scanner.inject(VENUE_B.venueCode);
    const refused = await other;
    expect(refused.code).toBe(EXIT.alreadyBound);
    expectBilingual(refused);
    expect(refused.stderr).toContain(`当前绑定场所 / currently bound to: ${VENUE_A.name} (${VENUE_A.venueCode})`);
    expect(await configGet('binding.venueCode')).toBe(VENUE_A.venueCode);
  });
});
