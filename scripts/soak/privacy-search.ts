// The privacy search after a soak (standard 8.1.2): every byte the gates wrote (data directories,
// SQLite files, every log line) is searched for every pass code, name and ID number the soak
// used, and for their masked forms. Hundreds of thousands of codes make a naive search (each
// needle against each byte) far too slow, so the search walks the bytes once and looks up what
// could be a needle: any pass-code prefix, runs of base64url characters (code fragments), runs of
// digits (ID numbers), runs of CJK characters (names). Hits say where and what kind, never the
// needle itself. Pure (it is given bytes; the caller reads the files).
import { maskIdNumber, maskName } from '../../firmware/core/verdict.js';
import { PASS_CODE_PREFIX } from '../../portal-client/mock/domain/pass-code.js';

export interface PrivacyHit {
  where: string;
  what: 'pass code' | 'pass-code fragment' | 'ID number' | 'masked ID number' | 'name' | 'masked name';
}

/** Code fragments this long or longer are found wherever they lie in a code's text. */
export const FRAGMENT_CHARS = 24;

/** FNV-1a over a latin1 string slice, 32 bits. */
function fnv(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const BASE64URL_RUN = new RegExp(`[A-Za-z0-9_-]{${FRAGMENT_CHARS},}`, 'g');
const ID_RUN = /[0-9]{17}[0-9Xx]/g;
const MASKED_ID_RUN = /[0-9A-Z]\*{13,16}[0-9A-Z]/g;
// UTF-8 of U+4E00…U+9FFF seen through latin1: a lead byte E4–E9 and two continuation bytes.
const CJK_RUN = /(?:[\xe4-\xe9][\x80-\xbf]{2})+/g;
const MASKED_NAME_RUN = /\*+(?:[\xe4-\xe9][\x80-\xbf]{2})/g;

export class PrivacyNeedles {
  /** Every code text, for the final check of a fragment's hash hit. */
  private readonly codes: string[] = [];
  /** Hash of each aligned FRAGMENT_CHARS chunk of each code → index of the code. */
  private readonly chunks = new Map<number, number>();
  private readonly ids = new Set<string>();
  private readonly maskedIds = new Set<string>();
  private readonly names = new Set<string>();
  private readonly maskedNames = new Set<string>();
  private longestName = 1;

  get size(): number {
    return this.codes.length + this.ids.size + this.names.size;
  }

  addCode(text: string): void {
    const index = this.codes.length;
    this.codes.push(text);
    // Any fragment of 2 × FRAGMENT_CHARS − 1 characters or more holds one whole aligned chunk.
    const body = text.startsWith(PASS_CODE_PREFIX) ? PASS_CODE_PREFIX.length : 0;
    for (let at = body; at + FRAGMENT_CHARS <= text.length; at += FRAGMENT_CHARS)
      this.chunks.set(fnv(text, at, at + FRAGMENT_CHARS), index);
  }

  addCard(card: { name: string; idNumber: string }): void {
    this.ids.add(card.idNumber.toUpperCase());
    this.maskedIds.add(maskIdNumber(card.idNumber.toUpperCase()));
    this.names.add(card.name);
    this.maskedNames.add(maskName(card.name));
    this.longestName = Math.max(this.longestName, [...card.name].length);
  }

  /** Every needle found in `bytes`; `where` names the place in the hits. */
  search(bytes: Buffer, where: string): PrivacyHit[] {
    const hits: PrivacyHit[] = [];
    const found = (what: PrivacyHit['what']) => {
      if (!hits.some((h) => h.what === what)) hits.push({ where, what });
    };
    const s = bytes.toString('latin1');
    if (s.includes(PASS_CODE_PREFIX)) found('pass code');
    for (const m of s.matchAll(BASE64URL_RUN)) {
      const start = m.index ?? 0;
      const run = m[0];
      for (let i = 0; i + FRAGMENT_CHARS <= run.length; i++) {
        const code = this.chunks.get(fnv(s, start + i, start + i + FRAGMENT_CHARS));
        if (code !== undefined && this.codes[code].includes(run.slice(i, i + FRAGMENT_CHARS))) {
          found('pass-code fragment');
          break;
        }
      }
    }
    for (const m of s.matchAll(ID_RUN)) if (this.ids.has(m[0].toUpperCase())) found('ID number');
    for (const m of s.matchAll(MASKED_ID_RUN)) if (this.maskedIds.has(m[0])) found('masked ID number');
    for (const m of s.matchAll(CJK_RUN)) {
      const chars = [...Buffer.from(m[0], 'latin1').toString('utf8')];
      for (let i = 0; i < chars.length; i++) {
        for (let n = 1; n <= this.longestName && i + n <= chars.length; n++) {
          if (this.names.has(chars.slice(i, i + n).join(''))) found('name');
        }
      }
    }
    for (const m of s.matchAll(MASKED_NAME_RUN)) {
      const text = Buffer.from(m[0], 'latin1').toString('utf8');
      // The run may hold more stars than the masked form: try each tail.
      for (let i = 0; i < text.length - 1; i++) if (this.maskedNames.has(text.slice(i))) found('masked name');
    }
    return hits;
  }
}
