// `passgate provision` through main(): the vendor's flashing step.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { deviceKeyPath } from '../../../firmware/daemon/device-identity.js';
import { readPrivateKeyFile } from '../../../portal-client/crypto/key-file.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { allText, cli, expectBilingual, runMain, runMainWith, tempRoot } from '../../support/cli.js';

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
let secretFile: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-prov-');
  dataDir = join(tmp.root, 'gate');
  secretFile = join(tmp.root, 'app-secret');
  writeFileSync(secretFile, `${fixture.mock.vendor.appSecret}\n`, { mode: 0o600 });
});
afterEach(() => tmp.remove());

function baseArgs(overrides: Record<string, string | null> = {}): string[] {
  const { mock } = fixture;
  const values: Record<string, string | null> = {
    '--device-id': 'WX-PROV-0001',
    '--portal-url': mock.url,
    '--portal-public-key': mock.portalPublicKey.toString('hex'),
    '--app-id': mock.vendor.appId,
    '--app-secret-file': secretFile,
    '--ca-file': mock.caPath,
    ...overrides,
  };
  return Object.entries(values).flatMap(([k, v]) => (v === null ? [] : [k, v]));
}

/** Every textual form of a private key that could leak. */
function keyForms(key: Buffer): string[] {
  return [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url')];
}

describe('passgate provision', () => {
  it('generates the key, prints only the public key, and stores the identity', async () => {
    const r = await cli(dataDir, 'provision', ...baseArgs());
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toEqual([]);
    const publicKeyLine = r.stdout.find((l) => /^04[0-9a-f]{128}$/.test(l));
    expect(publicKeyLine).toBeDefined();
    expect(r.stdout.join('\n')).toContain('WX-PROV-0001');

    const keyPath = deviceKeyPath(dataDir);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const privateKey = await readPrivateKeyFile(keyPath);
    // The printed public key belongs to the private key on disk.
    expect(crypto.sm2PublicKeyOf(privateKey).toString('hex')).toBe(publicKeyLine);

    const list = await cli(dataDir, 'config', 'list');
    const listJson = await cli(dataDir, 'config', 'list', '--json');
    const secretGet = await cli(dataDir, 'config', 'get', 'vendor.appSecret');
    expect(list.stdout).toContain('vendor.appSecret = (set)');
    expect(secretGet.stdout).toEqual(['(set)']);
    expect(list.stdout).toContain('identity.deviceId = WX-PROV-0001');
    expect(list.stdout).toContain(`portal.url = ${fixture.mock.url}`);
    const entries = JSON.parse(listJson.stdout[0]) as Array<{ key: string; value: unknown }>;
    expect(entries.find((e) => e.key === 'portal.publicKey')?.value).toBe(fixture.mock.portalPublicKey.toString('hex'));
    expect(entries.find((e) => e.key === 'vendor.appSecret')?.value).toBe('(set)');

    // The private key is in no output line and no config value, in any encoding; nor is the secret.
    const everything = [allText(r), allText(list), allText(listJson), allText(secretGet)].join('\n');
    for (const form of keyForms(privateKey)) expect(everything).not.toContain(form);
    expect(everything).not.toContain(fixture.mock.vendor.appSecret);
    // Nor in the config database itself (or its journal), in any encoding.
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('passgate.db'))) {
      const bytes = readFileSync(join(dataDir, file));
      expect(bytes.includes(privateKey)).toBe(false);
      for (const form of keyForms(privateKey)) expect(bytes.toString('latin1')).not.toContain(form);
    }
  });

  it('--json prints the device id and public key as one object', async () => {
    const r = await cli(dataDir, 'provision', '--json', ...baseArgs());
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toHaveLength(1);
    const printed = JSON.parse(r.stdout[0]) as Record<string, string>;
    expect(Object.keys(printed).sort()).toEqual(['deviceId', 'publicKey']);
    expect(printed.deviceId).toBe('WX-PROV-0001');
    const privateKey = await readPrivateKeyFile(deviceKeyPath(dataDir));
    expect(crypto.sm2PublicKeyOf(privateKey).toString('hex')).toBe(printed.publicKey);
  });

  it('refuses to replace an identity without --force (exit 20), and replaces it with --force', async () => {
    expect((await cli(dataDir, 'provision', ...baseArgs())).code).toBe(EXIT.ok);
    const firstKey = await readPrivateKeyFile(deviceKeyPath(dataDir));

    const refused = await cli(dataDir, 'provision', ...baseArgs({ '--device-id': 'WX-PROV-0002' }));
    expect(refused.code).toBe(EXIT.alreadyProvisioned);
    expect(refused.code).toBe(20);
    const { zh, en } = expectBilingual(refused);
    expect(zh).toContain('--force');
    expect(en).toContain('--force');
    expect((await readPrivateKeyFile(deviceKeyPath(dataDir))).equals(firstKey)).toBe(true);
    expect((await cli(dataDir, 'config', 'get', 'identity.deviceId')).stdout).toEqual(['WX-PROV-0001']);

    // Set a binding first: a new identity must start unbound.
    const store = ConfigStore.open(dataDir); // as a bind would: config set refuses binding.* keys
    store.setMany({
      'binding.venueCode': 'wx-old-venue',
      'binding.natValidityHours': 48,
      'binding.vaccinationDoses': 2,
    });
    store.close();
    const forced = await cli(dataDir, 'provision', '--force', ...baseArgs({ '--device-id': 'WX-PROV-0002' }));
    expect(forced.code).toBe(EXIT.ok);
    // It says what it threw away, and that the portal must learn the new key.
    const said = forced.stdout.join('\n');
    for (const what of ['device key', 'venue binding', 'portal session', '设备密钥', '场所绑定', '门户会话'])
      expect(said).toContain(what);
    expect(said).toContain('the new public key must be registered at the portal');
    expect(said).toContain('新公钥须在门户平台登记');
    const forcedJson = await cli(
      dataDir,
      'provision',
      '--force',
      '--json',
      ...baseArgs({ '--device-id': 'WX-PROV-0002' }),
    );
    expect(JSON.parse(forcedJson.stdout[0]).cleared).toEqual(['device key', 'venue binding', 'portal session']);
    const secondKey = await readPrivateKeyFile(deviceKeyPath(dataDir));
    expect(secondKey.equals(firstKey)).toBe(false);
    expect((await cli(dataDir, 'config', 'get', 'identity.deviceId')).stdout).toEqual(['WX-PROV-0002']);
    expect((await cli(dataDir, 'config', 'get', 'binding.venueCode')).stdout).toEqual(['']);
    expect((await cli(dataDir, 'config', 'get', 'binding.natValidityHours')).stdout).toEqual(['0']);
    expect((await cli(dataDir, 'config', 'get', 'binding.vaccinationDoses')).stdout).toEqual(['0']);
  });

  it('a key file left without config also counts as an identity', async () => {
    expect((await cli(dataDir, 'provision', ...baseArgs())).code).toBe(EXIT.ok);
    const store = ConfigStore.open(dataDir); // config reset refuses identity.* keys
    store.reset('identity.deviceId');
    store.close();
    expect((await cli(dataDir, 'provision', ...baseArgs())).code).toBe(EXIT.alreadyProvisioned);
  });

  it.each(['--device-id', '--portal-url', '--portal-public-key', '--app-id', '--app-secret-file'])(
    'without %s: usage error (exit 2), nothing written',
    async (option) => {
      const r = await cli(dataDir, 'provision', ...baseArgs({ [option]: null }));
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr[1]).toContain('missing');
      expect(r.stderr[1]).toContain(option);
      expect(r.stderr.some((l) => l.startsWith('用法 / usage: passgate provision'))).toBe(true);
      expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
      expect((await cli(dataDir, 'config', 'get', 'identity.deviceId')).stdout).toEqual(['']);
    },
  );

  it('an option without its value, or an unknown option: exit 2', async () => {
    // Followed by --data-dir (cli() appends it), and as the very last word.
    const noValue = await cli(dataDir, 'provision', ...baseArgs(), '--app-id');
    expect(noValue.code).toBe(EXIT.usage);
    expect(noValue.stderr[1]).toContain('--app-id needs a value');
    const last = await runMain(['--data-dir', dataDir, 'provision', ...baseArgs(), '--device-id']);
    expect(last.code).toBe(EXIT.usage);
    expect(last.stderr[1]).toContain('--device-id needs a value');
    expect((await cli(dataDir, 'provision', ...baseArgs(), '--frobnicate')).code).toBe(EXIT.usage);
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
  });

  it('refuses an http:// portal URL unless --allow-insecure-http', async () => {
    const httpUrl = fixture.mock.url.replace(/^https:/, 'http:');
    const refused = await cli(dataDir, 'provision', ...baseArgs({ '--portal-url': httpUrl, '--ca-file': null }));
    expect(refused.code).toBe(EXIT.usage);
    const { zh, en } = expectBilingual(refused);
    expect(zh).toContain('https');
    expect(en).toContain('--allow-insecure-http');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);

    const allowed = await cli(
      dataDir,
      'provision',
      '--allow-insecure-http',
      ...baseArgs({ '--portal-url': httpUrl, '--ca-file': null }),
    );
    expect(allowed.code).toBe(EXIT.ok);
    expect((await cli(dataDir, 'config', 'get', 'portal.allowInsecureHttp')).stdout).toEqual(['true']);
  });

  it('a URL that is not a URL, or a malformed portal key: invalid value (exit 3) and no key generated', async () => {
    const notUrl = await cli(dataDir, 'provision', ...baseArgs({ '--portal-url': 'portal.example' }));
    expect(notUrl.code).toBe(EXIT.invalidValue);
    expect(notUrl.stderr.join('\n')).toContain('--portal-url');
    const badKey = await cli(dataDir, 'provision', ...baseArgs({ '--portal-public-key': '04abcd' }));
    expect(badKey.code).toBe(EXIT.invalidValue);
    expect(badKey.stderr.join('\n')).toContain('portal.publicKey');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
  });

  it('--ca-file naming a missing file: a clear error naming the option, nothing written', async () => {
    const missing = join(tmp.root, 'no-such-ca.pem');
    const r = await cli(dataDir, 'provision', ...baseArgs({ '--ca-file': missing }));
    expect(r.code).toBe(EXIT.usage);
    const text = r.stderr.join('\n');
    expect(text).toContain('--ca-file');
    expect(text).toContain('ENOENT');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
    expect((await cli(dataDir, 'config', 'get', 'identity.deviceId')).stdout).toEqual(['']);
  });

  it('--ca-file that is not PEM: invalid value (exit 3), nothing written', async () => {
    const notPem = join(tmp.root, 'ca.txt');
    writeFileSync(notPem, 'this is not a certificate\n');
    const r = await cli(dataDir, 'provision', ...baseArgs({ '--ca-file': notPem }));
    expect(r.code).toBe(EXIT.invalidValue);
    expect(expectBilingual(r).en).toContain('not a PEM certificate');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
  });

  it('--ca-file holding a PNG: "not a PEM certificate" in both languages (exit 3), nothing written', async () => {
    const png = join(tmp.root, 'ca.png');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'));
    const r = await cli(dataDir, 'provision', ...baseArgs({ '--ca-file': png }));
    expect(r.code).toBe(EXIT.invalidValue);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('不是 PEM 证书');
    expect(en).toContain(`--ca-file ${png} is not a PEM certificate`);
    expect(allText(r)).not.toContain('control characters');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
    expect((await cli(dataDir, 'config', 'get', 'identity.deviceId')).stdout).toEqual(['']);
  });

  it('a portal key that is not a point on the SM2 curve: invalid value (exit 3), no key generated', async () => {
    const offCurve = Buffer.from(fixture.mock.portalPublicKey);
    offCurve[64] ^= 0x01; // y changed: x, y still below p, the point off the curve
    const r = await cli(dataDir, 'provision', ...baseArgs({ '--portal-public-key': offCurve.toString('hex') }));
    expect(r.code).toBe(EXIT.invalidValue);
    const { zh, en } = expectBilingual(r);
    expect(zh).toContain('SM2 曲线');
    expect(en).toContain('--portal-public-key is not a point on the SM2 curve');
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
    expect((await cli(dataDir, 'config', 'get', 'portal.publicKey')).stdout).toEqual(['']);
  });

  it('--app-secret VALUE is refused (the process list would show it), naming --app-secret-file', async () => {
    const r = await cli(
      dataDir,
      'provision',
      ...baseArgs({ '--app-secret-file': null }),
      '--app-secret',
      fixture.mock.vendor.appSecret,
    );
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr[1]).toContain('--app-secret-file');
    expect(r.stderr[1]).toContain('process list');
    expect(allText(r)).not.toContain(fixture.mock.vendor.appSecret);
    expect(existsSync(deviceKeyPath(dataDir))).toBe(false);
    const eq = await cli(dataDir, 'provision', ...baseArgs(), `--app-secret=${fixture.mock.vendor.appSecret}`);
    expect(eq.code).toBe(EXIT.usage);
    expect(eq.stderr[1]).toContain('--app-secret-file');
  });

  it('--app-secret-file - reads the secret from stdin', async () => {
    const r = await runMainWith(['provision', '--data-dir', dataDir, ...baseArgs({ '--app-secret-file': '-' })], {
      readStdin: async () => `${fixture.mock.vendor.appSecret}\n`,
    });
    expect(r.code).toBe(EXIT.ok);
    expect(allText(r)).not.toContain(fixture.mock.vendor.appSecret);
    const store = ConfigStore.open(dataDir);
    expect(store.get('vendor.appSecret')).toBe(fixture.mock.vendor.appSecret);
    store.close();
    const empty = await runMainWith(
      ['provision', '--force', '--data-dir', dataDir, ...baseArgs({ '--app-secret-file': '-' })],
      { readStdin: async () => '\n' },
    );
    expect(empty.code).toBe(EXIT.invalidValue);
    expect(expectBilingual(empty).en).toContain('empty');
  });

  it('--app-secret-file reads the secret from a file, and never prints it', async () => {
    const r = await cli(dataDir, 'provision', ...baseArgs());
    expect(r.code).toBe(EXIT.ok);
    expect(allText(r)).not.toContain(fixture.mock.vendor.appSecret);
    expect((await cli(dataDir, 'config', 'get', 'vendor.appSecret')).stdout).toEqual(['(set)']);
    const missing = await cli(
      dataDir,
      'provision',
      '--force',
      ...baseArgs({ '--app-secret-file': join(tmp.root, 'nope') }),
    );
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr.join('\n')).toContain('--app-secret-file');
  });
});
