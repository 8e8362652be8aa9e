import { describe, expect, it } from 'vitest';
import type { PortalDomain } from '../../../portal-client/mock/portal-domain.js';
import type { VenueInfo } from '../../../portal-client/protocol/messages.js';
import { freeGate } from '../../../scripts/soak/fault-runner.js';
import { gateOfVenue, soakVenueCodes } from '../../../scripts/soak/portal-dir.js';
import { type DecisionNote, recordingDomain } from '../../../scripts/soak/recording-domain.js';
import { scanKey } from '../../../scripts/soak/scan-key.js';

const venue: VenueInfo = {
  code: 'soak-g007-b',
  name: 'Soak gate 7 B',
  category: 'public-place',
  natValidityHours: 48,
  vaccinationDoses: 3,
};
const inner: PortalDomain = {
  device: () => null,
  binding: () => null,
  bind: () => ({ ok: false, error: 'BAD_REQUEST' }),
  rebind: () => ({ ok: false, error: 'BAD_REQUEST' }),
  verifyPassCode: () => ({
    opinion: 'PASS',
    maskedName: '*明',
    maskedId: '3****************4',
    nat: { validityHours: 48, valid: false },
  }),
  verifyIdCard: (_v, card) =>
    card.idNumber.endsWith('X')
      ? { ok: false, error: 'BAD_REQUEST' }
      : { ok: true, value: { opinion: 'DENY', maskedName: '*明', maskedId: null } },
};

describe('recording domain and scan keys', () => {
  const secret = Buffer.alloc(32, 7);
  const notes: DecisionNote[] = [];
  const domain = recordingDomain(inner, secret, { natPolicy: 'deny', vaccinationPolicy: 'deny' }, (n) => notes.push(n));

  it('notes each decision with venue, kind, keyed hash and the outcome at the gate, and nothing personal', () => {
    domain.verifyPassCode(venue, 'PGC1.some-code');
    domain.verifyIdCard(venue, { cardType: 'resident', name: '李明', idNumber: '320205199001011234' });
    domain.verifyIdCard(venue, { cardType: 'resident', name: '李明', idNumber: '32020519900101123X' });
    expect(notes).toEqual([
      {
        venueCode: 'soak-g007-b',
        kind: 'code',
        key: scanKey(secret, { kind: 'code', text: 'PGC1.some-code' }),
        outcome: 'policy-deny',
      },
      {
        venueCode: 'soak-g007-b',
        kind: 'card',
        key: scanKey(secret, { kind: 'card', name: '李明', idNumber: '320205199001011234' }),
        outcome: 'deny',
      },
    ]);
    const text = JSON.stringify(notes);
    for (const secretText of ['some-code', '李明', '3202051990', '*明']) expect(text).not.toContain(secretText);
  });

  it('keys depend on the run’s secret and the payload', () => {
    const a = scanKey(secret, { kind: 'code', text: 'x' });
    expect(a).toHaveLength(22);
    expect(scanKey(Buffer.alloc(32, 8), { kind: 'code', text: 'x' })).not.toBe(a);
    expect(scanKey(secret, { kind: 'card', name: 'x', idNumber: '1' })).not.toBe(a);
    expect(scanKey(secret, { kind: 'card', name: 'n', idNumber: '12x' })).toBe(
      scanKey(secret, { kind: 'card', name: 'n', idNumber: '12X' }),
    );
  });

  it('venue codes name their gate', () => {
    expect(soakVenueCodes(7)).toEqual(['soak-g007-a', 'soak-g007-b']);
    expect(gateOfVenue('soak-g007-b')).toBe(7);
    expect(gateOfVenue('wx-transport-nat48-vax3')).toBeNull();
  });

  it('a gate fault goes to the next free, unprotected gate', () => {
    expect(freeGate(2, 4, new Set(), [0])).toBe(2);
    expect(freeGate(2, 4, new Set([2, 3]), [0])).toBe(1);
    expect(freeGate(1, 2, new Set([1]), [0])).toBeNull();
  });
});
