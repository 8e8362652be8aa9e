// `passgate-mock` as an operator runs it: a child process per command, against a real data
// directory and a real `serve` process over loopback HTTPS.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIdNumber } from '../../../../firmware/core/id-number.js';
import { timeoutTable } from '../../../../firmware/core/timeouts.js';
import { isMaskedIdNumber, isMaskedName, maskIdNumber, maskName } from '../../../../firmware/core/verdict.js';
import { PortalClient } from '../../../../portal-client/client.js';
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import { main } from '../../../../portal-client/mock/cli.js';
import { DEMO_RESIDENT_KEYWORDS, demoVenues } from '../../../../portal-client/mock/domain/demo-dataset.js';
import { createPortalTransport } from '../../../../portal-client/transport.js';
import { zintMatrix } from '../../../../scripts/lab/zint.js';
import { type BinOptions, CHILD_TEST_MS, runBin, spawnBin } from '../../../support/cli.js';
import { startStopwatch } from '../../../support/cpu-wait.js';
import { rejection } from '../../../support/failures.js';

const crypto = createGmCryptoSuite();
const runCli = (args: readonly string[], o?: BinOptions) => runBin('passgate-mock', args, o);
const spawnCli = (args: readonly string[]) => spawnBin('passgate-mock', args);
let root: string;
let offlineDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pg-mock-cli-'));
  offlineDir = join(root, 'offline');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Every test here runs `passgate-mock` as child processes (Node plus the tsx loader each):
