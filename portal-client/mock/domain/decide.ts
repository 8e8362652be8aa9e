// The mock portal's decision (standard 7.2 and 7.3): one person's health record, the real-time
// control and red-code lists, and the venue's presets become one Verdict.
//
// Rules, first match wins (PROTOCOL.md §Verdict copies this list):
//   1. The pass code is malformed, tampered, expired, or names no resident the portal knows
//      → SHOW_CODE (否-请出示通行码), no person: maskedName and maskedId null, no findings.
//   2. On the control list, on the red-code list, or 苏康码 yellow or red → DENY (否-禁止通行).
//      This comes before rule 3 on purpose (safety): a listed person, or one whose last known
//      code is yellow or red, is denied even when the code is missing or stale.
//   3. No 苏康码, or its last update is 14 days (14 × 24 h) old or older → CHECK_SKM (否-请检查苏康码).
//   4. Otherwise (green, fresh, on no list) → PASS (可).
//
// ID-card verification (interface 4) matches the card's name AND ID number exactly against the
// directory and then applies rules 2–4. A person the portal does not know (no match) has no
// 苏康码 in the portal, so rule 3 gives CHECK_SKM; the masked name and ID then come from the card
// itself, so the gate can show whom it refers to.
//
// Findings (7.3.2, 7.3.3) are added exactly when the venue's presets ask for them and a person is
// identified (every verdict except SHOW_CODE: a finding is about a person, and rule 1 has none);
// they never change the opinion:
//   nat = { validityHours, valid }: valid when the newest NAT sample taken at or before now is
//         negative and at most validityHours old (a later positive voids an earlier negative;
//         samples dated after now are ignored). Unknown card holder: no samples, valid false.
//   vaccination = { dosesRequired, complete: doses ≥ dosesRequired }. Unknown card holder: 0 doses.

import {
  type IdCardIdentity,
  isAcceptedIdNumber,
  isCardHolderName,
  isIdNumberOfCardType,
} from '../../../firmware/core/id-number.js';
import {
  maskIdNumber,
  maskName,
  type NatFinding,
  type Opinion,
  type VaccinationFinding,
  type Verdict,
} from '../../../firmware/core/verdict.js';
import { type OpenPassCodeOptions, openPassCode, type PassCodeRejection } from './pass-code.js';
import type { PortalResult, VenuePresets } from './registry.js';
import type { NatSample, Resident, ResidentDirectory, ResidentHealth } from './residents.js';

const HOUR_MS = 3_600_000;
/** Standard 7.3.1: a 苏康码 not updated for 14 days asks the holder to check it. */
export const SKM_STALE_AFTER_MS = 14 * 24 * HOUR_MS;

/** The health record of a person the portal does not know: nothing at all. */
const UNKNOWN_PERSON_HEALTH: ResidentHealth = {
  skm: null,
  natSamples: [],
  vaccinationDoses: 0,
  onControlList: false,
  onRedCodeList: false,
};

/** Rules 2–4 on a health record alone. */
export function opinionFor(health: ResidentHealth, now: number): Opinion {
  if (health.onControlList || health.onRedCodeList) return 'DENY';
  if (health.skm && (health.skm.colour === 'yellow' || health.skm.colour === 'red')) return 'DENY';
  if (!health.skm || now - health.skm.updatedAt >= SKM_STALE_AFTER_MS) return 'CHECK_SKM';
  return 'PASS';
}

export function natValid(samples: readonly NatSample[], validityHours: number, now: number): boolean {
  let newest: NatSample | undefined;
  for (const sample of samples) {
    if (sample.sampledAt > now) continue;
    if (!newest || sample.sampledAt > newest.sampledAt) newest = sample;
  }
  return newest !== undefined && newest.result === 'negative' && now - newest.sampledAt <= validityHours * HOUR_MS;
}

function withFindings(verdict: Verdict, health: ResidentHealth, presets: VenuePresets, now: number): Verdict {
  if (presets.natValidityHours !== null) {
    const nat: NatFinding = {
      validityHours: presets.natValidityHours,
      valid: natValid(health.natSamples, presets.natValidityHours, now),
    };
    verdict.nat = nat;
  }
  if (presets.vaccinationDoses !== null) {
    const vaccination: VaccinationFinding = {
      dosesRequired: presets.vaccinationDoses,
      complete: health.vaccinationDoses >= presets.vaccinationDoses,
    };
    verdict.vaccination = vaccination;
  }
  return verdict;
}

