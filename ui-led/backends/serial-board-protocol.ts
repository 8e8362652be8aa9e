// The serial LED/relay board protocol (ui-led/SERIAL-BOARD.md), as pure functions:
// command formatting, reply parsing, the board-side command parser (for simulators and
// board test rigs), and a line splitter for the byte stream.
import { PassgateError } from '../../firmware/core/errors.js';
import { OUTPUT_NAMES, type OutputName, type OutputState } from '../outputs.js';

/** Longest line either side may send, LF excluded. */
export const BOARD_MAX_LINE = 64;
export const BOARD_MAX_REASON = 48;

/** Wire field of each output, in wire order. */
export const BOARD_FIELDS: readonly (readonly [OutputName, string])[] = [
  ['red', 'R'],
  ['green', 'G'],
  ['blue', 'B'],
  ['buzzer', 'BZ'],
  ['relay', 'RL'],
];

export const PING_COMMAND = 'PING\n';

export type BoardReply = { kind: 'ok' } | { kind: 'pong' } | { kind: 'err'; reason: string };
export type BoardCommand = { kind: 'ping' } | { kind: 'set'; state: OutputState };

export function formatSetCommand(state: OutputState): string {
  return `SET ${BOARD_FIELDS.map(([name, field]) => `${field}=${state[name] ? 1 : 0}`).join(' ')}\n`;
}

function frameInvalid(message: string, details: Record<string, number | string> = {}): PassgateError {
  return new PassgateError('driver.frame-invalid', `serial board: ${message}`, details);
}

/** Bytes of one line (LF removed) to text; printable ASCII only, a trailing CR dropped. */
function lineText(line: Uint8Array | string): string {
  const bytes =
    typeof line === 'string' ? Buffer.from(line, 'latin1') : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  if (end > BOARD_MAX_LINE) throw frameInvalid('line too long', { length: end });
  for (let i = 0; i < end; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) throw frameInvalid('non-printable byte in line', { offset: i });
  }
  return bytes.toString('latin1', 0, end);
}

/** Parses one reply line from the board. Throws PassgateError 'driver.frame-invalid'. */
export function parseBoardReply(line: Uint8Array | string): BoardReply {
  const text = lineText(line);
  if (text === 'OK') return { kind: 'ok' };
  if (text === 'PONG') return { kind: 'pong' };
  if (text.startsWith('ERR ')) {
    const reason = text.slice(4);
    if (reason.length === 0 || reason.length > BOARD_MAX_REASON || reason.trim() === '') {
      throw frameInvalid('ERR without a valid reason', { length: reason.length });
    }
    return { kind: 'err', reason };
  }
  throw frameInvalid('unknown reply', { length: text.length });
}

/** Parses one command line, as the board does. Throws PassgateError 'driver.frame-invalid'. */
export function parseBoardCommand(line: Uint8Array | string): BoardCommand {
  const text = lineText(line);
  if (text === 'PING') return { kind: 'ping' };
  const parts = text.split(' ');
  if (parts[0] !== 'SET') throw frameInvalid('unknown command');
  if (parts.length !== BOARD_FIELDS.length + 1)
    throw frameInvalid('SET needs all five fields', { fields: parts.length - 1 });
  const state = {} as OutputState;
  BOARD_FIELDS.forEach(([name, field], i) => {
    const part = parts[i + 1];
    if (part === `${field}=1`) state[name] = true;
    else if (part === `${field}=0`) state[name] = false;
    else throw frameInvalid('bad field', { field: i + 1 });
  });
  for (const name of OUTPUT_NAMES) if (state[name] === undefined) throw frameInvalid('missing field');
  return { kind: 'set', state };
}

/**
 * Splits a byte stream into LF-terminated lines. A line longer than the limit is dropped
 * whole (up to its LF) and counted as discarded, so garbage cannot grow the buffer.
 */
export class BoardLineSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private overlong = false;

  constructor(private readonly maxLine = BOARD_MAX_LINE + 1 /* room for a CR */) {}

  push(chunk: Uint8Array): { lines: Buffer[]; discarded: number } {
    const lines: Buffer[] = [];
    let discarded = 0;
    let data = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const lf = data.indexOf(0x0a);
      if (lf < 0) break;
      if (this.overlong) {
        this.overlong = false; // the tail of a line already counted as discarded
      } else if (lf > this.maxLine) {
        discarded++;
      } else {
        lines.push(Buffer.from(data.subarray(0, lf)));
      }
      data = data.subarray(lf + 1);
    }
    if (data.length > this.maxLine) {
      if (!this.overlong) discarded++;
      this.overlong = true;
      data = Buffer.alloc(0);
    }
    this.buffer = Buffer.from(data);
    return { lines, discarded };
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.overlong = false;
  }
}
