// Renders a code (a pass code for `issue`, a venue code for `venues`) as a QR code or Grid Matrix
// (GB/T 27766) PNG with Debian's zint (package `zint`). The text goes to zint on stdin, never on
// its command line, so it does not show in the process list.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type ParsedArgs, UsageError } from './args.js';
import { CliFailure } from './io.js';

export type PngSymbology = 'qr' | 'grid-matrix';

const ZINT_SYMBOLOGY: Record<PngSymbology, string> = { qr: 'QRCODE', 'grid-matrix': 'GRIDMATRIX' };

export interface SymbolPngOptions {
  symbology: PngSymbology;
  /** zint must finish within this (MOCK_CLI_TIMEOUTS.symbolRenderMs). */
  timeoutMs: number;
  /** The zint executable; found on PATH by default. */
  zint?: string;
}

/** The options `--png FILE [--grid-matrix]` every PNG-writing command takes. */
export const PNG_OPTIONS = { values: ['png'], flags: ['grid-matrix'] } as const;

export const PNG_OPTIONS_HELP =
  '--png      also write the code as a QR code PNG (needs the Debian package zint)\n' +
  '--grid-matrix  with --png: a Grid Matrix symbol (GB/T 27766, standard 6.1) instead of QR';

/** The PNG a command was asked for (absolute path and symbology), or null; --grid-matrix needs --png. */
export function requestedPng(args: ParsedArgs): { file: string; symbology: PngSymbology } | null {
  const file = args.values.get('png');
  const gridMatrix = args.flags.has('grid-matrix');
  if (file === undefined) {
    if (gridMatrix)
      throw new UsageError(
        'usage.invalid-argument',
        '--grid-matrix 需要与 --png FILE 一起使用',
        '--grid-matrix goes with --png FILE',
      );
    return null;
  }
  return { file: resolve(file), symbology: gridMatrix ? 'grid-matrix' : 'qr' };
}

export async function writeSymbolPng(text: string, file: string, o: SymbolPngOptions): Promise<void> {
  const args = [
    '-b',
    ZINT_SYMBOLOGY[o.symbology],
    '--filetype=PNG',
    '-o',
    file,
    '--input=-',
    '--scale=4',
    '--quietzones',
  ];
  await new Promise<void>((resolve, reject) => {
    // Own timer rather than spawn's `timeout`, which outlives a spawn that failed (ENOENT).
    const child = spawn(o.zint ?? 'zint', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    child.stdin.on('error', () => undefined); // zint gone early: reported by 'close' below
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new CliFailure(
              'mock.zint-failed',
              'zint 未安装：请安装 Debian 软件包 zint（apt-get install zint）以生成码图',
              'zint is not installed: install the Debian package zint (apt-get install zint) to write pass-code PNGs',
            )
          : new CliFailure(
              'mock.zint-failed',
              `zint 无法启动（${error.code ?? 'unknown'}）`,
              `zint could not be started (${error.code ?? 'unknown'})`,
              { cause: error },
            ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else if (signal) {
        reject(
          new CliFailure(
            'mock.zint-failed',
            `zint 未在 ${o.timeoutMs} 毫秒内完成`,
            `zint did not finish within ${o.timeoutMs} ms`,
          ),
        );
      }
      // zint's own message concerns the file or the symbol, never echoes the data.
      else {
        const first = stderr.trim().split('\n')[0] ?? '';
        reject(
          new CliFailure(
            'mock.zint-failed',
            `zint 失败（退出码 ${code}）: ${first}`,
            `zint failed (exit ${code}): ${first}`,
          ),
        );
      }
    });
    child.stdin.end(text, 'utf8');
  });
}
