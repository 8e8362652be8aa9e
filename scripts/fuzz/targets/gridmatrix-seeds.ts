// Grid Matrix seeds for the two decoder targets: symbols zint makes (the tests' Grid Matrix
// encoder, installed by scripts/test.sh), as module matrices, data codewords and small images.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import { blockLayout, deinterleaveAndCorrect } from '../../../drivers/symbols/gridmatrix/blocks.js';
import { readCodewords } from '../../../drivers/symbols/gridmatrix/codewords.js';
import { decodeMatrix } from '../../../drivers/symbols/gridmatrix/decode-matrix.js';
import { type ModuleMatrix, versionForSize } from '../../../drivers/symbols/gridmatrix/geometry.js';
import { rsCorrect } from '../../../drivers/symbols/gridmatrix/reed-solomon.js';
import { gmMatrix, toRows } from '../../lab/gridmatrix/matrix-fixtures.js';
import { renderMatrix } from '../../lab/synth-image.js';

const CONTENTS: { data: string; vers?: number; secure?: number; eci?: number }[] = [
  { data: 'PGX1-0001-ABCDEFGH' },
  { data: '20261129123456789012', vers: 3 },
  { data: 'lower UPPER Mixed123 a+b=c; {ok}', secure: 5 },
  { data: '测试通行证' },
  { data: 'Ünïcode ✓', eci: 26 },
];

export function seedMatrices(): ModuleMatrix[] {
  return CONTENTS.map((c) => gmMatrix(c.data, { vers: c.vers, secure: c.secure, eci: c.eci }));
}

/** The corrected data codewords of a symbol read upright. */
export function dataCodewordsOf(matrix: ModuleMatrix): Uint8Array {
  const version = versionForSize(matrix.size) ?? 1;
  const { ecl } = decodeMatrix(matrix);
  const layout = blockLayout(version, ecl);
  const corrected = layout && deinterleaveAndCorrect(readCodewords(matrix, version, 0), layout, rsCorrect);
  return corrected ? corrected.data : new Uint8Array(0);
}

export function renderSymbol(matrix: ModuleMatrix, moduleSize = 3): GrayImage {
  return renderMatrix(toRows(matrix), { moduleSize, quietZone: 3 });
}

export function encodePng(image: GrayImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  for (let i = 0; i < image.data.length; i++) png.data.fill(image.data[i], i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3);
  return PNG.sync.write(png);
}

export function encodeJpeg(image: GrayImage): Uint8Array {
  const rgba = Buffer.alloc(image.width * image.height * 4, 255);
  for (let i = 0; i < image.data.length; i++) rgba.fill(image.data[i], i * 4, i * 4 + 3);
  return jpeg.encode({ data: rgba, width: image.width, height: image.height }, 90).data;
}

export function encodePgm(image: GrayImage): Uint8Array {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`);
  return Buffer.concat([header, image.data]);
}
