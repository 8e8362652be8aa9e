// What `passgate-mock conformance` needs before its first check: the portal's address and key, a
// device's credentials and a venue. For a foreign portal the vendor gives them all; for the
// bundled mock, --dir gives the rest: its admin API registers a fresh device of the demo vendor,
// and its dataset names the vendors' app credentials and a venue.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateKeyFile } from '../../crypto/key-file.js';
import type { KitAdmin, KitDevice } from '../conformance/context.js';
import { DEMO_APPROVED_VENDOR, DEMO_SUSPENDED_VENDOR } from '../domain/demo-dataset.js';
import type { MockPortalState } from '../domain/portal-state.js';
import { parseState, STATE_FILE_NAME } from '../domain/state-file.js';
import { type ParsedArgs, UsageError } from './args.js';
import type { CommandContext } from './command.js';
import { CliFailure } from './io.js';
import { adminRequest, findRunningMock } from './running-mock.js';

export interface KitInputs {
  portalUrl: URL;
  caPem: string | null;
  portalPublicKey: Buffer;
  device: KitDevice;
  venueCode: string | null;
  admin: KitAdmin | null;
}

const DEVICE_OPTIONS = ['device-id', 'device-key', 'app-id', 'app-secret-file'] as const;

async function readText(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CliFailure(
      'mock.unreadable',
      `无法读取 ${what} ${path}（${code}）`,
      `cannot read ${what} ${path} (${code})`,
    );
  }
}

function publicKeyOption(args: ParsedArgs): Buffer | null {
  const hex = args.values.get('portal-public-key');
  if (hex === undefined) return null;
  if (!/^04[0-9a-fA-F]{128}$/.test(hex))
    throw new UsageError(
      'usage.invalid-argument',
      '--portal-public-key 必须是 04 加 128 位十六进制数字',
      '--portal-public-key must be 04 and 128 hex digits',
    );
  return Buffer.from(hex, 'hex');
}

/** The bundled mock's dataset, read (never seeded: the kit does not create a mock). */
async function mockState(dir: string, now: () => number): Promise<MockPortalState> {
  const text = await readText(join(dir, STATE_FILE_NAME), "the mock's dataset");
  return parseState(text, { now });
}

export async function kitInputs(args: ParsedArgs, ctx: CommandContext): Promise<KitInputs> {
  const portal = args.values.get('portal');
  if (!portal) throw new UsageError('usage.missing-argument', '需要 --portal URL', '--portal URL is required');
  let portalUrl: URL;
  try {
    portalUrl = new URL(portal);
  } catch {
    throw new UsageError('usage.invalid-argument', '--portal 必须是网址', '--portal must be a URL');
  }
  if (portalUrl.protocol === 'http:' && !args.flags.has('allow-http'))
    throw new UsageError(
      'usage.invalid-argument',
      '--portal 是明文 http://：需要 TLS（测试门户可加 --allow-http）',
      '--portal is plain http://: TLS is required (--allow-http for a test portal)',
    );
  if (portalUrl.protocol !== 'http:' && portalUrl.protocol !== 'https:')
    throw new UsageError('usage.invalid-argument', '--portal 必须是 https:// 网址', '--portal must be an https:// URL');

  const given = DEVICE_OPTIONS.filter((o) => args.values.has(o));
  if (given.length > 0 && given.length < DEVICE_OPTIONS.length) {
    const all = DEVICE_OPTIONS.map((o) => `--${o}`).join(' ');
    throw new UsageError('usage.missing-argument', `设备需要全部选项 ${all}`, `a device needs all of ${all}`);
  }
  const withMock = args.values.has('dir');
  if (!withMock && given.length === 0)
    throw new UsageError(
      'usage.missing-argument',
      '请给出已登记的设备（--device-id --device-key --app-id --app-secret-file）或 --dir',
      'give a registered device (--device-id --device-key --app-id --app-secret-file) or --dir',
    );

  const caFile = args.values.get('ca-file');
  let caPem = caFile ? await readText(caFile, 'the CA file') : null;
  let portalPublicKey = publicKeyOption(args);
  let admin: KitAdmin | null = null;
  let device: KitDevice | null = null;
  let venueCode = args.values.get('venue') ?? null;

  if (given.length > 0) {
    const deviceId = args.values.get('device-id')!;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(deviceId))
      throw new UsageError(
        'usage.invalid-argument',
        '--device-id 必须是 1 到 64 个 A-Z a-z 0-9 _ - 字符',
        '--device-id must be 1-64 of A-Z a-z 0-9 _ -',
      );
    device = {
      deviceId,
      privateKey: await readPrivateKeyFile(args.values.get('device-key')!),
      appId: args.values.get('app-id')!,
      appSecret: await readText(args.values.get('app-secret-file')!, 'the app secret file'),
    };
  }

  if (withMock) {
    const mock = await findRunningMock(ctx.dir, portalUrl.origin);
    if (!mock)
      throw new CliFailure('mock.not-running', `${ctx.dir} 没有模拟门户平台`, `no mock portal found for ${ctx.dir}`);
    caPem ??= mock.caPem;
    const state = await mockState(ctx.dir, ctx.now);
    const vendor = state.registry.getVendor(DEMO_APPROVED_VENDOR.id);
    if (!vendor)
      throw new CliFailure(
        'mock.not-found',
        `模拟数据集中没有厂商 ${DEMO_APPROVED_VENDOR.id}`,
        `the mock's dataset has no vendor ${DEMO_APPROVED_VENDOR.id}`,
      );
    const spare = state.registry.getVendor(DEMO_SUSPENDED_VENDOR.id);
    venueCode ??= state.registry.listVenues()[0]?.venueCode ?? null;
    if (!portalPublicKey) {
      const portalKey = await readPrivateKeyFile(join(ctx.dir, 'portal.key'));
      portalPublicKey = ctx.crypto.sm2PublicKeyOf(portalKey);
      portalKey.fill(0);
    }
    const ms = ctx.timeouts.adminRequestMs;
    admin = {
      async registerDevice(deviceId, publicKey, vendorId = vendor.id) {
        await adminRequest(mock, '/admin/devices', { deviceId, publicKey: publicKey.toString('hex'), vendorId }, ms);
      },
      async setVendorApproved(vendorId, approved) {
        await adminRequest(mock, `/admin/vendors/${approved ? 'approve' : 'suspend'}`, { vendorId }, ms);
      },
      async expireTokens() {
        await adminRequest(mock, '/admin/expire-tokens', {}, ms);
      },
      spareVendor: spare
        ? { id: spare.id, appId: spare.appId, appSecret: spare.appSecret, approved: spare.status === 'approved' }
        : null,
    };
    if (!device) {
      const key = ctx.crypto.sm2GenerateKeyPair();
      const deviceId = `PGCONF-KIT-${ctx.crypto.randomBytes(4).toString('hex')}`;
      await admin.registerDevice(deviceId, key.publicKey);
      device = { deviceId, privateKey: key.privateKey, appId: vendor.appId, appSecret: vendor.appSecret };
    }
  }
  if (!portalPublicKey)
    throw new UsageError(
      'usage.missing-argument',
      '需要 --portal-public-key HEX（serve 会输出）',
      '--portal-public-key HEX is required (serve prints it)',
    );
  if (!device) throw new UsageError('usage.missing-argument', '没有设备', 'no device');
  return { portalUrl, caPem, portalPublicKey, device, venueCode, admin };
}
