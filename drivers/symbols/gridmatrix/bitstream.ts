// Decoding the data bit stream (7-bit codewords, most significant bit first) into bytes and
// text. The stream is a state machine: the indicator state reads 4-bit mode indicators, ECIs
// and function codes; each mode reads fixed-width values until its end-of-data (EOD) code, which
// returns to the indicator state, or a switch code, which moves to another mode directly.
import { PassgateError } from '../../../firmware/core/errors.js';
import { decodeSegmentText } from './text-encoding.js';

export interface StructuredAppend {
  fileId: number;
  count: number;
  index: number;
}

export interface GridMatrixContent {
  text: string;
  /** The payload bytes of all segments, in order (GB 2312 bytes when no ECI is given). */
  bytes: Uint8Array;
  /** ECIs in the order they appear. */
  ecis: number[];
  structuredAppend?: StructuredAppend;
  readerInit: boolean;
  /** FNC1 in first (GS1) or second (AIM) position. */
  fnc1?: 'gs1' | 'aim';
}

type Mode = 'indicator' | 'chinese' | 'numeral' | 'lower' | 'upper' | 'mixed' | 'byte';

const SHIFT_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const NUMERAL_MARKS = [0x20, 0x2b, 0x2d, 0x2e, 0x2c];

class BitReader {
  private pos = 0;
  constructor(
    private readonly codewords: Uint8Array,
    private readonly length = codewords.length * 7,
  ) {}

  get remaining(): number {
    return this.length - this.pos;
  }

  read(n: number): number {
    if (n > this.remaining) throw invalid('stream ends inside a value');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const bit = this.pos + i;
      const cw = this.codewords[(bit / 7) | 0];
      v = (v << 1) | ((cw >> (6 - (bit % 7))) & 1);
    }
    this.pos += n;
    return v;
  }

  peek(n: number): number {
    const save = this.pos;
    const v = this.read(Math.min(n, this.remaining));
    this.pos = save;
    return v;
  }
}

function invalid(reason: string): PassgateError {
  return new PassgateError('decode.image-unreadable', `Grid Matrix data stream invalid: ${reason}`, {
    symbology: 'grid-matrix',
  });
}

interface Segment {
  eci: number | undefined;
  bytes: number[];
}

