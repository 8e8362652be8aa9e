import { describe, expect, it } from 'vitest';
import { OPINIONS, type Opinion, type Verdict } from '../../../../firmware/core/verdict.js';
import { decideIdCard, decidePassCode } from '../../../../portal-client/mock/domain/decide.js';
import {
  DEMO_APPROVED_VENDOR,
  DEMO_PASS_CODE_KEYWORDS,
  DEMO_RESIDENT_KEYWORDS,
  DEMO_SUSPENDED_VENDOR,
  demoPassCode,
  isDemoPassCodeKeyword,
  refreshDemoResidents,
  seedDemoDataset,
} from '../../../../portal-client/mock/domain/demo-dataset.js';
import { VENUE_CATEGORIES } from '../../../../portal-client/mock/domain/registry.js';
import { serializeState } from '../../../../portal-client/mock/domain/state-file.js';
import { crypto, DAY, T0 } from './fixtures.js';

const TTL = 5 * 60_000;

function seeded(seed: string | number = 'demo', at = T0) {
  return seedDemoDataset({ seed, now: () => at, crypto });
}

function verdictsAt(state: ReturnType<typeof seeded>, at: number) {
  const results: { keyword: string; venueCode: string; verdict: Verdict; rejection: string | null }[] = [];
  for (const venue of state.registry.listVenues()) {
    for (const keyword of DEMO_PASS_CODE_KEYWORDS) {
      const text = demoPassCode(state, keyword, { now: () => at, ttlMs: TTL, crypto });
      const decision = decidePassCode(text, venue, {
        masterKey: state.passCodeMasterKey,
        now: () => at,
        crypto,
        residents: state.residents,
      });
      results.push({ keyword, venueCode: venue.venueCode, ...decision });
    }
  }
  return results;
}

const EXPECTED_OPINION: Record<(typeof DEMO_PASS_CODE_KEYWORDS)[number], Opinion> = {
  green: 'PASS',
  yellow: 'DENY',
  red: 'DENY',
  'control-list': 'DENY',
  'red-list': 'DENY',
  stale: 'CHECK_SKM',
  'no-skm': 'CHECK_SKM',
  'nat-expired': 'PASS',
  'nat-24h': 'PASS',
  unvaccinated: 'PASS',
  'partly-vaccinated': 'PASS',
  invalid: 'SHOW_CODE',
  expired: 'SHOW_CODE',
  tampered: 'SHOW_CODE',
};

