// The mock portal's seeded demo dataset: enough vendors, venues and residents that every opinion
// and every finding can be produced at the gate, each by a memorable keyword.
//
// Venues: one per preset combination, NAT none/24/48/72 × vaccination none/3 doses (8 venues),
// their categories cycling through the four of clause 5; codes wx-<category>-nat<h>|nonat-vax3|novax.
// What each keyword's resident or pass code gives is DEMO_KEYWORD_MEANINGS below (the CLI's help
// prints it). Health times are relative to `now`; refreshDemoResidents re-applies them, so a state
// file loaded days later still demonstrates every case.

import { PassgateError } from '../../../firmware/core/errors.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import type { NatValidityHours } from '../../../firmware/core/verdict.js';
import type { CryptoSuite } from '../../crypto/suite.js';
import type { PersonIdentity } from './decide.js';
import { decodePassCodeBlob, issuePassCode, PASS_CODE_PREFIX } from './pass-code.js';
import type { MockPortalState } from './portal-state.js';
import { PortalRegistry, VENUE_CATEGORIES, type Venue } from './registry.js';
import {
  ResidentDirectory,
  type ResidentHealth,
  syntheticName,
  syntheticResident,
  WUXI_REGION_CODES,
} from './residents.js';
import { type Seed, SeededRandom } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const DEMO_VACCINATION_DOSES_REQUIRED = 3;
export const DEMO_NAT_PRESETS: readonly (NatValidityHours | null)[] = [null, 24, 48, 72];
export const DEMO_VACCINATION_PRESETS: readonly (number | null)[] = [null, DEMO_VACCINATION_DOSES_REQUIRED];

export const DEMO_RESIDENT_KEYWORDS = [
  'green',
  'yellow',
  'red',
  'control-list',
  'red-list',
  'stale',
  'no-skm',
  'nat-expired',
  'nat-24h',
  'unvaccinated',
  'partly-vaccinated',
] as const;
export type DemoResidentKeyword = (typeof DEMO_RESIDENT_KEYWORDS)[number];

export const DEMO_PASS_CODE_KEYWORDS = [...DEMO_RESIDENT_KEYWORDS, 'invalid', 'expired', 'tampered'] as const;
export type DemoPassCodeKeyword = (typeof DEMO_PASS_CODE_KEYWORDS)[number];

/**
 * What each keyword gives at the gate: the opinion, then the findings at a venue whose presets
 * ask for them (a venue without a NAT or vaccination preset shows none).
 */
export const DEMO_KEYWORD_MEANINGS: Record<DemoPassCodeKeyword, string> = {
  green: 'PASS; NAT negative 6 h ago (valid at every NAT venue), 3 doses (complete)',
  yellow: 'DENY; yellow 苏康码',
  red: 'DENY; red 苏康码',
  'control-list': 'DENY; green code, but on the control list',
  'red-list': 'DENY; green code, but on the red-code list (the lists are real-time)',
  stale: 'CHECK_SKM; green code not updated for 15 days',
  'no-skm': 'CHECK_SKM; no 苏康码 at all',
  'nat-expired': 'PASS; NAT negative 80 h ago: invalid at the 24, 48 and 72 h venues',
  'nat-24h': 'PASS; NAT negative 36 h ago: invalid only at the 24 h venues (nat24), valid at 48 and 72 h',
  unvaccinated: 'PASS; 0 doses: incomplete at the vax3 venues',
  'partly-vaccinated': 'PASS; 2 of 3 doses: incomplete at the vax3 venues',
  invalid: 'SHOW_CODE; text that is no pass code (no person, no findings)',
  expired: "SHOW_CODE; the green resident's code, expired a minute ago",
  tampered: "SHOW_CODE; the green resident's code with one ciphertext bit flipped",
};

/** One help line per keyword: the keyword, padded, and what it gives. */
export function describeDemoKeywords(keywords: readonly DemoPassCodeKeyword[]): string[] {
  const width = Math.max(...keywords.map((k) => k.length));
  return keywords.map((k) => `  ${k.padEnd(width)}  ${DEMO_KEYWORD_MEANINGS[k]}`);
}

export function isDemoPassCodeKeyword(value: unknown): value is DemoPassCodeKeyword {
  return typeof value === 'string' && (DEMO_PASS_CODE_KEYWORDS as readonly string[]).includes(value);
}

export const DEMO_APPROVED_VENDOR = { id: 'vendor-demo', name: '示例设备厂商', appId: 'pg-demo-app' } as const;
export const DEMO_SUSPENDED_VENDOR = { id: 'vendor-suspended', name: '已暂停厂商', appId: 'pg-suspended-app' } as const;

const VENUE_NAMES: Record<(typeof VENUE_CATEGORIES)[number], string> = {
  transport: '无锡示例交通站',
  enterprise: '示例企业园区',
  'public-place': '示例商场',
  residential: '示例小区',
};

/** The 8 demo venues: every preset combination, categories cycling through clause 5's four. */
export function demoVenues(): Venue[] {
  const venues: Venue[] = [];
  for (const vaccinationDoses of DEMO_VACCINATION_PRESETS) {
    for (const natValidityHours of DEMO_NAT_PRESETS) {
      const category = VENUE_CATEGORIES[venues.length % VENUE_CATEGORIES.length];
      const nat = natValidityHours === null ? 'nonat' : `nat${natValidityHours}`;
      const vax = vaccinationDoses === null ? 'novax' : `vax${vaccinationDoses}`;
      venues.push({
        venueCode: `wx-${category}-${nat}-${vax}`,
        name: `${VENUE_NAMES[category]}${venues.length + 1}号入口`,
        category,
        natValidityHours,
        vaccinationDoses,
      });
    }
  }
  return venues;
}

