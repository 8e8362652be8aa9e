import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import { LineSplitter, parseDaemonLogLine } from '../../../scripts/soak/daemon-log.js';

describe('daemon log lines', () => {
  it('reads the runner’s verdict line and the other events the soak follows', () => {
    const logger = createMemoryLogger();
    logger.log('info', 'verdict', {
      source: 'serial-scanner',
      outcome: 'network-error',
      cause: 'portal.timeout',
      readToRequestMs: 200.5,
      portalMs: null,
      responseToSignalMs: null,
      totalMs: 3200.5,
    });
    logger.log('debug', 'input-dropped', { reason: 'queue-full', source: 'idcard' });
    logger.log('info', 'ready', { readyMs: 300 });
    logger.log('info', 'driver-state', { driver: 'idcard', state: 'open', code: null });
    logger.log('error', 'crashed', { error: 'TypeError', code: null });
    logger.log('warn', 'display-error', { code: 'display.write-failed' });
    const events = logger.lines.map((l) => parseDaemonLogLine(l.trimEnd()));
    expect(events).toEqual([
      {
        type: 'verdict',
        source: 'serial-scanner',
        outcome: 'network-error',
        cause: 'portal.timeout',
        totalMs: 3200.5,
        readToRequestMs: 200.5,
        portalMs: null,
      },
      { type: 'dropped', source: 'idcard', reason: 'queue-full' },
      { type: 'ready' },
      { type: 'driver-state', driver: 'idcard', state: 'open' },
      { type: 'crashed' },
      { type: 'other', event: 'display-error', level: 'warn' },
    ]);
  });

  it('ignores what is not a log object, and an outcome it does not know', () => {
    expect(parseDaemonLogLine('not json')).toBeNull();
    expect(parseDaemonLogLine('[1]')).toEqual({ type: 'other', event: '', level: '' });
    expect(parseDaemonLogLine('{"event":"verdict","outcome":"maybe"}')).toBeNull();
  });

  it('splits a stream into lines across chunks', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\n\n')).toEqual(['{"b":2}']);
    expect(s.push('')).toEqual([]);
  });
});
