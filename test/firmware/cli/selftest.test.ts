// `passgate selftest [--json]` through main(): LEDs and buzzer on sysfs GPIO lines faked in a temp
// directory, input devices, portal reachability and clock skew; exit non-zero on any FAIL.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { CONFIG_SCHEMA } from '../../../firmware/config/schema.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { type CliResult, cli, type DaemonRig, provisionGateDir, startDaemon, tempRoot } from '../../support/cli.js';
import { until } from '../../support/polling.js';

/** The default pins, read from the schema so the test follows it: {red, green, buzzer, relay}. */
const PINS = CONFIG_SCHEMA['display.pins'].default as Record<string, number>;

interface SelftestJson {
  ok: boolean;
  checks: Array<{ name: string; result: 'ok' | 'warn' | 'fail'; detail: string }>;
}

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let gpioRoot: string;
let deviceSerial = 0;
const nextDeviceId = () => `WX-SELF-${String(++deviceSerial).padStart(4, '0')}`;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-self-');
  dataDir = join(tmp.root, 'gate');
  gpioRoot = join(tmp.root, 'gpio');
  // Lines already exported, as on a board whose init script exported them: value + direction.
  for (const line of Object.values(PINS)) {
    mkdirSync(join(gpioRoot, `gpio${line}`), { recursive: true });
    writeFileSync(join(gpioRoot, `gpio${line}`, 'value'), '0');
    writeFileSync(join(gpioRoot, `gpio${line}`, 'direction'), 'in');
  }
});
afterEach(() => {
  fixture.mock.server.clearFaults();
  tmp.remove();
});

const readLine = (line: number) => readFileSync(join(gpioRoot, `gpio${line}`, 'value'), 'utf8').trim();

/**
 * Runs `work` while sampling every value file each 5 ms; returns the order in which outputs were
 * first seen on, and whether each was ever on.
 */
async function watchGpio<T>(
  work: (everOn: ReadonlySet<string>) => Promise<T>,
): Promise<{ result: T; onOrder: string[]; everOn: Set<string> }> {
  const onOrder: string[] = [];
  const everOn = new Set<string>();
  const sample = () => {
    for (const [name, line] of Object.entries(PINS)) {
      if (readLine(line) === '1' && !everOn.has(name)) {
        everOn.add(name);
        onOrder.push(name);
      }
    }
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work(everOn);
    sample();
    return { result, onOrder, everOn };
  } finally {
    clearInterval(timer);
  }
}

async function useGpioDisplay(): Promise<void> {
  const r = await cli(dataDir, 'config', 'set', 'display.backend', 'gpio-sysfs', 'display.gpioRoot', gpioRoot);
  expect(r.code).toBe(0);
}

/** No lights and a 20 ms selftest pattern, for the checks that are not about the display. */
async function useQuickDisplay(): Promise<void> {
  const quick = { selftest: { durationMs: 20, steps: [{ atMs: 0, set: { red: true } }] } };
  const r = await cli(dataDir, 'config', 'set', 'display.backend', 'none', 'display.patterns', JSON.stringify(quick));
  expect(r.code).toBe(0);
}

function parse(r: CliResult): SelftestJson {
  expect(r.stdout).toHaveLength(1);
  return JSON.parse(r.stdout[0]) as SelftestJson;
}

const check = (s: SelftestJson, name: string) => s.checks.find((c) => c.name === name);

