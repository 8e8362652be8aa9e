// Bench section `ui-led`: how late pattern steps reach a backend on the real clock, and the
// round trip of one SET → OK to the serial LED board over a socat pty pair at 115200 baud.

import { openSystemSerialPort } from '../../drivers/serial-port.js';
import { systemClock } from '../../firmware/core/clock.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import { SerialBoardBackend } from '../../ui-led/backends/serial-board.js';
import { resolvePatterns } from '../../ui-led/patterns.js';
import { PatternPlayer } from '../../ui-led/player.js';
import { openPtyPair } from '../lab/pty-pair.js';
import { openSimulatedBoard } from '../lab/simulated-led-board.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const STEPS = 200;
const STEP_MS = 10;
const SETS = 300;
const WARMUP = 20;

async function stepLateness(): Promise<number[]> {
  // a buzzer toggling every 10 ms: 200 steps in 2 s
  const steps = Array.from({ length: STEPS }, (_, i) => ({ atMs: i * STEP_MS, set: { buzzer: i % 2 === 0 } }));
  const patterns = resolvePatterns({ selftest: { durationMs: STEPS * STEP_MS, steps } });
  const backend = new RecordingBackend(systemClock);
  const player = new PatternPlayer({ backend, clock: systemClock, patterns });
  const start = systemClock.now();
  player.play('selftest');
  await new Promise((r) => setTimeout(r, STEPS * STEP_MS + 50));
  await player.close();
  return backend.writes.slice(0, STEPS).map((w, i) => w.atMs - (start + i * STEP_MS));
}

async function boardRoundTrips(): Promise<number[]> {
  const pair = await openPtyPair();
  const board = await openSimulatedBoard(pair.peerPath);
  const backend = new SerialBoardBackend({
    path: pair.devicePath,
    timeouts: timeoutTable(),
    openSerialPort: openSystemSerialPort,
  });
  try {
    await backend.open();
    const samples: number[] = [];
    for (let i = 0; i < SETS + WARMUP; i++) {
      const t0 = performance.now();
      await backend.set({ red: i % 2 === 0, buzzer: i % 3 === 0 });
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
    if (board.states.length !== SETS + WARMUP + 1) throw new Error(`board saw ${board.states.length} states`);
    return samples;
  } finally {
    await backend.close();
    await board.close();
    await pair.close();
  }
}

export const uiLedSection: BenchSection = {
  name: 'ui-led',
  async run(): Promise<BenchRow[]> {
    const lateness = await stepLateness();
    const roundTrips = await boardRoundTrips();
    return [
      { key: 'led_step_lateness_ms_p50', value: round(percentile(lateness, 50)), unit: 'ms' },
      { key: 'led_step_lateness_ms_p99', value: round(percentile(lateness, 99)), unit: 'ms', target: '<= 10' },
      { key: 'led_serial_board_set_ms_p50', value: round(percentile(roundTrips, 50)), unit: 'ms' },
      { key: 'led_serial_board_set_ms_p99', value: round(percentile(roundTrips, 99)), unit: 'ms', target: '<= 20' },
    ];
  },
};
