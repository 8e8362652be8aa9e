import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../firmware/core/errors.js';
import {
  BOARD_MAX_LINE,
  BoardLineSplitter,
  formatSetCommand,
  parseBoardCommand,
  parseBoardReply,
} from '../../ui-led/backends/serial-board-protocol.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputState } from '../../ui-led/outputs.js';

const frameInvalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isPassgateError(error, 'driver.frame-invalid');
  }
  return false;
};

describe('serial board protocol', () => {
  it('formats SET with all five fields in wire order', () => {
    expect(formatSetCommand(allOutputsOff())).toBe('SET R=0 G=0 B=0 BZ=0 RL=0\n');
    expect(formatSetCommand({ red: false, green: true, blue: false, buzzer: true, relay: true })).toBe(
      'SET R=0 G=1 B=0 BZ=1 RL=1\n',
    );
  });

  it('parses replies, with or without CR', () => {
    expect(parseBoardReply('OK')).toEqual({ kind: 'ok' });
    expect(parseBoardReply(Buffer.from('PONG\r'))).toEqual({ kind: 'pong' });
    expect(parseBoardReply('ERR relay fault')).toEqual({ kind: 'err', reason: 'relay fault' });
  });

  it('rejects malformed replies as driver.frame-invalid', () => {
    for (const bad of [
      '',
      'ok',
      'OK ',
      ' OK',
      'ERR',
      'ERR ',
      'ERR    ',
      `ERR ${'x'.repeat(49)}`,
      'PONG\r\r',
      'OK\x00',
      'O\xffK',
      'x'.repeat(BOARD_MAX_LINE + 1),
    ]) {
      expect(
        frameInvalid(() => parseBoardReply(Buffer.from(bad, 'latin1'))),
        JSON.stringify(bad),
      ).toBe(true);
    }
  });

  it('board-side command parser round-trips every state and rejects near misses', () => {
    fc.assert(
      fc.property(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()), (bits) => {
        const state = Object.fromEntries(OUTPUT_NAMES.map((n, i) => [n, bits[i]])) as OutputState;
        const line = formatSetCommand(state);
        expect(parseBoardCommand(line.slice(0, -1))).toEqual({ kind: 'set', state });
      }),
    );
    expect(parseBoardCommand('PING')).toEqual({ kind: 'ping' });
    for (const bad of [
      'SET',
      'SET R=1',
      'SET R=1 G=0 B=0 BZ=0 RL=2',
      'SET G=0 R=1 B=0 BZ=0 RL=0',
      'SET R=1 G=0 B=0 BZ=0 RL=0 X=1',
      'SET  R=1 G=0 B=0 BZ=0',
      'set R=0 G=0 B=0 BZ=0 RL=0',
      'PONG',
    ]) {
      expect(
        frameInvalid(() => parseBoardCommand(bad)),
        bad,
      ).toBe(true);
    }
  });

  it('splits lines across chunks and drops overlong lines whole, counting each once', () => {
    const splitter = new BoardLineSplitter();
    expect(splitter.push(Buffer.from('OK\nPO'))).toEqual({ lines: [Buffer.from('OK')], discarded: 0 });
    expect(splitter.push(Buffer.from('NG\r\n'))).toEqual({ lines: [Buffer.from('PONG\r')], discarded: 0 });
    const long = 'x'.repeat(200);
    expect(splitter.push(Buffer.from(long.slice(0, 100)))).toEqual({ lines: [], discarded: 1 });
    expect(splitter.push(Buffer.from(long.slice(100)))).toEqual({ lines: [], discarded: 0 });
    expect(splitter.push(Buffer.from('\nOK\n'))).toEqual({ lines: [Buffer.from('OK')], discarded: 0 });
    expect(splitter.push(Buffer.from(`${'y'.repeat(70)}\nOK\n`))).toEqual({ lines: [Buffer.from('OK')], discarded: 1 });
  });

  it('random bytes into splitter and parsers: only PassgateError, bounded buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const splitter = new BoardLineSplitter();
        for (const chunk of chunks) {
          const { lines, discarded } = splitter.push(chunk);
          expect(discarded).toBeGreaterThanOrEqual(0);
          for (const line of lines) {
            expect(line.length).toBeLessThanOrEqual(BOARD_MAX_LINE + 1);
            for (const parse of [parseBoardReply, parseBoardCommand]) {
              try {
                parse(line);
              } catch (error) {
                if (!isPassgateError(error, 'driver.frame-invalid')) throw error;
              }
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        for (const parse of [parseBoardReply, parseBoardCommand]) {
          try {
            parse(bytes);
          } catch (error) {
            if (!isPassgateError(error, 'driver.frame-invalid')) throw error;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random near-valid text into the reply parser: only PassgateError', () => {
    const token = fc.constantFrom('OK', 'PONG', 'ERR', ' ', '\r', 'x', 'ERR ', '\x7f', 'é');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (parts) => {
        try {
          parseBoardReply(parts.join(''));
        } catch (error) {
          if (!isPassgateError(error, 'driver.frame-invalid')) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
