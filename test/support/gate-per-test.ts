// A mock portal for a whole test file, and for each test a fresh gate data directory provisioned
// against it (vitest hooks registered by the call), for the suites that run a daemon or the CLI
// against a portal.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { ConfigValues } from '../../firmware/config/schema.js';
import { type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';
import { provisionGateDir, tempRoot } from './cli.js';

export interface GatePerTest {
  /** The file's mock portal; its faults are cleared after each test. */
  readonly fixture: PortalFixture;
  /** The current test's data directory, provisioned (and bound, when asked) with `settings` written. */
  readonly dataDir: string;
}

export function gatePerTest(prefix: string, o: { bind?: boolean; settings?: Partial<ConfigValues> } = {}): GatePerTest {
  let fixture: PortalFixture | undefined;
  let tmp: ReturnType<typeof tempRoot> | undefined;
  let serial = 0;
  beforeAll(async () => {
    fixture = await startPortalFixture();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  beforeEach(async () => {
    tmp = tempRoot(`${prefix}-`);
    const deviceId = `WX-${prefix.toUpperCase()}-${String(++serial).padStart(4, '0')}`.replace(/[^A-Za-z0-9_-]/g, '-');
    await provisionGateDir(fixture!.mock, join(tmp.root, 'gate'), { deviceId, bind: o.bind, settings: o.settings });
  });
  afterEach(() => {
    fixture?.mock.server.clearFaults();
    tmp?.remove();
  });
  return {
    get fixture() {
      return fixture!;
    },
    get dataDir() {
      return join(tmp!.root, 'gate');
    },
  };
}