// CHILD_TEST_MS instead of vitest's 30 s default.
describe('passgate-mock without a running mock', { timeout: CHILD_TEST_MS }, () => {
  it("the process exits with main()'s code: 0 for help, 2 for a usage error, 3 when the command fails", async () => {
    const [help, unknown, noMock] = await Promise.all([
      runCli(['--help']),
      runCli(['frobnicate']),
      runCli(['faults', 'show', '--dir', offlineDir]),
    ]);
    expect(help.code).toBe(0);
    for (const command of [
      'serve',
      'residents',
      'issue',
      'idcard',
      'register-device',
      'vendor',
      'faults',
      'expire-tokens',
    ]) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout).toMatch(/exit codes: 0 成功 ok, 2 命令行有误 usage error, 3/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage: passgate-mock');
    expect(noMock.code).toBe(3);
    expect(noMock.stderr).toMatch(/no mock is running/);
  });

  it('residents lists every demo keyword masked; idcard gives one synthetic identity in full', async () => {
    const d = ['--dir', offlineDir];
    const list = await runCli(['residents', '--json', ...d]); // seeds the dataset first
    const [red, unknown, text] = await Promise.all([
      runCli(['idcard', 'red', ...d]),
      runCli(['idcard', 'unknown', ...d]),
      runCli(['residents', ...d]),
    ]);
    for (const run of [list, red, unknown, text]) expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as {
      keyword: string;
      maskedName: string;
      maskedId: string;
      skm: string;
      lists: string[];
    }[];
    expect(rows.map((r) => r.keyword)).toEqual([...DEMO_RESIDENT_KEYWORDS]);
    for (const row of rows) {
      expect(isMaskedName(row.maskedName), row.keyword).toBe(true);
      expect(isMaskedIdNumber(row.maskedId), row.keyword).toBe(true);
    }
    const byKeyword = Object.fromEntries(rows.map((r) => [r.keyword, r]));
    expect(byKeyword.green.skm).toBe('green');
    expect(byKeyword.red.skm).toBe('red');
    expect(byKeyword.yellow.skm).toBe('yellow');
    expect(byKeyword['no-skm'].skm).toBe('none');
    expect(byKeyword.stale.skm).toBe('green (stale)');
    expect(byKeyword['control-list'].lists).toEqual(['control']);
    expect(byKeyword['red-list'].lists).toEqual(['red-code']);

    const card = JSON.parse(red.stdout) as { cardType: string; name: string; idNumber: string };
    expect(card.cardType).toBe('resident');
    expect(isValidIdNumber(card.idNumber)).toBe(true);
    expect(maskName(card.name)).toBe(byKeyword.red.maskedName);
    expect(maskIdNumber(card.idNumber)).toBe(byKeyword.red.maskedId);
    // The listing shows identities masked only.
    expect(text.stdout).toContain(byKeyword.red.maskedId);
    expect(text.stdout).not.toContain(card.idNumber);
    expect(text.stdout).not.toContain(card.name);
    const stranger = JSON.parse(unknown.stdout) as { name: string; idNumber: string };
    expect(isValidIdNumber(stranger.idNumber)).toBe(true);
    expect(stranger.idNumber).not.toBe(card.idNumber);
  });

  it('issue prints a pass code and --png writes a QR code PNG whose modules carry exactly that code', async () => {
    const png = join(root, 'green.png');
    const run = await runCli(['issue', 'green', '--png', png, '--json', '--dir', offlineDir]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { keyword: string; code: string; png: string };
    expect(out.code).toMatch(/^PGC1\.[A-Za-z0-9_-]+$/);
    expect(out.png).toBe(png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const image = PNG.sync.read(bytes);
    expect(image.width).toBe(image.height);
    // Compare every module with zint's own matrix of the same text: 4-module quiet zone around.
    const modules = zintMatrix('QRCODE', out.code);
    const n = modules.length;
    const px = image.width / (n + 8);
    expect(Number.isInteger(px)).toBe(true);
    let mismatches = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const at = ((y + 4) * px + px / 2) * image.width + (x + 4) * px + px / 2;
        const dark = image.data[Math.floor(at) * 4] < 128;
        if (dark !== modules[y][x]) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('issue --png without zint on PATH fails with exit 3 and names the zint package', async () => {
    const run = await runCli(['issue', 'green', '--png', join(root, 'never.png'), '--dir', offlineDir], {
      env: { ...process.env, PATH: join(root, 'empty-path') },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/Debian package zint/);
    expect(run.stdout).toBe(''); // no code printed when the PNG was asked for and failed
    expect(existsSync(join(root, 'never.png'))).toBe(false);
  });

  it('register-device and vendor edit state.json when no mock runs', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main([...argv, '--dir', offlineDir], {
        io: {
          stdout: (l) => out.push(l),
          stderr: (l) => err.push(l),
          untilStopped: () => new Promise(() => undefined),
        },
        crypto,
      });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    };
    const key = crypto.sm2GenerateKeyPair();
    const reg = await run('register-device', 'WX-OFFLINE-1', key.publicKey.toString('hex'), '--json');
    expect(reg.code, reg.stderr).toBe(0);
    expect(JSON.parse(reg.stdout)).toEqual({
      deviceId: 'WX-OFFLINE-1',
      vendorId: 'vendor-demo',
      via: 'state-file',
      replaced: false,
    });
    // Refusals name what was refused (they said "refused: BAD_REQUEST").
    const offCurve = `04${'11'.repeat(64)}`;
    const refused = await run('register-device', 'WX-OFFLINE-2', offCurve);
    expect([refused.code, refused.stderr]).toEqual([3, expect.stringMatching(/not a point on the SM2 curve/)]);
    const unknownVendor = await run(
      'register-device',
      'WX-OFFLINE-2',
      key.publicKey.toString('hex'),
      '--vendor',
      'nope',
    );
    expect(unknownVendor.stderr).toMatch(/refused: unknown vendor nope/);
    const suspend = await run('vendor', 'suspend', 'vendor-demo', '--json');
    expect(suspend.code, suspend.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(offlineDir, 'state.json'), 'utf8'));
    expect(state.registry.devices).toContainEqual({
      deviceId: 'WX-OFFLINE-1',
      publicKey: key.publicKey.toString('hex'),
      vendorId: 'vendor-demo',
    });
    expect(state.registry.vendors.find((v: { id: string }) => v.id === 'vendor-demo').status).toBe('suspended');
    expect((await run('vendor', 'approve', 'no-such-vendor')).code).toBe(3);
    // Usage errors are caught before anything is touched.
    expect((await run('issue', 'purple')).code).toBe(2);
    expect((await run('issue', 'green', '--ttl-ms', 'soon')).code).toBe(2);
    expect((await run('register-device', 'bad id!', key.publicKey.toString('hex'))).code).toBe(2);
    expect((await run('register-device', 'WX-OFFLINE-2', 'abcd')).code).toBe(2);
  });
});

describe('passgate-mock serve and the commands that drive it', { timeout: CHILD_TEST_MS }, () => {
  it('serves HTTPS, takes registrations, vendor status, faults and token expiry, and stops cleanly on SIGTERM', async () => {
    const dir = join(root, 'served');
    const d = ['--dir', dir];
    const serve = spawnCli(['serve', '--json', ...d]);
    let client: PortalClient | undefined;
    try {
      const info = JSON.parse(await serve.firstLine) as {
        url: string;
        caPath: string;
        portalPublicKey: string;
        adminTokenFile: string;
      };
      expect(info.url).toMatch(/^https:\/\/localhost:\d+$/);
      expect(readFileSync(join(dir, 'url'), 'utf8').trim()).toBe(info.url);
      const adminToken = readFileSync(info.adminTokenFile, 'utf8').trim();
      expect(serve.child.stdout.readableLength).toBe(0);

      const key = crypto.sm2GenerateKeyPair();
      const [vendors, reg, green, expired] = await Promise.all([
        runCli(['vendors', '--json', '--secrets', ...d]),
        runCli(['register-device', 'WX-CLI-0001', key.publicKey.toString('hex'), '--json', ...d]),
        runCli(['issue', 'green', ...d]),
        runCli(['issue', 'expired', ...d]),
      ]);
      const vendor = (JSON.parse(vendors.stdout) as { id: string; appId: string; appSecret: string }[]).find(
        (v) => v.id === 'vendor-demo',
      )!;
      expect(reg.code, reg.stderr).toBe(0);
      expect(JSON.parse(reg.stdout).via).toBe('admin-api');
      const greenCode = green.stdout.trim();

      // The deadlines are not under test here: generous, so a loaded machine cannot turn the
      // verdicts these steps look for into timeouts.
      const timeouts = timeoutTable({ verifyDeadlineMs: 20_000, adminDeadlineMs: 20_000 });
      const caPem = readFileSync(info.caPath, 'utf8');
      const newClient = () =>
        new PortalClient({
          transport: createPortalTransport({ url: info.url, caPem, timeouts }),
          crypto,
          identity: {
            deviceId: 'WX-CLI-0001',
            privateKey: key.privateKey,
            appId: vendor.appId,
            appSecret: vendor.appSecret,
          },
          portalPublicKey: Buffer.from(info.portalPublicKey, 'hex'),
          timeouts,
          onEvent: (e) => {
            if (e.type === 'authorized') authorizations++;
          },
        });
      let authorizations = 0;
      client = newClient();
      await client.authorize();
      await client.bind(demoVenues()[0].venueCode);
      expect((await client.verifyPassCode(greenCode)).opinion).toBe('PASS');
      expect((await client.verifyPassCode(expired.stdout.trim())).opinion).toBe('SHOW_CODE');

      // Vendor status applies at once to the running mock.
      expect((await runCli(['vendor', 'suspend', 'vendor-demo', ...d])).code).toBe(0);
      const suspended = newClient();
      expect((await rejection(suspended.authorize())).code).toBe('portal.vendor-suspended');
      expect((await runCli(['vendor', 'approve', 'vendor-demo', ...d])).code).toBe(0);
      await suspended.authorize();
      await suspended.close();

      // Faults set through the CLI reach the client; clearing them recovers it.
      const set = await runCli(['faults', 'set', '{"httpStatus":503,"paths":["/passgate/v1/verify/pass-code"]}', ...d]);
      expect(set.code, set.stderr).toBe(0);
      const [show, refused] = await Promise.all([
        runCli(['faults', 'show', ...d]),
        rejection(client.verifyPassCode(greenCode)),
      ]);
      expect(JSON.parse(show.stdout)).toMatchObject({ httpStatus: 503, paths: ['/passgate/v1/verify/pass-code'] });
      expect(refused.code).toBe('portal.unreachable');
      expect(JSON.parse((await runCli(['faults', 'clear', ...d])).stdout).httpStatus).toBeNull();
      expect((await client.verifyPassCode(greenCode)).opinion).toBe('PASS');

      // expire-tokens: the next verification re-authorizes once, transparently. A second serve
      // for the same dir is refused meanwhile.
      const [expire, second] = await Promise.all([runCli(['expire-tokens', ...d]), runCli(['serve', ...d])]);
      expect(expire.code).toBe(0);
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/already runs/);
      const authorizedBefore = authorizations;
      expect((await client.verifyPassCode(greenCode)).opinion).toBe('PASS');
      expect(authorizations - authorizedBefore).toBe(1);
      const stats = JSON.parse((await runCli(['stats', ...d])).stdout);
      expect(stats.byPath['/passgate/v1/verify/pass-code']).toBeGreaterThanOrEqual(5);

      await client.close();
      client = undefined;

      // Stops at once, not after open connections time out. Measured without the time either
      // process waited for a CPU (support/cpu-wait.ts), so a loaded machine passes too.
      const stopping = startStopwatch();
      stopping.watch(serve.child.pid!);
      serve.child.kill('SIGTERM');
      const end = await serve.exited;
      expect(stopping.activeMs()).toBeLessThan(2000);
      stopping.stop();
      expect(end.code).toBe(0);
      expect(end.stdout).not.toContain(adminToken);
      expect(end.stderr).not.toContain(adminToken);
      expect(existsSync(join(dir, 'url'))).toBe(false);
      expect(existsSync(join(dir, 'serve.pid'))).toBe(false);
      // With serve gone, fault commands fail (exit 3) instead of editing anything.
      expect((await runCli(['expire-tokens', ...d])).code).toBe(3);
    } finally {
      await client?.close();
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });
});
