// The words a backend with a screen (or a terminal) shows beside the lights. Built from the
// signal kind and, for a verdict, the portal's masked identity and NAT/vaccination findings.
import type { SignalKind } from '../firmware/core/outcome.js';
import {
  isMaskedIdNumber,
  isMaskedName,
  type NatFinding,
  OPINION_TEXT,
  type VaccinationFinding,
  type Verdict,
} from '../firmware/core/verdict.js';

export interface DisplayText {
  kind: SignalKind;
  /** The opinion or signal in Chinese; for verdicts exactly the standard's feedback text. */
  zh: string;
  en: string;
  nat?: NatFinding;
  vaccination?: VaccinationFinding;
  /** Already masked (firmware/core/verdict.ts); backends show it only where nobody else reads along. */
  maskedName?: string;
  maskedId?: string;
}

export const SIGNAL_TEXT: Readonly<Record<SignalKind, { zh: string; en: string }>> = {
  pass: { zh: OPINION_TEXT.PASS, en: 'Pass' },
  'pass-with-notice': { zh: OPINION_TEXT.PASS, en: 'Pass (notice)' },
  deny: { zh: OPINION_TEXT.DENY, en: 'Entry denied' },
  'show-code': { zh: OPINION_TEXT.SHOW_CODE, en: 'Please show your pass code' },
  'check-skm': { zh: OPINION_TEXT.CHECK_SKM, en: 'Please check your Sukang code' },
  'policy-deny': { zh: '否-不符合场所防疫要求', en: 'Venue requirement not met' },
  'not-bound': { zh: '设备未绑定场所', en: 'Device not bound to a venue' },
  'network-error': { zh: '网络异常-请人工核验', en: 'Network error: check manually' },
  'read-error': { zh: '读取失败-请重试', en: 'Read failed: try again' },
  'bind-mode': { zh: '请扫描场所码', en: 'Scan the venue code' },
  'not-venue-code': { zh: '不是场所码-请扫描场所码', en: 'Not a venue code: scan the venue code' },
  'bind-ok': { zh: '绑定成功', en: 'Bound' },
  'bind-failed': { zh: '绑定失败', en: 'Binding failed' },
  selftest: { zh: '自检', en: 'Self-test' },
  // The gate could not take the input now; a card left on the reader is read again by itself.
  'input-dropped': { zh: '设备忙-请稍后再试', en: 'Busy: try again in a moment' },
};

/**
 * The text for a signal, with the verdict's findings and masked identity when given. A name
 * or ID that does not pass the masking check is dropped here, whatever the portal sent.
 */
export function displayTextFor(kind: SignalKind, verdict?: Verdict): DisplayText {
  const text: DisplayText = { kind, ...SIGNAL_TEXT[kind] };
  if (!verdict) return text;
  if (verdict.nat) text.nat = { ...verdict.nat };
  if (verdict.vaccination) text.vaccination = { ...verdict.vaccination };
  if (verdict.maskedName !== null && isMaskedName(verdict.maskedName)) text.maskedName = verdict.maskedName;
  if (verdict.maskedId !== null && isMaskedIdNumber(verdict.maskedId)) text.maskedId = verdict.maskedId;
  return text;
}

/** One line of the NAT/vaccination flags, e.g. "核酸 48h 有效 NAT ok · 疫苗 已完成 vaccinated". */
export function findingsLine(text: Pick<DisplayText, 'nat' | 'vaccination'>): string {
  const parts: string[] = [];
  if (text.nat) {
    parts.push(
      text.nat.valid ? `核酸${text.nat.validityHours}h有效 NAT ok` : `核酸${text.nat.validityHours}h无效 NAT missing`,
    );
  }
  if (text.vaccination) {
    parts.push(text.vaccination.complete ? '疫苗已完成 vaccinated' : '疫苗未完成 vaccination incomplete');
  }
  return parts.join(' · ');
}
