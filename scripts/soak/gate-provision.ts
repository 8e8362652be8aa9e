// A soak gate's data directory, set up as a vendor and a technician would: `passgate provision`
// (its code, in this process: no portal needed), the settings a throughput soak wants, and the
// binding as `passgate bind` stores it. The portal side (registration, binding) is done in the
// portal's state directory (portal-dir.ts), because the soak process is not on the network the
// gates and the portal share.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProvisionCommand } from '../../firmware/cli/provision-command.js';
import type { ConfigValues } from '../../firmware/config/schema.js';
import { ConfigStore } from '../../firmware/config/store.js';
import { boundSettings } from '../../firmware/daemon/binding-settings.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { Venue } from '../../portal-client/mock/domain/registry.js';
import { CONFIG_PINS, fakeSysfs } from '../bench/gate-process.js';

/** The shortest verdict display config allows (gate.showMs minimum): it caps one gate's rate. */
export const SOAK_SHOW_MS = 200;

/**
 * Tuned for throughput, as the issue asks: the shortest show time, no duplicate window (the soak
 * scans the same demo people again and again), input queued while busy (the default).
 */
export function soakGateSettings(o: {
  gpioRoot: string;
  scannerPath: string;
  readerPath: string;
}): Partial<ConfigValues> {
  return {
    'display.backend': 'gpio-sysfs',
    'display.gpioRoot': o.gpioRoot,
    'display.pins': CONFIG_PINS,
    'gate.showMs': SOAK_SHOW_MS,
    'gate.dedupWindowMs': 0,
    'gate.busyInput': 'queue',
    'drivers.serial.enabled': true,
    'drivers.serial.path': o.scannerPath,
    'drivers.idcard.enabled': true,
    'drivers.idcard.path': o.readerPath,
  };
}

export interface ProvisionedSoakGate {
  publicKeyHex: string;
}

export async function provisionSoakGate(o: {
  dataDir: string;
  gpioRoot: string;
  scannerPath: string;
  readerPath: string;
  deviceId: string;
  portalUrl: string;
  portalPublicKeyHex: string;
  caPem: string;
  vendor: { appId: string; appSecret: string };
  venue: Venue;
  crypto: CryptoSuite;
}): Promise<ProvisionedSoakGate> {
  fakeSysfs(o.gpioRoot);
  const caFile = join(o.dataDir, '..', 'portal-ca.pem');
  writeFileSync(caFile, o.caPem);
  const store = ConfigStore.open(o.dataDir);
  const errors: string[] = [];
  let publicKeyHex = '';
  try {
    const code = await runProvisionCommand(
      store,
      o.dataDir,
      [
        '--device-id',
        o.deviceId,
        '--portal-url',
        o.portalUrl,
        '--portal-public-key',
        o.portalPublicKeyHex,
        '--ca-file',
        caFile,
        '--app-id',
        o.vendor.appId,
        '--app-secret-file',
        '-',
        '--json',
      ],
      o.crypto,
      {
        stdout: (line) => (publicKeyHex = JSON.parse(line).publicKey),
        stderr: (line) => errors.push(line),
        readStdin: async () => o.vendor.appSecret,
      },
    );
    if (code !== 0) throw new Error(`provisioning ${o.deviceId} failed (${code}): ${errors.join(' | ')}`);
    store.setMany({
      ...soakGateSettings(o),
      ...boundSettings(
        {
          code: o.venue.venueCode,
          name: o.venue.name,
          category: o.venue.category,
          natValidityHours: o.venue.natValidityHours,
          vaccinationDoses: o.venue.vaccinationDoses,
        },
        new Date(),
      ),
    });
  } finally {
    store.close();
  }
  return { publicKeyHex };
}
