// The daemon with drivers built from config, as `passgate run` has them: a serial scanner on one
// socat pty pair and a GA 467 card reader (simulated) on another, verifying against the mock.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { SimulatedSamReader } from '../../../scripts/lab/simulated-sam-reader.js';
import { cli, type DaemonRig, provisionGateDir, startDaemon, tempRoot } from '../../support/cli.js';
import { until } from '../../support/polling.js';

const SHOW_MS = 200;
/**
 * The gate's clock: a verdict shows until the test moves it on, however long the drivers and
 * the portal take in real time (they keep real time).
 */
const clock = new FakeClock();

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
    String(SHOW_MS),
  );
  expect(set.code, set.stderr.join('\n')).toBe(0);
  reader = new SimulatedSamReader({ path: readerPair.peerPath });
  await reader.open();
  scannerPeer = new SerialPort({ path: scannerPair.peerPath, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => scannerPeer.once('open', resolve).once('error', reject));
  rig = await startDaemon(dataDir, { configuredDrivers: true, controlSocket: false, clock });
}, 60_000);

/** Waits until the card reader has been asked "find card" `n` more times than now. */
async function morePolls(n: number): Promise<void> {
  const finds = () => reader.receivedLabels().filter((l) => l === '20 01').length;
  const target = finds() + n;
  await until(() => finds() >= target, undefined, `${n} more card polls`);
}

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
    await until(() => rig.daemon.status().drivers.every((d) => d.state === 'open'), undefined, 'both drivers open');
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
    const verdict = rig.nextVerdict();
    scannerPeer.write(portal.mock.passCodeFor('green') + '\r\n');
    expect(await verdict).toEqual({ source: 'serial-scanner', outcome: 'pass' });
  });

  it('an ID card put down during the previous verdict is verified once after it, without the fingerprint command', async () => {
    const resident = portal.mock.state.residents.byRef(portal.mock.state.demo.residents.red)!;
    // Put down while the previous verdict still shows (the gate's clock stands still): read, and
    // queued (the default); the driver polls again only once it has handed the card over.
    expect(rig.daemon.status().phase).toBe('showing');
    const before = rig.verdicts().length;
    const reads = () => reader.receivedLabels().filter((l) => l === '30 01').length;
    reader.present({ cardType: 'resident', name: resident.name, idNumber: resident.idNumber });
    await until(() => reads() === 1, undefined, 'the card read');
    await morePolls(1);
    expect(rig.daemon.status().phase).toBe('showing');
    expect(rig.verdicts()).toHaveLength(before);
    // The show time ends: the queued card is verified.
    const verdict = rig.nextVerdict();
    await clock.advance(SHOW_MS);
    expect(await verdict).toEqual({ source: 'idcard', outcome: 'deny' });
    // The card stays on the reader: polled again and again, never read or handed over again
    // (nothing queued, nothing dropped as a duplicate), so no second verdict.
    const dropped = rig.daemon.status().dropped;
    await morePolls(3);
    await clock.advance(SHOW_MS);
    expect(rig.daemon.status().phase).toBe('idle');
    expect(rig.daemon.status().dropped).toBe(dropped);
    expect(rig.verdicts().length).toBe(before + 1);
    expect(reads()).toBe(1);
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
