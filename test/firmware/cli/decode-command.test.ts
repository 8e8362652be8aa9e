import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runDecodeCommand } from '../../../drivers/camera/decode-command.js';
import { ZxingQrDecoder } from '../../../drivers/symbols/zxing-qr-decoder.js';
import type { SymbolDecoder } from '../../../drivers/symbols/symbol-decoder.js';
import { zintPng } from '../../../scripts/lab/zint.js';

let dir: string;
let decoders: SymbolDecoder[];
let qrFile: string;
let microFile: string;
let blankFile: string;
let junkFile: string;

function capture(): { write: (s: string) => void; text: () => string } {
  const parts: string[] = [];
  return { write: (s) => void parts.push(s), text: () => parts.join('') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'decode-cmd-'));
  decoders = [await ZxingQrDecoder.create()];
  qrFile = zintPng('QRCODE', 'PG1-CMD-\u001b[31m', join(dir, 'qr.png'));
  microFile = zintPng('MICROQR', '42', join(dir, 'micro.png'));
  const blank = new PNG({ width: 50, height: 50 });
  blank.data.fill(255);
  blankFile = join(dir, 'blank.png');
  writeFileSync(blankFile, PNG.sync.write(blank));
  junkFile = join(dir, 'junk.png');
  writeFileSync(junkFile, 'not an image');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runDecodeCommand', () => {
  it('prints each symbol per file (escaped) and exits 0 when every file had one', async () => {
    const out = capture();
    expect(await runDecodeCommand([qrFile, microFile], { json: false, decoders }, out)).toBe(0);
    expect(out.text()).toBe(`${qrFile}: qr "PG1-CMD-\\u001b[31m"\n${microFile}: micro-qr "42"\n`);
  });

  it('exits 1 when a readable file has no symbol', async () => {
    const out = capture();
    expect(await runDecodeCommand([qrFile, blankFile], { json: false, decoders }, out)).toBe(1);
    expect(out.text()).toContain(`${blankFile}: no symbol found\n`);
  });

  it('exits 2 for unreadable files and writes one JSON object per file with --json', async () => {
    const out = capture();
    const status = await runDecodeCommand([junkFile, blankFile, microFile, join(dir, 'missing.jpg')], { json: true, decoders }, out);
    expect(status).toBe(2);
    const lines = out.text().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { file: junkFile, symbols: [], error: 'decode.image-unreadable' },
      { file: blankFile, symbols: [], error: 'decode.no-symbol' },
      { file: microFile, symbols: [{ format: 'micro-qr', text: '42' }] },
      { file: join(dir, 'missing.jpg'), symbols: [], error: 'decode.image-unreadable' },
    ]);
  });

  it('exits 2 when no file is given', async () => {
    expect(await runDecodeCommand([], { json: false, decoders }, capture())).toBe(2);
  });
});
