// Commands that change a mock: registrations and vendor status (through a running mock's admin
// API, or in DIR/state.json when none runs), and faults, token expiry and counters (running mock
// only). A running mock is the one `serve` recorded in DIR/url, or --url.
import { join } from 'node:path';
import { DEMO_APPROVED_VENDOR } from '../domain/demo-dataset.js';
import type { MockPortalState } from '../domain/portal-state.js';
import { isIdentifier, type PortalFailure } from '../domain/registry.js';
import { loadOrSeedState, STATE_FILE_NAME, saveState } from '../domain/state-file.js';
import { FAULT_PATHS, mergeFaults, NO_FAULTS } from '../faults.js';
import { refusal } from '../start-mock-portal.js';
import { type ParsedArgs, positionals, UsageError } from './args.js';
import { type CommandContext, type CommandDef, printJson } from './command.js';
import { CliFailure } from './io.js';
import { adminRequest, findRunningMock, type RunningMockAddress } from './running-mock.js';

const SM2_PUBLIC_KEY_HEX = /^04[0-9a-fA-F]{128}$/;
/** The protocol's 设备身份码 format (PROTOCOL.md §2): other IDs could never authorize. */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const RUNNING_MOCK_NOTE =
  'A running mock is the one `passgate-mock serve --dir DIR` recorded in DIR/url (or --url,\n' +
  'with DIR still giving its admin token and CA). Admin requests go to loopback only, with the\n' +
  'token from DIR/admin-token.';

const REGISTRY_NOTE =
  'With a running mock the change goes through its admin API and applies at once (the mock saves\n' +
  'state.json itself). With none, the CLI edits DIR/state.json (seeding the demo dataset on first\n' +
  'use); the next `serve` loads it. It never edits the file under a running mock.\n' +
  RUNNING_MOCK_NOTE;

async function runningMock(args: ParsedArgs, ctx: CommandContext): Promise<RunningMockAddress | null> {
  return findRunningMock(ctx.dir, args.values.get('url'));
}

async function requireRunningMock(args: ParsedArgs, ctx: CommandContext): Promise<RunningMockAddress> {
  const mock = await runningMock(args, ctx);
  if (!mock)
    throw new CliFailure(
      'mock.not-running',
      `${ctx.dir} 没有运行中的模拟平台（先运行 passgate-mock serve --dir ${ctx.dir}，或加 --url）`,
      `no mock is running for ${ctx.dir} (start one with: passgate-mock serve --dir ${ctx.dir}, or give --url)`,
    );
  return mock;
}

/** Applies a registry change to DIR/state.json; `change` returns the registry's refusal or null. */
async function editStateFile(
  ctx: CommandContext,
  change: (state: MockPortalState) => PortalFailure | null,
): Promise<void> {
  const { state } = await loadOrSeedState(ctx.dir, { now: ctx.now, crypto: ctx.crypto });
  const refused = change(state);
  if (refused) throw new CliFailure('mock.refused', `已拒绝: ${refusal(refused)}`, `refused: ${refusal(refused)}`);
  await saveState(ctx.dir, state);
}

function report(ctx: CommandContext, args: ParsedArgs, value: Record<string, unknown>, text: string): number {
  if (args.flags.has('json')) printJson(ctx, value);
  else ctx.io.stdout(text);
  return 0;
}

