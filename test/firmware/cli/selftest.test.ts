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
import {
  type CliResult,
  cli,
  DAEMON_CLI_TIMEOUTS,
  type DaemonRig,
  provisionGateDir,
  startDaemon,
  tempRoot,
} from '../../support/cli.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { type RecordedLines, recordingGpioRoot } from '../../support/gpio-lines.js';

/** The default pins, read from the schema so the test follows it: {red, green, buzzer, relay}. */
const PINS = CONFIG_SCHEMA['display.pins'].default as Record<string, number>;

interface SelftestJson {
  ok: boolean;
  checks: Array<{ name: string; result: 'ok' | 'warn' | 'fail'; detail: string; zh: string }>;
}

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let gpioRoot: string;
/** Every write to each value file, as it happens (support/gpio-lines.ts). */
let gpio: RecordedLines;
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
  gpio = recordingGpioRoot(gpioRoot, Object.values(PINS));
});
afterEach(() => {
  fixture.mock.server.clearFaults();
  gpio.close();
  tmp.remove();
});

/** Output name → the levels its line went through (repeated writes of the same level count once). */
function levelsByOutput(): Record<string, string[]> {
  const changes = (writes: string[]) => writes.filter((level, i) => i === 0 || level !== writes[i - 1]);
  return Object.fromEntries(Object.entries(PINS).map(([name, line]) => [name, changes(gpio.writes(line))]));
}

/**
 * The outputs in the order they were first switched on. Exact here however late the recorder
 * reads (gpio-lines.ts): the backend writes the lines of each change in the order red, green,
 * blue, buzzer, relay, the opening all-off included, and the selftest switches them on in that
 * same order, so no line switched on later can hold older unread levels than an earlier one.
 */
function onOrder(): string[] {
  const names = new Map(Object.entries(PINS).map(([name, line]) => [line, name]));
  return gpio.firstOn().map((line) => names.get(line)!);
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
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(s.ok).toBe(true);
    expect(check(s, 'display')).toMatchObject({ result: 'ok' });
    expect(check(s, 'display')!.detail).toContain('gpio-sysfs');
    expect(check(s, 'portal')).toMatchObject({ result: 'ok' });
    expect(check(s, 'clock')).toMatchObject({ result: 'ok' });
    // Observed on the lines themselves, every write: opened off, each LED and the buzzer on once
    // then off (red, then green, then the buzzer), the relay never on, everything off after.
    await gpio.flush();
    expect(levelsByOutput()).toEqual({
      red: ['0', '1', '0'],
      green: ['0', '1', '0'],
      buzzer: ['0', '1', '0'],
      relay: ['0'],
    });
    expect(onOrder()).toEqual(['red', 'green', 'buzzer']);
    for (const line of Object.values(PINS)) expect(gpio.level(line)).toBe('0'); // everything off after
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
    expect(r.stdout[1]).toMatch(/^警告 WARN {2}inputs: 没有启用任何输入设备.* \/ no input device is enabled/);
    expect(r.stdout[2]).toMatch(/^通过 PASS {2}portal: 可达，身份已认可 \/ reachable, identity accepted$/);
    expect(r.stdout[3]).toMatch(/^通过 PASS {2}clock: 与门户平台时钟相差 -?\d+ 毫秒 \/ offset -?\d+ ms/);
    // Every reason in both languages.
    for (const line of r.stdout) expect(line).toMatch(/: .*[\u4e00-\u9fff].* \/ [a-z]/);
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
    expect(check(s, 'serial-scanner')).toEqual({
      name: 'serial-scanner',
      result: 'fail',
      detail: missing,
      zh: '设备不存在，请检查连线',
    });
    // A failed selftest carries the error object every --json failure has.
    expect((s as unknown as { error: { code: string } }).error.code).toBe('selftest.failed');
    expect(check(s, 'portal')!.result).toBe('ok');
    const text = await cli(dataDir, 'selftest');
    expect(text.code).toBe(EXIT.failed);
    expect(text.stdout).toContain(`失败 FAIL  serial-scanner: 设备不存在，请检查连线 / ${missing}`);

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
    expect(check(s, 'portal')).toEqual({
      name: 'portal',
      result: 'fail',
      detail: 'portal.unreachable',
      zh: '无法连接城市门户平台，请检查网络',
    });
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
    const watch = startStopwatch();
    const r = await cli(dataDir, 'selftest', '--json');
    const callMs = watch.elapsedMs();
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(s.ok).toBe(true);
    expect(check(s, 'clock')!.result).toBe('warn');
    // The mock runs on this process's clock, 60 s ahead: the estimate is off by at most the round
    // trip it came from, which took no longer than the command (a bound that follows the load).
    const offset = Number(/^offset (-?\d+) ms/.exec(check(s, 'clock')!.detail)?.[1]);
    expect(Math.abs(offset - 60_000)).toBeLessThanOrEqual(Math.ceil(callMs) + 1);
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
          'timeouts',
          JSON.stringify(DAEMON_CLI_TIMEOUTS),
        )
      ).code,
    ).toBe(0);
    const scanner = new MockSerialScanner('serial-scanner');
    rig = await startDaemon(dataDir, { inputs: [scanner] });

    // The daemon answers once its whole cycle has run; every write it made is in the recorder.
    const r = await cli(dataDir, 'selftest', '--json');
    expect(r.code).toBe(EXIT.ok);
    const s = parse(r);
    expect(check(s, 'display')).toMatchObject({ result: 'ok', detail: 'cycled by the running daemon' });
    expect(check(s, 'serial-scanner')).toMatchObject({ result: 'ok', detail: 'daemon reports open' });
    await gpio.flush();
    expect(levelsByOutput()).toEqual({
      red: ['0', '1', '0'],
      green: ['0', '1', '0'],
      buzzer: ['0', '1', '0'],
      relay: ['0'],
    });
    expect(onOrder()).toEqual(['red', 'green', 'buzzer']);
    for (const line of Object.values(PINS)) expect(gpio.level(line)).toBe('0');

    scanner.unplug();
    const unplugged = await cli(dataDir, 'selftest', '--json');
    expect(unplugged.code).toBe(EXIT.failed);
    expect(check(parse(unplugged), 'serial-scanner')).toMatchObject({
      result: 'fail',
      detail: 'daemon reports reconnecting',
    });
  });
});
