import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticIdNumberOf } from '../../../../firmware/core/id-number.js';
import { isMaskedIdNumber, isMaskedName, maskIdNumber, maskName } from '../../../../firmware/core/verdict.js';
import {
  decideForResident,
  decideIdCard,
  decidePassCode,
  isPersonIdentity,
  natValid,
  opinionFor,
  SKM_STALE_AFTER_MS,
} from '../../../../portal-client/mock/domain/decide.js';
import { issuePassCode, PASS_CODE_PREFIX } from '../../../../portal-client/mock/domain/pass-code.js';
import { ResidentDirectory, type ResidentHealth } from '../../../../portal-client/mock/domain/residents.js';
import { crypto, DAY, HOUR, healthy, MASTER_KEY, NO_PRESETS, residentFactory, T0, venue } from './fixtures.js';

const NOW = T0;

describe('opinion rules (7.3.1)', () => {
  it('PASS: green, fresh, on no list', () => {
    expect(opinionFor(healthy(NOW), NOW)).toBe('PASS');
  });

  it('DENY: yellow, red, control list, red-code list', () => {
    expect(opinionFor(healthy(NOW, { skm: { colour: 'yellow', updatedAt: NOW - HOUR } }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { skm: { colour: 'red', updatedAt: NOW - HOUR } }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { onControlList: true }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { onRedCodeList: true }), NOW)).toBe('DENY');
  });

  it('CHECK_SKM: no 苏康码, or not updated for 14 days (boundary at exactly 14 × 24 h)', () => {
    expect(opinionFor(healthy(NOW, { skm: null }), NOW)).toBe('CHECK_SKM');
    const updated = (age: number) => healthy(NOW, { skm: { colour: 'green', updatedAt: NOW - age } });
    expect(SKM_STALE_AFTER_MS).toBe(14 * DAY);
    expect(opinionFor(updated(14 * DAY - 1), NOW)).toBe('PASS');
    expect(opinionFor(updated(14 * DAY), NOW)).toBe('CHECK_SKM');
    expect(opinionFor(updated(30 * DAY), NOW)).toBe('CHECK_SKM');
  });

  it('order: DENY before CHECK_SKM (a listed person with a stale or missing code is denied)', () => {
    const stale = { colour: 'green' as const, updatedAt: NOW - 20 * DAY };
    expect(opinionFor(healthy(NOW, { skm: stale, onRedCodeList: true }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { skm: null, onControlList: true }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { skm: { colour: 'yellow', updatedAt: NOW - 20 * DAY } }), NOW)).toBe('DENY');
    expect(opinionFor(healthy(NOW, { skm: { colour: 'red', updatedAt: NOW - 20 * DAY } }), NOW)).toBe('DENY');
  });

  it('findings never change the opinion', () => {
    const poor = healthy(NOW, { natSamples: [], vaccinationDoses: 0 });
    const make = residentFactory('findings-opinion');
    const verdict = decideForResident(make(poor), venue({ natValidityHours: 24, vaccinationDoses: 3 }), NOW);
    expect(verdict).toMatchObject({ opinion: 'PASS', nat: { valid: false }, vaccination: { complete: false } });
  });

  it('the opinion is a total function of the record (fast-check): exactly the documented rules', () => {
    const health = fc.record({
      skm: fc.option(
        fc.record({
          colour: fc.constantFrom('green', 'yellow', 'red'),
          updatedAt: fc.integer({ min: NOW - 40 * DAY, max: NOW }),
        }),
        { nil: null },
      ),
      natSamples: fc.constant([]),
      vaccinationDoses: fc.nat(5),
      onControlList: fc.boolean(),
      onRedCodeList: fc.boolean(),
    }) as fc.Arbitrary<ResidentHealth>;
    fc.assert(
      fc.property(health, (h) => {
        const listed = h.onControlList || h.onRedCodeList || h.skm?.colour === 'yellow' || h.skm?.colour === 'red';
        const stale = !h.skm || NOW - h.skm.updatedAt >= 14 * DAY;
        expect(opinionFor(h, NOW)).toBe(listed ? 'DENY' : stale ? 'CHECK_SKM' : 'PASS');
      }),
      { numRuns: 300 },
    );
  });
});

