// `passgate selftest [--json]`: cycles each LED colour and the buzzer, checks that each
// configured input device is present, and checks portal reachability and clock skew (warns over
// 30 s). Exits non-zero when anything fails.
import { stat } from 'node:fs/promises';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';
import { PatternPlayer } from '../../ui-led/player.js';
import type { ConfigStore } from '../config/store.js';
import { sleep, systemClock } from '../core/clock.js';
import type { ErrorCode } from '../core/errors.js';
import { askDaemon } from '../daemon/control-socket.js';
import { isProvisioned, timeoutsFromConfig } from '../daemon/device-identity.js';
import { displayBackendFromConfig, patternsFromConfig } from '../daemon/display-from-config.js';
import { type ArgSpec, readCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import { errorObject, failureFor, failureMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { CONTACTING_PORTAL, withProgress } from './progress.js';
import { probePortal } from './status-command.js';
import { SELFTEST_USAGE } from './usages.js';

export const CLOCK_SKEW_WARN_MS = 30_000;

/** The options of selftest (the README's command table is checked against these). */
export const SELFTEST_ARGS: ArgSpec = { flags: ['json'], positionals: 0 };

/** One check; `detail` is the English reason (a path or an error code where that says it), `zh` the Chinese. */
interface Check {
  name: string;
  result: 'ok' | 'warn' | 'fail';
  detail: string;
  zh: string;
}

function daemonReports(state: string | undefined): { detail: string; zh: string } {
  return state === undefined
    ? { detail: 'daemon reports no such driver', zh: '服务中没有该设备的驱动' }
    : { detail: `daemon reports ${state}`, zh: `服务报告设备状态 ${state}` };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function runSelftestCommand(
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
  displayStream: TerminalStream = process.stderr,
): Promise<number> {
  const read = readCommandArgs(args, SELFTEST_ARGS, SELFTEST_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const timeouts = timeoutsFromConfig(store);
  const checks: Check[] = [];
  const daemon = await askDaemon(dataDir, { cmd: 'status' }, timeouts.controlSocketMs);

  // Display: the daemon owns the outputs while it runs, so it flashes them itself.
  if (daemon) {
    const answer = await askDaemon(
      dataDir,
      { cmd: 'selftest-display' },
      timeouts.controlSocketMs + timeouts.selftestDisplayMs,
    );
    checks.push({
      name: 'display',
      result: answer?.ok === true ? 'ok' : 'fail',
      detail: 'cycled by the running daemon',
      zh: '由运行中的服务轮流点亮',
    });
  } else {
    checks.push(await cycleDisplay(store, displayStream, timeouts));
  }

  // Inputs.
  const runningDrivers = new Map<string, string>(
    ((daemon?.drivers as Array<{ name: string; state: string }>) ?? []).map((d) => [d.name, d.state]),
  );
  const device = async (name: string, enabled: boolean, path: string) => {
    if (!enabled) return;
    if (daemon) {
      const state = runningDrivers.get(name);
      checks.push({ name, result: state === 'open' ? 'ok' : 'fail', ...daemonReports(state) });
    } else {
      const present = await exists(path);
      checks.push({
        name,
        result: present ? 'ok' : 'fail',
        detail: path,
        zh: present ? '设备存在' : '设备不存在，请检查连线',
      });
    }
  };
  await device('serial-scanner', store.get('drivers.serial.enabled'), store.get('drivers.serial.path'));
  await device('idcard', store.get('drivers.idcard.enabled'), store.get('drivers.idcard.path'));
  await device('camera', store.get('drivers.camera.enabled'), store.get('drivers.camera.device'));
  if (store.get('drivers.hid.enabled')) {
    const vid = store.get('drivers.hid.vendorId');
    const pid = store.get('drivers.hid.productId');
    const state = runningDrivers.get('hid-scanner');
    checks.push(
      daemon
        ? { name: 'hid-scanner', result: state === 'open' ? 'ok' : 'fail', ...daemonReports(state) }
        : await hidCheck(vid, pid),
    );
  }

  const inputKeys = [
    'drivers.serial.enabled',
    'drivers.idcard.enabled',
    'drivers.camera.enabled',
    'drivers.hid.enabled',
  ];
  if (!inputKeys.some((key) => store.get(key as 'drivers.serial.enabled'))) {
    // Every check may pass and the gate still reads nothing: say so, without failing the test.
    checks.push({
      name: 'inputs',
      result: 'warn',
      detail: 'no input device is enabled (config set drivers.serial.enabled true, …)',
      zh: '没有启用任何输入设备（config set drivers.serial.enabled true 等）',
    });
  }

  // Portal and clock.
  if (!isProvisioned(store)) {
    checks.push({ name: 'portal', result: 'fail', detail: 'not provisioned', zh: '设备尚未初始化' });
  } else {
    const probe = await withProgress(out, CONTACTING_PORTAL, () => probePortal(store, dataDir, crypto));
    checks.push({
      name: 'portal',
      result: probe.errorCode ? 'fail' : 'ok',
      detail: probe.errorCode ?? 'reachable, identity accepted',
      zh: probe.errorCode ? failureFor(probe.errorCode as ErrorCode).zh : '可达，身份已认可',
    });
    if (probe.clockOffsetMs !== null) {
      const skew = Math.abs(probe.clockOffsetMs);
      checks.push({
        name: 'clock',
        result: skew > CLOCK_SKEW_WARN_MS ? 'warn' : 'ok',
        detail: `offset ${probe.clockOffsetMs} ms from the portal`,
        zh: `与门户平台时钟相差 ${probe.clockOffsetMs} 毫秒${skew > CLOCK_SKEW_WARN_MS ? '，请校准时钟（NTP）' : ''}`,
      });
    }
  }

  const failed = checks.some((c) => c.result === 'fail');
  if (parsed.flags.has('json')) {
    // A failed selftest carries the error object of every command's --json failure.
    const error = failed ? errorObject('selftest.failed', failureMessage('selftest.failed')) : {};
    out.stdout(JSON.stringify({ ok: !failed, checks, ...error }));
  } else {
    for (const c of checks)
      out.stdout(
        `${c.result === 'ok' ? '通过 PASS' : c.result === 'warn' ? '警告 WARN' : '失败 FAIL'}  ${c.name}: ${c.zh} / ${c.detail}`,
      );
  }
  return failed ? EXIT.failed : EXIT.ok;
}

async function cycleDisplay(
  store: ConfigStore,
  stream: TerminalStream,
  timeouts: ReturnType<typeof timeoutsFromConfig>,
): Promise<Check> {
  try {
    const backend = displayBackendFromConfig(store, { stream, timeouts, clock: systemClock });
    await backend.open();
    const patterns = patternsFromConfig(store);
    const player = new PatternPlayer({ backend, clock: systemClock, patterns });
    let failures = 0;
    player.onError(() => failures++);
    player.play('selftest');
    // play() returns at once and idle() only waits for the write in flight: wait out the whole
    // pattern, or close() below would cut it after its first step (red only).
    await sleep(systemClock, patterns.selftest.durationMs);
    await player.idle();
    await player.close();
    await backend.close();
    return {
      name: 'display',
      result: failures === 0 ? 'ok' : 'fail',
      detail: `${store.get('display.backend')}: each colour and the buzzer cycled`,
      zh: `${store.get('display.backend')}：各灯与蜂鸣器已轮流驱动`,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      name: 'display',
      result: 'fail',
      detail: code ?? 'failed',
      zh: failureFor((code ?? 'display.backend-failed') as ErrorCode).zh,
    };
  }
}

async function hidCheck(vendorId: number, productId: number): Promise<Check> {
  const present = await hidPresent(vendorId, productId);
  return {
    name: 'hid-scanner',
    result: present ? 'ok' : 'fail',
    detail: `${vendorId.toString(16)}:${productId.toString(16)}`,
    zh: present ? '设备存在' : '设备不存在，请检查连线',
  };
}

async function hidPresent(vendorId: number, productId: number): Promise<boolean> {
  try {
    const hid = await import('node-hid');
    const devices = await hid.devicesAsync();
    return devices.some((d) => d.vendorId === vendorId && d.productId === productId);
  } catch {
    return false;
  }
}
