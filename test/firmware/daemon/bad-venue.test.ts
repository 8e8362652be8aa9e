import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import type { FaultSettings } from '../../../portal-client/mock/faults.js';
import type { PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { GATE_VENUE } from '../../../scripts/lab/provisioned-gate.js';
import { type DaemonRig, runBin, spawnBin, startDaemon } from '../../support/cli.js';
import { gatePerTest } from '../../support/gate-per-test.js';
import { until } from '../../support/polling.js';

const gate = gatePerTest('pg-bad-venue', {
  bind: true,
  settings: { 'display.backend': 'none', timeouts: { portalHealthRetryMs: 200 } },
});
let dataDir: string;
let fixture: PortalFixture;
beforeEach(() => {
  ({ dataDir, fixture } = gate);
});

/** Venue shapes the readers refuse, as the portal's authorize answer carries them. */
const BAD_VENUES: Array<[string, Partial<FaultSettings>]> = [
  ['a name with a tab', { venueFields: { name: '示例\t商场' } }],
  ['a name of 101 characters', { venueFields: { name: '长'.repeat(101) } }],
  ['a code that is no venue code', { venueFields: { code: 'PGC1.abc' } }],
  ['an unknown category', { venueFields: { category: 'harbour' } }],
  ['11 vaccination doses', { venueFields: { vaccinationDoses: 11 } }],
  ['a NAT window given as text', { venueFields: { natValidityHours: '48' } }],
];

describe('the daemon and a portal whose venue data it cannot store', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  for (const [what, faults] of BAD_VENUES) {
    it(`${what} at authorize: logged with its cause, the gate degraded, the binding kept; then recovered`, async () => {
      fixture.mock.server.setFaults(faults);
      rig = await startDaemon(dataDir);
      const events = (name: string) => rig!.logLines.map((l) => JSON.parse(l)).filter((l) => l.event === name);
      await until(() => events('portal-authorize-failed').length >= 2, 5000, 'authorize to fail and be retried');
      expect(events('portal-authorize-failed')[0].code).toBe('portal.bad-response');
      expect(rig.daemon.status().phase).toBe('degraded');
      expect(rig.daemon.status().binding?.venueCode).toBe(GATE_VENUE.venueCode);
      fixture.mock.server.clearFaults();
      await until(() => rig!.daemon.status().phase === 'idle', 5000, 'the gate back in service');
      expect(events('binding-save-failed')).toEqual([]);
    });
  }
});

describe('passgate run and a portal whose venue data it cannot store', () => {
  it('stays up (no crash loop), says why, and still stops cleanly on SIGTERM', async () => {
    fixture.mock.server.setFaults({ venueFields: { name: 'A\tB' } });
    const run = spawnBin('passgate', ['run', '--data-dir', dataDir]);
    try {
      const failed = (stdout: string) => (stdout.match(/"event":"portal-authorize-failed"/g) ?? []).length >= 2;
      await run.until(failed, 'two failed authorizes, the second a retry', 20_000);
      expect(run.stdout()).toContain('"code":"portal.bad-response"');
      const status = await runBin('passgate', ['status', '--json', '--offline', '--data-dir', dataDir]);
      expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, phase: 'degraded' });
    } finally {
      run.child.kill('SIGTERM');
    }
    const end = await run.exited;
    expect(end.code).toBe(EXIT.ok);
    expect(end.stdout).not.toContain('"event":"crashed"');
  });
});
