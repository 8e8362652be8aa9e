// The serial-board backend on the real serialport path, over socat pty pairs with the simulated
// board on the peer end. The behaviour in detail is in serial-board.test.ts (mock binding).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSystemSerialPort } from '../../drivers/serial-port.js';
import { systemClock } from '../../firmware/core/clock.js';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { openPtyPair } from '../../scripts/lab/pty-pair.js';
import { openSimulatedBoard } from '../../scripts/lab/simulated-led-board.js';
import { SerialBoardBackend } from '../../ui-led/backends/serial-board.js';
import { allOutputsOff, type OutputState } from '../../ui-led/outputs.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { until } from '../support/polling.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The board's replies come through socat, another process: on a loaded machine one can take far
// longer than the 250 ms a real board gets. The reply timeout is serial-board.test.ts's subject (on
// a fake clock); here it is only a liveness bound.
const timeouts = timeoutTable({ serialBoardReplyMs: 5000, serialBoardReopenMs: 200 });
const off = allOutputsOff();
const on = (...names: (keyof OutputState)[]): OutputState => ({
  ...off,
  ...Object.fromEntries(names.map((n) => [n, true])),
});

async function boardOnPty(dir: string) {
  const pty = await openPtyPair(dir);
  const board = await openSimulatedBoard(pty.peerPath);
  const unplug = async () => {
    await board.close();
    await pty.close();
  };
  cleanups.push(unplug);
  return { pty, board, unplug };
}

describe('serial-board backend over a pty pair', () => {
  it('opens with PING then all off, sets, and after an unplug reopens at the same path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pty-'));
    const first = await boardOnPty(dir);
    const path = first.pty.devicePath;
    const backend = new SerialBoardBackend({ path, timeouts, openSerialPort: openSystemSerialPort });
    cleanups.push(() => backend.close());
    const faults: PassgateError[] = [];
    backend.onFault((e) => faults.push(e));
    await backend.open();
    await backend.set({ green: true, relay: true });
    expect(first.board.pings).toBe(1);
    expect(first.board.states).toEqual([off, on('green', 'relay')]);

    await first.unplug();
    await until(() => faults.length >= 1);
    expect(faults[0].details).toMatchObject({ backend: 'serial-board', stage: 'disconnected' });
    const second = await boardOnPty(dir);
    // The player's next steps find the board gone, then back (reopened at most every 200 ms).
    const player = new PatternPlayer({ backend, clock: systemClock });
    cleanups.push(() => player.close());
    player.play('bind-mode'); // loops: blue flashes every second
    await until(() => second.board.states.some((s) => s.blue), undefined, 'the blue flash on the new board');
    expect(second.board.pings).toBeGreaterThanOrEqual(1);
  });

  it('open fails with display.backend-failed when the port does not exist', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nodev-')), 'ttyUSB9');
    const missing = new SerialBoardBackend({ path, timeouts, openSerialPort: openSystemSerialPort });
    const openError = await missing.open().catch((e: unknown) => e);
    expect(isPassgateError(openError, 'display.backend-failed')).toBe(true);
    expect((openError as PassgateError).details.stage).toBe('open');
    await missing.close();
  });
});
