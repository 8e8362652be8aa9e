// `passgate provision`: run by the vendor when flashing. Sets the identity code, portal URL and
// key, the CA to pin and the vendor app credentials; generates the device's SM2 key pair on the
// device (private key in a 0600 file, never printed) and prints the public key to register.
//
// Every input is checked before anything is written, so a typo leaves the device as it was: the
// portal key must be a point on the SM2 curve (a wrong one would only show at `bind`, as if the
// device key were at fault), the CA file a PEM certificate. The vendor secret comes from a file
// or stdin, never the command line, where the process list would show it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writePrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import { isValidSm2Point } from '../../portal-client/crypto/sm2-curve.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { ConfigValues } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { pemOrEmpty } from '../config/text-values.js';
import { isPassgateError, PassgateError } from '../core/errors.js';
import { unboundSettings } from '../daemon/binding-settings.js';
import { deviceKeyPath, isProvisioned } from '../daemon/device-identity.js';
import { readReleasePublicKey } from '../update/release-key.js';
import { problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { failureMessage, reportFailure, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { PROVISION_USAGE } from './usages.js';

export { PROVISION_USAGE };

/** The options of provision (the README's command table is checked against these). */
export const OPTIONS = {
  values: [
    'device-id',
    'portal-url',
    'portal-public-key',
    'ca-file',
    'app-id',
    'app-secret-file',
    'vendor-release-key',
  ],
  flags: ['force', 'json', 'allow-insecure-http'],
  positionals: 0,
};

/** What `--force` throws away, as it tells the vendor. */
export const FORCE_CLEARS = [
  { zh: '设备密钥', en: 'the device key' },
  { zh: '场所绑定', en: 'the venue binding' },
  { zh: '门户会话', en: 'the portal session' },
] as const;

/** `--app-secret VALUE` (before `--`): the secret would be in the process list. */
function hasAppSecretOption(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--app-secret' || a.startsWith('--app-secret='));
}

/** A value that breaks its rule: two lines, Chinese and English, exit 3. */
function invalid(out: CommandOutput, zh: string, en: string): number {
  return reportMessage(out, 'config.invalid-value', { zh, en }, EXIT.invalidValue);
}

/** The reason the portal key cannot be used, or undefined. */
function portalKeyProblem(hex: string): { zh: string; en: string } | undefined {
  if (!/^04[0-9a-f]{128}$/i.test(hex)) {
    return {
      zh: '--portal-public-key 必须是以 04 开头的 130 位十六进制数',
      en: '--portal-public-key must be 130 hex digits starting 04 (portal.publicKey)',
    };
  }
  if (!isValidSm2Point(Buffer.from(hex, 'hex'))) {
    return {
      zh: '--portal-public-key 不是 SM2 曲线上的点，请向门户平台核对其公钥',
      en: "--portal-public-key is not a point on the SM2 curve: check the portal's public key",
    };
  }
  return undefined;
}

export async function runProvisionCommand(
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  if (hasAppSecretOption(args)) {
    return usageError(
      out,
      PROVISION_USAGE,
      problem(
        'usage.unknown-option',
        '--app-secret 已取消（进程列表会显示密钥），请用 --app-secret-file F（- 表示标准输入）',
        '--app-secret was removed (the process list shows it): use --app-secret-file F (- reads stdin)',
      ),
    );
  }
  const read = readCommandArgs(args, OPTIONS, PROVISION_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const v = parsed.values;
  const missing = ['device-id', 'portal-url', 'portal-public-key', 'app-id', 'app-secret-file'].filter((k) => !v[k]);
  if (missing.length > 0) {
    const names = missing.map((m) => `--${m}`).join(' ');
    return usageError(
      out,
      PROVISION_USAGE,
      problem('usage.missing-argument', `缺少参数: ${names}`, `missing: ${names}`),
    );
  }
  const keyPath = deviceKeyPath(dataDir);
  const replacing = isProvisioned(store) || existsSync(keyPath);
  if (!parsed.flags.has('force') && replacing) return reportFailure(out, 'config.already-provisioned');
  let url: URL;
  try {
    url = new URL(v['portal-url']);
  } catch {
    return invalid(out, '--portal-url 不是有效的网址', '--portal-url is not a URL');
  }
  const insecureAllowed = parsed.flags.has('allow-insecure-http');
  if (url.protocol === 'http:' && !insecureAllowed) return reportFailure(out, 'portal.insecure-url');
  const keyProblem = portalKeyProblem(v['portal-public-key']);
  if (keyProblem) return invalid(out, keyProblem.zh, keyProblem.en);
  let reading = ''; // the option whose file is being read, for the error message
  try {
    reading = 'ca-file';
    const caPem = v['ca-file'] ? await readFile(v['ca-file'], 'utf8') : '';
    if (v['ca-file'] && pemOrEmpty(caPem) !== undefined) {
      return invalid(
        out,
        `--ca-file ${v['ca-file']} 不是 PEM 证书（应含 -----BEGIN CERTIFICATE-----）`,
        `--ca-file ${v['ca-file']} is not a PEM certificate (-----BEGIN CERTIFICATE----- …)`,
      );
    }
    reading = 'app-secret-file';
    const appSecret = (await readSecret(v['app-secret-file'], out)).trim();
    reading = 'vendor-release-key';
    const releaseKey = v['vendor-release-key'] ? await releasePublicKeyHex(v['vendor-release-key']) : '';
    reading = '';
    if (appSecret === '') {
      return invalid(out, '厂商密钥为空（--app-secret-file）', 'the vendor app secret is empty (--app-secret-file)');
    }
    // Validate everything before generating a key, so a typo leaves the device as it was.
    const settings: Partial<ConfigValues> = {
      'identity.deviceId': v['device-id'],
      'identity.provisionedAt': new Date().toISOString(),
      'portal.url': v['portal-url'],
      'portal.publicKey': v['portal-public-key'].toLowerCase(),
      'portal.caPem': caPem,
      'portal.allowInsecureHttp': insecureAllowed,
      'vendor.appId': v['app-id'],
      'vendor.appSecret': appSecret,
      'vendor.releasePublicKey': releaseKey,
      // A new identity starts unbound: the portal knows nothing of a binding for this key yet.
      ...unboundSettings(),
    };
    const pair = crypto.sm2GenerateKeyPair();
    store.setMany(settings); // validates all values; throws before the key is written
    await writePrivateKeyFile(keyPath, pair.privateKey);
    pair.privateKey.fill(0);
    const publicKey = pair.publicKey.toString('hex');
    if (parsed.flags.has('json')) {
      const cleared = replacing ? { cleared: FORCE_CLEARS.map((c) => c.en.replace(/^the /, '')) } : {};
      out.stdout(JSON.stringify({ deviceId: v['device-id'], publicKey, ...cleared }));
    } else {
      if (replacing) {
        out.stdout(
          `已清除旧身份 / cleared the old identity: ${FORCE_CLEARS.map((c) => c.zh).join('、')} / ${FORCE_CLEARS.map((c) => c.en).join(', ')}`,
        );
        out.stdout(
          '新公钥须在门户平台登记，然后重新绑定场所 / the new public key must be registered at the portal, then bind the venue again',
        );
      }
      out.stdout(`设备身份码 / device identity code: ${v['device-id']}`);
      out.stdout(`设备公钥（请在门户平台登记）/ device public key (register it at the portal):`);
      out.stdout(publicKey);
    }
    return EXIT.ok;
  } catch (error) {
    if (isPassgateError(error)) return reportMessage(out, error.code, failureMessage(error.code, error.message));
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    const what = reading ? `--${reading} ${v[reading]}` : '';
    return reportMessage(
      out,
      'usage.invalid-argument',
      {
        zh: `无法读取文件 ${what}（${code}）`,
        en: `cannot read ${what || 'a file given on the command line'} (${code})`,
      },
      EXIT.usage,
    );
  }
}

/** The secret from its file, or from stdin for `-`. */
async function readSecret(file: string, out: CommandOutput): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  if (!out.readStdin) throw Object.assign(new Error('no standard input'), { code: 'ENOSTDIN' });
  return out.readStdin();
}

/** The release key PEM as the config stores it; a file that is no SM2 public key is an invalid value. */
async function releasePublicKeyHex(pemPath: string): Promise<string> {
  try {
    return (await readReleasePublicKey(pemPath)).toString('hex');
  } catch (error) {
    if (!isPassgateError(error)) throw error;
    throw new PassgateError('config.invalid-value', `--vendor-release-key ${pemPath}: ${error.message}`);
  }
}
