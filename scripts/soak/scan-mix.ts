// What the soak scans and what each scan must end in. The soak knows the keyword behind every
// scan, so it knows the outcome the gate must show when the portal's answer arrives intact: that
// is the per-scan check, and it never needs the code, name or ID number in a log. Pure.
import type { OutcomeKind } from '../../firmware/core/outcome.js';
import {
  DEMO_PASS_CODE_KEYWORDS,
  DEMO_RESIDENT_KEYWORDS,
  type DemoPassCodeKeyword,
  type DemoResidentKeyword,
} from '../../portal-client/mock/domain/demo-dataset.js';

export type CardKeyword = DemoResidentKeyword | 'unknown';

export type ScanItem = { kind: 'code'; keyword: DemoPassCodeKeyword } | { kind: 'card'; keyword: CardKeyword };

/**
 * The outcome of each keyword at a soak venue: NAT within 48 h and 3 vaccine doses required,
 * gate.natPolicy and gate.vaccinationPolicy at their default (deny). The mock's dataset comment
 * (portal-client/mock/domain/demo-dataset.ts) gives the verdicts; the venue's presets turn a PASS
 * with a failed finding into policy-deny. test/scripts/soak/scan-mix.test.ts checks this table
 * against the mock's own decision code.
 */
export const EXPECTED_OUTCOME: Readonly<Record<DemoPassCodeKeyword | 'unknown', OutcomeKind>> = {
  green: 'pass',
  yellow: 'deny',
  red: 'deny',
  'control-list': 'deny',
  'red-list': 'deny',
  stale: 'check-skm',
  'no-skm': 'check-skm',
  'nat-expired': 'policy-deny', // negative 80 h ago: outside 48 h
  'nat-24h': 'pass', // negative 36 h ago: inside 48 h
  unvaccinated: 'policy-deny',
  'partly-vaccinated': 'policy-deny',
  invalid: 'show-code',
  expired: 'show-code',
  tampered: 'show-code',
  unknown: 'check-skm', // a person the portal does not know has no 苏康码 there
};

export function expectedOutcome(item: ScanItem): OutcomeKind {
  return EXPECTED_OUTCOME[item.keyword];
}

/** One scan in this many is an ID card (cards are slower: the reader is polled). */
export const CARD_EVERY = 5;
/** Of the card scans, this share are strangers (a fresh synthetic card each time). */
export const UNKNOWN_CARD_SHARE = 0.3;

/**
 * The next scan for a gate, given which of its devices are plugged in; null when neither is.
 * Codes: every pass-code keyword alike. Cards: demo residents, and now and then a stranger.
 */
export function nextScanItem(random: () => number, available: { scanner: boolean; reader: boolean }): ScanItem | null {
  if (!available.scanner && !available.reader) return null;
  const card = available.reader && (!available.scanner || random() < 1 / CARD_EVERY);
  if (!card) {
    return { kind: 'code', keyword: DEMO_PASS_CODE_KEYWORDS[Math.floor(random() * DEMO_PASS_CODE_KEYWORDS.length)] };
  }
  if (random() < UNKNOWN_CARD_SHARE) return { kind: 'card', keyword: 'unknown' };
  return { kind: 'card', keyword: DEMO_RESIDENT_KEYWORDS[Math.floor(random() * DEMO_RESIDENT_KEYWORDS.length)] };
}
