// What the CLI tells a technician while and after it works: progress on a terminal during portal
// calls (and nothing in a pipe), a note when a setting waits for a restart, and `status` showing
// the settings a running daemon has not applied yet.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import {
  CHILD_START_MS,
  CHILD_TEST_MS,
  cli,
  DAEMON_CLI_TIMEOUTS,
  type DaemonRig,
  provisionGateDir,
  runBin,
  runMainWith,
  startDaemon,
  tempRoot,
} from '../../support/cli.js';
import { until } from '../../support/polling.js';
import { PASSGATE_BIN, REPO } from '../../support/repo.js';

const VENUE = demoVenues()[1];
const PROGRESS = /^\r正在连接门户平台\.+ +\/ contacting the portal\.+/;
const WIPE = '\r\u001b[K';

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
let serial = 0;
const nextDeviceId = () => `WX-FEED-${String(++serial).padStart(3, '0')}`;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-feedback-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

describe('progress during portal calls', () => {
  it('bind on a terminal: the progress line on stderr, wiped before the answer; in a pipe: nothing', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId() });
    const onTty = await runMainWith(['bind', VENUE.venueCode, '--data-dir', dataDir], { stderrIsTTY: true });
    expect(onTty.code).toBe(EXIT.ok);
    expect(onTty.raw).toMatch(PROGRESS);
    expect(onTty.raw.endsWith(WIPE)).toBe(true);
    expect(onTty.stderr).toEqual([]);

    const inPipe = await runMainWith(['bind', VENUE.venueCode, '--data-dir', dataDir], { stderrIsTTY: false });
    expect(inPipe.code).toBe(EXIT.ok);
    expect(inPipe.raw).toBe('');
    expect(inPipe.stderr).toEqual([]);
  });

  it('status and selftest on a terminal show it too; --offline asks nothing, so shows nothing', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), bind: true });
    const quick = '{"durationMs":20,"steps":[{"atMs":0,"set":{"red":true}}]}';
    expect(
      (await cli(dataDir, 'config', 'set', 'display.backend', 'none', 'display.patterns', `{"selftest":${quick}}`))
        .code,
    ).toBe(0);
    for (const command of [['status'], ['selftest']]) {
      const r = await runMainWith([...command, '--data-dir', dataDir], { stderrIsTTY: true });
      expect(r.raw, command[0]).toMatch(PROGRESS);
      expect(r.raw.endsWith(WIPE)).toBe(true);
    }
    const offline = await runMainWith(['status', '--offline', '--data-dir', dataDir], { stderrIsTTY: true });
    expect(offline.raw).toBe('');
  });

  it('through a real pseudo-terminal (script), and not through a pipe', { timeout: CHILD_TEST_MS }, async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: nextDeviceId(), bind: true });
    const command = `'${process.execPath}' '${PASSGATE_BIN}' status --data-dir '${dataDir}'`;
    const env = { ...process.env };
    delete env.PASSGATE_DATA_DIR;
    const onPty = await new Promise<string>((resolve, reject) => {
      // script runs the command on a new pseudo-terminal and copies what it writes to our stdout.
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO, env, timeout: CHILD_START_MS });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(onPty).toContain('正在连接门户平台');
    expect(onPty).toContain('contacting the portal');
    expect(onPty).toContain('verdict');
    const piped = await runBin('passgate', ['status', '--data-dir', dataDir]);
    expect(piped.stdout).toContain('verdict');
    expect(piped.stderr).not.toContain('contacting the portal');
  });
});

describe('settings that wait for a restart', () => {
  let rig: DaemonRig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('config set says so for display and driver keys, on stderr; not for keys applied at once', async () => {
    const later = await cli(dataDir, 'config', 'set', 'display.backend', 'none', 'gate.showMs', '2600');
    expect(later.code).toBe(EXIT.ok);
    expect(later.stdout).toEqual(['display.backend = none', 'gate.showMs = 2600']);
    expect(later.stderr).toEqual([
      '注意: display.backend 在服务重启后生效（systemctl restart passgate）/ note: display.backend take effect when the daemon restarts (systemctl restart passgate)',
    ]);
    const now = await cli(dataDir, 'config', 'set', 'gate.showMs', '2700');
    expect(now.stderr).toEqual([]);
    const reset = await cli(dataDir, 'config', 'reset', 'drivers.serial.enabled');
    expect(reset.stderr.join('\n')).toContain('drivers.serial.enabled take effect when the daemon restarts');
  });

  it('status shows what a running daemon has not applied yet', async () => {
    await provisionGateDir(fixture.mock, dataDir, {
      deviceId: nextDeviceId(),
      bind: true,
      settings: { timeouts: { ...DAEMON_CLI_TIMEOUTS, configPollMs: 50 }, 'display.backend': 'none' },
    });
    rig = await startDaemon(dataDir);
    const daemon = rig.daemon;
    const before = await cli(dataDir, 'status', '--offline');
    expect(before.stdout.join('\n')).not.toContain('restart pending');
    expect((await cli(dataDir, 'config', 'set', 'drivers.serial.baudRate', '115200')).code).toBe(0);
    await until(() => daemon.status().restartPending.length > 0, undefined, 'restart pending');
    const after = await cli(dataDir, 'status', '--offline');
    expect(after.stdout.join('\n')).toContain(
      '待重启 / restart pending:  drivers.serial.baudRate 已修改，重启后生效 / changed, apply at the next start: systemctl restart passgate',
    );
    const json = JSON.parse((await cli(dataDir, 'status', '--offline', '--json')).stdout[0]);
    expect(json.daemon.restartPending).toEqual(['drivers.serial.baudRate']);
  });
});