/** Decodes the data codewords of a corrected symbol. Throws PassgateError on an invalid stream. */
export function decodeBitStream(codewords: Uint8Array): GridMatrixContent {
  const bits = new BitReader(codewords);
  const segments: Segment[] = [{ eci: undefined, bytes: [] }];
  let out = segments[0].bytes;
  const ecis: number[] = [];
  let structuredAppend: StructuredAppend | undefined;
  let readerInit = false;
  let fnc1: 'gs1' | 'aim' | undefined;
  let mode: Mode = 'indicator';

  const pushText = (s: string): void => {
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  };
  const pushCrLf = (): void => {
    out.push(13, 10);
  };
  const shiftChar = (): void => {
    const v = bits.read(6);
    out.push(v < 32 ? v : SHIFT_PUNCTUATION.charCodeAt(v - 32));
  };
  const readByteBlock = (): void => {
    const count = bits.read(9) + 1;
    for (let i = 0; i < count; i++) out.push(bits.read(8));
  };

  // Numeral mode keeps its groups until the run ends, because the pad count announced on entry
  // applies to the final group.
  const readNumeralRun = (): Mode => {
    const pad = bits.read(2);
    if (pad === 3) throw invalid('numeral pad count 3');
    let pending: number[] = []; // bytes of groups not yet known to be the last
    let lastGroupStart = -1;
    let mark: { ch: number[]; pos: number } | undefined;
    let next: Mode;
    for (;;) {
      const v = bits.read(10);
      if (v < 1000) {
        const digits = [48 + Math.floor(v / 100), 48 + (Math.floor(v / 10) % 10), 48 + (v % 10)];
        if (mark) digits.splice(mark.pos, 0, ...mark.ch);
        lastGroupStart = pending.length;
        pending.push(...digits);
        mark = undefined;
        continue;
      }
      if (v <= 1017) {
        const k = Math.floor((v - 1000) / 3);
        const pos = (v - 1000) % 3;
        if (mark) throw invalid('two numeral marks in one group');
        mark = { ch: k === 5 ? [13, 10] : [NUMERAL_MARKS[k]], pos };
        continue;
      }
      next = (['indicator', 'chinese', 'lower', 'upper', 'mixed', 'byte'] as const)[v - 1018];
      break;
    }
    if (lastGroupStart >= 0 && pad > 0) {
      // Drop the last `pad` digits of the final group (its marks are not digits).
      let toDrop = pad;
      for (let i = pending.length - 1; i >= lastGroupStart && toDrop > 0; i--) {
        if (pending[i] >= 48 && pending[i] <= 57) {
          pending.splice(i, 1);
          toDrop--;
        }
      }
    }
    if (mark) pending.push(...mark.ch);
    for (const b of pending) out.push(b);
    pending = [];
    return next;
  };

  for (;;) {
    switch (mode) {
      case 'indicator': {
        if (bits.remaining < 4) return finish();
        const ind = bits.read(4);
        switch (ind) {
          case 0b0000:
            // Terminator, unless an ECI follows (the end of a Byte segment before the next one).
            if (bits.remaining >= 15 && bits.peek(4) === 0b1100) break;
            return finish();
          case 0b0001:
            mode = 'chinese';
            break;
          case 0b0010:
            mode = 'numeral';
            break;
          case 0b0011:
            mode = 'lower';
            break;
          case 0b0100:
            mode = 'upper';
            break;
          case 0b0101:
            mode = 'mixed';
            break;
          // 0110 is what zint releases up to 2.11 write for Byte; 0111 is the standard's.
          case 0b0110:
          case 0b0111:
            readByteBlock();
            break;
          case 0b1000:
            fnc1 = 'gs1';
            break;
          case 0b1001: {
            const fileId = bits.read(8);
            const count = bits.read(4) + 1;
            const index = bits.read(4) + 1;
            if (count < 2 || index > count) throw invalid('structured append out of range');
            structuredAppend = { fileId, count, index };
            break;
          }
          case 0b1010:
            readerInit = true;
            break;
          case 0b1011:
            fnc1 = 'aim';
            break;
          case 0b1100: {
            const eci = readEci();
            ecis.push(eci);
            const seg: Segment = { eci, bytes: [] };
            segments.push(seg);
            out = seg.bytes;
            break;
          }
          default:
            throw invalid('unassigned mode indicator');
        }
        break;
      }
      case 'numeral':
        mode = readNumeralRun();
        break;
      case 'byte':
        readByteBlock();
        mode = 'indicator';
        break;
      case 'chinese': {
        const v = bits.read(13);
        if (v < 7776) {
          const q = Math.floor(v / 96);
          const t = v % 96;
          if (t === 0 || t === 95) throw invalid('Chinese trail byte out of range');
          out.push(q < 9 ? 0xa1 + q : 0xb0 + q - 9, 0xa0 + t);
        } else if (v === 7776) pushCrLf();
        else if (v <= 8032) out.push(v - 7777);
        else if (v <= 8132) pushText(String(v - 8033).padStart(2, '0'));
        else if (v === 8160) mode = 'indicator';
        else if (v >= 8161 && v <= 8165) mode = (['numeral', 'lower', 'upper', 'mixed', 'byte'] as const)[v - 8161];
        else throw invalid('unassigned Chinese value');
        break;
      }
      case 'lower':
      case 'upper': {
        const v = bits.read(5);
        const base = mode === 'lower' ? 0x61 : 0x41;
        if (v < 26) out.push(base + v);
        else if (v === 26) out.push(0x20);
        else if (v === 27) mode = 'indicator';
        else if (v === 28) mode = 'chinese';
        else if (v === 29) mode = 'numeral';
        else if (v === 30) mode = mode === 'lower' ? 'upper' : 'lower';
        else {
          const esc = bits.read(2);
          if (esc === 0) mode = 'mixed';
          else if (esc === 1) shiftChar();
          else if (esc === 2) mode = 'byte';
          else throw invalid('unassigned escape');
        }
        break;
      }
      case 'mixed': {
        const v = bits.read(6);
        if (v < 10) out.push(0x30 + v);
        else if (v < 36) out.push(0x41 + v - 10);
        else if (v < 62) out.push(0x61 + v - 36);
        else if (v === 62) out.push(0x20);
        else {
          const code = (v << 4) | bits.read(4);
          switch (code) {
            case 1008:
              mode = 'indicator';
              break;
            case 1009:
              mode = 'chinese';
              break;
            case 1010:
              mode = 'numeral';
              break;
            case 1011:
              mode = 'lower';
              break;
            case 1012:
              mode = 'upper';
              break;
            case 1014:
              shiftChar();
              break;
            case 1015:
              mode = 'byte';
              break;
            default:
              throw invalid('unassigned mixed escape');
          }
        }
        break;
      }
    }
  }

  function readEci(): number {
    const head = bits.read(11);
    if ((head & 0x400) === 0) return head;
    if ((head & 0x200) === 0) return ((head & 0x1ff) << 6) | bits.read(6);
    return ((head & 0x1ff) << 11) | bits.read(11);
  }

  function finish(): GridMatrixContent {
    let text = '';
    let total = 0;
    for (const s of segments) {
      text += decodeSegmentText(Uint8Array.from(s.bytes), s.eci);
      total += s.bytes.length;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const s of segments) {
      bytes.set(s.bytes, at);
      at += s.bytes.length;
    }
    return { text, bytes, ecis, structuredAppend, readerInit, fnc1 };
  }
}
