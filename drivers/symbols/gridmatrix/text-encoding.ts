// Turning a segment's bytes into text according to its ECI (or Grid Matrix's default, GB 2312).

/** WHATWG encoding labels for the ECIs TextDecoder knows; others fall back to Latin-1. */
const ECI_LABELS: Record<number, string> = {
  4: 'iso-8859-2',
  5: 'iso-8859-3',
  6: 'iso-8859-4',
  7: 'iso-8859-5',
  8: 'iso-8859-6',
  9: 'iso-8859-7',
  10: 'iso-8859-8',
  11: 'iso-8859-9',
  12: 'iso-8859-10',
  13: 'windows-874',
  15: 'iso-8859-13',
  16: 'iso-8859-14',
  17: 'iso-8859-15',
  18: 'iso-8859-16',
  20: 'shift_jis',
  21: 'windows-1250',
  22: 'windows-1251',
  23: 'windows-1252',
  24: 'windows-1256',
  25: 'utf-16be',
  26: 'utf-8',
  28: 'big5',
  29: 'gb18030',
  30: 'euc-kr',
  31: 'gbk',
  32: 'gb18030',
  33: 'utf-16le',
};

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Decodes bytes for an ECI; `undefined` means no ECI, i.e. GB 2312 (read as its superset GB 18030). */
export function decodeSegmentText(bytes: Uint8Array, eci: number | undefined): string {
  const label = eci === undefined ? 'gb18030' : ECI_LABELS[eci];
  if (label === undefined) return latin1(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // A Node built without full ICU lacks the legacy CJK decoders.
    return latin1(bytes);
  }
}
