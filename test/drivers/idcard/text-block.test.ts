import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeReply, type Frame, FrameDecoder, parseReply } from '../../../drivers/idcard/frame.js';
import {
  CARD_TYPE_OFFSET,
  encodeReadData,
  encodeTextBlock,
  PHOTO_BYTES,
  parseAndWipeTextBlock,
  parseTextBlock,
  TEXT_BLOCK_BYTES,
  takeTextAndWipePhoto,
} from '../../../drivers/idcard/text-block.js';
import { isPassgateError, PassgateError } from '../../../firmware/core/errors.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';

const NAME = '张明华';

function expectCardInvalid(run: () => unknown): PassgateError {
  try {
    run();
  } catch (error) {
    expect(isPassgateError(error, 'driver.card-invalid')).toBe(true);
    return error as PassgateError;
  }
  throw new Error('expected driver.card-invalid');
}

describe('ID-card text block', () => {
  it("parses a resident card at the README's text-block offsets (name 0, number 122, type 248 = space)", () => {
    const id = syntheticIdNumber();
    const block = encodeTextBlock({ cardType: 'resident', name: NAME, idNumber: id, birth: '19800101' });
    expect(block.length).toBe(TEXT_BLOCK_BYTES);
    expect(block.subarray(0, 6).toString('utf16le')).toBe(NAME);
    expect(block.subarray(6, 30).toString('utf16le')).toBe(' '.repeat(12));
    expect(block.subarray(122, 158).toString('utf16le')).toBe(id);
    expect(block.subarray(CARD_TYPE_OFFSET, CARD_TYPE_OFFSET + 2)).toEqual(Buffer.from([0x20, 0x00]));
    expect(parseTextBlock(block)).toEqual({ cardType: 'resident', name: NAME, idNumber: id });
  });

  it("parses a 'J' HK/Macau/Taiwan residence permit", () => {
    const id = syntheticIdNumber({ region: '810000' });
    const block = encodeTextBlock({ cardType: 'hmt-permit', name: NAME, idNumber: id });
    expect(block.subarray(CARD_TYPE_OFFSET, CARD_TYPE_OFFSET + 2).toString('utf16le')).toBe('J');
    expect(parseTextBlock(block)).toEqual({ cardType: 'hmt-permit', name: NAME, idNumber: id });
  });

  it("parses an 'I' foreigner permanent residence card: number at 122 (15 chars), Chinese name at 158", () => {
    const block = encodeTextBlock({
      cardType: 'foreign-permanent',
      name: '安娜',
      idNumber: 'USA110080010123',
      englishName: 'DOE JANE',
    });
    expect(block.subarray(122, 152).toString('utf16le')).toBe('USA110080010123');
    expect(block.subarray(158, 162).toString('utf16le')).toBe('安娜');
    expect(block.subarray(0, 16).toString('utf16le')).toBe('DOE JANE');
    expect(parseTextBlock(block)).toEqual({ cardType: 'foreign-permanent', name: '安娜', idNumber: 'USA110080010123' });
    // Without a Chinese name the English name is used.
    const english = encodeTextBlock({
      cardType: 'foreign-permanent',
      name: '',
      idNumber: 'USA110080010123',
      englishName: 'DOE JANE',
    });
    expect(parseTextBlock(english).name).toBe('DOE JANE');
  });

  it('rejects bad numbers, empty names, unknown card types, wrong sizes — without echoing data', () => {
    const id = syntheticIdNumber();
    const wrongCheck = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    for (const block of [
      encodeTextBlock({ cardType: 'resident', name: NAME, idNumber: wrongCheck }),
      encodeTextBlock({ cardType: 'resident', name: NAME, idNumber: id.slice(0, 15) }),
      encodeTextBlock({ cardType: 'hmt-permit', name: NAME, idNumber: wrongCheck }),
      encodeTextBlock({ cardType: 'resident', name: '', idNumber: id }),
      encodeTextBlock({ cardType: 'foreign-permanent', name: NAME, idNumber: 'US1110080010123' }),
    ]) {
      const error = expectCardInvalid(() => parseTextBlock(block));
      const shown = JSON.stringify({ message: error.message, details: error.details });
      expect(shown).not.toContain(NAME);
      expect(shown).not.toContain(id.slice(0, 15));
    }
    const typeY = encodeTextBlock({ cardType: 'resident', name: NAME, idNumber: id });
    typeY.write('Y', CARD_TYPE_OFFSET, 'utf16le');
    expect(expectCardInvalid(() => parseTextBlock(typeY)).details).toEqual({ cardTypeCode: 0x59 });
    expectCardInvalid(() => parseTextBlock(Buffer.alloc(255)));
  });

  // Found by `npm run fuzz` (idcard-text): a Chinese name field of spaces then a character was
  // read as a name with leading spaces, which the portal protocol refuses (isCardHolderName).
  it('refuses a name with white space left at either end after the padding is trimmed', () => {
    const id = syntheticIdNumber();
    for (const name of ['  张三', '张三\u3000', '\u00a0张三']) {
      const block = encodeTextBlock({ cardType: 'resident', name, idNumber: id });
      expect(expectCardInvalid(() => parseTextBlock(block)).details).toEqual({ field: 'name' });
    }
    const foreign = encodeTextBlock({
      cardType: 'foreign-permanent',
      name: '     䀠',
      englishName: 'JOHN DOE',
      idNumber: 'USA110080010123',
    });
    expect(expectCardInvalid(() => parseTextBlock(foreign)).details).toEqual({ field: 'chineseName' });
  });

  it('never throws anything but PassgateError on random blocks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.constantFrom(0x20, 0x4a, 0x49), (bytes, type) => {
        const block = Buffer.alloc(TEXT_BLOCK_BYTES);
        block.set(bytes.subarray(0, TEXT_BLOCK_BYTES));
        block[CARD_TYPE_OFFSET] = type;
        block[CARD_TYPE_OFFSET + 1] = 0;
        try {
          parseTextBlock(bytes.length === TEXT_BLOCK_BYTES + 1 ? bytes : block);
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('read reply (30 01): the photo is zeroed and never passed on', () => {
  function receiveRead(photo: Buffer): Frame {
    const text = encodeTextBlock({ cardType: 'resident', name: NAME, idNumber: syntheticIdNumber() });
    const wire = encodeReply(0x90, encodeReadData(text, photo));
    const [frame] = new FrameDecoder().push(wire);
    if (frame.kind !== 'frame') throw new Error('no frame');
    return frame;
  }

  it('zeroes the photo region (and the text) of the received frame; the result has no photo', () => {
    const photo = randomBytes(PHOTO_BYTES);
    photo[0] = 0xff; // never all zero to begin with
    const frame = receiveRead(photo);
    const photoStart = 7 + 3 + 4 + TEXT_BLOCK_BYTES;
    expect(frame.bytes.subarray(photoStart, photoStart + PHOTO_BYTES)).toEqual(photo);
    const text = takeTextAndWipePhoto(parseReply(frame));
    expect(frame.bytes.subarray(photoStart, photoStart + PHOTO_BYTES).every((b) => b === 0)).toBe(true);
    expect(frame.bytes.subarray(7 + 3, -1).every((b) => b === 0)).toBe(true);
    const identity = parseAndWipeTextBlock(text);
    expect(Object.keys(identity).sort()).toEqual(['cardType', 'idNumber', 'name']);
    expect(text.every((b) => b === 0)).toBe(true);
  });

  it('never throws anything but PassgateError on random read data, and always zeroes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), (bytes) => {
        const data = Buffer.from(bytes);
        try {
          parseAndWipeTextBlock(takeTextAndWipePhoto({ sw1: 0, sw2: 0, sw3: 0x90, data }));
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
        }
        expect(data.every((b) => b === 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects lengths that do not add up, zeroing the data anyway', () => {
    const data = encodeReadData(Buffer.alloc(256, 1), Buffer.alloc(1024, 2));
    data.writeUInt16BE(0x0500, 2);
    const reply = { sw1: 0, sw2: 0, sw3: 0x90, data };
    try {
      takeTextAndWipePhoto(reply);
      expect.unreachable();
    } catch (error) {
      expect(isPassgateError(error, 'driver.frame-invalid')).toBe(true);
    }
    expect(data.every((b) => b === 0)).toBe(true);
  });
});
