// `passgate config`, `passgate decode`, usage and unknown commands, all through main(); and a
// running daemon applying a `config set` made by the CLI without a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { CONFIG_KEYS } from '../../../firmware/config/schema.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { zintPng } from '../../../scripts/lab/zint.js';
import {
  cli,
  type DaemonRig,
  expectBilingual,
  provisionGateDir,
  runMain,
  startDaemon,
  tempRoot,
} from '../../support/cli.js';
import { until } from '../../support/polling.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-misc-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

describe('passgate config through main()', () => {
  it('set, get and list; values typed', async () => {
    expect(await cli(dataDir, 'config', 'set', 'gate.showMs', '2500', 'gate.natPolicy', 'warn')).toEqual({
      code: 0,
      stdout: ['gate.showMs = 2500', 'gate.natPolicy = warn'],
      stderr: [],
    });
    expect((await cli(dataDir, 'config', 'get', 'gate.showMs')).stdout).toEqual(['2500']);
    expect(JSON.parse((await cli(dataDir, 'config', 'get', 'gate.showMs', '--json')).stdout[0])).toMatchObject({
      value: 2500,
      isDefault: false,
    });
    const list = await cli(dataDir, 'config', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toHaveLength(CONFIG_KEYS.length);
    expect(list.stdout).toContain('gate.natPolicy = warn');
    expect((await cli(dataDir, 'config', 'reset', 'gate.natPolicy')).code).toBe(0);
    expect((await cli(dataDir, 'config', 'get', 'gate.natPolicy')).stdout).toEqual(['deny']);
  });

  it('an invalid value: exit 3, names the key and the rule but not the value; nothing saved', async () => {
    expect((await cli(dataDir, 'config', 'set', 'gate.showMs', '2500')).code).toBe(0);
    const r = await cli(dataDir, 'config', 'set', 'gate.natPolicy', 'warn', 'gate.showMs', '17');
    expect(r.code).toBe(EXIT.invalidValue);
    expect(r.code).toBe(3);
    expect(r.stderr.join('\n')).toContain('gate.showMs');
    expect(r.stderr.join('\n')).toMatch(/[\u4e00-\u9fff]/);
    expect((await cli(dataDir, 'config', 'get', 'gate.natPolicy')).stdout).toEqual(['deny']); // all or nothing

    const secret = await cli(dataDir, 'config', 'set', 'vendor.appSecret', 'has a space');
    expect(secret.code).toBe(EXIT.usage); // provision owns it
    expect(secret.stderr.join('\n')).not.toContain('has a space');

    expect((await cli(dataDir, 'config', 'set', 'timeouts', '{"noSuchTimeout":5}')).code).toBe(3);
    expect((await cli(dataDir, 'config', 'set', 'timeouts', '{"bindModeMs":-1}')).code).toBe(3);
    expect((await cli(dataDir, 'config', 'set', 'timeouts', 'not json')).code).toBe(3);
    expect((await cli(dataDir, 'config', 'set', 'drivers.serial.enabled', 'maybe')).code).toBe(3);
  });

  it('an unknown key: exit 4, with the keys of that area as a hint', async () => {
    const r = await cli(dataDir, 'config', 'get', 'gate.showMS');
    expect(r.code).toBe(EXIT.unknownKey);
    expect(r.code).toBe(4);
    expect(r.stderr.join('\n')).toContain('gate.showMs'); // the hint
    expect((await cli(dataDir, 'config', 'set', 'nope.key', '1')).code).toBe(4);
    expect((await cli(dataDir, 'config', 'reset', 'gate.showMs', 'gate.nope')).code).toBe(4);
  });

  it('a config database that cannot be opened: exit 5 from any command, in both languages', async () => {
    const notADir = join(tmp.root, 'file');
    writeFileSync(notADir, 'a file where the data directory should be\n');
    for (const command of [
      ['config', 'list'],
      ['status', '--offline'],
      ['bind', 'wx-venue'],
    ]) {
      const r = await cli(notADir, ...command);
      expect(r.code, command.join(' ')).toBe(EXIT.storage);
      expect(r.code).toBe(5);
      expectBilingual(r);
    }
  });

  it('usage errors: exit 2', async () => {
    expect((await cli(dataDir, 'config')).code).toBe(EXIT.usage);
    expect((await cli(dataDir, 'config', 'set', 'gate.showMs')).code).toBe(2);
    expect((await cli(dataDir, 'config', 'frob')).code).toBe(2);
    expect((await cli(dataDir, 'config', 'list', '--verbose')).code).toBe(2);
  });
});

describe('a running daemon and passgate config set', () => {
  let fixture: PortalFixture;
  let rig: DaemonRig | null = null;
  beforeAll(async () => {
    fixture = await startPortalFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('applies `config set gate.showMs 500` without a restart', async () => {
    await provisionGateDir(fixture.mock, dataDir, { deviceId: 'WX-CONF-0001' });
    expect((await cli(dataDir, 'bind', demoVenues()[0].venueCode)).code).toBe(0);
    // A verdict would stay 30 s on the lights with the setting the daemon starts with.
    expect(
      (
        await cli(
          dataDir,
          'config',
          'set',
          'display.backend',
          'none',
          'gate.showMs',
          '30000',
          'timeouts',
          '{"configPollMs":50}',
        )
      ).code,
    ).toBe(0);
    // The gate's show timer runs on a fake clock: the test sees exactly how long a verdict shows.
    const clock = new FakeClock();
    const scanner = new MockSerialScanner('cli-test-scanner');
    rig = await startDaemon(dataDir, { inputs: [scanner], clock });
    const daemon = rig.daemon;
    await until(() => daemon.status().phase === 'idle', undefined, 'idle');

    expect((await cli(dataDir, 'config', 'set', 'gate.showMs', '500')).code).toBe(0);
    await until(
      () => rig!.logLines.some((l) => l.includes('"settings-applied"') && l.includes('gate.showMs')),
      undefined,
      'settings-applied',
    );

    const verdict = rig.nextVerdict();
    scanner.inject(fixture.mock.passCodeFor('green'));
    expect((await verdict).outcome).toBe('pass');
    expect(daemon.status().phase).toBe('showing');
    await clock.advance(499);
    expect(daemon.status().phase).toBe('showing');
    await clock.advance(1);
    expect(daemon.status().phase).toBe('idle'); // after the new 500 ms, not the 30 s it started with
  });
});

describe('passgate decode', () => {
  it('a zint QR code PNG: prints qr and the text, exit 0; --json', async () => {
    const png = zintPng('QRCODE', 'PASSGATE-CLI-DECODE-0001', join(tmp.root, 'code.png'), { scale: 3 });
    const r = await runMain(['decode', png]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toEqual([`${png}: 识别到 / found qr "PASSGATE-CLI-DECODE-0001"`]);
    const json = await runMain(['decode', '--json', png]);
    expect(json.code).toBe(0);
    expect(json.stdout.map((l) => JSON.parse(l))).toEqual([
      { file: png, symbols: [{ format: 'qr', text: 'PASSGATE-CLI-DECODE-0001' }] },
    ]);
    // --data-dir (whose value decode has no use for) is an option, not an image; without its value, exit 2.
    for (const argv of [
      ['decode', '--data-dir', join(tmp.root, 'gate'), png],
      ['--data-dir', join(tmp.root, 'gate'), 'decode', png],
      ['decode', png, `--data-dir=${join(tmp.root, 'gate')}`],
    ]) {
      const withDir = await runMain(argv);
      expect(withDir.code, argv.join(' ')).toBe(EXIT.ok);
      expect(withDir.stdout).toHaveLength(1);
      expect(withDir.stdout[0]).toMatch(new RegExp(`^${png}: `));
    }
    const noValue = await runMain(['decode', png, '--data-dir']);
    expect(noValue.code).toBe(EXIT.usage);
    expect(noValue.stderr.slice(0, 2)).toEqual(['错误: --data-dir 需要一个值', 'error: --data-dir needs a value']);
  });

  it('a file that is not an image: exit 7; a missing file: exit 7; no file or an unknown option: exit 2', async () => {
    const notImage = join(tmp.root, 'notes.txt');
    writeFileSync(notImage, 'just some text, not a picture\n');
    const r = await runMain(['decode', notImage]);
    expect(r.code).toBe(EXIT.imageUnreadable);
    expect(r.code).toBe(7);
    expect(r.stdout[0]).toContain('unreadable image');
    const json = await runMain(['decode', '--json', notImage]);
    expect(json.code).toBe(7);
    expect(JSON.parse(json.stdout[0])).toMatchObject({
      file: notImage,
      symbols: [],
      error: { code: 'decode.image-unreadable' },
    });
    expect((await runMain(['decode', join(tmp.root, 'missing.png')])).code).toBe(7);
    const none = await runMain(['decode']);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr.join('\n')).toContain('usage: passgate decode');
    expect(none.stderr.slice(0, 2)).toEqual(['错误: 没有指定图像文件', 'error: no image file given']);
    const unknown = await runMain(['decode', '--frobnicate', notImage]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr[1]).toContain('unknown option: --frobnicate');
    expect(unknown.stdout).toEqual([]);
  });

  it('an image without a code: exit 6', async () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    const path = join(tmp.root, 'blank.png');
    writeFileSync(path, PNG.sync.write(blank));
    const r = await runMain(['decode', path]);
    expect(r.code).toBe(EXIT.noSymbol);
    expect(r.code).toBe(6);
    expect(r.stdout).toEqual([`${path}: 未找到码 / no symbol found`]);
  });
});

describe('usage', () => {
  it('--help and help: usage on stdout, exit 0', async () => {
    for (const argv of [['--help'], ['help']]) {
      const r = await runMain(argv);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout[0]).toMatch(/^用法 \/ usage: passgate <命令 command>/);
      expect(r.stdout.join('\n')).toContain('provision');
      expect(r.stderr).toEqual([]);
    }
  });

  it('no command: usage on stderr, exit 2', async () => {
    const r = await runMain([]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual(['错误: 缺少命令', 'error: no command given']);
    expect(r.stderr[2]).toMatch(/^用法 \/ usage: passgate/);
    expect(r.stdout).toEqual([]);
  });

  it('an unknown command: exit 2, named in both languages, usage follows', async () => {
    const r = await cli(dataDir, 'frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.code).toBe(2);
    expect(r.stderr.slice(0, 2)).toEqual(['错误: 未知命令: frobnicate', 'error: unknown command: frobnicate']);
    expect(r.stderr.some((l) => l.startsWith('用法 / usage: passgate'))).toBe(true);
  });

  it('--data-dir without a directory: exit 2; $PASSGATE_DATA_DIR is used when no --data-dir', async () => {
    const r = await runMain(['status', '--data-dir']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr[0]).toContain('--data-dir');
    expect((await runMain(['config', 'set', 'gate.showMs', '1234'], { PASSGATE_DATA_DIR: dataDir })).code).toBe(0);
    expect((await cli(dataDir, 'config', 'get', 'gate.showMs')).stdout).toEqual(['1234']);
  });
});
