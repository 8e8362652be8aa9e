// The card's 256-byte text block (UCS-2 little-endian, space padded) and the reply of read
// (30 01) that carries it next to the photo. Only what the gate needs leaves this module:
// card type, name and ID number. Errors name fields, never their contents.
import { PassgateError } from '../../firmware/core/errors.js';
import {
  type CardType,
  hasIdNumberFormat,
  type IdCardIdentity,
  isCardHolderName,
  isIdNumberOfCardType,
} from '../../firmware/core/id-number.js';
import type { Reply } from './frame.js';

export const TEXT_BLOCK_BYTES = 256;
export const PHOTO_BYTES = 1024;
/** Byte offset of the card-type character (space: resident card, 'J', 'I'). */
export const CARD_TYPE_OFFSET = 248;

interface Field {
  offset: number;
  bytes: number;
}

/** Field positions per card type (see drivers/idcard/README.md, the 256-byte text block). */
const LAYOUT = {
  resident: { name: { offset: 0, bytes: 30 }, idNumber: { offset: 122, bytes: 36 } },
  'hmt-permit': { name: { offset: 0, bytes: 30 }, idNumber: { offset: 122, bytes: 36 } },
  'foreign-permanent': {
    englishName: { offset: 0, bytes: 120 },
    /** The 2017 card's 15-character number; the nationality code (6 bytes) follows at 152. */
    permitNumber: { offset: 122, bytes: 30 },
    /**
     * The 2023 card's 18-character number, read over the 2017 nationality code: a 2017 number
     * starts with three letters, a 2023 one with 9, so the two cannot be confused.
     */
    permitNumber2023: { offset: 122, bytes: 36 },
    chineseName: { offset: 158, bytes: 30 },
  },
} as const;

/** The card-type character of the text block, per card type (GA 467). */
const TYPE_CHAR: Record<CardType, string> = { resident: ' ', 'hmt-permit': 'J', 'foreign-permanent': 'I' };
const CARD_TYPE_BY_CHAR = new Map(Object.entries(TYPE_CHAR).map(([type, char]) => [char, type as CardType]));

function invalid(message: string, details: Record<string, string | number> = {}): PassgateError {
  return new PassgateError('driver.card-invalid', message, details);
}

function readField(block: Uint8Array, field: Field): string {
  const text = Buffer.from(block.buffer, block.byteOffset + field.offset, field.bytes).toString('utf16le');
  return text.replace(/[ \u0000]+$/u, '');
}

function checkName(name: string, field: string): string {
  if (name.length === 0) throw invalid('name field is empty', { field });
  // Controls, lone surrogates or white space left at either end after the padding is trimmed mean
  // the block was misread, not a real name. The rule is the protocol's own, so the driver never
  // passes on a name the portal would refuse as malformed.
  if (!isCardHolderName(name)) throw invalid('name field is unreadable', { field });
  return name;
}

/**
 * Parses the 256-byte text block. Throws PassgateError 'driver.card-invalid' (details name the
 * field or the card-type code) for a wrong size, unknown card type, empty or unreadable name, or
 * an ID number with a bad format or check digit.
 */
export function parseTextBlock(block: Uint8Array): IdCardIdentity {
  if (block.length !== TEXT_BLOCK_BYTES) throw invalid('text block has the wrong size', { length: block.length });
  const typeChar = String.fromCharCode(block[CARD_TYPE_OFFSET] | (block[CARD_TYPE_OFFSET + 1] << 8));
  const cardType = CARD_TYPE_BY_CHAR.get(typeChar);
  if (cardType === undefined) {
    throw invalid('unsupported card type', { cardTypeCode: typeChar.charCodeAt(0) });
  }
  if (cardType === 'foreign-permanent') {
    const layout = LAYOUT['foreign-permanent'];
    const old = readField(block, layout.permitNumber);
    const idNumber = hasIdNumberFormat('foreigner-2017', old) ? old : readField(block, layout.permitNumber2023);
    if (!isIdNumberOfCardType(cardType, idNumber)) {
      throw invalid('permit number has a bad format or check digit', { field: 'idNumber' });
    }
    const chinese = readField(block, layout.chineseName);
    const name =
      chinese.length > 0
        ? checkName(chinese, 'chineseName')
        : checkName(readField(block, layout.englishName), 'englishName');
    return { cardType, name, idNumber };
  }
  const layout = LAYOUT[cardType];
  const name = checkName(readField(block, layout.name), 'name');
  const idNumber = readField(block, layout.idNumber);
  if (!isIdNumberOfCardType(cardType, idNumber)) {
    throw invalid('ID number has a bad format or check digit', { field: 'idNumber' });
  }
  return { cardType, name, idNumber };
}

