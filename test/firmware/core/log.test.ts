// Log lines: JSON, with the syslog priority in front only when stdout is the journal.
import { describe, expect, it } from 'vitest';
import { createJsonLogger, SYSLOG_PRIORITY, stdoutIsJournal } from '../../../firmware/core/log.js';

describe('createJsonLogger', () => {
  const at = Date.parse('2026-01-02T03:04:05.000Z');

  it('plain JSON lines by default', () => {
    const lines: string[] = [];
    createJsonLogger(
      (l) => lines.push(l),
      () => at,
    ).log('warn', 'x', { n: 1 });
    expect(lines).toEqual(['{"t":"2026-01-02T03:04:05.000Z","level":"warn","event":"x","n":1}\n']);
  });

  it('with priorityPrefix, each line starts with its syslog priority', () => {
    const lines: string[] = [];
    const logger = createJsonLogger(
      (l) => lines.push(l),
      () => at,
      { priorityPrefix: true },
    );
    for (const level of ['debug', 'info', 'warn', 'error'] as const) logger.log(level, 'e');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>']);
    expect(JSON.parse(lines[2].slice(3))).toMatchObject({ level: 'warn', event: 'e' });
    expect(SYSLOG_PRIORITY).toEqual({ debug: 7, info: 6, warn: 4, error: 3 });
  });
});

describe('stdoutIsJournal', () => {
  it('only when $JOURNAL_STREAM names this very stream', () => {
    expect(stdoutIsJournal('8:12345', { dev: 8, ino: 12345 })).toBe(true);
    expect(stdoutIsJournal('8:12345', { dev: 8n, ino: 12345n })).toBe(true);
    expect(stdoutIsJournal('8:12345', { dev: 8, ino: 12346 })).toBe(false);
    expect(stdoutIsJournal('8:12345', null)).toBe(false);
    expect(stdoutIsJournal(undefined, { dev: 8, ino: 12345 })).toBe(false);
    expect(stdoutIsJournal('', { dev: 8, ino: 12345 })).toBe(false);
    expect(stdoutIsJournal('garbage', { dev: 8, ino: 12345 })).toBe(false);
  });
});
