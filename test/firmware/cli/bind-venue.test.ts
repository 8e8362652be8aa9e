// `passgate bind` / `rebind` and the venue the gate is bound to: binding it again succeeds and
// names it; a refusal names it, so the technician sees what a rebind would replace.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { cli, expectBilingual, provisionGateDir, tempRoot } from '../../support/cli.js';

const VENUE_A = demoVenues()[0];

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