describe('passgate selftest', () => {
  it('all good: each LED and the buzzer toggled, never the relay; portal and clock ok; exit 0', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    await useGpioDisplay();
    const { result: r, onOrder, everOn } = await watchGpio(() => cli(dataDir, 'selftest', '--json'));
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(s.ok).toBe(true);
    expect(check(s, 'display')).toMatchObject({ result: 'ok' });
    expect(check(s, 'display')!.detail).toContain('gpio-sysfs');
    expect(check(s, 'portal')).toMatchObject({ result: 'ok' });
    expect(check(s, 'clock')).toMatchObject({ result: 'ok' });
    // Observed on the lines themselves: red, then green, then the buzzer; the relay never.
    expect(onOrder).toEqual(['red', 'green', 'buzzer']);
    expect(everOn.has('relay')).toBe(false);
    for (const line of Object.values(PINS)) expect(readLine(line)).toBe('0'); // everything off after
    for (const line of Object.values(PINS)) {
      expect(readFileSync(join(gpioRoot, `gpio${line}`, 'direction'), 'utf8')).toBe('low'); // made an output, off
    }
  });

  it('plain output: one PASS/WARN/FAIL line per check', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    await useQuickDisplay();
    const r = await cli(dataDir, 'selftest');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toHaveLength(4);
    expect(r.stdout[0]).toMatch(/^通过 PASS {2}display: /);
    expect(r.stdout[1]).toMatch(/^警告 WARN {2}inputs: 没有启用任何输入设备 \/ no input device is enabled/);
    expect(r.stdout[2]).toMatch(/^通过 PASS {2}portal: /);
    expect(r.stdout[3]).toMatch(/^通过 PASS {2}clock: offset -?\d+ ms/);
  });

  it('an enabled input: no warning about inputs', async () => {
    await useQuickDisplay();
    const port = join(tmp.root, 'ttyNOPE1');
    expect(
      (await cli(dataDir, 'config', 'set', 'drivers.serial.enabled', 'true', 'drivers.serial.path', port)).code,
    ).toBe(0);
    const r = await cli(dataDir, 'selftest');
    expect(r.stdout.join('\n')).not.toContain('inputs:');
  });

  it('an enabled serial scanner whose port does not exist: FAIL, exit non-zero', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    await useQuickDisplay();
    const missing = join(tmp.root, 'ttyNOPE0');
    expect(
      (await cli(dataDir, 'config', 'set', 'drivers.serial.enabled', 'true', 'drivers.serial.path', missing)).code,
    ).toBe(0);
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).not.toBe(EXIT.ok);
    expect(r.code).toBe(EXIT.failed);
    const s = parse(r);
    expect(s.ok).toBe(false);
    expect(check(s, 'serial-scanner')).toEqual({ name: 'serial-scanner', result: 'fail', detail: missing });
    expect(check(s, 'portal')!.result).toBe('ok');
    const text = await cli(dataDir, 'selftest');
    expect(text.code).toBe(EXIT.failed);
    expect(text.stdout).toContain(`失败 FAIL  serial-scanner: ${missing}`);

    // The same port present (any file will do for presence): PASS again.
    writeFileSync(missing, '');
    expect((await cli(dataDir, 'selftest')).code).toBe(EXIT.ok);
  });

  it('portal unreachable: FAIL, exit non-zero', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    await useQuickDisplay();
    fixture.mock.server.setFaults({ dropConnection: true });
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.failed);
    const s = parse(r);
    expect(check(s, 'portal')).toEqual({ name: 'portal', result: 'fail', detail: 'portal.unreachable' });
    expect(check(s, 'clock')).toBeUndefined();
    expect(check(s, 'display')!.result).toBe('ok');
  });

  it('not provisioned: portal FAIL, exit non-zero', async () => {
    await useQuickDisplay();
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.failed);
    expect(check(parse(r), 'portal')).toMatchObject({ result: 'fail', detail: 'not provisioned' });
  });

  it('portal clock 60 s off: WARN, but exit 0 when all else passes', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    await useQuickDisplay();
    fixture.mock.server.setFaults({ clockSkewMs: 60_000 });
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(s.ok).toBe(true);
    expect(check(s, 'clock')!.result).toBe('warn');
    expect(check(s, 'clock')!.detail).toMatch(/offset (5[89]|6[01])\d{3} ms/);
    const text = await cli(dataDir, 'selftest');
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout.some((l) => l.startsWith('警告 WARN  clock: '))).toBe(true);
  });

  it('GPIO lines that are not there: display FAIL, exit non-zero', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const empty = join(tmp.root, 'no-gpio');
    mkdirSync(empty);
    expect((await cli(dataDir, 'config', 'set', 'display.backend', 'gpio-sysfs', 'display.gpioRoot', empty)).code).toBe(
      0,
    );
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.failed);
    expect(check(parse(r), 'display')).toMatchObject({ result: 'fail', detail: 'display.backend-failed' });
  });
});

describe('passgate selftest with a running daemon', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('the daemon flashes its own outputs and reports its drivers', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    expect((await cli(dataDir, 'bind', demoVenues()[0].venueCode)).code).toBe(0);
    await useGpioDisplay();
    // The serial scanner is "configured" (enabled, at a path that does not exist): the daemon's
    // driver state decides, not the path.
    expect(
      (
        await cli(
          dataDir,
          'config',
          'set',
          'drivers.serial.enabled',
          'true',
          'drivers.serial.path',
          join(tmp.root, 'ttyNOPE0'),
        )
      ).code,
    ).toBe(0);
    const scanner = new MockSerialScanner('serial-scanner');
    rig = await startDaemon(dataDir, { inputs: [scanner] });

    // The daemon answers once the pattern has started (daemon.ts awaits only the player's first
    // write), so keep watching for the rest of the 1.2 s pattern after the CLI returns.
    const { result: r, everOn } = await watchGpio(async (seen) => {
      const result = await cli(dataDir, 'selftest', '--json');
      await until(
        () => seen.has('red') && seen.has('green') && seen.has('buzzer'),
        3000,
        'the rest of the pattern',
      ).catch(() => undefined);
      return result;
    });
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(check(s, 'display')).toMatchObject({ result: 'ok', detail: 'cycled by the running daemon' });
    expect(check(s, 'serial-scanner')).toMatchObject({ result: 'ok', detail: 'daemon reports open' });
    expect([...everOn].sort()).toEqual(['buzzer', 'green', 'red']);

    scanner.unplug();
    const unplugged = await cli(dataDir, 'selftest', '--json');
    expect(unplugged.code).toBe(EXIT.failed);
    expect(check(parse(unplugged), 'serial-scanner')).toMatchObject({
      result: 'fail',
      detail: 'daemon reports reconnecting',
    });
  });
});
