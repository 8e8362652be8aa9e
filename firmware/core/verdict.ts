// The verdict model of standard 7.3 and the masking rule the device re-checks before showing
// anything. PROTOCOL.md §Verdict states the same rule in prose.

export const OPINIONS = ['PASS', 'DENY', 'SHOW_CODE', 'CHECK_SKM'] as const;
export type Opinion = (typeof OPINIONS)[number];

/** The feedback texts of standard 7.3.1 (DB32/T 3761.46-2021 6.2). */
export const OPINION_TEXT: Record<Opinion, string> = {
  PASS: '可',
  DENY: '否-禁止通行',
  SHOW_CODE: '否-请出示通行码',
  CHECK_SKM: '否-请检查苏康码',
};

export const NAT_VALIDITY_HOURS = [24, 48, 72] as const;
export type NatValidityHours = (typeof NAT_VALIDITY_HOURS)[number];
/** The most vaccination doses a venue's preset may require (7.3.3). */
export const MAX_VACCINATION_DOSES = 10;

export interface NatFinding {
  /** The venue's preset window. */
  validityHours: NatValidityHours;
  /** A negative NAT result sampled within the window exists. */
  valid: boolean;
}

export interface VaccinationFinding {
  dosesRequired: number;
  complete: boolean;
}

export interface Verdict {
  opinion: Opinion;
  /** Masked per maskName; null when the portal knows no person (e.g. SHOW_CODE). */
  maskedName: string | null;
  /** Masked per maskIdNumber; null when the portal knows no person. */
  maskedId: string | null;
  /** Present only when the venue's preset asks for NAT validity (7.3.2). */
  nat?: NatFinding;
  /** Present only when the venue's preset asks for vaccination (7.3.3). */
  vaccination?: VaccinationFinding;
}

const MASK = '*';

/**
 * Name masking: every character but the last becomes `*`; a one-character name becomes `*`.
 * "张三" → "*三", "欧阳娜娜" → "***娜". Characters are code points, not UTF-16 units.
 */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return MASK;
  return MASK.repeat(chars.length - 1) + chars[chars.length - 1];
}

/**
 * ID-number masking: keep the first and the last character, mask everything between.
 * 18-character ID numbers give 1 + 16 `*` + 1; 15-character permit numbers 1 + 13 + 1.
 */
export function maskIdNumber(id: string): string {
  const chars = [...id];
  if (chars.length < 3) return MASK.repeat(chars.length);
  return chars[0] + MASK.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** At most 1 visible character, at the end, after at least one `*`; at most 40 code points. */
export function isMaskedName(value: string): boolean {
  const chars = [...value];
  if (chars.length === 0 || chars.length > 40) return false;
  const head = chars.slice(0, -1);
  const last = chars[chars.length - 1];
  if (chars.length === 1) return last === MASK;
  return head.every((c) => c === MASK) && last !== undefined && !/\s/.test(last);
}

/** An upper-case letter or digit, 13 or 16 `*`, then a digit or upper-case letter (15 or 18 in all). */
export function isMaskedIdNumber(value: string): boolean {
  return /^[0-9A-Z]\*{13}[0-9A-Z]$|^[0-9A-Z]\*{16}[0-9X]$/.test(value);
}
