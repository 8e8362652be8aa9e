// The serial-board backend on serialport's mock binding, the simulated board on the device end,
// time on a FakeClock. (serial-board-pty.test.ts runs the real serialport path over socat ptys.)
import { afterEach, describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { type BoardBehaviour, type SimulatedBoard, simulateBoard } from '../../scripts/lab/simulated-led-board.js';
import { SerialBoardBackend } from '../../ui-led/backends/serial-board.js';
import { allOutputsOff, type OutputState } from '../../ui-led/outputs.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { MockSerialPorts } from '../support/mock-serial-ports.js';
import { until } from '../support/polling.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const timeouts = timeoutTable({ serialBoardReplyMs: 150, serialBoardReopenMs: 200 });
const PATH = '/dev/serial/by-id/usb-Mock_LED_Board-if00';
const off = allOutputsOff();
const on = (...names: (keyof OutputState)[]): OutputState => ({
  ...off,
  ...Object.fromEntries(names.map((n) => [n, true])),
});

function rig(behaviour: BoardBehaviour = 'normal') {
  const clock = new FakeClock();
  const ports = new MockSerialPorts();
  const device = ports.plugIn(PATH);
  const board = simulateBoard(device, behaviour);
  const backend = new SerialBoardBackend({ path: PATH, timeouts, clock, openSerialPort: ports.open });
  cleanups.push(async () => {
    // close() sends all-off and waits for its OK: on a fake clock a silent board would hold it forever.
    board.behaviour = 'normal';
    await backend.close();
    await board.close();
  });
  return { clock, ports, device, board, backend };
}

/** Moves the fake clock on in small steps until `condition` holds (at most `maxMs`). */
async function advanceUntil(clock: FakeClock, condition: () => boolean, maxMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= maxMs) throw new Error(`condition not met within ${maxMs} fake ms`);
    await clock.advance(10);
  }
}

