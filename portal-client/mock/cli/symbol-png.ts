// Renders a pass code as a QR code or Grid Matrix (GB/T 27766) PNG with Debian's zint (package
// `zint`). The text goes to zint on stdin, never on its command line, so it does not show in the
// process list.
import { spawn } from 'node:child_process';
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
              'zint is not installed: install the Debian package zint (apt-get install zint) to write pass-code PNGs',
            )
          : new CliFailure(`zint could not be started (${error.code ?? 'unknown'})`, { cause: error }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else if (signal) reject(new CliFailure(`zint did not finish within ${o.timeoutMs} ms`));
      // zint's own message concerns the file or the symbol, never echoes the data.
      else reject(new CliFailure(`zint failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`));
    });
    child.stdin.end(text, 'utf8');
  });
}
