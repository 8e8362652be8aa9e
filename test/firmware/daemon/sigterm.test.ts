// `passgate run` as a service manager runs it: a pass scanned on the serial scanner pulses the
// relay (sysfs GPIO files), and SIGTERM in the middle of the pattern leaves every output off and
// exits 0.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultOf } from '../../../firmware/config/schema.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { CHILD_START_MS, CHILD_TEST_MS, cli, provisionGateDir, spawnBin, tempRoot } from '../../support/cli.js';
import { type RecordedLines, recordingGpioRoot } from '../../support/gpio-lines.js';
import { until } from '../../support/polling.js';

const tmp = tempRoot('pg-sigterm-');
let portal: PortalFixture;
let pair: PtyPair;
const pins = defaultOf('display.pins');
const lines = Object.values(pins).filter((v): v is number => typeof v === 'number');
const gpioRoot = join(tmp.root, 'gpio');
/** Every write of the daemon to each value file, as it happens (support/gpio-lines.ts). */
let gpio: RecordedLines;

beforeAll(async () => {
  portal = await startPortalFixture();
  mkdirSync(join(tmp.root, 'pty'));
  pair = await openPtyPair(join(tmp.root, 'pty'));
  gpio = recordingGpioRoot(gpioRoot, lines, 'out');
  const dataDir = join(tmp.root, 'gate');
  await provisionGateDir(portal.mock, dataDir);
  expect((await cli(dataDir, 'bind', demoVenues()[0].venueCode)).code).toBe(0);
  const set = await cli(
    dataDir,
    'config',
    'set',
    'display.backend',
    'gpio-sysfs',
    'display.gpioRoot',
    gpioRoot,
    'drivers.serial.enabled',
    'true',
    'drivers.serial.path',
    pair.devicePath,
    'drivers.serial.baudRate',
    '115200',
  );
  expect(set.code, set.stderr.join('\n')).toBe(0);
}, CHILD_TEST_MS);

afterAll(async () => {
  gpio?.close();
  await pair?.close();
  await portal?.close();
  tmp.remove();
});

it(
  'a pass pulses the relay; SIGTERM mid-pattern turns every output off and exits 0',
  async () => {
    const run = spawnBin('passgate', ['run', '--data-dir', join(tmp.root, 'gate')]);
    const ready = (stdout: string) => stdout.includes('"event":"ready"') && stdout.includes('"state":"open"');
    await run.until(ready, 'ready with the scanner open', CHILD_START_MS);
    const peer = new SerialPort({ path: pair.peerPath, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => peer.once('open', resolve).once('error', reject));
    peer.write(portal.mock.passCodeFor('green') + '\r');
    // The relay's "on" write is the event; SIGTERM follows at once, while the pattern plays.
    await until(() => gpio.writes(pins.relay).includes('1'), undefined, 'the relay pulse');
    run.child.kill('SIGTERM');
    expect(gpio.writes(pins.green)).toContain('1');
    const { code, stdout } = await run.exited;
    expect(code).toBe(0);
    await gpio.flush();
    for (const line of lines) expect(gpio.level(line), `gpio${line}`).toBe('0');
    expect(stdout).toContain('"event":"verdict"');
    expect(stdout).toContain('"outcome":"pass"');
    expect(stdout).toContain('"event":"stopped"');
    await new Promise<void>((r) => peer.close(() => r()));
  },
  CHILD_TEST_MS,
);
