// `node scripts/bin/passgate.mjs …` as child processes: proves the installed command works for
// every command family, exit codes included, the way a technician or systemd runs it.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/failures.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { startPortalFixture, type PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { zintPng } from '../../../scripts/lab/zint.js';
import { cli, PASSGATE_BIN, runBin, tempRoot } from './cli-rig.js';

const VENUE = demoVenues()[2];

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

describe('passgate (child process)', () => {
  it('help, unknown command, decode: exit codes 0, 2 and 0', async () => {
    const png = zintPng('QRCODE', 'PASSGATE-BIN-DECODE', join(tmp.root, 'code.png'), { scale: 3 });
    const [help, unknown, decoded] = await Promise.all([
      runBin(['--help']),
      runBin(['frobnicate', '--data-dir', dataDir]),
      runBin(['decode', png]),
    ]);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/^usage: passgate <command>/);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toBe(`${png}: qr "PASSGATE-BIN-DECODE"\n`);
  });

  it('provision, config, bind, status and selftest against the mock portal', async () => {
    const { mock } = fixture;
    const d = ['--data-dir', dataDir];
    const provisioned = await runBin(['provision', ...d, '--device-id', 'WX-BIN-0001', '--portal-url', mock.url,
      '--portal-public-key', mock.portalPublicKey.toString('hex'), '--app-id', mock.vendor.appId,
      '--app-secret', mock.vendor.appSecret, '--ca-file', mock.caPath!]);
    expect(provisioned.code).toBe(EXIT.ok);
    const publicKey = provisioned.stdout.split('\n').find((l) => /^04[0-9a-f]{128}$/.test(l))!;
    expect(publicKey).toBeDefined();
    expect(statSync(join(dataDir, 'device.key')).mode & 0o777).toBe(0o600);
    expect(provisioned.stdout).not.toContain(mock.vendor.appSecret);

    const quickSelftest = { selftest: { durationMs: 20, steps: [{ atMs: 0, set: { red: true } }] } };
    expect((await cli(dataDir, 'config', 'set', 'display.backend', 'none', 'display.patterns', JSON.stringify(quickSelftest))).code).toBe(0);
    mock.registerDevice('WX-BIN-0001', Buffer.from(publicKey, 'hex'));
    const [list, bound] = await Promise.all([runBin(['config', 'list', ...d]), runBin(['bind', VENUE.venueCode, ...d])]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('vendor.appSecret = (set)');
    expect(list.stdout).not.toContain(mock.vendor.appSecret);
    expect(bound.code).toBe(EXIT.ok);
    expect(bound.stdout).toContain(VENUE.name);

    const [status, selftest] = await Promise.all([runBin(['status', '--json', ...d]), runBin(['selftest', ...d])]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      deviceId: 'WX-BIN-0001', provisioned: true, binding: { venueCode: VENUE.venueCode }, portal: { reachable: true, errorCode: null }, daemon: { running: false },
    });
    expect(selftest.code).toBe(EXIT.ok);
    expect(selftest.stdout).toMatch(/PASS {2}portal: /);
  });

  it('run: the daemon starts, answers status over its socket, and exits 0 on SIGTERM', async () => {
    expect((await cli(dataDir, 'config', 'set', 'display.backend', 'none')).code).toBe(0);
    const child = spawn(process.execPath, [PASSGATE_BIN, 'run', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout}`)), 20_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('"event":"ready"')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('close', () => reject(new Error(`run ended early: ${stdout}`)));
      });
      const status = await runBin(['status', '--json', '--offline', '--data-dir', dataDir]);
      expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, phase: 'needs-provisioning', pid: child.pid });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('"event":"stopped"');
    // No daemon any more: the CLI says so.
    expect((await cli(dataDir, 'bind', '--scan')).code).toBe(EXIT.notProvisioned);
    expect(JSON.parse((await cli(dataDir, 'status', '--json')).stdout[0]).daemon).toEqual({ running: false });
  });
});
