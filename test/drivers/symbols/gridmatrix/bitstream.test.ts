// Hand-packed bit streams for what zint 2.11.1 cannot produce or produces only incidentally.
import { describe, expect, it } from 'vitest';
import { decodeBitStream } from '../../../../drivers/symbols/gridmatrix/bitstream.js';
import { PassgateError } from '../../../../firmware/core/errors.js';

/** Packs (value, width) pairs into 7-bit codewords, zero-filled. */
function pack(fields: [number, number][]): Uint8Array {
  let bits = '';
  for (const [value, width] of fields) bits += value.toString(2).padStart(width, '0');
  while (bits.length % 7) bits += '0';
  bits += '0000000';
  return Uint8Array.from(bits.match(/.{7}/g)!, (b) => parseInt(b, 2));
}

const UPPER = 0b0100;
const BYTE = 0b0111;
const ECI = 0b1100;

describe('decodeBitStream', () => {
  it('flags FNC1 in first and second position', () => {
    expect(
      decodeBitStream(
        pack([
          [0b1000, 4],
          [UPPER, 4],
          [0, 5],
          [27, 5],
        ]),
      ).fnc1,
    ).toBe('gs1');
    const aim = decodeBitStream(
      pack([
        [UPPER, 4],
        [0, 5],
        [27, 5],
        [0b1011, 4],
        [UPPER, 4],
        [1, 5],
        [27, 5],
      ]),
    );
    expect(aim.fnc1).toBe('aim');
    expect(aim.text).toBe('AB');
  });

  it('reads Chinese-mode CR LF, digit pairs and single bytes', () => {
    // 1 = lead A1, trail A1: the ideographic space.
    const ok = decodeBitStream(
      pack([
        [0b0001, 4],
        [7776, 13],
        [8033 + 7, 13],
        [7777 + 0x41, 13],
        [1, 13],
        [8160, 13],
      ]),
    );
    expect(ok.text).toBe('\r\n07A\u3000');
  });

  it('rejects a Chinese value with an impossible trail byte, and unassigned codes', () => {
    expect(() =>
      decodeBitStream(
        pack([
          [0b0001, 4],
          [96 * 3, 13],
        ]),
      ),
    ).toThrow(PassgateError);
    expect(() =>
      decodeBitStream(
        pack([
          [0b0001, 4],
          [8140, 13],
        ]),
      ),
    ).toThrow(PassgateError);
    expect(() => decodeBitStream(pack([[0b1101, 4]]))).toThrow(PassgateError);
    expect(() =>
      decodeBitStream(
        pack([
          [0b0101, 4],
          [63, 6],
          [13, 4],
        ]),
      ),
    ).toThrow(PassgateError);
    expect(() =>
      decodeBitStream(
        pack([
          [0b0010, 4],
          [3, 2],
        ]),
      ),
    ).toThrow(PassgateError);
  });

  it('places numeral marks and drops the final group padding', () => {
    // P = 2: "12" + CR LF before the 2nd digit of the next group "3" ("300" padded by 2).
    const r = decodeBitStream(
      pack([
        [0b0010, 4],
        [2, 2],
        [12, 10],
        [1000 + 15 + 1, 10],
        [300, 10],
        [1018, 10],
      ]),
    );
    expect(r.text).toBe('0123\r\n');
  });

  it('reads ECIs in the 15- and 20-bit forms', () => {
    const r15 = decodeBitStream(
      pack([
        [ECI, 4],
        [0b10_000000001, 11],
        [0b000010, 6],
        [UPPER, 4],
        [0, 5],
        [27, 5],
      ]),
    );
    expect(r15.ecis).toEqual([(1 << 6) | 2]);
    const r20 = decodeBitStream(
      pack([
        [ECI, 4],
        [0b11_000000011, 11],
        [5, 11],
        [UPPER, 4],
        [0, 5],
        [27, 5],
      ]),
    );
    expect(r20.ecis).toEqual([(3 << 11) | 5]);
  });

  it('continues after a Byte block ended by 0000 when an ECI follows', () => {
    const r = decodeBitStream(
      pack([
        [ECI, 4],
        [3, 11],
        [BYTE, 4],
        [0, 9],
        [0xe9, 8],
        [0, 4],
        [ECI, 4],
        [26, 11],
        [BYTE, 4],
        [1, 9],
        [0xc3, 8],
        [0xa9, 8],
      ]),
    );
    expect(r.ecis).toEqual([3, 26]);
    expect(r.text).toBe('éé');
    expect(Array.from(r.bytes)).toEqual([0xe9, 0xc3, 0xa9]);
  });

  it('switches modes directly: upper → lower → mixed (with a shift) → numeral → byte', () => {
    const r = decodeBitStream(
      pack([
        [UPPER, 4],
        [7, 5],
        [30, 5], // H, to lower
        [8, 5],
        [31, 5],
        [0, 2], // i, escape to mixed
        [62, 6],
        [63, 6],
        [6, 4],
        [32, 6], // space, shift (1014) "!"
        [63, 6],
        [2, 4],
        [0, 2],
        [42, 10],
        [1023, 10], // to numeral (1010), P=0, "042", to byte
        [0, 9],
        [0x7e, 8],
        [0, 4],
      ]),
    );
    expect(r.text).toBe('Hi !042~');
  });
});
