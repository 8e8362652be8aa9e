// `passgate provision`: run by the vendor when flashing. Sets the identity code, portal URL and
// key, the CA to pin and the vendor app credentials; generates the device's SM2 key pair on the
// device (private key in a 0600 file, never printed) and prints the public key to register.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writePrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { ConfigValues } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { isPassgateError } from '../core/errors.js';
import { unboundSettings } from '../daemon/binding-settings.js';
import { deviceKeyPath, isProvisioned } from '../daemon/device-identity.js';
import { problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { failureMessage, reportFailure, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { PROVISION_USAGE } from './usages.js';

export { PROVISION_USAGE };

/** The options of provision (the README's command table is checked against these). */
export const OPTIONS = {
  values: ['device-id', 'portal-url', 'portal-public-key', 'ca-file', 'app-id', 'app-secret', 'app-secret-file'],
  flags: ['force', 'json', 'allow-insecure-http'],
  positionals: 0,
};

export async function runProvisionCommand(
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  const read = readCommandArgs(args, OPTIONS, PROVISION_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const v = parsed.values;
  const missing = ['device-id', 'portal-url', 'portal-public-key', 'app-id'].filter((k) => !v[k]);
  if (!v['app-secret'] && !v['app-secret-file']) missing.push('app-secret');
  if (missing.length > 0) {
    const names = missing.map((m) => `--${m}`).join(' ');
    return usageError(
      out,
      PROVISION_USAGE,
      problem('usage.missing-argument', `缺少参数: ${names}`, `missing: ${names}`),
    );
  }
  const keyPath = deviceKeyPath(dataDir);
  if (!parsed.flags.has('force') && (isProvisioned(store) || existsSync(keyPath))) {
    return reportFailure(out, 'config.already-provisioned');
  }
  let url: URL;
  try {
    url = new URL(v['portal-url']);
  } catch {
    return reportMessage(out, 'config.invalid-value', {
      zh: '--portal-url 不是有效的地址',
      en: '--portal-url is not a URL',
    });
  }
  const insecureAllowed = parsed.flags.has('allow-insecure-http');
  if (url.protocol === 'http:' && !insecureAllowed) return reportFailure(out, 'portal.insecure-url');
  let reading = ''; // the option whose file is being read, for the error message
  try {
    reading = 'ca-file';
    const caPem = v['ca-file'] ? await readFile(v['ca-file'], 'utf8') : '';
    reading = 'app-secret-file';
    const appSecret = v['app-secret'] ?? (await readFile(v['app-secret-file'], 'utf8')).trim();
    reading = '';
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
      // A new identity starts unbound: the portal knows nothing of a binding for this key yet.
      ...unboundSettings(),
    };
    const pair = crypto.sm2GenerateKeyPair();
    store.setMany(settings); // validates all values; throws before the key is written
    await writePrivateKeyFile(keyPath, pair.privateKey);
    pair.privateKey.fill(0);
    const publicKey = pair.publicKey.toString('hex');
    if (parsed.flags.has('json')) {
      out.stdout(JSON.stringify({ deviceId: v['device-id'], publicKey }));
    } else {
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
