// `passgate decode` with an injected decoder list: what it prints per file, and its exit codes
// from the one table.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SymbolDecoder } from '../../../drivers/symbols/symbol-decoder.js';
import { ZxingQrDecoder } from '../../../drivers/symbols/zxing-qr-decoder.js';
import { runDecodeCommand } from '../../../firmware/cli/decode-command.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { zintPng } from '../../../scripts/lab/zint.js';
import { type CliResult, tempRoot } from '../../support/cli.js';

let tmp: ReturnType<typeof tempRoot>;
let decoders: SymbolDecoder[];
let qrFile: string;
let microFile: string;
let blankFile: string;
let junkFile: string;

async function decode(...args: string[]): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runDecodeCommand(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, decoders);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  tmp = tempRoot('decode-cmd-');
  decoders = [await ZxingQrDecoder.create()];
  qrFile = zintPng('QRCODE', 'PG1-CMD-\u001b[31m', join(tmp.root, 'qr.png'));
  microFile = zintPng('MICROQR', '42', join(tmp.root, 'micro.png'));
  const blank = new PNG({ width: 50, height: 50 });
  blank.data.fill(255);
  blankFile = join(tmp.root, 'blank.png');
  writeFileSync(blankFile, PNG.sync.write(blank));
  junkFile = join(tmp.root, 'junk.png');
  writeFileSync(junkFile, 'not an image');
});
afterAll(() => tmp.remove());

describe('passgate decode', () => {
  it('prints each symbol per file (escaped) and exits 0 when every file had one', async () => {
    expect(await decode(qrFile, microFile)).toEqual({
      code: EXIT.ok,
      stdout: [`${qrFile}: 识别到 / found qr "PG1-CMD-\\u001b[31m"`, `${microFile}: 识别到 / found micro-qr "42"`],
      stderr: [],
    });
  });

  it('exits 6 (no symbol) when a readable file has no symbol', async () => {
    const r = await decode(qrFile, blankFile);
    expect(r.code).toBe(EXIT.noSymbol);
    expect(r.stdout).toContain(`${blankFile}: 未找到码 / no symbol found`);
  });

  it('exits 7 (unreadable image) for unreadable files, over 6; one JSON object per file with --json', async () => {
    const missing = join(tmp.root, 'missing.jpg');
    const r = await decode('--json', junkFile, blankFile, microFile, missing);
    expect(r.code).toBe(EXIT.imageUnreadable);
    const failed = (code: string) => ({
      code,
      message: { zh: expect.stringMatching(/[\u4e00-\u9fff]/), en: expect.any(String) },
    });
    expect(r.stdout.map((l) => JSON.parse(l))).toEqual([
      { file: junkFile, symbols: [], error: failed('decode.image-unreadable') },
      { file: blankFile, symbols: [], error: failed('decode.no-symbol') },
      { file: microFile, symbols: [{ format: 'micro-qr', text: '42' }] },
      { file: missing, symbols: [], error: failed('decode.file-missing') },
    ]);
  });

  it('a missing file is reported as missing, in both languages, apart from one that cannot be read', async () => {
    const missing = join(tmp.root, 'no-such-photo.jpg');
    const r = await decode(missing, junkFile, tmp.root);
    expect(r.code).toBe(EXIT.imageUnreadable);
    expect(r.stdout).toEqual([
      `${missing}: 文件不存在 / no such file (decode.file-missing)`,
      `${junkFile}: 无法读取图像 / unreadable image (decode.image-unreadable)`,
      `${tmp.root}: 无法读取图像 / unreadable image (decode.image-unreadable)`,
    ]);
  });

  it('exits 2 (usage) when no file is given; --help prints the usage and the exit codes', async () => {
    const none = await decode('--json');
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr.slice(0, 2)).toEqual(['错误: 没有指定图像文件', 'error: no image file given']);
    const help = await decode('--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toEqual([
      '用法 / usage: passgate decode [--json] FILE…',
      '  FILE        PNG、JPEG 或 PGM 图像 / a PNG, JPEG or PGM image',
      '  --json      每个文件输出一个 JSON 对象 / one JSON object per file',
      '示例 / examples:',
      '  passgate decode photo.jpg',
      'exit codes / 退出码: 0 ok, 2 usage, 6 no symbol, 7 image unreadable',
    ]);
  });
});
