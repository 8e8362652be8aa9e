// The board side of ui-led/SERIAL-BOARD.md, on the peer end of a pty pair: parses the host's
// commands with the protocol's own parser and answers as the behaviour says.
import { SerialPort } from 'serialport';
import { BoardLineSplitter, parseBoardCommand } from '../../ui-led/backends/serial-board-protocol.js';
import type { OutputState } from '../../ui-led/outputs.js';

export type BoardBehaviour =
  | 'normal'
  | 'silent' // never answers
  | 'refuse' // ERR to every SET
  | 'garbage' // answers SET with noise
  | { lateMs: number }; // answers SET late, PING at once

export interface SimulatedBoard {
  /** Every state applied, in order. */
  readonly states: OutputState[];
  readonly pings: number;
  readonly badLines: number;
  behaviour: BoardBehaviour;
  close(): Promise<void>;
}

export async function openSimulatedBoard(peerPath: string, behaviour: BoardBehaviour = 'normal'): Promise<SimulatedBoard> {
  const port = new SerialPort({ path: peerPath, baudRate: 115_200, autoOpen: false });
  port.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const splitter = new BoardLineSplitter();
  const board = {
    states: [] as OutputState[],
    pings: 0,
    badLines: 0,
    behaviour,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
  const reply = (text: string) => {
    if (port.isOpen) port.write(text);
  };
  port.on('data', (chunk: Buffer) => {
    for (const line of splitter.push(chunk).lines) {
      let command;
      try {
        command = parseBoardCommand(line);
      } catch {
        board.badLines++;
        reply('ERR bad command\n');
        continue;
      }
      if (command.kind === 'ping') {
        board.pings++;
        if (board.behaviour !== 'silent') reply('PONG\r\n');
        continue;
      }
      const b = board.behaviour;
      if (b === 'silent') continue;
      if (b === 'refuse') {
        reply('ERR relay fault\n');
        continue;
      }
      if (b === 'garbage') {
        reply('\x00\xffOK?\n');
        continue;
      }
      board.states.push(command.state);
      if (typeof b === 'object') setTimeout(() => reply('OK\n'), b.lateMs);
      else reply('OK\n');
    }
  });
  return board;
}