/** The health record behind a resident keyword, relative to `now` (ms since epoch). */
export function demoHealth(keyword: DemoResidentKeyword, now: number): ResidentHealth {
  const fresh = { colour: 'green' as const, updatedAt: now - HOUR_MS };
  const negative = (ageMs: number) => [{ sampledAt: now - ageMs, result: 'negative' as const }];
  const base: ResidentHealth = {
    skm: fresh,
    natSamples: negative(6 * HOUR_MS),
    vaccinationDoses: DEMO_VACCINATION_DOSES_REQUIRED,
    onControlList: false,
    onRedCodeList: false,
  };
  switch (keyword) {
    case 'green':
      return base;
    case 'yellow':
      return { ...base, skm: { colour: 'yellow', updatedAt: now - HOUR_MS } };
    case 'red':
      return { ...base, skm: { colour: 'red', updatedAt: now - HOUR_MS } };
    case 'control-list':
      return { ...base, onControlList: true };
    case 'red-list':
      return { ...base, onRedCodeList: true };
    case 'stale':
      return { ...base, skm: { colour: 'green', updatedAt: now - 15 * DAY_MS } };
    case 'no-skm':
      return { ...base, skm: null };
    case 'nat-expired':
      return { ...base, natSamples: negative(80 * HOUR_MS) };
    case 'nat-24h':
      return { ...base, natSamples: negative(36 * HOUR_MS) };
    case 'unvaccinated':
      return { ...base, vaccinationDoses: 0 };
    case 'partly-vaccinated':
      return { ...base, vaccinationDoses: DEMO_VACCINATION_DOSES_REQUIRED - 1 };
  }
}

export interface SeedDemoOptions {
  seed: Seed;
  now: () => number;
  crypto: CryptoSuite;
}

/**
 * A fresh portal state from a seed: the same seed and clock give the same vendors, secrets,
 * master key, names, ID numbers and refs. Devices are not seeded: a device registers its own key.
 */
export function seedDemoDataset(options: SeedDemoOptions): MockPortalState {
  const random = new SeededRandom(options.seed, options.crypto);
  const registry = new PortalRegistry({ now: options.now });
  const now = options.now();
  const approved = registry.registerVendor({ ...DEMO_APPROVED_VENDOR, appSecret: random.hex(16), status: 'approved' });
  const suspended = registry.registerVendor({
    ...DEMO_SUSPENDED_VENDOR,
    appSecret: random.hex(16),
    status: 'suspended',
  });
  if (!approved.ok || !suspended.ok) throw new PassgateError('config.invalid-value', 'demo vendors rejected');
  for (const venue of demoVenues()) {
    if (!registry.addVenue(venue).ok) throw new PassgateError('config.invalid-value', 'demo venue rejected');
  }

  const residents = new ResidentDirectory();
  const index: Record<string, string> = {};
  const usedIds = new Set<string>();
  for (const keyword of DEMO_RESIDENT_KEYWORDS) {
    for (;;) {
      const resident = syntheticResident(random, demoHealth(keyword, now));
      if (usedIds.has(resident.idNumber)) continue; // one person per ID number
      if (!residents.add(resident)) continue; // a (vanishingly unlikely) ref collision
      usedIds.add(resident.idNumber);
      index[keyword] = resident.ref;
      break;
    }
  }

  let unknownPerson: PersonIdentity;
  do {
    unknownPerson = {
      name: syntheticName(random),
      idNumber: syntheticIdNumber({ random: () => random.fraction(), region: random.pick(WUXI_REGION_CODES) }),
    };
  } while (usedIds.has(unknownPerson.idNumber));

  return {
    registry,
    residents,
    passCodeMasterKey: random.bytes(32),
    demo: { residents: index, unknownPerson },
  };
}

/** Re-applies each demo keyword's health record relative to `now`; other residents are left alone. */
export function refreshDemoResidents(state: MockPortalState, now: number): void {
  for (const keyword of DEMO_RESIDENT_KEYWORDS) {
    const ref = state.demo.residents[keyword];
    if (ref !== undefined) state.residents.updateHealth(ref, demoHealth(keyword, now));
  }
}

export interface DemoPassCodeOptions {
  now: () => number;
  ttlMs: number;
  crypto: CryptoSuite;
}

/**
 * The pass-code text for a demo keyword (what the mock's CLI renders as a QR or Grid Matrix code).
 * Throws PassgateError 'config.invalid-value' if the state lacks the keyword's resident.
 */
export function demoPassCode(
  state: MockPortalState,
  keyword: DemoPassCodeKeyword,
  options: DemoPassCodeOptions,
): string {
  const issue = (ref: string, now: () => number) =>
    issuePassCode({ ref }, { masterKey: state.passCodeMasterKey, now, ttlMs: options.ttlMs, crypto: options.crypto })
      .text;
  const refOf = (k: DemoResidentKeyword) => {
    const ref = state.demo.residents[k];
    if (ref === undefined || !state.residents.byRef(ref)) {
      throw new PassgateError('config.invalid-value', 'demo resident missing', { keyword: k });
    }
    return ref;
  };
  switch (keyword) {
    case 'invalid':
      return `${PASS_CODE_PREFIX}this-is-no-pass-code`;
    case 'expired': {
      const issuedAt = options.now() - options.ttlMs - 60_000;
      return issue(refOf('green'), () => issuedAt);
    }
    case 'tampered': {
      const blob = decodePassCodeBlob(issue(refOf('green'), options.now));
      if (!blob) throw new PassgateError('config.invalid-value', 'issued pass code does not decode');
      blob[16] ^= 0x01; // first ciphertext byte
      return PASS_CODE_PREFIX + blob.toString('base64url');
    }
    default:
      return issue(refOf(keyword), options.now);
  }
}