/** The masked name of a verdict: at most this many code points (PROTOCOL.md §7). */
export const MAX_MASKED_NAME_CODE_POINTS = 40;

/**
 * maskName of the name's last 40 code points: a longer name (a foreigner card's English name
 * holds 60) gives 39 `*` and its last character, which the device's re-check accepts.
 */
export function maskNameForVerdict(name: string): string {
  return maskName([...name].slice(-MAX_MASKED_NAME_CODE_POINTS).join(''));
}

/** The verdict for a known person at a venue. */
export function decideForResident(resident: Resident, venue: VenuePresets, now: number): Verdict {
  const verdict: Verdict = {
    opinion: opinionFor(resident, now),
    maskedName: maskNameForVerdict(resident.name),
    maskedId: maskIdNumber(resident.idNumber),
  };
  return withFindings(verdict, resident, venue, now);
}

/** Rule 1's verdict: no person. */
export function showCodeVerdict(): Verdict {
  return { opinion: 'SHOW_CODE', maskedName: null, maskedId: null };
}

export interface PassCodeDecision {
  verdict: Verdict;
  /** Why rule 1 applied (for the portal's counters; never shown with personal data). */
  rejection: PassCodeRejection | null;
}

/** Interface 3: a scanned pass code's text at a venue. Never throws, whatever `text` is. */
export function decidePassCode(text: unknown, venue: VenuePresets, options: OpenPassCodeOptions): PassCodeDecision {
  const now = options.now(); // one reading of the clock for expiry and for the rules
  const opened = openPassCode(text, { ...options, now: () => now });
  if (!opened.ok) return { verdict: showCodeVerdict(), rejection: opened.reason };
  return { verdict: decideForResident(opened.resident, venue, now), rejection: null };
}

/** Whom the portal knows: a card's name and ID number (the card type does not identify anyone). */
export type PersonIdentity = Pick<IdCardIdentity, 'name' | 'idNumber'>;

export interface IdCardDecision {
  verdict: Verdict;
  /** False when the portal knows no one with this exact name and ID number. */
  matched: boolean;
}

/**
 * A person the portal can hold: a card holder's name (1–60 code points, no control characters,
 * no leading or trailing white space) and a number of some card type's format
 * (firmware/core/id-number.ts).
 */
export function isPersonIdentity(card: unknown): card is PersonIdentity {
  if (typeof card !== 'object' || card === null) return false;
  const { name, idNumber } = card as Record<string, unknown>;
  if (typeof name !== 'string' || typeof idNumber !== 'string') return false;
  return isCardHolderName(name) && isAcceptedIdNumber(idNumber);
}

/**
 * Interface 4: the identity an ID card gives. BAD_REQUEST unless a person identity whose number
 * has a format of its card type (a wrong check digit included: such a number is no one's).
 * Known person: rules 2–4 on their record. Unknown person: CHECK_SKM, masked name and ID taken
 * from the card, findings from an empty record.
 */
export function decideIdCard(
  card: IdCardIdentity,
  venue: VenuePresets,
  context: { residents: Pick<ResidentDirectory, 'byIdentity'>; now: () => number },
): PortalResult<IdCardDecision> {
  if (!isPersonIdentity(card) || !isIdNumberOfCardType(card.cardType, card.idNumber)) {
    return { ok: false, error: 'BAD_REQUEST' };
  }
  const now = context.now();
  const resident = context.residents.byIdentity(card.name, card.idNumber);
  if (resident) return { ok: true, verdict: decideForResident(resident, venue, now), matched: true };
  const verdict: Verdict = {
    opinion: opinionFor(UNKNOWN_PERSON_HEALTH, now),
    maskedName: maskNameForVerdict(card.name),
    maskedId: maskIdNumber(card.idNumber),
  };
  return { ok: true, verdict: withFindings(verdict, UNKNOWN_PERSON_HEALTH, venue, now), matched: false };
}
