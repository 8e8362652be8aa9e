// The soak portal's state directory, made before the portal process starts: the mock's seeded
// demo dataset, its SM2 key, TLS material that names the portal's address inside the namespaces,
// and per gate two venues of their own (so every decision says which gate asked) with the
// presets of the lab's gate venue (NAT within 48 h, 3 doses), the devices registered and bound.
import { join } from 'node:path';
import { readPrivateKeyFile, writePrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { DEMO_APPROVED_VENDOR } from '../../portal-client/mock/domain/demo-dataset.js';
import type { MockPortalState } from '../../portal-client/mock/domain/portal-state.js';
import { loadOrSeedState, saveState } from '../../portal-client/mock/domain/state-file.js';
import { DEFAULT_TLS_HOSTS, loadOrCreateTlsMaterial } from '../../portal-client/mock/tls-material.js';
import { GATE_VENUE } from '../lab/provisioned-gate.js';
import { PORTAL_KEY_FILE } from './portal-files.js';

export interface PreparedPortal {
  state: MockPortalState;
  caPem: string;
  portalPublicKeyHex: string;
  vendor: { id: string; appId: string; appSecret: string };
}

/** Venue codes of a gate: it starts bound to the first; rebinds alternate between the two. */
export function soakVenueCodes(gate: number): [string, string] {
  const n = String(gate).padStart(3, '0');
  return [`soak-g${n}-a`, `soak-g${n}-b`];
}

/** The gate a soak venue code belongs to; null for any other venue. */
export function gateOfVenue(code: string): number | null {
  const m = /^soak-g(\d{3})-[ab]$/.exec(code);
  return m ? Number(m[1]) : null;
}

export async function preparePortalDir(
  dir: string,
  options: { crypto: CryptoSuite; tlsHosts: readonly string[]; seed: string; gates: number },
): Promise<PreparedPortal> {
  const { state } = await loadOrSeedState(dir, { now: Date.now, crypto: options.crypto, seed: options.seed });
  const keyPath = join(dir, PORTAL_KEY_FILE);
  const privateKey = await readPrivateKeyFile(keyPath).catch(async () => {
    const { privateKey: fresh } = options.crypto.sm2GenerateKeyPair();
    await writePrivateKeyFile(keyPath, fresh);
    return fresh;
  });
  const tls = await loadOrCreateTlsMaterial(join(dir, 'tls'), { hosts: [...DEFAULT_TLS_HOSTS, ...options.tlsHosts] });
  for (let g = 0; g < options.gates; g++) {
    for (const [i, venueCode] of soakVenueCodes(g).entries()) {
      if (state.registry.getVenue(venueCode)) continue;
      const added = state.registry.addVenue({
        venueCode,
        name: `Soak gate ${g} ${i === 0 ? 'A' : 'B'}`,
        category: GATE_VENUE.category,
        natValidityHours: GATE_VENUE.natValidityHours,
        vaccinationDoses: GATE_VENUE.vaccinationDoses,
      });
      if (!added.ok) throw new Error(`soak venue refused: ${added.error}`);
    }
  }
  const vendor = state.registry.getVendor(DEMO_APPROVED_VENDOR.id);
  if (!vendor) throw new Error('the demo vendor is missing from the mock state');
  return {
    state,
    caPem: tls.caCertPem,
    portalPublicKeyHex: options.crypto.sm2PublicKeyOf(privateKey).toString('hex'),
    vendor: { id: vendor.id, appId: vendor.appId, appSecret: vendor.appSecret },
  };
}

/** Registers a gate's device key and binds it to the gate's first venue, in the state to be saved. */
export function registerSoakDevice(
  prepared: PreparedPortal,
  gate: number,
  deviceId: string,
  publicKeyHex: string,
): void {
  const { registry } = prepared.state;
  const registered = registry.registerDevice(deviceId, Buffer.from(publicKeyHex, 'hex'), prepared.vendor.id);
  if (!registered.ok) throw new Error(`device registration refused: ${registered.error}`);
  const bound = registry.getBinding(deviceId)
    ? registry.rebind(deviceId, soakVenueCodes(gate)[0])
    : registry.bind(deviceId, soakVenueCodes(gate)[0]);
  if (!bound.ok) throw new Error(`soak binding refused: ${bound.error}`);
}

export async function savePortalDir(dir: string, prepared: PreparedPortal): Promise<void> {
  await saveState(dir, prepared.state);
}