describe('NAT finding (7.3.2)', () => {
  const negative = (age: number) => ({ sampledAt: NOW - age, result: 'negative' as const });
  const positive = (age: number) => ({ sampledAt: NOW - age, result: 'positive' as const });

  it('valid when the newest sample is negative and within the window (inclusive)', () => {
    for (const hours of [24, 48, 72]) {
      expect(natValid([negative(hours * HOUR)], hours, NOW)).toBe(true);
      expect(natValid([negative(hours * HOUR + 1)], hours, NOW)).toBe(false);
    }
    expect(natValid([], 72, NOW)).toBe(false);
    expect(natValid([negative(36 * HOUR)], 24, NOW)).toBe(false);
    expect(natValid([negative(36 * HOUR)], 48, NOW)).toBe(true);
  });

  it('a later positive voids an earlier negative; an older positive does not; future samples are ignored', () => {
    expect(natValid([negative(20 * HOUR), positive(10 * HOUR)], 72, NOW)).toBe(false);
    expect(natValid([positive(30 * HOUR), negative(10 * HOUR)], 72, NOW)).toBe(true);
    expect(natValid([{ sampledAt: NOW + HOUR, result: 'negative' }], 72, NOW)).toBe(false);
    expect(natValid([negative(10 * HOUR), { sampledAt: NOW + HOUR, result: 'positive' }], 72, NOW)).toBe(true);
  });
});

describe('presets add findings exactly when asked', () => {
  const make = residentFactory('presets');
  const person = make(
    healthy(NOW, { natSamples: [{ sampledAt: NOW - 30 * HOUR, result: 'negative' }], vaccinationDoses: 2 }),
  );

  it('no presets: no findings at all', () => {
    const verdict = decideForResident(person, NO_PRESETS, NOW);
    expect(verdict).not.toHaveProperty('nat');
    expect(verdict).not.toHaveProperty('vaccination');
  });

  it('each NAT window × vaccination requirement', () => {
    for (const natValidityHours of [null, 24, 48, 72] as const) {
      for (const vaccinationDoses of [null, 1, 2, 3]) {
        const verdict = decideForResident(person, venue({ natValidityHours, vaccinationDoses }), NOW);
        if (natValidityHours === null) expect(verdict).not.toHaveProperty('nat');
        else expect(verdict.nat).toEqual({ validityHours: natValidityHours, valid: natValidityHours >= 48 });
        if (vaccinationDoses === null) expect(verdict).not.toHaveProperty('vaccination');
        else expect(verdict.vaccination).toEqual({ dosesRequired: vaccinationDoses, complete: vaccinationDoses <= 2 });
      }
    }
  });
});

