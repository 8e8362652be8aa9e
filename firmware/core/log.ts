// Structured logs: one JSON object per line on stdout, for journald. Fields are flat primitives
// chosen by the caller from operational facts (kinds, codes, counts, timings). No call site
// ever passes a pass code, name or ID number, masked or not (standard 8.1.2); the privacy tests
// search every captured line for them.
//
// Under systemd each line starts with its syslog priority, `<6>{…}` (sd-daemon's prefix, which
// journald strips and stores as PRIORITY=), so `journalctl -p warning` shows warnings and errors
// alone. Only when stdout IS the journal stream (see stdoutIsJournal): a pipe to a test, the soak
// or a terminal gets plain JSON lines.

export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

/** syslog(3) priority of each level: LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR. */
export const SYSLOG_PRIORITY: Readonly<Record<LogLevel, number>> = { debug: 7, info: 6, warn: 4, error: 3 };

export interface JsonLoggerOptions {
  /** Start each line with `<N>`, its syslog priority (for journald). Default false. */
  priorityPrefix?: boolean;
}

export function createJsonLogger(
  write: (line: string) => void,
  now: () => number = Date.now,
  options: JsonLoggerOptions = {},
): Logger {
  return {
    log(level, event, fields = {}) {
      const prefix = options.priorityPrefix ? `<${SYSLOG_PRIORITY[level]}>` : '';
      write(prefix + JSON.stringify({ t: new Date(now()).toISOString(), level, event, ...fields }) + '\n');
    },
  };
}

/**
 * Whether a stream is the journal: systemd sets $JOURNAL_STREAM to "DEVICE:INODE" of the stream it
 * connected stdout/stderr to (systemd.exec(5)). Compared with the stream's own fstat, so a child
 * that inherited the variable but writes to a pipe does not prefix its lines.
 */
export function stdoutIsJournal(
  journalStream: string | undefined,
  stat: { dev: number | bigint; ino: number | bigint } | null,
): boolean {
  if (!journalStream || !stat) return false;
  const m = /^(\d+):(\d+)$/.exec(journalStream.trim());
  return m !== null && BigInt(m[1]) === BigInt(stat.dev) && BigInt(m[2]) === BigInt(stat.ino);
}

/** For tests and tools: keeps lines in memory. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createJsonLogger((line) => lines.push(line));
  return { lines, log: logger.log };
}
