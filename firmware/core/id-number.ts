// Identity documents the gate reads: the card types of GA 467 readers, the identity a card read
// yields, and the ID-number formats each card type carries (GB 11643 numbers with their check
// digit, and the foreigner permanent-residence numbers of 2017 and 2023), with generators of
// synthetic numbers for tests and mocks. The card driver, the protocol reader and the mock portal
// all accept exactly what `isIdNumberOfCardType` accepts. Functions never put the number they
// examine into an error.
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

/** The longest name a card holds: the foreigner card's English name field, 120 bytes of UCS-2. */
export const MAX_CARD_NAME_CODE_POINTS = 60;

/** A high surrogate without its low half, or a low one without its high half: misread text. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A card holder's name as the portal protocol takes it: 1–60 code points, no control characters,
 * no lone surrogates, no leading or trailing white space (the driver trims the field's padding).
 */
export function isCardHolderName(name: string): boolean {
  const length = [...name].length;
  if (length < 1 || length > MAX_CARD_NAME_CODE_POINTS) return false;
  if (/[\u0000-\u001f\u007f]/.test(name) || name.trim() !== name) return false;
  return !LONE_SURROGATE.test(name);
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

/**
 * The ID-number formats (PROTOCOL.md §7 restates them):
 * - 'gb11643': 17 digits and the GB 11643 check character, the first digit 1–8 (a province's
 *   region code: resident cards; HK/Macau/Taiwan residence permits, whose numbers start 81, 82 or
 *   83);
 * - 'foreigner-2017': the 2017 foreigner permanent-residence number, 3 capital letters
 *   (nationality) and 12 digits, 15 characters, no check character;
 * - 'foreigner-2023': the 2023 foreigner permanent-residence number, a GB 11643 number whose
 *   first digit is 9 (the foreigner mark; citizens' region codes start 1–8).
 */
export type IdNumberFormat = 'gb11643' | 'foreigner-2017' | 'foreigner-2023';

/** The formats each card type may carry. */
export const ID_NUMBER_FORMATS: Record<CardType, readonly IdNumberFormat[]> = {
  resident: ['gb11643'],
  'hmt-permit': ['gb11643'],
  'foreign-permanent': ['foreigner-2017', 'foreigner-2023'],
};

const FOREIGNER_2017 = /^[A-Z]{3}[0-9]{12}$/;

/**
 * Whether `id` is a number of the given format, the check character included. The three formats
 * exclude one another: a number of one is never a number of another.
 */
export function hasIdNumberFormat(format: IdNumberFormat, id: string): boolean {
  switch (format) {
    case 'gb11643':
      return /^[1-8]/.test(id) && isValidIdNumber(id);
    case 'foreigner-2017':
      return FOREIGNER_2017.test(id);
    case 'foreigner-2023':
      return id.startsWith('9') && isValidIdNumber(id);
  }
}

/** The format `id` has on a card of `cardType`, or null when the card type accepts no such number. */
export function idNumberFormatOf(cardType: CardType, id: string): IdNumberFormat | null {
  return ID_NUMBER_FORMATS[cardType].find((format) => hasIdNumberFormat(format, id)) ?? null;
}

/** True when `id` is a number a card of `cardType` may carry: the one rule of driver, protocol and mock. */
export function isIdNumberOfCardType(cardType: CardType, id: string): boolean {
  return idNumberFormatOf(cardType, id) !== null;
}

/** True when some card type accepts `id` (for records that do not keep the card type). */
export function isAcceptedIdNumber(id: string): boolean {
  return CARD_TYPES.some((cardType) => isIdNumberOfCardType(cardType, id));
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

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A synthetic number of the given format, for fixtures and simulators only: 'gb11643' as
 * syntheticIdNumber (region option honoured), 'foreigner-2017' three random capital letters and
 * twelve digits, 'foreigner-2023' a GB 11643 number in a region starting with 9.
 */
export function syntheticIdNumberOf(format: IdNumberFormat, options: SyntheticIdOptions = {}): string {
  const random = options.random ?? Math.random;
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
  switch (format) {
    case 'gb11643':
      return syntheticIdNumber(options);
    case 'foreigner-2017':
      return Array.from({ length: 3 }, () => LETTERS[Math.floor(random() * 26)]).join('') + digits(12);
    case 'foreigner-2023':
      return syntheticIdNumber({ random, region: `9${digits(5)}` });
  }
}