describe('decidePassCode (interface 3)', () => {
  const make = residentFactory('decide-pass-code');
  const green = make(healthy(NOW));
  const red = make(healthy(NOW, { skm: { colour: 'red', updatedAt: NOW - HOUR } }));
  const ghost = make(healthy(NOW));
  const residents = new ResidentDirectory([green, red]);
  const issue = (ref: string, at = NOW) =>
    issuePassCode({ ref }, { masterKey: MASTER_KEY, now: () => at, ttlMs: 60_000, crypto }).text;
  const options = { masterKey: MASTER_KEY, now: () => NOW, crypto, residents };
  const allPresets = venue({ natValidityHours: 24, vaccinationDoses: 3 });

  it('PASS with masked identity and findings for a valid code', () => {
    const { verdict, rejection } = decidePassCode(issue(green.ref), allPresets, options);
    expect(rejection).toBeNull();
    expect(verdict).toEqual({
      opinion: 'PASS',
      maskedName: maskName(green.name),
      maskedId: maskIdNumber(green.idNumber),
      nat: { validityHours: 24, valid: true },
      vaccination: { dosesRequired: 3, complete: true },
    });
    expect(isMaskedName(verdict.maskedName!)).toBe(true);
    expect(isMaskedIdNumber(verdict.maskedId!)).toBe(true);
  });

  it('DENY for a red code', () => {
    expect(decidePassCode(issue(red.ref), NO_PRESETS, options).verdict.opinion).toBe('DENY');
  });

  it('SHOW_CODE with no person and no findings for malformed, tampered, expired and unknown-resident codes', () => {
    const good = issue(green.ref);
    const blob = Buffer.from(good.slice(5), 'base64url');
    blob[20] ^= 0x40;
    const cases = {
      malformed: 'hello world',
      tampered: PASS_CODE_PREFIX + blob.toString('base64url'),
      expired: issue(green.ref, NOW - 61_000),
      'unknown-resident': issue(ghost.ref),
    };
    for (const [reason, text] of Object.entries(cases)) {
      const decision = decidePassCode(text, allPresets, options);
      expect(decision).toEqual({
        verdict: { opinion: 'SHOW_CODE', maskedName: null, maskedId: null },
        rejection: reason,
      });
    }
  });

  it('never throws and never passes garbage (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 150 }).map((b) => PASS_CODE_PREFIX + Buffer.from(b).toString('base64url')),
        ),
        (text) => {
          const { verdict } = decidePassCode(text, allPresets, options);
          expect(verdict).toEqual({ opinion: 'SHOW_CODE', maskedName: null, maskedId: null });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('decideIdCard (interface 4)', () => {
  const make = residentFactory('decide-id-card');
  const green = make(healthy(NOW));
  const listed = make(healthy(NOW, { onControlList: true }));
  const residents = new ResidentDirectory([green, listed]);
  const context = { residents, now: () => NOW };
  const presets = venue({ natValidityHours: 72, vaccinationDoses: 2 });

  it('matches name and ID number exactly and applies the rules', () => {
    expect(
      decideIdCard({ cardType: 'resident', name: green.name, idNumber: green.idNumber }, presets, context),
    ).toEqual({
      ok: true,
      matched: true,
      verdict: {
        opinion: 'PASS',
        maskedName: maskName(green.name),
        maskedId: maskIdNumber(green.idNumber),
        nat: { validityHours: 72, valid: true },
        vaccination: { dosesRequired: 2, complete: true },
      },
    });
    expect(
      decideIdCard({ cardType: 'resident', name: listed.name, idNumber: listed.idNumber }, presets, context),
    ).toMatchObject({
      ok: true,
      matched: true,
      verdict: { opinion: 'DENY' },
    });
  });

  it('an unknown person gets CHECK_SKM with the identity masked from the card, findings from an empty record', () => {
    const stranger = make(healthy(NOW)); // never added to the directory
    const result = decideIdCard(
      { cardType: 'resident', name: stranger.name, idNumber: stranger.idNumber },
      presets,
      context,
    );
    expect(result).toEqual({
      ok: true,
      matched: false,
      verdict: {
        opinion: 'CHECK_SKM',
        maskedName: maskName(stranger.name),
        maskedId: maskIdNumber(stranger.idNumber),
        nat: { validityHours: 72, valid: false },
        vaccination: { dosesRequired: 2, complete: false },
      },
    });
  });

  it('a known ID number with another name is an unknown person (no partial match)', () => {
    const result = decideIdCard(
      { cardType: 'resident', name: '某' + listed.name, idNumber: listed.idNumber },
      presets,
      context,
    );
    expect(result).toMatchObject({ ok: true, matched: false, verdict: { opinion: 'CHECK_SKM' } });
  });

  it("any accepted card gives a verdict the device's masking re-check accepts; any input, no throw (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 0, maxLength: 65 }),
        fc.string({ maxLength: 20 }),
        fc.boolean(),
        (name, junkId, useValidId) => {
          const idNumber = useValidId ? make(healthy(NOW)).idNumber : junkId;
          const result = decideIdCard({ cardType: 'resident', name, idNumber }, presets, context);
          if (!result.ok) return;
          expect(isMaskedName(result.verdict.maskedName!)).toBe(true);
          expect(isMaskedIdNumber(result.verdict.maskedId!)).toBe(true);
          expect(result.verdict.maskedId).not.toBe(idNumber);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a name of up to 60 code points (a foreigner card's English name) is masked to at most 40", () => {
    const english = `${'ABCDEFGHIJ'.repeat(5)}KLMNOPQR Z`; // 60 code points
    expect([...english]).toHaveLength(60);
    const result = decideIdCard(
      { cardType: 'foreign-permanent', name: english, idNumber: syntheticIdNumberOf('foreigner-2017') },
      presets,
      context,
    );
    expect(result.ok && result.verdict.maskedName).toBe(`${'*'.repeat(39)}Z`);
    expect(result.ok && isMaskedName(result.verdict.maskedName!)).toBe(true);
    expect(result.ok && result.verdict.maskedId).toMatch(/^[A-Z]\*{13}[0-9]$/);
  });

  it('BAD_REQUEST for a number of another card type, or a foreigner number with a wrong check digit', () => {
    const fresh = syntheticIdNumberOf('foreigner-2023');
    for (const card of [
      { cardType: 'foreign-permanent' as const, name: green.name, idNumber: green.idNumber },
      { cardType: 'hmt-permit' as const, name: green.name, idNumber: syntheticIdNumberOf('foreigner-2017') },
      {
        cardType: 'foreign-permanent' as const,
        name: green.name,
        idNumber: `${fresh.slice(0, 17)}${fresh.endsWith('0') ? '1' : '0'}`,
      },
    ]) {
      expect(decideIdCard(card, presets, context)).toEqual({ ok: false, error: 'BAD_REQUEST' });
    }
  });

  it('BAD_REQUEST for an invalid ID number or name', () => {
    const badCheck = green.idNumber.slice(0, 17) + (green.idNumber[17] === '0' ? '1' : '0');
    for (const card of [
      { name: green.name, idNumber: badCheck },
      { name: green.name, idNumber: green.idNumber.slice(0, 15) },
      { name: '', idNumber: green.idNumber },
      { name: 'a\nb', idNumber: green.idNumber },
      { name: green.name + ' ', idNumber: green.idNumber },
      { name: ' ', idNumber: green.idNumber },
      { name: 'x'.repeat(61), idNumber: green.idNumber },
    ]) {
      expect(decideIdCard({ cardType: 'resident', ...card }, presets, context)).toEqual({
        ok: false,
        error: 'BAD_REQUEST',
      });
    }
    expect(isPersonIdentity(null)).toBe(false);
    expect(isPersonIdentity({ name: 1, idNumber: green.idNumber })).toBe(false);
  });
});
