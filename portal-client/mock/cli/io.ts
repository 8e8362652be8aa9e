// Where `passgate-mock` writes, and how it learns it should stop. Injected into main(), so the
// commands can run in process with captured output; the real process wiring is processIo.
import type { ErrorCode } from '../../../firmware/core/errors.js';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /**
   * Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM). Handlers
   * are installed on the call, not before, and removed once it resolves.
   */
  untilStopped(): Promise<string>;
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
  untilStopped: () =>
    new Promise((resolve) => {
      const signals = ['SIGINT', 'SIGTERM'] as const;
      const handlers = signals.map((signal) => {
        const handler = () => {
          for (const [i, s] of signals.entries()) process.off(s, handlers[i]);
          resolve(signal);
        };
        process.on(signal, handler);
        return handler;
      });
    }),
};

/**
 * The command ran but could not do its job (exit code 3): an error code and a message in both
 * languages (`message` is the English one). The message names no personal data.
 */
export class CliFailure extends Error {
  readonly code: ErrorCode;
  readonly zh: string;

  constructor(code: ErrorCode, zh: string, en: string, options?: { cause?: unknown }) {
    super(en, options);
    this.name = 'CliFailure';
    this.code = code;
    this.zh = zh;
  }
}

export const EXIT = { ok: 0, usage: 2, failed: 3 } as const;
