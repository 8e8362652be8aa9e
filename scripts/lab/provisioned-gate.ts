// A gate data directory set up the way a vendor and a technician would: provisioned through the
// `passgate provision` code against a running mock portal, its key registered at the mock, and
// (optionally) bound through the `passgate bind` code. Shared by the daemon tests, the privacy
// test and the gate bench, so all of them start from the same state the demo starts from.

import { runBindCommand } from '../../firmware/cli/bind-command.js';
import { runProvisionCommand } from '../../firmware/cli/provision-command.js';
import type { ConfigValues } from '../../firmware/config/schema.js';
import { ConfigStore } from '../../firmware/config/store.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { DemoPassCodeKeyword, DemoResidentKeyword } from '../../portal-client/mock/domain/demo-dataset.js';
import { demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import type { RunningMockPortal } from '../../portal-client/mock/start-mock-portal.js';

/** NAT within 48 h and 3 vaccine doses, as in the demo: every outcome is reachable there. */
export const GATE_VENUE = demoVenues().find((v) => v.natValidityHours === 48 && v.vaccinationDoses !== null)!;

export interface ProvisionGateOptions {
  dataDir: string;
  mock: RunningMockPortal;
  crypto: CryptoSuite;
  deviceId: string;
  /** Bind to GATE_VENUE through the portal (default true). */
  bind?: boolean;
  /** The vendor the device's key is registered under (default: the approved demo vendor); null: not registered. */
  vendorId?: string | null;
  /** Further settings written after provisioning (display backend, gate policy, timeouts…). */
  settings?: Partial<ConfigValues>;
}

/** Provisions (and binds) `dataDir`; throws with the CLI's stderr when a step fails. */
export async function provisionGate(o: ProvisionGateOptions): Promise<{ publicKeyHex: string }> {
  const store = ConfigStore.open(o.dataDir);
  const errors: string[] = [];
  try {
    let publicKey = '';
    const code = await runProvisionCommand(
      store,
      o.dataDir,
      [
        '--device-id',
        o.deviceId,
        '--portal-url',
        o.mock.url,
        '--portal-public-key',
        o.mock.portalPublicKey.toString('hex'),
        '--app-id',
        o.mock.vendor.appId,
        '--app-secret-file',
        '-',
        '--json',
      ],
      o.crypto,
      {
        stdout: (line) => (publicKey = JSON.parse(line).publicKey),
        stderr: (line) => errors.push(line),
        readStdin: async () => o.mock.vendor.appSecret,
      },
    );
    if (code !== 0) throw new Error(`provisioning failed (${code}): ${errors.join(' | ')}`);
    store.setMany({ 'portal.caPem': o.mock.caPem ?? '', ...o.settings });
    if (o.vendorId !== null) o.mock.registerDevice(o.deviceId, Buffer.from(publicKey, 'hex'), o.vendorId);
    if (o.bind !== false) {
      const bound = await runBindCommand('bind', store, o.dataDir, [GATE_VENUE.venueCode], o.crypto, {
        stdout: () => undefined,
        stderr: (line) => errors.push(line),
      });
      if (bound !== 0) throw new Error(`bind failed (${bound}): ${errors.join(' | ')}`);
    }
    return { publicKeyHex: publicKey };
  } finally {
    store.close();
  }
}

/** The ID card of a demo resident, or of the person the portal does not know. */
export function demoCard(mock: RunningMockPortal, keyword: DemoResidentKeyword | 'unknown'): IdCardIdentity {
  if (keyword === 'unknown') return { cardType: 'resident', ...mock.state.demo.unknownPerson };
  const ref = mock.state.demo.residents[keyword];
  const resident = ref === undefined ? undefined : mock.state.residents.byRef(ref);
  if (!resident) throw new Error(`demo resident ${keyword} missing`);
  return { cardType: 'resident', name: resident.name, idNumber: resident.idNumber };
}

export type { DemoPassCodeKeyword };
