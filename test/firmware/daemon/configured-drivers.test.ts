// The daemon with drivers built from config, as `passgate run` has them: a serial scanner on one
// socat pty pair and a GA 467 card reader (simulated) on another, verifying against the mock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { startPortalFixture, type PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { cli, provisionGate, tempRoot } from '../cli/cli-rig.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { SimulatedSamReader } from '../../../scripts/lab/simulated-sam-reader.js';
import { systemClock } from '../../../firmware/core/clock.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';

let portal: PortalFixture;
let scannerPair: PtyPair;
let readerPair: PtyPair;
let reader: SimulatedSamReader;
let scannerPeer: SerialPort;
const tmp = tempRoot('pg-daemon-drivers-');
const logger = createMemoryLogger();
let daemon: Daemon;

function verdicts(): Array<{ source: string; outcome: string }> {
  return logger.lines.map((l) => JSON.parse(l)).filter((e) => e.event === 'verdict');
}

async function nextVerdict(count: number): Promise<{ source: string; outcome: string }> {
  const deadline = Date.now() + 8000;
  while (verdicts().length <= count) {
    if (Date.now() > deadline) throw new Error('no verdict');
    await new Promise((r) => setTimeout(r, 20));
  }
  return verdicts()[count];
}

beforeAll(async () => {
  portal = await startPortalFixture();
  for (const dir of ['scanner', 'reader']) mkdirSync(join(tmp.root, dir));
  scannerPair = await openPtyPair(join(tmp.root, 'scanner'));
  readerPair = await openPtyPair(join(tmp.root, 'reader'));
  const dataDir = join(tmp.root, 'gate');
  await provisionGate(portal.mock, dataDir);
  expect((await cli(dataDir, 'bind', demoVenues()[0].venueCode)).code).toBe(0);
  const set = await cli(dataDir, 'config', 'set',
    'drivers.serial.enabled', 'true', 'drivers.serial.path', scannerPair.devicePath, 'drivers.serial.baudRate', '115200', 'drivers.serial.suffix', 'crlf',
    'drivers.idcard.enabled', 'true', 'drivers.idcard.path', readerPair.devicePath,
    'display.backend', 'none', 'gate.showMs', '200');
  expect(set.code, set.stderr.join('\n')).toBe(0);
  reader = new SimulatedSamReader({ path: readerPair.peerPath });
  await reader.open();
  scannerPeer = new SerialPort({ path: scannerPair.peerPath, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => scannerPeer.once('open', resolve).once('error', reject));
  daemon = await Daemon.start({ dataDir, crypto: createGmCryptoSuite(), logger, clock: systemClock, controlSocket: false });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await reader?.close();
  await new Promise<void>((r) => (scannerPeer?.isOpen ? scannerPeer.close(() => r()) : r()));
  await scannerPair?.close();
  await readerPair?.close();
  await portal?.close();
  tmp.remove();
});

describe('daemon with drivers from config', () => {
  it('opens both configured drivers', async () => {
    const deadline = Date.now() + 5000;
    while (!daemon.status().drivers.every((d) => d.state === 'open') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(daemon.status().drivers.map((d) => [d.name, d.state]).sort()).toEqual([['idcard', 'open'], ['serial-scanner', 'open']]);
  });

  it('a pass code from the serial scanner is verified', async () => {
    const before = verdicts().length;
    scannerPeer.write(portal.mock.passCodeFor('green') + '\r\n');
    expect(await nextVerdict(before)).toMatchObject({ source: 'serial-scanner', outcome: 'pass' });
  });

  it('an ID card put down during the previous verdict is verified once after it, without the fingerprint command', async () => {
    const resident = portal.mock.state.residents.byRef(portal.mock.state.demo.residents.red)!;
    // Put down while the previous verdict still shows: queued (the default), verified after it.
    expect(daemon.status().phase).toBe('showing');
    const before = verdicts().length;
    reader.present({ cardType: 'resident', name: resident.name, idNumber: resident.idNumber });
    expect(await nextVerdict(before)).toMatchObject({ source: 'idcard', outcome: 'deny' });
    await new Promise((r) => setTimeout(r, 800)); // the card stays on the reader: no second verdict
    expect(verdicts().length).toBe(before + 1);
    expect(reader.received.some((c) => c.cmd === 0x30 && c.para === 0x10)).toBe(false);
  });

  it('nothing personal reaches the log', () => {
    const resident = portal.mock.state.residents.byRef(portal.mock.state.demo.residents.red)!;
    const text = logger.lines.join('\n');
    expect(text).not.toContain(resident.idNumber);
    expect(text).not.toContain(resident.name);
    expect(text).not.toContain('PGC1.');
  });
});
