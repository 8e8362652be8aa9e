import { describe, expect, it } from 'vitest';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import { maskIdNumber, maskName } from '../../../firmware/core/verdict.js';
import { FRAGMENT_CHARS, PrivacyNeedles } from '../../../scripts/soak/privacy-search.js';

const code = 'PGC1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-QQQQQQQQQQQQQQQQQQQQ';
const card = { name: '王明华', idNumber: syntheticIdNumber({ random: () => 0.42 }) };

function needles(): PrivacyNeedles {
  const n = new PrivacyNeedles();
  n.addCode(code);
  n.addCard(card);
  n.addCard({ name: '李军', idNumber: syntheticIdNumber({ random: () => 0.17 }) });
  return n;
}
const search = (text: string | Buffer) =>
  needles().search(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), 'here');

describe('privacy search', () => {
  it('finds nothing in ordinary log lines', () => {
    const lines = [
      '{"t":"2026-01-01T00:00:00.000Z","level":"info","event":"verdict","source":"serial-scanner","outcome":"pass","readToRequestMs":0.4,"portalMs":3.1}',
      '{"t":"2026-01-01T00:00:00.000Z","level":"info","event":"bound","mode":"rebind","venueCategory":"public-place"}',
      'venue 示例商场3号入口 opening hours',
    ];
    expect(search(lines.join('\n'))).toEqual([]);
  });

  it('finds a whole code, any code prefix, and fragments of a code', () => {
    expect(search(`x ${code} y`).map((h) => h.what)).toEqual(['pass code', 'pass-code fragment']);
    expect(search('PGC1.').map((h) => h.what)).toEqual(['pass code']);
    const body = code.slice(5);
    for (let start = 0; start + 2 * FRAGMENT_CHARS - 1 <= body.length; start += 7) {
      const fragment = body.slice(start, start + 2 * FRAGMENT_CHARS - 1);
      expect(search(`"x":"${fragment}"`).map((h) => h.what)).toEqual(['pass-code fragment']);
    }
  });

  it('finds ID numbers and names, plain and masked, in text and among binary bytes', () => {
    expect(search(`id ${card.idNumber}`).map((h) => h.what)).toEqual(['ID number']);
    expect(search(`id ${maskIdNumber(card.idNumber)}`).map((h) => h.what)).toEqual(['masked ID number']);
    expect(search(`{"n":"${card.name}"}`).map((h) => h.what)).toEqual(['name']);
    expect(search(`{"n":"${maskName(card.name)}"}`).map((h) => h.what)).toEqual(['masked name']);
    expect(search('**军').map((h) => h.what)).toEqual(['masked name']);
    const binary = Buffer.concat([
      Buffer.from([0, 255, 13, 7]),
      Buffer.from(card.name, 'utf8'),
      Buffer.from([0xe4, 0x00]),
    ]);
    expect(search(binary).map((h) => h.what)).toEqual(['name']);
  });

  it('says where and what, never the needle itself', () => {
    const hits = search(`${code} ${card.idNumber} ${card.name}`);
    expect(hits.length).toBe(4);
    for (const h of hits) {
      expect(h.where).toBe('here');
      expect(JSON.stringify(h)).not.toContain(card.idNumber);
      expect(JSON.stringify(h)).not.toContain(card.name);
      expect(JSON.stringify(h)).not.toContain(code.slice(5, 30));
    }
  });

  it('does not take another number or other characters for a needle', () => {
    expect(search(`${'1'.repeat(18)} 张三丰 ${'A'.repeat(40)}`)).toEqual([]);
  });
});
