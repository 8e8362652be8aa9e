// Bench section `serial`: bytes written to the pty peer → code event from SerialScannerDriver,
// one code at a time, at 115200 baud over a socat pty pair.
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import type { InputEvent } from '../../drivers/input.js';
import { SerialScannerDriver } from '../../drivers/serial-scanner/driver.js';
import { serialScannerOptions } from '../../drivers/serial-scanner/options.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { openPtyPair } from '../lab/pty-pair.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const CODES = 600;
const WARMUP = 20;
/** One code's deadline in the bench: a lost event fails the section instead of hanging it. */
const EVENT_DEADLINE_MS = 2000;

export const serialSection: BenchSection = {
  name: 'serial',
  async run(): Promise<BenchRow[]> {
    const pair = await openPtyPair();
    const peer = new SerialPort({ path: pair.peerPath, baudRate: 115200, autoOpen: false, hupcl: false });
    const driver = new SerialScannerDriver(serialScannerOptions({ path: pair.devicePath, baudRate: 115200 }), {
      timeouts: timeoutTable(),
    });
    try {
      await new Promise<void>((resolve, reject) => peer.open((e) => (e ? reject(e) : resolve())));
      await driver.open();
      if (driver.status().state !== 'open') throw new Error('driver did not open the pty');
      let waiting: ((event: InputEvent) => void) | undefined;
      driver.onEvent((event) => waiting?.(event));
      const samples: number[] = [];
      for (let i = 0; i < CODES + WARMUP; i += 1) {
        const code = `]Q1PG-BENCH-${String(i).padStart(6, '0')}-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r`;
        const event = new Promise<InputEvent>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no code event within the deadline')), EVENT_DEADLINE_MS);
          waiting = (e) => {
            clearTimeout(timer);
            resolve(e);
          };
        });
        const start = performance.now();
        peer.write(code);
        const got = await event;
        const elapsed = performance.now() - start;
        if (got.kind !== 'code') throw new Error(`unexpected ${got.kind} event`);
        if (i >= WARMUP) samples.push(elapsed);
      }
      return [
        { key: 'serial_read_to_event_ms_p50', value: round(percentile(samples, 50)), unit: 'ms' },
        { key: 'serial_read_to_event_ms_p99', value: round(percentile(samples, 99)), unit: 'ms', target: '<= 5' },
        { key: 'serial_codes_measured', value: samples.length, unit: 'count' },
      ];
    } finally {
      await driver.close();
      if (peer.isOpen) await new Promise<void>((resolve) => peer.close(() => resolve()));
      await pair.close();
    }
  },
};
