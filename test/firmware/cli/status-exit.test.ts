// `passgate status` ends non-zero when the gate cannot verify anyone, with the exit code of the
// first reason a technician has to fix: not provisioned, not bound, the portal's refusal or
// silence, a binding the portal does not share, the daemon not running.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { boundSettings } from '../../../firmware/daemon/binding-settings.js';
import { DEMO_SUSPENDED_VENDOR, demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { cli, provisionGateDir, tempRoot } from '../../support/cli.js';

const VENUE = demoVenues()[0];
let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let serial = 0;
const nextDeviceId = () => `WX-STEX-${String(++serial).padStart(3, '0')}`;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-status-exit-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

async function status(...extra: string[]) {
  const r = await cli(dataDir, 'status', ...extra);
  const json = await cli(dataDir, 'status', '--json', ...extra);
  expect(json.code).toBe(r.code);
  return { ...r, json: JSON.parse(json.stdout[0]) as { canVerify: boolean; problem: string | null } };
}

describe('passgate status exit codes', () => {
  it('provisioned, not bound: exit 17, the verdict names the bind command', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const r = await status();
    expect(r.code).toBe(EXIT.notBound);
    expect(r.json).toMatchObject({ canVerify: false, problem: 'portal.not-bound' });
    expect(r.stdout.at(-1)).toMatch(/^结论 \/ verdict: +无法核验 \/ cannot verify: .*passgate bind/);
  });

  it('vendor suspended: exit 15', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), vendorId: DEMO_SUSPENDED_VENDOR.id });
    const store = ConfigStore.open(dataDir);
    store.setMany(boundSettings({ ...VENUE, code: VENUE.venueCode }, new Date()));
    store.close();
    expect((await status()).code).toBe(EXIT.vendorSuspended);
  });

  it('bound here but not at the portal: the mismatch is shown, exit 17', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const store = ConfigStore.open(dataDir);
    store.setMany(boundSettings({ ...VENUE, code: VENUE.venueCode }, new Date()));
    store.close();
    const r = await status();
    expect(r.code).toBe(EXIT.notBound);
    expect(r.stdout.join('\n')).toContain('binding mismatch');
  });

  it('bound here to one venue, at the portal to another: both shown as a mismatch', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), bind: true });
    const other = demoVenues()[3];
    const store = ConfigStore.open(dataDir);
    const atPortal = store.get('binding.venueCode');
    store.setMany(boundSettings({ ...other, code: other.venueCode }, new Date()));
    store.close();
    const r = await status();
    expect(r.code).toBe(EXIT.daemonNotRunning);
    expect(r.stdout.join('\n')).toContain(`binding mismatch: 本机 ${other.venueCode}，门户平台 ${atPortal}`);
    expect(r.stdout.join('\n')).toContain(`here ${other.venueCode}, at the portal ${atPortal}`);
  });

  it('bound and the portal answers, but no daemon: exit 19, also with --offline', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), bind: true });
    const r = await status();
    expect(r.code).toBe(EXIT.daemonNotRunning);
    expect(r.json).toMatchObject({ canVerify: false, problem: 'daemon.not-running' });
    expect(r.stdout.join('\n')).not.toContain('binding mismatch');
    expect((await status('--offline')).code).toBe(EXIT.daemonNotRunning);
  });
});