export const registerDeviceCommand: CommandDef = {
  name: 'register-device',
  summary: "register a device's SM2 public key (设备身份码 → key) for a vendor",
  usage: ['register-device <deviceId> <publicKeyHex> [--vendor ID] [--url URL] [--dir DIR] [--json]'],
  details:
    'publicKeyHex: the 65-byte uncompressed SM2 key (04‖X‖Y, 130 hex digits), a point on the curve.\n' +
    `--vendor defaults to ${DEMO_APPROVED_VENDOR.id}. Registering a device again with another key\n` +
    'replaces its key (same vendor only) and ends the sessions of the old key; the binding stays.\n' +
    REGISTRY_NOTE,
  zh: {
    summary: '为厂商登记设备的 SM2 公钥（设备身份码 → 公钥）',
    details:
      'publicKeyHex：65 字节未压缩 SM2 公钥（04‖X‖Y，130 位十六进制），须是曲线上的点。--vendor 默认为演示厂商。\n以新公钥再次登记同一设备会替换公钥（仅限同一厂商）并结束旧公钥的会话，绑定保留。\n有运行中的模拟平台时经其管理接口立即生效；否则直接修改 DIR/state.json。',
  },
  spec: { values: ['vendor', 'url'], flags: ['json'] },
  async run(args, ctx) {
    const [deviceId, publicKeyHex] = positionals(args, ['<deviceId>', '<publicKeyHex>']);
    if (!DEVICE_ID.test(deviceId)) {
      throw new UsageError(
        'usage.invalid-argument',
        'deviceId 必须是 1 到 64 个 A-Z a-z 0-9 _ - 字符',
        'deviceId must be 1-64 characters of A-Z a-z 0-9 _ -',
      );
    }
    if (!SM2_PUBLIC_KEY_HEX.test(publicKeyHex))
      throw new UsageError(
        'usage.invalid-argument',
        'publicKeyHex 必须是 04 加 128 位十六进制数字',
        'publicKeyHex must be 04 followed by 128 hex digits',
      );
    const vendorId = args.values.get('vendor') ?? DEMO_APPROVED_VENDOR.id;
    const mock = await runningMock(args, ctx);
    let replaced = false;
    if (mock) {
      const answer = await adminRequest(
        mock,
        '/admin/devices',
        { deviceId, publicKey: publicKeyHex.toLowerCase(), vendorId },
        ctx.timeouts.adminRequestMs,
      );
      replaced = (answer as { replaced?: unknown }).replaced === true;
    } else {
      await editStateFile(ctx, (state) => {
        const r = state.registry.registerDevice(deviceId, Buffer.from(publicKeyHex, 'hex'), vendorId);
        if (!r.ok) return r;
        replaced = r.replaced;
        return null;
      });
    }
    const via = mock ? 'admin-api' : 'state-file';
    const where = mock ? `the running mock at ${mock.url}` : join(ctx.dir, STATE_FILE_NAME);
    const text = replaced
      ? `replaced the key of ${deviceId} (vendor ${vendorId}) in ${where}: sessions of the old key end`
      : `registered ${deviceId} for vendor ${vendorId} in ${where}`;
    return report(ctx, args, { deviceId, vendorId, via, replaced }, text);
  },
};

export const vendorCommand: CommandDef = {
  name: 'vendor',
  summary: 'approve or suspend a vendor (devices of a suspended vendor cannot authorize or bind)',
  usage: [
    'vendor approve <vendorId> [--url URL] [--dir DIR] [--json]',
    'vendor suspend <vendorId> [--url URL] [--dir DIR] [--json]',
  ],
  details: REGISTRY_NOTE,
  zh: {
    summary: '批准或暂停厂商（被暂停厂商的设备不能认证或绑定）',
    details: '有运行中的模拟平台时经其管理接口立即生效；否则直接修改 DIR/state.json（首次使用时生成演示数据集）。',
  },
  spec: { values: ['url'], flags: ['json'] },
  async run(args, ctx) {
    const [action, vendorId] = positionals(args, ['approve|suspend', '<vendorId>']);
    if (action !== 'approve' && action !== 'suspend')
      throw new UsageError(
        'usage.invalid-argument',
        '操作只能是 approve 或 suspend',
        'the action is approve or suspend',
      );
    if (!isIdentifier(vendorId)) {
      throw new UsageError(
        'usage.invalid-argument',
        'vendorId 必须是 1 到 64 个可打印 ASCII 字符',
        'vendorId must be 1-64 printable ASCII characters',
      );
    }
    const mock = await runningMock(args, ctx);
    if (mock) {
      await adminRequest(mock, `/admin/vendors/${action}`, { vendorId }, ctx.timeouts.adminRequestMs);
    } else {
      await editStateFile(ctx, (state) => {
        const r =
          action === 'approve' ? state.registry.approveVendor(vendorId) : state.registry.suspendVendor(vendorId);
        return r.ok ? null : r;
      });
    }
    const status = action === 'approve' ? 'approved' : 'suspended';
    return report(
      ctx,
      args,
      { vendorId, status, via: mock ? 'admin-api' : 'state-file' },
      `vendor ${vendorId} ${status}`,
    );
  },
};

