// Structured logs: one JSON object per line on stdout, for journald. Fields are flat primitives
// chosen by the caller from operational facts (kinds, codes, counts, timings). No call site
// ever passes a pass code, name or ID number, masked or not (standard 8.1.2); the privacy tests
// search every captured line for them.

export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

export function createJsonLogger(write: (line: string) => void, now: () => number = Date.now): Logger {
  return {
    log(level, event, fields = {}) {
      write(JSON.stringify({ t: new Date(now()).toISOString(), level, event, ...fields }) + '\n');
    },
  };
}

/** For tests and tools: keeps lines in memory. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createJsonLogger((line) => lines.push(line));
  return { lines, log: logger.log };
}
