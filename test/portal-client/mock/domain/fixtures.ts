// Synthetic residents and venues for the mock-domain tests.
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import type { Venue, VenuePresets } from '../../../../portal-client/mock/domain/registry.js';
import {
  type Resident,
  type ResidentHealth,
  syntheticResident,
} from '../../../../portal-client/mock/domain/residents.js';
import { SeededRandom } from '../../../../portal-client/mock/domain/seeded-random.js';

export const crypto = createGmCryptoSuite();
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
export const MASTER_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

export function healthy(now: number, overrides: Partial<ResidentHealth> = {}): ResidentHealth {
  return {
    skm: { colour: 'green', updatedAt: now - HOUR },
    natSamples: [{ sampledAt: now - 6 * HOUR, result: 'negative' }],
    vaccinationDoses: 3,
    onControlList: false,
    onRedCodeList: false,
    ...overrides,
  };
}

/** A factory of distinct synthetic residents, deterministic per seed. */
export function residentFactory(seed = 'fixtures'): (health: ResidentHealth) => Resident {
  const random = new SeededRandom(seed, crypto);
  return (health) => syntheticResident(random, health);
}

export const NO_PRESETS: VenuePresets = { natValidityHours: null, vaccinationDoses: null };

export function venue(presets: Partial<VenuePresets> = {}): Venue {
  return { venueCode: 'test-venue', name: '测试场所', category: 'public-place', ...NO_PRESETS, ...presets };
}
