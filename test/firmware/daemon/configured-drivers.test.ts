// The daemon with drivers built from config, as `passgate run` has them: a serial scanner on one
// socat pty pair and a GA 467 card reader (simulated) on another, verifying against the mock.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { SimulatedSamReader } from '../../../scripts/lab/simulated-sam-reader.js';
import { cli, type DaemonRig, provisionGateDir, startDaemon, tempRoot } from '../../support/cli.js';
import { until } from '../../support/polling.js';

let portal: PortalFixture;
let scannerPair: PtyPair;
let readerPair: PtyPair;
let reader: SimulatedSamReader;
let scannerPeer: SerialPort;
const tmp = tempRoot('pg-daemon-drivers-');
let rig: DaemonRig;

beforeAll(async () => {
  portal = await startPortalFixture();
  for (const dir of ['scanner', 'reader']) mkdirSync(join(tmp.root, dir));
  scannerPair = await openPtyPair(join(tmp.root, 'scanner'));
  readerPair = await openPtyPair(join(tmp.root, 'reader'));
  const dataDir = join(tmp.root, 'gate');
  await provisionGateDir(portal.mock, dataDir);
  expect((await cli(dataDir, 'bind', demoVenues()[0].venueCode)).code).toBe(0);
  const set = await cli(
    dataDir,
    'config',
    'set',
    'drivers.serial.enabled',
    'true',
    'drivers.serial.path',
    scannerPair.devicePath,
    'drivers.serial.baudRate',
    '115200',
    'drivers.serial.suffix',
    'crlf',
    'drivers.idcard.enabled',
    'true',
    'drivers.idcard.path',
    readerPair.devicePath,
    'display.backend',
    'none',
    'gate.showMs',
    '200',
  );
  expect(set.code, set.stderr.join('\n')).toBe(0);
  reader = new SimulatedSamReader({ path: readerPair.peerPath });
  await reader.open();
  scannerPeer = new SerialPort({ path: scannerPair.peerPath, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => scannerPeer.once('open', resolve).once('error', reject));
  rig = await startDaemon(dataDir, { configuredDrivers: true, controlSocket: false });
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  await reader?.close();
  await new Promise<void>((r) => (scannerPeer?.isOpen ? scannerPeer.close(() => r()) : r()));
  await scannerPair?.close();
  await readerPair?.close();
  await portal?.close();
  tmp.remove();
});

describe('daemon with drivers from config', () => {
  it('opens both configured drivers', async () => {
    await until(() => rig.daemon.status().drivers.every((d) => d.state === 'open'), 5000, 'both drivers open');
    const drivers = rig.daemon
      .status()
      .drivers.map((d) => [d.name, d.state])
      .sort();
    expect(drivers).toEqual([
      ['idcard', 'open'],
      ['serial-scanner', 'open'],
    ]);
  });

  it('a pass code from the serial scanner is verified', async () => {
    const verdict = rig.nextVerdict(8000);
    scannerPeer.write(portal.mock.passCodeFor('green') + '\r\n');
    expect(await verdict).toEqual({ source: 'serial-scanner', outcome: 'pass' });
  });

  it('an ID card put down during the previous verdict is verified once after it, without the fingerprint command', async () => {
    const resident = portal.mock.state.residents.byRef(portal.mock.state.demo.residents.red)!;
    // Put down while the previous verdict still shows: queued (the default), verified after it.
    expect(rig.daemon.status().phase).toBe('showing');
    const before = rig.verdicts().length;
    const verdict = rig.nextVerdict(8000);
    reader.present({ cardType: 'resident', name: resident.name, idNumber: resident.idNumber });
    expect(await verdict).toEqual({ source: 'idcard', outcome: 'deny' });
    await new Promise((r) => setTimeout(r, 800)); // the card stays on the reader: no second verdict
    expect(rig.verdicts().length).toBe(before + 1);
    expect(reader.received.some((c) => c.cmd === 0x30 && c.para === 0x10)).toBe(false);
  });

  it('nothing personal reaches the log', () => {
    const resident = portal.mock.state.residents.byRef(portal.mock.state.demo.residents.red)!;
    const text = rig.logLines.join('\n');
    expect(text).not.toContain(resident.idNumber);
    expect(text).not.toContain(resident.name);
    expect(text).not.toContain('PGC1.');
  });
});