/**
 * From a successful read (30 01) reply: copies the text block out and zeroes the whole reply data
 * in place (photo first, straight away), so the frame holds neither photo nor text afterwards.
 * The photo is never decoded, copied or returned. Throws 'driver.frame-invalid' if the declared
 * lengths do not fit the reply; the data is zeroed in that case too.
 */
export function takeTextAndWipePhoto(reply: Reply): Buffer {
  const data = reply.data;
  try {
    if (data.length < 4)
      throw new PassgateError('driver.frame-invalid', 'read reply too short', { length: data.length });
    const textBytes = data.readUInt16BE(0);
    const photoBytes = data.readUInt16BE(2);
    if (4 + textBytes + photoBytes !== data.length) {
      throw new PassgateError('driver.frame-invalid', 'read reply lengths do not add up', {
        length: data.length,
        textBytes,
        photoBytes,
      });
    }
    data.fill(0, 4 + textBytes, 4 + textBytes + photoBytes);
    if (textBytes !== TEXT_BLOCK_BYTES) throw invalid('text block has the wrong size', { length: textBytes });
    return Buffer.from(data.subarray(4, 4 + textBytes));
  } finally {
    data.fill(0);
  }
}

/** Parses and then zeroes a text block copy. */
export function parseAndWipeTextBlock(block: Buffer): IdCardIdentity {
  try {
    return parseTextBlock(block);
  } finally {
    block.fill(0);
  }
}

export interface TextBlockFields {
  cardType: CardType;
  name: string;
  idNumber: string;
  /** Optional fields, for realistic fixtures; anything left out is spaces. */
  gender?: '1' | '2';
  birth?: string;
  englishName?: string;
}

function writeField(block: Buffer, field: Field, value: string): void {
  const bytes = Buffer.from(value, 'utf16le');
  if (bytes.length > field.bytes) throw invalid('fixture value longer than its field', { offset: field.offset });
  block.set(bytes, field.offset);
}

/** Builds a text block (for the simulated reader and tests). */
export function encodeTextBlock(fields: TextBlockFields): Buffer {
  const block = Buffer.from(' '.repeat(TEXT_BLOCK_BYTES / 2), 'utf16le');
  const typeChar = TYPE_CHAR[fields.cardType];
  if (fields.cardType === 'foreign-permanent') {
    const layout = LAYOUT['foreign-permanent'];
    writeField(block, layout.englishName, fields.englishName ?? '');
    const long = [...fields.idNumber].length > 15;
    writeField(block, long ? layout.permitNumber2023 : layout.permitNumber, fields.idNumber);
    writeField(block, layout.chineseName, fields.name);
    writeField(block, { offset: 120, bytes: 2 }, fields.gender ?? '1');
    if (fields.birth !== undefined) writeField(block, { offset: 220, bytes: 16 }, fields.birth);
  } else {
    const layout = LAYOUT[fields.cardType];
    writeField(block, layout.name, fields.name);
    writeField(block, layout.idNumber, fields.idNumber);
    writeField(block, { offset: 30, bytes: 2 }, fields.gender ?? '1');
    if (fields.birth !== undefined) writeField(block, { offset: 36, bytes: 16 }, fields.birth);
  }
  writeField(block, { offset: CARD_TYPE_OFFSET, bytes: 2 }, typeChar);
  return block;
}

/** The data of a successful read reply: lengths, text block, photo. */
export function encodeReadData(text: Uint8Array, photo: Uint8Array): Buffer {
  const data = Buffer.alloc(4 + text.length + photo.length);
  data.writeUInt16BE(text.length, 0);
  data.writeUInt16BE(photo.length, 2);
  data.set(text, 4);
  data.set(photo, 4 + text.length);
  return data;
}
