// The GA 467 text block (drivers/idcard/text-block.ts): 256 bytes of UCS-2, mutated from real
// blocks of every card type. Contract: an identity or driver.card-invalid, nothing else; an
// identity's number is one of its card type and its name has no controls; an error never
// repeats the name or the number that were in the block.
import fc from 'fast-check';
import { encodeTextBlock, parseTextBlock, TEXT_BLOCK_BYTES } from '../../../drivers/idcard/text-block.js';
import {
  isCardHolderName,
  isIdNumberOfCardType,
  syntheticIdNumber,
  syntheticIdNumberOf,
} from '../../../firmware/core/id-number.js';
import { mulberry32 } from '../../lab/synth-image.js';
import { shorterBytes } from '../minimise.js';
import { mutatedFrom } from '../mutate.js';
import { allowing, check, checkNoLeak, type FuzzTarget, hex } from '../target.js';

function seedBlocks(): Uint8Array[] {
  const random = mulberry32(256);
  return [
    encodeTextBlock({ cardType: 'resident', name: '张三', idNumber: syntheticIdNumber({ random }), birth: '19800101' }),
    encodeTextBlock({
      cardType: 'hmt-permit',
      name: '陈大文',
      idNumber: syntheticIdNumber({ random, region: '810000' }),
    }),
    encodeTextBlock({
      cardType: 'foreign-permanent',
      name: '安娜',
      englishName: 'ANNA SMITH',
      idNumber: syntheticIdNumberOf('foreigner-2017', { random }),
    }),
    encodeTextBlock({
      cardType: 'foreign-permanent',
      name: '',
      englishName: 'JOHN DOE',
      idNumber: syntheticIdNumberOf('foreigner-2023', { random }),
    }),
  ];
}

/** The UCS-2 text of the block, for the leak check: every run of 4+ characters in it. */
function blockWords(block: Uint8Array): string[] {
  const text = Buffer.from(block.buffer, block.byteOffset, block.length - (block.length % 2)).toString('utf16le');
  return text.split(/[\s\u0000]+/).filter((w) => w.length >= 4);
}

export function idcardTextTarget(): FuzzTarget<Uint8Array> {
  return {
    name: 'idcard-text',
    seeds: seedBlocks,
    inputs: (corpus) =>
      fc.oneof(
        { weight: 6, arbitrary: mutatedFrom(corpus, (b) => b, { maxLength: TEXT_BLOCK_BYTES }) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: TEXT_BLOCK_BYTES, maxLength: TEXT_BLOCK_BYTES }) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      ),
    run(block) {
      const result = allowing(['driver.card-invalid'], () => parseTextBlock(block));
      if (!result.ok) {
        checkNoLeak(result.error, blockWords(block));
        return `${result.outcome}:${String(result.error.details.field ?? ('cardTypeCode' in result.error.details ? 'card-type' : ''))}`;
      }
      const id = result.value;
      check(isIdNumberOfCardType(id.cardType, id.idNumber), 'an identity whose number is not of its card type');
      check(isCardHolderName(id.name), 'an identity whose name is no card holder name');
      return `identity:${id.cardType}`;
    },
    smaller: shorterBytes,
    show: (block) => hex(block),
  };
}
