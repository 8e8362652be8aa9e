// Config → gate: the policy the runner gets from config, what a change asks of a running daemon,
// and the portal link of a device that is not provisioned.
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import { configChangeOf, gatePolicyFromConfig } from '../../../firmware/daemon/config-bridge.js';
import { timeoutsFromConfig } from '../../../firmware/daemon/device-identity.js';
import { PortalLink } from '../../../firmware/daemon/portal-link.js';
import { crypto } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { tempConfigStore } from '../../support/temp-store.js';

const temp = tempConfigStore('pg-bridge-');

describe('config → gate policy', () => {
  it('takes gate.* from config and the deadlines from the timeout table', () => {
    temp.store.setMany({
      'gate.busyInput': 'drop',
      'gate.queueLimit': 3,
      'gate.showMs': 2500,
      'gate.natPolicy': 'warn',
      timeouts: { verifyDeadlineMs: 1500, bindModeMs: 20_000 },
    });
    expect(gatePolicyFromConfig(temp.store, timeoutsFromConfig(temp.store))).toMatchObject({
      busyInput: 'drop',
      queueLimit: 3,
      showMs: 2500,
      natPolicy: 'warn',
      verifyDeadlineMs: 1500,
      bindModeMs: 20_000,
    });
  });

  it('sorts changed keys by what they ask of a running daemon', () => {
    expect(configChangeOf(['gate.showMs', 'timeouts'])).toEqual({
      policyKeys: ['gate.showMs', 'timeouts'],
      identity: false,
      binding: false,
      restartRequired: false,
      restartKeys: [],
    });
    // Every binding key counts: a venue's presets can change while its code stays.
    expect(configChangeOf(['binding.venueName']).binding).toBe(true);
    expect(configChangeOf(['binding.natValidityHours']).binding).toBe(true);
    const keys = ['vendor.appSecret', 'binding.venueCode', 'drivers.serial.path'] as const;
    const everything = configChangeOf([...keys]);
    expect(everything).toEqual({
      policyKeys: [],
      identity: true,
      binding: true,
      restartRequired: true,
      restartKeys: ['drivers.serial.path'],
    });
    expect(configChangeOf(['portal.url']).identity).toBe(true);
    expect(configChangeOf(['display.backend']).restartRequired).toBe(true);
  });
});

describe('portal link', () => {
  it("without a provisioned identity: the gate's calls fail as not provisioned, and nothing is checked", async () => {
    const health: boolean[] = [];
    const link = new PortalLink({
      store: temp.store,
      dataDir: temp.dir,
      crypto,
      logger: createMemoryLogger(),
      timeouts: () => timeoutsFromConfig(temp.store),
      onHealth: (up) => health.push(up),
      onBinding: () => undefined,
    });
    expect((await rejection(link.gatePortal().verifyPassCode('PG1.x'))).code).toBe('config.not-provisioned');
    expect((await rejection(link.gatePortal().bind('wx-venue'))).code).toBe('config.not-provisioned');
    link.checkHealth();
    expect(link.status()).toEqual({
      reachable: null,
      tokenValid: false,
      tokenExpiresInMs: null,
      clockOffsetMs: 0,
      lastErrorCode: null,
      lastAuthorizedAt: null,
    });
    await link.close();
    expect(health).toEqual([]);
  });
});