describe('serial-board backend', () => {
  it('opens with PING then all off, and sends the whole state on every change', async () => {
    const { board, backend, device } = rig();
    await backend.open();
    expect(board.pings).toBe(1);
    expect(device.openOptions).toMatchObject({ path: PATH, baudRate: 115_200 });
    await backend.set({ green: true, buzzer: true, relay: true });
    await backend.set({ buzzer: false });
    await backend.close();
    expect(board.states).toEqual([off, on('green', 'buzzer', 'relay'), on('green', 'relay'), off]);
    expect(device.received().toString('latin1').split('\n')).toEqual([
      'PING',
      'SET R=0 G=0 B=0 BZ=0 RL=0',
      'SET R=0 G=1 B=0 BZ=1 RL=1',
      'SET R=0 G=1 B=0 BZ=0 RL=1',
      'SET R=0 G=0 B=0 BZ=0 RL=0',
      '',
    ]);
    expect(device.isOpen).toBe(false);
    expect(backend.discarded()).toBe(0);
  });

  it('plays the pass pattern through the player: the board sees each state in order', async () => {
    const { clock, board, backend } = rig();
    await backend.open();
    const player = new PatternPlayer({ backend, clock });
    const errors: PassgateError[] = [];
    player.onError((e) => errors.push(e));
    player.play('pass');
    await clock.advance(1700);
    await player.close();
    expect(board.states).toEqual([
      off,
      on('green', 'buzzer', 'relay'),
      on('green', 'relay'),
      on('green'),
      off, // the pattern's end
      off, // close: the backend switches everything off once more before closing the port
    ]);
    expect(errors).toEqual([]);
  });

  it('ERR from the board rejects the set with the board reason; the board stays in step', async () => {
    const { board, backend } = rig();
    await backend.open();
    board.behaviour = 'refuse';
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details).toMatchObject({ reason: 'board error', boardReason: 'relay fault' });
    board.behaviour = 'normal';
    await backend.set({ blue: true });
    expect(board.states.at(-1)).toEqual(on('red', 'blue'));
    expect(board.pings).toBe(1); // no resync needed after a proper ERR
  });

  it('a silent board times out at serialBoardReplyMs; a late reply is skipped by the resync', async () => {
    const { clock, board, backend } = rig();
    await backend.open();
    board.behaviour = 'held';
    let settled: unknown = 'pending';
    const set = backend.set({ red: true }).catch((e: unknown) => (settled = e));
    await clock.advance(timeouts.serialBoardReplyMs - 1);
    expect(settled).toBe('pending');
    await clock.advance(1);
    await set;
    expect((settled as PassgateError).details).toMatchObject({ reason: 'timeout', waitedMs: 150 });
    board.behaviour = 'normal';
    board.releaseHeld(); // the late OK arrives while nothing is pending
    await until(() => backend.discarded() === 1);
    await backend.set({ green: true });
    expect(board.pings).toBe(2); // resync PING
    expect(board.states.slice(-2)).toEqual([on('red'), on('red', 'green')]);
    board.behaviour = 'silent';
    const timeout = backend.set({ green: false }).catch((e: unknown) => e);
    await clock.advance(timeouts.serialBoardReplyMs);
    expect(((await timeout) as PassgateError).details.reason).toBe('timeout');
  });

  it('during the resync every line but PONG is skipped and counted', async () => {
    const { clock, board, backend, device } = rig();
    await backend.open();
    board.behaviour = 'silent';
    const first = backend.set({ red: true }).catch((e: unknown) => e);
    await clock.advance(timeouts.serialBoardReplyMs);
    expect(((await first) as PassgateError).details.reason).toBe('timeout');
    board.behaviour = 'normal';
    device.write('OK\nERR relay fault\n\x01\n'); // stale lines ahead of the PONG
    await until(() => backend.discarded() === 3);
    await backend.set({ blue: true });
    expect(board.pings).toBe(2);
    expect(board.states.at(-1)).toEqual(on('red', 'blue'));
    expect(backend.discarded()).toBe(3);
  });

  it('garbage replies fail the set and are counted, never thrown', async () => {
    const { board, backend } = rig();
    await backend.open();
    board.behaviour = 'garbage';
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details.reason).toBe('bad reply');
    expect(backend.discarded()).toBe(1);
    board.behaviour = 'normal';
    await backend.set({ red: false });
    expect(board.states.at(-1)).toEqual(off);
  });

  it('open fails with display.backend-failed when nothing answers PING, or the port does not exist', async () => {
    const silent = rig('silent');
    const error = silent.backend.open().catch((e: unknown) => e);
    await silent.clock.advance(timeouts.serialBoardReplyMs);
    expect(isPassgateError(await error, 'display.backend-failed')).toBe(true);
    expect(((await error) as PassgateError).details).toMatchObject({ stage: 'open', reason: 'no PONG' });
    expect(silent.device.isOpen).toBe(false);

    const openSerialPort = new MockSerialPorts().open;
    const missing = new SerialBoardBackend({ path: '/dev/ttyUSB9', timeouts, openSerialPort });
    const openError = await missing.open().catch((e: unknown) => e);
    expect(isPassgateError(openError, 'display.backend-failed')).toBe(true);
    expect((openError as PassgateError).details).toMatchObject({ stage: 'open', reason: 'ENOENT' });
    await missing.close();
  });

  it('unplugged mid-pattern: reported, the player keeps going; replugged: the state is sent again', async () => {
    const { clock, ports, device, board, backend } = rig();
    await backend.open();
    const player = new PatternPlayer({ backend, clock });
    const errors: PassgateError[] = [];
    player.onError((e) => errors.push(e));
    player.play('bind-mode'); // loops: flash every second
    await advanceUntil(clock, () => board.states.length >= 2);
    device.unplug(); // the adapter is gone
    await until(() => errors.length >= 1);
    expect(errors[0].code).toBe('display.backend-failed');
    expect(errors[0].details).toMatchObject({ backend: 'serial-board', stage: 'disconnected' });
    await clock.advance(1200); // the loop goes on against a missing board
    expect(player.status().playing).toBe('bind-mode');
    // the first failed write (reopen refused: the port is gone) is reported once, not per step
    expect(errors.map((e) => e.details.stage)).toEqual(['disconnected', 'set']);
    expect(errors[1].code).toBe('display.backend-failed');
    expect(player.status().consecutiveFailures).toBeGreaterThanOrEqual(2);
    // plug a board back in at the same path
    await board.close();
    const second: SimulatedBoard = simulateBoard(ports.plugIn(PATH));
    cleanups.push(() => second.close());
    await advanceUntil(clock, () => second.states.length >= 2);
    expect(second.pings).toBeGreaterThanOrEqual(1);
    player.play('deny');
    await advanceUntil(clock, () => second.states.some((s) => s.red && s.buzzer));
    await player.close();
    expect(second.states.at(-1)).toEqual(off);
  });
});
