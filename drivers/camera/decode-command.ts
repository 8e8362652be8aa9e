// `passgate decode FILE...`: for a technician checking a printed or photographed code. Prints
// each symbol's format and text per file, on the technician's own terminal only; this is the one
// place the runtime prints a decoded code on purpose. It writes no files and logs nothing.
//
// Exit status: 0 when every file had at least one symbol, 1 when some readable file had none,
// 2 when some file could not be read as an image (or no file was given).
import type { DecodedSymbol, SymbolDecoder } from '../symbols/symbol-decoder.js';
import { readImageFile } from '../symbols/image-file.js';
import { isPassgateError, type ErrorCode } from '../../firmware/core/errors.js';

export interface DecodeCommandOptions {
  /** One JSON object per file and line: {file, symbols: [{format, text}], error?}. */
  json: boolean;
  decoders: readonly SymbolDecoder[];
}

export interface DecodeCommandOutput {
  write(text: string): unknown;
}

interface FileReport {
  file: string;
  symbols: { format: string; text: string }[];
  error?: ErrorCode;
}

async function decodeFile(file: string, decoders: readonly SymbolDecoder[]): Promise<{ report: FileReport; unreadable: boolean }> {
  let image;
  try {
    image = await readImageFile(file);
  } catch (error) {
    const code: ErrorCode = isPassgateError(error) ? error.code : 'decode.image-unreadable';
    return { report: { file, symbols: [], error: code }, unreadable: true };
  }
  const seen = new Set<string>();
  const symbols: DecodedSymbol[] = [];
  let failure: ErrorCode | undefined;
  for (const decoder of decoders) {
    try {
      for (const s of await decoder.decode(image)) {
        const key = `${s.symbology}\u0000${s.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        symbols.push(s);
      }
    } catch (error) {
      failure ??= isPassgateError(error) ? error.code : 'decode.unsupported';
    }
  }
  const report: FileReport = { file, symbols: symbols.map((s) => ({ format: s.symbology, text: s.text })) };
  if (symbols.length === 0) report.error = failure ?? 'decode.no-symbol';
  return { report, unreadable: false };
}

/** Decodes every file in turn and prints the results; resolves to the exit status. */
export async function runDecodeCommand(
  files: readonly string[],
  opts: DecodeCommandOptions,
  out: DecodeCommandOutput,
): Promise<number> {
  if (files.length === 0) {
    if (!opts.json) out.write('passgate decode: no image file given\n');
    return 2;
  }
  let status = 0;
  for (const file of files) {
    const { report, unreadable } = await decodeFile(file, opts.decoders);
    if (unreadable) status = 2;
    else if (report.symbols.length === 0 && status === 0) status = 1;
    if (opts.json) {
      out.write(`${JSON.stringify(report)}\n`);
      continue;
    }
    if (unreadable) {
      out.write(`${file}: unreadable image (${report.error})\n`);
    } else if (report.symbols.length === 0) {
      out.write(`${file}: no symbol found\n`);
    } else {
      // Quoted as JSON strings, so control characters in a code cannot drive the terminal.
      for (const s of report.symbols) out.write(`${file}: ${s.format} ${JSON.stringify(s.text)}\n`);
    }
  }
  return status;
}