describe('seeded demo dataset', () => {
  it('has one approved and one suspended vendor with credentials that check', () => {
    const state = seeded();
    const vendors = state.registry.listVendors();
    expect(vendors.map((v) => [v.id, v.status])).toEqual([
      [DEMO_APPROVED_VENDOR.id, 'approved'],
      [DEMO_SUSPENDED_VENDOR.id, 'suspended'],
    ]);
    const approved = vendors[0];
    expect(approved.appSecret).toMatch(/^[0-9a-f]{32}$/);
    expect(state.registry.checkAppCredentials(approved.appId, approved.appSecret).ok).toBe(true);
    const suspended = vendors[1];
    expect(state.registry.checkAppCredentials(suspended.appId, suspended.appSecret)).toEqual({
      ok: false,
      error: 'VENDOR_SUSPENDED',
    });
    expect(state.registry.listDevices()).toEqual([]);
  });

  it('has venues of all four categories and every preset combination', () => {
    const venues = seeded().registry.listVenues();
    expect(new Set(venues.map((v) => v.category))).toEqual(new Set(VENUE_CATEGORIES));
    const combos = new Set(venues.map((v) => `${v.natValidityHours}/${v.vaccinationDoses}`));
    for (const nat of [null, 24, 48, 72]) for (const vax of [null, 3]) expect(combos).toContain(`${nat}/${vax}`);
  });

  it('each keyword yields its documented opinion at every venue', () => {
    const state = seeded();
    for (const result of verdictsAt(state, T0)) {
      expect([result.keyword, result.verdict.opinion]).toEqual([
        result.keyword,
        EXPECTED_OPINION[result.keyword as keyof typeof EXPECTED_OPINION],
      ]);
    }
  });

  it('the pass-code keywords give the rejection they are named for', () => {
    const results = verdictsAt(seeded(), T0);
    const rejectionOf = (keyword: string) =>
      new Set(results.filter((r) => r.keyword === keyword).map((r) => r.rejection));
    expect(rejectionOf('invalid')).toEqual(new Set(['malformed']));
    expect(rejectionOf('expired')).toEqual(new Set(['expired']));
    expect(rejectionOf('tampered')).toEqual(new Set(['tampered']));
    expect(rejectionOf('green')).toEqual(new Set([null]));
  });

  it('across the dataset every opinion occurs, and per preset combination every finding value occurs', () => {
    const state = seeded();
    const results = verdictsAt(state, T0);
    expect(new Set(results.map((r) => r.verdict.opinion))).toEqual(new Set(OPINIONS));
    for (const venue of state.registry.listVenues()) {
      const here = results.filter((r) => r.venueCode === venue.venueCode && r.verdict.opinion !== 'SHOW_CODE');
      const natValues = new Set(here.map((r) => r.verdict.nat?.valid));
      const vaxValues = new Set(here.map((r) => r.verdict.vaccination?.complete));
      expect(natValues).toEqual(venue.natValidityHours === null ? new Set([undefined]) : new Set([true, false]));
      expect(vaxValues).toEqual(venue.vaccinationDoses === null ? new Set([undefined]) : new Set([true, false]));
      for (const r of here) {
        if (venue.natValidityHours !== null) expect(r.verdict.nat?.validityHours).toBe(venue.natValidityHours);
        if (venue.vaccinationDoses !== null) expect(r.verdict.vaccination?.dosesRequired).toBe(venue.vaccinationDoses);
      }
    }
  });

  it('the NAT keywords differ by window as documented', () => {
    const results = verdictsAt(seeded(), T0);
    const natOf = (keyword: string, hours: number) =>
      results.find((r) => r.keyword === keyword && r.verdict.nat?.validityHours === hours)?.verdict.nat?.valid;
    expect([natOf('green', 24), natOf('green', 48), natOf('green', 72)]).toEqual([true, true, true]);
    expect([natOf('nat-24h', 24), natOf('nat-24h', 48), natOf('nat-24h', 72)]).toEqual([false, true, true]);
    expect([natOf('nat-expired', 24), natOf('nat-expired', 48), natOf('nat-expired', 72)]).toEqual([
      false,
      false,
      false,
    ]);
    const vaxOf = (keyword: string) =>
      results.find((r) => r.keyword === keyword && r.verdict.vaccination)?.verdict.vaccination?.complete;
    expect([vaxOf('green'), vaxOf('unvaccinated'), vaxOf('partly-vaccinated')]).toEqual([true, false, false]);
  });

  it('the unknown person is not in the directory and gets CHECK_SKM by ID card', () => {
    const state = seeded();
    const venue = state.registry.listVenues()[0];
    const result = decideIdCard({ cardType: 'resident', ...state.demo.unknownPerson }, venue, {
      residents: state.residents,
      now: () => T0,
    });
    expect(result).toMatchObject({ ok: true, matched: false, verdict: { opinion: 'CHECK_SKM' } });
    for (const keyword of DEMO_RESIDENT_KEYWORDS) {
      const resident = state.residents.byRef(state.demo.residents[keyword])!;
      const byCard = decideIdCard({ cardType: 'resident', name: resident.name, idNumber: resident.idNumber }, venue, {
        residents: state.residents,
        now: () => T0,
      });
      expect(byCard).toMatchObject({ ok: true, matched: true, verdict: { opinion: EXPECTED_OPINION[keyword] } });
    }
  });

  it('is deterministic per seed and clock, and differs between seeds', () => {
    expect(serializeState(seeded('a'))).toBe(serializeState(seeded('a')));
    const a = seeded('a');
    const b = seeded('b');
    expect(b.passCodeMasterKey.equals(a.passCodeMasterKey)).toBe(false);
    expect(b.registry.listVendors()[0].appSecret).not.toBe(a.registry.listVendors()[0].appSecret);
    expect(a.residents.size).toBe(DEMO_RESIDENT_KEYWORDS.length);
  });

  it('refreshDemoResidents keeps every case working days later', () => {
    const state = seeded('refresh', T0);
    const later = T0 + 20 * DAY;
    const stale = verdictsAt(state, later).filter((r) => r.keyword === 'green');
    expect(new Set(stale.map((r) => r.verdict.opinion))).toEqual(new Set(['CHECK_SKM']));
    refreshDemoResidents(state, later);
    for (const result of verdictsAt(state, later)) {
      expect(result.verdict.opinion).toBe(EXPECTED_OPINION[result.keyword as keyof typeof EXPECTED_OPINION]);
    }
  });

  it('recognises its keywords', () => {
    expect(isDemoPassCodeKeyword('tampered')).toBe(true);
    expect(isDemoPassCodeKeyword('purple')).toBe(false);
  });
});
