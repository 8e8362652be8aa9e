// `passgate decode [--json] FILE…`: the technician's check of a printed or photographed code,
// through the same decoders the camera uses. Prints each symbol's format and text per file, on
// the technician's own terminal only; this is the one place the runtime prints a decoded code on
// purpose. It writes no files and logs nothing.
//
// Exit codes (exit-codes.ts): 0 every file had a symbol, 6 some readable file had none, 7 some
// file was missing or could not be read as an image (wins over 6), 2 usage (no file given). With
// --json one object per file; a file that failed carries the error object of every --json failure.

import { defaultSymbolDecoders } from '../../drivers/symbols/default-decoders.js';
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { readImageFile } from '../../drivers/symbols/image-file.js';
import type { DecodedSymbol, SymbolDecoder } from '../../drivers/symbols/symbol-decoder.js';
import { type ErrorCode, isPassgateError } from '../core/errors.js';
import { type ArgSpec, problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { errorObject, failureMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { DECODE_USAGE } from './usages.js';

const USAGE = DECODE_USAGE;

/** The options of decode (the README's command table is checked against these). */
export const DECODE_OPTIONS: ArgSpec = { flags: ['json'] };

/** What a file's decoding found; `--json` prints one object a line (reportJson). */
interface FileReport {
  file: string;
  symbols: { format: string; text: string }[];
  error?: ErrorCode;
}

async function decodeFile(
  file: string,
  decoders: readonly SymbolDecoder[],
): Promise<{ report: FileReport; unreadable: boolean }> {
  let image: GrayImage;
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

/** The lines a file's report prints as, without --json. */
function reportLines(report: FileReport, unreadable: boolean): string[] {
  if (report.error === 'decode.file-missing') return [`${report.file}: 文件不存在 / no such file (${report.error})`];
  if (unreadable) return [`${report.file}: 无法读取图像 / unreadable image (${report.error})`];
  if (report.symbols.length === 0) return [`${report.file}: 未找到码 / no symbol found`];
  // Quoted as JSON strings, so control characters in a code cannot drive the terminal.
  return report.symbols.map((s) => `${report.file}: 识别到 / found ${s.format} ${JSON.stringify(s.text)}`);
}

/** A file's report as --json prints it: a failed file carries the error object of every command. */
function reportJson(report: FileReport): string {
  const { error, ...rest } = report;
  return JSON.stringify(error ? { ...rest, ...errorObject(error, failureMessage(error)) } : rest);
}

/**
 * Decodes every file in turn and prints the results; resolves to the exit code. `decoders`
 * defaults to the camera's list, tuned for still images.
 */
export async function runDecodeCommand(
  args: readonly string[],
  out: CommandOutput,
  decoders?: readonly SymbolDecoder[],
): Promise<number> {
  const read = readCommandArgs(args, DECODE_OPTIONS, USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const files = read.args.positional;
  if (files.length === 0) {
    return usageError(out, USAGE, problem('usage.missing-argument', '没有指定图像文件', 'no image file given'));
  }
  const json = read.args.flags.has('json');
  const using = decoders ?? (await defaultSymbolDecoders({ thorough: true }));
  let exit: number = EXIT.ok;
  for (const file of files) {
    const { report, unreadable } = await decodeFile(file, using);
    if (unreadable) exit = EXIT.imageUnreadable;
    else if (report.symbols.length === 0 && exit === EXIT.ok) exit = EXIT.noSymbol;
    for (const line of json ? [reportJson(report)] : reportLines(report, unreadable)) out.stdout(line);
  }
  return exit;
}
