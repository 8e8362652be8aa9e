// The board side of ui-led/SERIAL-BOARD.md, on the device end of a line (the peer end of a pty
// pair, or a port on serialport's mock binding): parses the host's commands with the protocol's
// own parser and answers as the behaviour says.
import {
  type BoardCommand,
  BoardLineSplitter,
  parseBoardCommand,
} from '../../ui-led/backends/serial-board-protocol.js';
import type { OutputState } from '../../ui-led/outputs.js';
import { type DeviceEnd, openDeviceEnd } from './device-end.js';

export type BoardBehaviour =
  | 'normal'
  | 'silent' // never answers
  | 'refuse' // ERR to every SET
  | 'garbage' // answers SET with noise
  | 'held' // applies SET but holds its OK back until releaseHeld()
  | { lateMs: number }; // answers SET late, PING at once

export interface SimulatedBoard {
  /** Every state applied, in order. */
  readonly states: OutputState[];
  readonly pings: number;
  readonly badLines: number;
  behaviour: BoardBehaviour;
  /** Sends the OKs held back under 'held', in order. */
  releaseHeld(): void;
  /** Stops answering (and closes the port openSimulatedBoard opened). */
  close(): Promise<void>;
}

/** A board answering on a device end the caller owns (a mock-binding port in unit tests). */
export function simulateBoard(end: DeviceEnd, behaviour: BoardBehaviour = 'normal'): SimulatedBoard {
  const splitter = new BoardLineSplitter();
  let held = 0;
  let answering = true;
  const reply = (text: string) => {
    if (answering) end.write(text);
  };
  const detach = end.onData((chunk: Buffer) => {
    for (const line of splitter.push(chunk).lines) {
      let command: BoardCommand;
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
      if (b === 'held') held++;
      else if (typeof b === 'object') setTimeout(() => reply('OK\n'), b.lateMs);
      else reply('OK\n');
    }
  });
  const board = {
    states: [] as OutputState[],
    pings: 0,
    badLines: 0,
    behaviour,
    releaseHeld: () => {
      for (; held > 0; held--) reply('OK\n');
    },
    close: async () => {
      answering = false;
      detach();
    },
  };
  return board;
}

/** A board on a serial path, e.g. a pty pair's peer. */
export async function openSimulatedBoard(
  peerPath: string,
  behaviour: BoardBehaviour = 'normal',
): Promise<SimulatedBoard> {
  const end = await openDeviceEnd(peerPath, 115_200);
  const board = simulateBoard(end, behaviour);
  const stopAnswering = board.close;
  board.close = async () => {
    await stopAnswering();
    await end.close();
  };
  return board;
}
