// `node scripts/bin/passgate.mjs …` as child processes: proves the installed command works for
// every command family, exit codes included, the way a technician or systemd runs it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { zintPng } from '../../../scripts/lab/zint.js';
import {
  CHILD_START_MS,
  CHILD_TEST_MS,
  cli,
  DAEMON_CLI_TIMEOUTS,
  runBin,
  spawnBin,
  tempRoot,
} from '../../support/cli.js';

const VENUE = demoVenues()[2];
const passgate = (...args: string[]) => runBin('passgate', args);

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-cli-bin-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

// Each test runs `passgate` as child processes (Node plus the tsx loader each): CHILD_TEST_MS
// instead of vitest's 30 s default.
describe('passgate (child process)', { timeout: CHILD_TEST_MS }, () => {
  it('help, unknown command, decode, run --help: exit codes 0, 2, 0 and 0', async () => {
    const png = zintPng('QRCODE', 'PASSGATE-BIN-DECODE', join(tmp.root, 'code.png'), { scale: 3 });
    const [help, unknown, decoded, runHelp] = await Promise.all([
      passgate('--help'),
      passgate('frobnicate', '--data-dir', dataDir),
      passgate('decode', png),
      passgate('run', '--help', '--data-dir', dataDir),
    ]);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/^用法 \/ usage: passgate <命令 command>/);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toBe(`${png}: 识别到 / found qr "PASSGATE-BIN-DECODE"\n`);
    expect(runHelp.code).toBe(EXIT.ok);
    expect(runHelp.stdout).toMatch(/^用法 \/ usage: passgate run/);
  });

  it('provision, config, bind, status and selftest against the mock portal', async () => {
    const { mock } = fixture;
    const d = ['--data-dir', dataDir];
    // The vendor secret through stdin (`--app-secret-file -`): never on the command line.
    const provisioning = spawnBin(
      'passgate',
      [
        'provision',
        ...d,
        '--device-id',
        'WX-BIN-0001',
        '--portal-url',
        mock.url,
        '--portal-public-key',
        mock.portalPublicKey.toString('hex'),
        '--app-id',
        mock.vendor.appId,
        '--app-secret-file',
        '-',
        '--ca-file',
        mock.caPath!,
      ],
      { timeoutMs: CHILD_START_MS },
    );
    provisioning.child.stdin.end(`${mock.vendor.appSecret}\n`);
    const provisioned = await provisioning.exited;
    expect(provisioned.code).toBe(EXIT.ok);
    const publicKey = provisioned.stdout.split('\n').find((l) => /^04[0-9a-f]{128}$/.test(l))!;
    expect(publicKey).toBeDefined();
    expect(statSync(join(dataDir, 'device.key')).mode & 0o777).toBe(0o600);
    expect(provisioned.stdout).not.toContain(mock.vendor.appSecret);

    const quickSelftest = { selftest: { durationMs: 20, steps: [{ atMs: 0, set: { red: true } }] } };
    expect(
      (
        await cli(
          dataDir,
          'config',
          'set',
          'display.backend',
          'none',
          'display.patterns',
          JSON.stringify(quickSelftest),
        )
      ).code,
    ).toBe(0);
    mock.registerDevice('WX-BIN-0001', Buffer.from(publicKey, 'hex'));
    const [list, bound] = await Promise.all([
      passgate('config', 'list', ...d),
      passgate('bind', VENUE.venueCode, ...d),
    ]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('vendor.appSecret = (set)');
    expect(list.stdout).not.toContain(mock.vendor.appSecret);
    expect(bound.code).toBe(EXIT.ok);
    expect(bound.stdout).toContain(VENUE.name);

    const [status, selftest] = await Promise.all([passgate('status', '--json', ...d), passgate('selftest', ...d)]);
    expect(status.code).toBe(EXIT.daemonNotRunning); // bound and reachable, but no daemon verifies
    expect(JSON.parse(status.stdout)).toMatchObject({
      deviceId: 'WX-BIN-0001',
      provisioned: true,
      binding: { venueCode: VENUE.venueCode },
      portal: { reachable: true, errorCode: null },
      daemon: { running: false },
    });
    expect(selftest.code).toBe(EXIT.ok);
    expect(selftest.stdout).toMatch(/PASS {2}portal: /);
  });

  it('run: the daemon starts, answers status over its socket, and exits 0 on SIGTERM', async () => {
    const timeouts = JSON.stringify(DAEMON_CLI_TIMEOUTS);
    expect((await cli(dataDir, 'config', 'set', 'display.backend', 'none', 'timeouts', timeouts)).code).toBe(0);
    const run = spawnBin('passgate', ['run', '--data-dir', dataDir]);
    try {
      await run.until((stdout) => stdout.includes('"event":"ready"'), 'the ready line');
      const status = await passgate('status', '--json', '--offline', '--data-dir', dataDir);
      const daemon = { running: true, phase: 'needs-provisioning', pid: run.child.pid };
      expect(JSON.parse(status.stdout).daemon).toMatchObject(daemon);
    } finally {
      run.child.kill('SIGTERM');
    }
    const end = await run.exited;
    expect(end.code).toBe(EXIT.ok);
    expect(end.stdout).toContain('"event":"stopped"');
    // No daemon any more: the CLI says so.
    expect((await cli(dataDir, 'bind', '--scan')).code).toBe(EXIT.notProvisioned);
    expect(JSON.parse((await cli(dataDir, 'status', '--json')).stdout[0]).daemon).toEqual({ running: false });
  });
});
