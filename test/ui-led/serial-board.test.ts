import { describe, expect, it, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassgateError, isPassgateError } from '../../firmware/core/errors.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { SerialBoardBackend } from '../../ui-led/backends/serial-board.js';
import { systemClock } from '../../firmware/core/clock.js';
import { allOutputsOff, type OutputState } from '../../ui-led/outputs.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { openPtyPair, type PtyPair } from '../../scripts/lab/pty-pair.js';
import { openSimulatedBoard, type SimulatedBoard } from '../../scripts/lab/simulated-led-board.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const timeouts = timeoutTable({ serialBoardReplyMs: 150, serialBoardReopenMs: 200 });
const off = allOutputsOff();
const on = (...names: (keyof OutputState)[]): OutputState => ({ ...off, ...Object.fromEntries(names.map((n) => [n, true])) });
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rig(behaviour: Parameters<typeof openSimulatedBoard>[1] = 'normal', dir?: string) {
  const pty = await openPtyPair(dir);
  const board = await openSimulatedBoard(pty.peerPath, behaviour);
  const backend = new SerialBoardBackend({ path: pty.devicePath, timeouts });
  cleanups.push(async () => {
    await backend.close();
    await board.close();
    await pty.close();
  });
  return { pty, board, backend };
}

async function waitFor(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleepMs(10);
  }
}

describe('serial-board backend over a pty pair', () => {
  it('opens with PING then all off, and sends the whole state on every change', async () => {
    const { board, backend } = await rig();
    await backend.open();
    expect(board.pings).toBe(1);
    await backend.set({ green: true, buzzer: true, relay: true });
    await backend.set({ buzzer: false });
    await backend.close();
    expect(board.states).toEqual([off, on('green', 'buzzer', 'relay'), on('green', 'relay'), off]);
    expect(backend.discarded()).toBe(0);
  });

  it('plays the pass pattern through the player: the board sees each state in order', async () => {
    const { board, backend } = await rig();
    await backend.open();
    const player = new PatternPlayer({ backend, clock: systemClock });
    const errors: PassgateError[] = [];
    player.onError((e) => errors.push(e));
    player.play('pass');
    await sleepMs(1700);
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
    const { board, backend } = await rig();
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

  it('a silent board times out; a late reply is skipped by the resync before the next command', async () => {
    const { board, backend } = await rig();
    await backend.open();
    board.behaviour = { lateMs: 250 }; // later than serialBoardReplyMs = 150
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect((error as PassgateError).details).toMatchObject({ reason: 'timeout' });
    board.behaviour = 'normal';
    await sleepMs(150); // the late OK arrives while nothing is pending
    await backend.set({ green: true });
    expect(board.pings).toBe(2); // resync PING
    expect(board.states.slice(-2)).toEqual([on('red'), on('red', 'green')]);
    board.behaviour = 'silent';
    const timeout = await backend.set({ green: false }).catch((e: unknown) => e);
    expect((timeout as PassgateError).details.reason).toBe('timeout');
  });

  it('garbage replies fail the set and are counted, never thrown', async () => {
    const { board, backend } = await rig();
    await backend.open();
    board.behaviour = 'garbage';
    const error = await backend.set({ red: true }).catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect(backend.discarded()).toBeGreaterThanOrEqual(1);
    board.behaviour = 'normal';
    await backend.set({ red: false });
    expect(board.states.at(-1)).toEqual(off);
  });

  it('open fails with display.backend-failed when nothing answers PING, or the port does not exist', async () => {
    const { backend } = await rig('silent');
    const error = await backend.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'display.backend-failed')).toBe(true);
    expect((error as PassgateError).details.stage).toBe('open');
    const missing = new SerialBoardBackend({ path: join(mkdtempSync(join(tmpdir(), 'nodev-')), 'ttyUSB9'), timeouts });
    const openError = await missing.open().catch((e: unknown) => e);
    expect(isPassgateError(openError, 'display.backend-failed')).toBe(true);
    await missing.close();
  });

  it('unplugged mid-pattern: reported, no crash, the player keeps going; replugged: the state is sent again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pty-'));
    const first = await rig('normal', dir);
    const { backend } = first;
    await backend.open();
    const player = new PatternPlayer({ backend, clock: systemClock });
    const errors: PassgateError[] = [];
    player.onError((e) => errors.push(e));
    player.play('bind-mode'); // loops: flash every second
    await waitFor(() => first.board.states.length >= 2, 'first flash');
    await first.board.close();
    await first.pty.close(); // the adapter is gone
    await waitFor(() => errors.length >= 1, 'the failure report');
    expect(errors[0].code).toBe('display.backend-failed');
    expect(errors[0].details).toMatchObject({ backend: 'serial-board', stage: 'disconnected' });
    await sleepMs(1200); // the loop goes on against a missing board
    expect(player.status().playing).toBe('bind-mode');
    // the first failed write (reopen refused: the port is gone) is reported once, not per step
    expect(errors.map((e) => e.details.stage)).toEqual(['disconnected', 'set']);
    expect(errors[1].code).toBe('display.backend-failed');
    expect(player.status().consecutiveFailures).toBeGreaterThanOrEqual(2);
    // plug a board back in at the same path
    let second: { pty: PtyPair; board: SimulatedBoard } | undefined;
    second = { pty: await openPtyPair(dir), board: undefined as unknown as SimulatedBoard };
    second.board = await openSimulatedBoard(second.pty.peerPath);
    cleanups.push(async () => {
      await second!.board.close();
      await second!.pty.close();
    });
    await waitFor(() => second!.board.states.length >= 2, 'states on the new board', 4000);
    expect(second.board.pings).toBeGreaterThanOrEqual(1);
    player.play('deny');
    await waitFor(() => second!.board.states.some((s) => s.red && s.buzzer), 'deny on the new board');
    await player.close();
    expect(second.board.states.at(-1)).toEqual(off);
  });
});