export const faultsCommand: CommandDef = {
  name: 'faults',
  summary: "set, clear or show a running mock's injected faults",
  usage: [
    "faults set '<json>' [--url URL] [--dir DIR]",
    'faults clear [--url URL] [--dir DIR]',
    'faults show [--url URL] [--dir DIR]',
  ],
  details:
    'set merges the JSON object into the current faults; fields:\n' +
    '  latencyMs (number)        delay before every answer\n' +
    '  dropConnection (bool)     close the connection instead of answering\n' +
    '  httpStatus (500|503|null) answer with this status and a non-protocol body\n' +
    '  malformedJson (bool)      answer 200 with a body that is not JSON\n' +
    '  wrongMac (bool)           seal answers with a MAC that does not verify\n' +
    '  clockSkewMs (number)      the portal clock runs this far ahead (negative: behind)\n' +
    '  plainError (code|null)    answer this protocol error in plaintext, HTTP 403 (unauthenticated)\n' +
    '  sealedError (code|null)   answer sealed calls with this protocol error, sealed (genuine)\n' +
    '  venueFields (object|null) overwrite these fields of every venue sent (bad venue data)\n' +
    '  boundAt (number|null)     send this boundAt in bind and rebind results\n' +
    '  paths (string[])          apply the faults above to these paths only (all when empty); valid:\n' +
    FAULT_PATHS.map((p) => `                              ${p}\n`).join('') +
    'Each prints the resulting faults as JSON; an unknown field or path is refused.\n' +
    RUNNING_MOCK_NOTE,
  zh: {
    summary: '设置、清除或查看运行中模拟平台注入的故障',
    details:
      'set 把 JSON 对象合并到当前故障设置；字段见上（延迟、断开连接、HTTP 状态、非 JSON、错误 MAC、时钟偏差、协议错误、场所字段、boundAt、路径）。\n每个操作都以 JSON 输出结果；未知字段或路径会被拒绝。需要运行中的模拟平台。',
  },
  spec: { values: ['url'], flags: ['json'] },
  async run(args, ctx) {
    const action = args.positional[0];
    let path: string;
    let body: unknown = {};
    if (action === 'set') {
      const [, json] = positionals(args, ['set', "'<json>'"]);
      try {
        body = JSON.parse(json);
      } catch {
        throw new UsageError('usage.invalid-argument', '故障设置必须是 JSON 对象', 'the faults must be a JSON object');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new UsageError('usage.invalid-argument', '故障设置必须是 JSON 对象', 'the faults must be a JSON object');
      try {
        mergeFaults(NO_FAULTS, body); // the mock checks again; this catches a typo before it is sent
      } catch (error) {
        throw new UsageError(
          'usage.invalid-argument',
          `故障设置无效: ${(error as Error).message}`,
          (error as Error).message,
        );
      }
      path = '/admin/faults';
    } else if (action === 'clear' || action === 'show') {
      positionals(args, [action]);
      path = action === 'clear' ? '/admin/faults/clear' : '/admin/faults'; // an empty patch shows the current faults
    } else {
      throw new UsageError(
        'usage.invalid-argument',
        '操作只能是 set、clear 或 show',
        'the action is set, clear or show',
      );
    }
    const mock = await requireRunningMock(args, ctx);
    printJson(ctx, await adminRequest(mock, path, body, ctx.timeouts.adminRequestMs));
    return 0;
  },
};

export const expireTokensCommand: CommandDef = {
  name: 'expire-tokens',
  summary: 'make a running mock forget every session token (devices re-authorize transparently)',
  usage: ['expire-tokens [--url URL] [--dir DIR] [--json]'],
  details: RUNNING_MOCK_NOTE,
  zh: {
    summary: '让运行中的模拟平台忘记所有会话令牌（设备会自动重新认证）',
    details: '需要运行中的模拟平台（serve 记录在 DIR/url 中，或用 --url 指定）。管理请求只发往本机回环地址。',
  },
  spec: { values: ['url'], flags: ['json'] },
  async run(args, ctx) {
    positionals(args, []);
    const mock = await requireRunningMock(args, ctx);
    await adminRequest(mock, '/admin/expire-tokens', {}, ctx.timeouts.adminRequestMs);
    return report(ctx, args, { expired: true }, 'every session token expired');
  },
};

export const statsCommand: CommandDef = {
  name: 'stats',
  summary: "print a running mock's request counters as JSON",
  usage: ['stats [--url URL] [--dir DIR]'],
  details: 'connections, requests and requests by path since the mock started.\n' + RUNNING_MOCK_NOTE,
  zh: {
    summary: '以 JSON 输出运行中模拟平台的请求计数',
    details: '自模拟平台启动以来的连接数、请求数及各路径请求数。需要运行中的模拟平台。',
  },
  spec: { values: ['url'], flags: ['json'] },
  async run(args, ctx) {
    positionals(args, []);
    const mock = await requireRunningMock(args, ctx);
    printJson(ctx, await adminRequest(mock, '/admin/stats', {}, ctx.timeouts.adminRequestMs));
    return 0;
  },
};
