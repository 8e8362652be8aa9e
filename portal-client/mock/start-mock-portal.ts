// Assembles a runnable mock portal from a state directory: its SM2 key, TLS material, seeded
// dataset (state.json), admin token, and the HTTP(S) server. Used by `passgate-mock serve`, the
// demo, the bench and the tests.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPassgateError } from '../../firmware/core/errors.js';
import { readPrivateKeyFile, writePrivateKeyFile } from '../crypto/key-file.js';
import type { CryptoSuite } from '../crypto/suite.js';
import type { VenueInfo } from '../protocol/messages.js';
import { checkDataDirectory, loadOrCreateAdminToken } from './admin-token.js';
import { decideIdCard, decidePassCode } from './domain/decide.js';
import { DEMO_APPROVED_VENDOR, type DemoPassCodeKeyword, demoPassCode } from './domain/demo-dataset.js';
import type { MockPortalState } from './domain/portal-state.js';
import type { Binding, PortalFailure, PortalResult, Venue } from './domain/registry.js';
import type { Seed } from './domain/seeded-random.js';
import { loadOrSeedState, saveState } from './domain/state-file.js';
import type { DomainResult, PortalDomain } from './portal-domain.js';
import { MockPortal, type MockPortalOptions } from './server.js';
import type { TestBreach } from './test-breaches.js';
import { loadOrCreateTlsMaterial } from './tls-material.js';

export interface StartMockPortalOptions {
  dir: string;
  crypto: CryptoSuite;
  /** Serve plain HTTP instead of HTTPS (the device then needs its dev flag). */
  plainHttp?: boolean;
  host?: string;
  port?: number;
  now?: () => number;
  tokenTtlMs?: number;
  /** Seed of the demo dataset on first run. */
  seed?: Seed;
  /** Test-only breaches of PROTOCOL.md (test-breaches.ts). */
  testBreaches?: readonly TestBreach[];
  /** Check every device request against PROTOCOL.md and report deviations (serve --strict). */
  strict?: MockPortalOptions['strict'];
}

export interface RunningMockPortal {
  url: string;
  /** The CA file a device pins; null over plain HTTP. */
  caPath: string | null;
  caPem: string | null;
  portalPublicKey: Buffer;
  adminToken: string;
  server: MockPortal;
  state: MockPortalState;
  /** The approved demo vendor's app credentials. */
  vendor: { id: string; appId: string; appSecret: string };
  passCodeFor(keyword: DemoPassCodeKeyword, ttlMs?: number): string;
  registerDevice(deviceId: string, publicKey: Buffer, vendorId?: string): void;
  /** Writes state.json now (the server also saves after every change). */
  save(): Promise<void>;
  stop(): Promise<void>;
}

export const PASS_CODE_TTL_MS = 24 * 3600_000;

export async function startMockPortal(o: StartMockPortalOptions): Promise<RunningMockPortal> {
  const now = o.now ?? Date.now;
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await checkDataDirectory(o.dir);
  const portalPrivateKey = await loadOrCreatePortalKey(o.dir, o.crypto);
  const { state } = await loadOrSeedState(o.dir, { now, crypto: o.crypto, seed: o.seed });
  const adminToken = await loadOrCreateAdminToken(o.dir, o.crypto);
  const tls = o.plainHttp ? null : await loadOrCreateTlsMaterial(join(o.dir, 'tls'));

  let saving: Promise<void> = Promise.resolve();
  const persist = () => {
    saving = saving.then(() => saveState(o.dir, state)).catch(() => undefined);
  };
  const domain = createPortalDomain(state, o.crypto, now, persist);
  const server = new MockPortal({
    crypto: o.crypto,
    domain,
    portalPrivateKey,
    tls: tls ? { certPem: tls.serverCertPem, keyPem: tls.serverKeyPem } : undefined,
    host: o.host,
    port: o.port,
    now,
    tokenTtlMs: o.tokenTtlMs,
    adminToken,
    admin: (path, body) => adminAction(state, path, body, persist),
    testBreaches: o.testBreaches,
    strict: o.strict,
  });
  const url = await server.start();
  const vendor =
    state.registry.listVendors().find((v) => v.id === DEMO_APPROVED_VENDOR.id) ?? state.registry.listVendors()[0];
  return {
    url,
    caPath: tls?.caCertPath ?? null,
    caPem: tls?.caCertPem ?? null,
    portalPublicKey: o.crypto.sm2PublicKeyOf(portalPrivateKey),
    adminToken,
    server,
    state,
    vendor: { id: vendor.id, appId: vendor.appId, appSecret: vendor.appSecret },
    passCodeFor: (keyword, ttlMs = PASS_CODE_TTL_MS) => demoPassCode(state, keyword, { now, ttlMs, crypto: o.crypto }),
    registerDevice(deviceId, publicKey, vendorId = vendor.id) {
      const result = state.registry.registerDevice(deviceId, publicKey, vendorId);
      if (!result.ok) throw new Error(`device registration refused: ${refusal(result)}`);
      persist();
    },
    save: async () => {
      persist();
      await saving;
    },
    async stop() {
      await server.stop();
      await saving;
    },
  };
}

