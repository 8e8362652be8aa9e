// Bench section `idcard`: one card read, find (20 01) → select (20 02) → read (30 01), against the
// simulated GA 467 reader over a socat pty pair at 115200 baud. Two figures: as the pty delivers
// (protocol, framing, parsing and wiping cost), and with the simulator holding each reply back
// for its time on a real 115200-baud wire (what a gate would see, minus the SAM's own work).
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { findCard, readIdentity } from '../../drivers/idcard/card-flow.js';
import { SamClient } from '../../drivers/idcard/sam-client.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { openPtyPair } from '../lab/pty-pair.js';
import { SimulatedSamReader, syntheticCard } from '../lab/simulated-sam-reader.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const READS = 60;
const WARMUP = 5;
const BAUD = 115_200;

async function measure(emulateWireBaud: number | undefined): Promise<number[]> {
  const pair = await openPtyPair();
  const sim = new SimulatedSamReader({ path: pair.peerPath, baudRate: BAUD, emulateWireBaud });
  const port = new SerialPort({ path: pair.devicePath, baudRate: BAUD, autoOpen: false });
  try {
    await sim.open();
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const client = new SamClient({
      timeouts: timeoutTable(),
      write: (bytes) => new Promise<void>((resolve, reject) => port.write(bytes, (e) => (e ? reject(e) : resolve()))),
    });
    port.on('data', (chunk: Buffer) => client.receive(chunk));
    const card = syntheticCard();
    sim.present(card);
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + READS; i++) {
      const start = performance.now();
      if (!(await findCard(client))) throw new Error('simulated card not found');
      const read = await readIdentity(client);
      const elapsed = performance.now() - start;
      if (read.idNumber !== card.idNumber) throw new Error('simulated card misread');
      if (i >= WARMUP) samples.push(elapsed);
    }
    const fingerprint = sim.receivedLabels().filter((l) => l === '30 10').length;
    if (fingerprint !== 0) throw new Error('fingerprint read sent');
    client.close();
    return samples;
  } finally {
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    await sim.close();
    await pair.close();
  }
}

export const idcardSection: BenchSection = {
  name: 'idcard',
  async run(): Promise<BenchRow[]> {
    const pty = await measure(undefined);
    const wire = await measure(BAUD);
    return [
      { key: 'idcard_read_ms_p50', value: round(percentile(pty, 50)), unit: 'ms' },
      { key: 'idcard_read_ms_p99', value: round(percentile(pty, 99)), unit: 'ms' },
      { key: 'idcard_read_wire115200_ms_p50', value: round(percentile(wire, 50)), unit: 'ms' },
      { key: 'idcard_read_wire115200_ms_p99', value: round(percentile(wire, 99)), unit: 'ms' },
      { key: 'idcard_reads', value: pty.length, unit: 'count' },
    ];
  },
};
