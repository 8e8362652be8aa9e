// Identity documents the gate reads: the card types of GA 467 readers, the identity a card read
// yields, and GB 11643 identity numbers (the check digit, a validator, and a generator of
// synthetic numbers for tests and mocks). Functions never put the number they examine into an
// error.
import { PassgateError } from './errors.js';

/**
 * The card types a GA 467 reader returns: the resident identity card, the residence permit for
 * Hong Kong, Macau and Taiwan residents, and the foreigner's permanent-residence card.
 */
export const CARD_TYPES = ['resident', 'hmt-permit', 'foreign-permanent'] as const;
export type CardType = (typeof CARD_TYPES)[number];

/** What a card read yields, in memory only, on its way to the portal. The photo is never kept. */
export interface IdCardIdentity {
  cardType: CardType;
  name: string;
  idNumber: string;
}

/** Weights of the first 17 digits, position 1 to 17. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by the weighted sum mod 11. */
const CHECK_CHARACTERS = '10X98765432';

const FIRST17 = /^[0-9]{17}$/;
const FULL = /^[0-9]{17}[0-9X]$/;

/**
 * The check character ('0'–'9' or 'X') of the 17 leading digits of an 18-character number.
 * Throws PassgateError 'driver.card-invalid' if `first17` is not exactly 17 decimal digits.
 */
export function gb11643CheckDigit(first17: string): string {
  if (!FIRST17.test(first17)) {
    throw new PassgateError('driver.card-invalid', 'expected 17 decimal digits', { length: first17.length });
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * True if `id` is 17 digits followed by the correct check character (upper-case 'X' only).
 * Checks the structure and the check digit, not the region or birth date.
 */
export function isValidIdNumber(id: string): boolean {
  if (!FULL.test(id)) return false;
  return gb11643CheckDigit(id.slice(0, 17)) === id[17];
}

export interface SyntheticIdOptions {
  /** Uniform random numbers in [0, 1); inject a seeded source for reproducible fixtures. */
  random?: () => number;
  /** Six-digit region prefix; '9' followed by five digits mimics a 2023 foreigner card. */
  region?: string;
}

/**
 * A synthetic 18-character number with a valid check digit and a plausible birth date
 * (1950–2009). For fixtures and simulators only.
 */
export function syntheticIdNumber(options: SyntheticIdOptions = {}): string {
  const random = options.random ?? Math.random;
  const region = options.region ?? '110105';
  if (!/^[0-9]{6}$/.test(region)) {
    throw new PassgateError('driver.card-invalid', 'region must be six digits', { length: region.length });
  }
  const pick = (n: number) => Math.floor(random() * n);
  const year = 1950 + pick(60);
  const month = 1 + pick(12);
  const day = 1 + pick(28);
  const serial = pick(1000);
  const first17 =
    region +
    String(year) +
    String(month).padStart(2, '0') +
    String(day).padStart(2, '0') +
    String(serial).padStart(3, '0');
  return first17 + gb11643CheckDigit(first17);
}