function venueInfo(venue: Venue): VenueInfo {
  return {
    code: venue.venueCode,
    name: venue.name,
    category: venue.category,
    natValidityHours: venue.natValidityHours,
    vaccinationDoses: venue.vaccinationDoses,
  };
}

export function createPortalDomain(
  state: MockPortalState,
  crypto: CryptoSuite,
  now: () => number,
  persist: () => void,
): PortalDomain {
  const { registry, residents } = state;
  const bound = (
    r: PortalResult<{ venue: Venue; binding: Binding }>,
  ): DomainResult<{ venue: VenueInfo; boundAt: number }> => {
    if (!r.ok) return { ok: false, error: r.error };
    persist();
    return { ok: true, value: { venue: venueInfo(r.venue), boundAt: r.binding.boundAt } };
  };
  return {
    device(deviceId) {
      const device = registry.getDevice(deviceId);
      if (!device) return null;
      const vendor = registry.getVendor(device.vendorId);
      return {
        deviceId,
        publicKey: Buffer.from(device.publicKey),
        vendor: {
          appId: vendor?.appId ?? '',
          appSecret: vendor?.appSecret ?? '',
          approved: vendor?.status === 'approved',
        },
      };
    },
    binding(deviceId) {
      // The binding as stored, whatever the vendor's status: suspension refuses the device's
      // calls (VENDOR_SUSPENDED) but keeps its binding for when the vendor is approved again.
      const binding = registry.getBinding(deviceId);
      const venue = binding && registry.getVenue(binding.venueCode);
      return venue ? venueInfo(venue) : null;
    },
    bind: (deviceId, venueCode) => bound(registry.bind(deviceId, venueCode)),
    rebind: (deviceId, venueCode) => bound(registry.rebind(deviceId, venueCode)),
    verifyPassCode(venue, code) {
      return decidePassCode(code, venue, { masterKey: state.passCodeMasterKey, now, crypto, residents }).verdict;
    },
    verifyIdCard(venue, card) {
      const r = decideIdCard(card, venue, { residents, now });
      return r.ok ? { ok: true, value: r.verdict } : { ok: false, error: r.error };
    },
  };
}

/** Registrations through the admin API (loopback + admin token only). */
function adminAction(state: MockPortalState, path: string, body: unknown, persist: () => void): unknown {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (key: string) => {
    const v = b[key];
    if (typeof v !== 'string' || v.length === 0) throw new Error(`${key} is required`);
    return v;
  };
  const done = <T extends object>(result: PortalResult<T>): T => {
    if (!result.ok) throw new Error(refusal(result));
    persist();
    return result;
  };
  switch (path) {
    case '/admin/devices': {
      const { replaced } = done(
        state.registry.registerDevice(
          str('deviceId'),
          Buffer.from(str('publicKey'), 'hex'),
          typeof b.vendorId === 'string' ? b.vendorId : DEMO_APPROVED_VENDOR.id,
        ),
      );
      return { registered: str('deviceId'), replaced };
    }
    case '/admin/vendors/approve':
      done(state.registry.approveVendor(str('vendorId')));
      return { vendorId: str('vendorId'), status: 'approved' };
    case '/admin/vendors/suspend':
      done(state.registry.suspendVendor(str('vendorId')));
      return { vendorId: str('vendorId'), status: 'suspended' };
    default:
      throw new Error(`unknown admin path ${path}`);
  }
}

/** What an operator reads when the registry refuses: its reason, else the protocol code. */
export function refusal(failure: PortalFailure): string {
  return failure.reason ?? failure.error;
}

async function loadOrCreatePortalKey(dir: string, crypto: CryptoSuite): Promise<Buffer> {
  const path = join(dir, 'portal.key');
  try {
    return await readPrivateKeyFile(path);
  } catch (error) {
    if (!isPassgateError(error) || error.details.reason !== 'missing') throw error;
    const { privateKey } = crypto.sm2GenerateKeyPair();
    await writePrivateKeyFile(path, privateKey);
    return privateKey;
  }
}
