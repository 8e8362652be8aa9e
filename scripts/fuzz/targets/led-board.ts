// The serial LED/relay board's line protocol (ui-led/backends/serial-board-protocol.ts): bytes
// from the board in any chunks → BoardLineSplitter → parseBoardReply, and the same lines through
// the board-side parseBoardCommand. Contract: only driver.frame-invalid; no line longer than the
// limit; how the bytes were cut into chunks changes neither lines nor discards; an ERR reason is
// printable and within its length; a SET the parser accepts formats back to the same line.
import {
  BOARD_MAX_LINE,
  BOARD_MAX_REASON,
  BoardLineSplitter,
  formatSetCommand,
  parseBoardCommand,
  parseBoardReply,
} from '../../../ui-led/backends/serial-board-protocol.js';
import { chunkedStreamParts } from '../chunked-stream.js';
import { type ChunkedBytes, chunksOf } from '../mutate.js';
import { allowing, check, type FuzzTarget } from '../target.js';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const SEEDS = [
  text('OK\nPONG\r\nERR relay stuck\n'),
  text('SET R=1 G=0 B=0 BZ=1 RL=0\nPING\n'),
  text(`ERR ${'x'.repeat(60)}\nOK\n`),
  text(`${'A'.repeat(200)}\nOK\n\n\r\n`),
];

function split(chunks: Uint8Array[]): { lines: string[]; discarded: number } {
  const splitter = new BoardLineSplitter();
  const lines: string[] = [];
  let discarded = 0;
  for (const chunk of chunks) {
    const out = splitter.push(chunk);
    for (const line of out.lines) lines.push(Buffer.from(line).toString('latin1'));
    discarded += out.discarded;
  }
  return { lines, discarded };
}

export function ledBoardTarget(): FuzzTarget<ChunkedBytes> {
  return {
    name: 'led-board',
    ...chunkedStreamParts(SEEDS, 2048),
    run(input) {
      const { lines, discarded } = split(chunksOf(input));
      const whole = split([input.bytes]);
      check(
        whole.discarded === discarded && whole.lines.join('\n') === lines.join('\n'),
        'lines depend on how the bytes were cut into chunks',
      );
      const outcomes = new Set<string>(discarded > 0 ? ['discarded'] : []);
      for (const line of lines) {
        check(line.length <= BOARD_MAX_LINE + 1, `a ${line.length}-byte line`);
        const bytes = Buffer.from(line, 'latin1');
        const reply = allowing(['driver.frame-invalid'], () => parseBoardReply(bytes));
        if (reply.ok) {
          if (reply.value.kind === 'err') {
            const { reason } = reply.value;
            check(reason.length <= BOARD_MAX_REASON && /^[\x20-\x7e]+$/.test(reason), 'an ERR reason out of bounds');
          }
          outcomes.add(`reply:${reply.value.kind}`);
        } else {
          outcomes.add('reply:invalid');
        }
        const command = allowing(['driver.frame-invalid'], () => parseBoardCommand(bytes));
        if (command.ok && command.value.kind === 'set') {
          check(
            formatSetCommand(command.value.state) === `${line.replace(/\r$/, '')}\n`,
            'an accepted SET does not format back to its line',
          );
        }
        outcomes.add(command.ok ? `command:${command.value.kind}` : 'command:invalid');
      }
      return [...outcomes].sort().join(',');
    },
  };
}
