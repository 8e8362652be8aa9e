// Function codes and multi-segment ECI, which the shared zint helper has no options for: zint is
// called directly here, with data on stdin as the helper does.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeMatrix } from '../../../../drivers/symbols/gridmatrix/decode-matrix.js';
import { toModuleMatrix } from '../../../../scripts/lab/gridmatrix/matrix-fixtures.js';

/** `data` goes on stdin; with segments zint wants segment 0 as `-d`, so pass it in `args` instead. */
function zintDump(args: string[], data?: string): boolean[][] {
  const input = data === undefined ? [] : ['--input=-'];
  const out = execFileSync('zint', ['--barcode=GRIDMATRIX', ...input, '--dump', ...args], {
    input: Buffer.from(data ?? '', 'utf8'),
    encoding: 'latin1',
  });
  const lines = out
    .split('\n')
    .map((l) => l.replace(/\s+/g, ''))
    .filter((l) => l.length > 0);
  return lines.map((hex) =>
    Array.from({ length: lines.length }, (_, x) => ((parseInt(hex[x >> 2], 16) >> (3 - (x & 3))) & 1) === 1),
  );
}

describe('Grid Matrix function codes and segments', () => {
  it('reads Structured Append (FNC2): index, count and file ID', () => {
    const r = decodeMatrix(toModuleMatrix(zintDump(['--structapp=2,3,123'], 'PART TWO')));
    expect(r.text).toBe('PART TWO');
    expect(r.structuredAppend).toEqual({ fileId: 123, count: 3, index: 2 });
  });

  it('reads Reader Initialisation (FNC3)', () => {
    const r = decodeMatrix(toModuleMatrix(zintDump(['--init'], 'SETUP')));
    expect(r.readerInit).toBe(true);
    expect(r.text).toBe('SETUP');
  });

  it('reads several ECI segments, each in its own character set', () => {
    const r = decodeMatrix(toModuleMatrix(zintDump(['--eci=26', '-d', 'Grüße', '--seg1=3,café', '--seg2=29,中文'])));
    expect(r.ecis).toEqual([26, 3, 29]);
    expect(r.text).toBe('Grüßecafé中文');
  });

  it('reads a large ECI number (15-bit form)', () => {
    const r = decodeMatrix(toModuleMatrix(zintDump(['--eci=899'], 'raw')));
    expect(r.ecis).toEqual([899]);
    expect(Array.from(r.bytes)).toEqual([0x72, 0x61, 0x77]);
  });
});
