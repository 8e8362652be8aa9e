// The usage of every `passgate` command in one place: what `passgate COMMAND --help` and
// `passgate help COMMAND` print, with examples, and the exit codes it can end with. Kept apart
// from the commands so main can answer --help before it opens (or creates) anything.
import type { CommandUsage } from './args.js';

const PORTAL_EXITS = [
  'portalUnreachable',
  'deviceNotRegistered',
  'vendorSuspended',
  'authFailed',
  'portalRejected',
] as const;

export const MAIN_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate <命令 command> [--data-dir 目录 DIR] [选项 options]',
    '',
    '  provision   写入身份与凭证，生成设备密钥（厂商）/ set identity, portal and vendor credentials; generate the device key (vendor)',
    '  bind        绑定场所 / bind to a venue: `bind <venueCode>` or `bind --scan`',
    '  rebind      更换场所 / change the venue: `rebind <venueCode>` or `rebind --scan`',
    '  status      设备、绑定、门户、服务状态 / identity, binding, portal, daemon, drivers, counters [--json]',
    '  selftest    自检灯、蜂鸣器、输入设备、门户、时钟 / lights, buzzer, input devices, portal and clock [--json]',
    '  config      查看与修改设置 / get|set|list|reset settings',
    '  decode      识别图片中的码 / read QR / Grid Matrix codes from PNG, JPEG or PGM files [--json]',
    '  run         运行闸机服务 / the gate daemon',
    '  update      安装、确认、回滚签名更新包 / apply|commit|rollback|status of signed A/B updates',
    '  release     厂商发布密钥与签名 / keygen|sign|verify release artifacts (vendor build machine)',
    '  version     版本 / print the version (also --version, -V)',
    '  help        帮助 / `help <command>`: usage and examples; `help exit-codes`: every exit code',
    '',
    '数据目录 / data directory: --data-dir, else $PASSGATE_DATA_DIR, else /var/lib/passgate',
    '每个命令都支持 -h / --help / every command takes -h / --help',
    '加 --json 时数据与错误都以 JSON 输出到标准输出 / with --json, data and errors print as JSON on stdout',
  ],
};

export const PROVISION_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate provision --device-id ID --portal-url URL --portal-public-key HEX --app-id ID --app-secret-file F [--ca-file PEM] [--allow-insecure-http] [--force] [--json]',
    '  --device-id ID             设备身份码 / the device identity code',
    '  --portal-url URL           门户地址（https）/ the portal URL (https)',
    '  --portal-public-key HEX    门户 SM2 公钥 / the portal SM2 public key (04…, 130 hex digits)',
    '  --app-id ID                厂商应用 ID / the vendor app id',
    '  --app-secret-file F        厂商密钥文件，- 表示标准输入 / file holding the vendor app secret; - reads stdin',
    '  --ca-file PEM              要固定的门户 CA 证书 / the portal CA certificate to pin (PEM)',
    '  --vendor-release-key PEM   厂商发布公钥，用于校验更新包 / the vendor release public key that signs updates',
    '  --force                    覆盖已有身份并生成新密钥 / replace an existing identity and key',
    '  --allow-insecure-http      仅开发时允许 http 门户 / allow an http:// portal (development only)',
    '  --json                     以 JSON 输出 / print the result as JSON',
  ],
  examples: [
    'passgate provision --device-id WX-0001 --portal-url https://portal.example --portal-public-key 04ab… \\',
    '    --app-id vendor-1 --app-secret-file /root/secret --ca-file ca.pem',
  ],
  exits: ['ok', 'usage', 'invalidValue', 'storage', 'alreadyProvisioned', 'failed'],
};

export function bindUsage(mode: 'bind' | 'rebind'): CommandUsage {
  return {
    lines: [
      `用法 / usage: passgate ${mode} <venueCode> | passgate ${mode} --scan [--json]`,
      `  <venueCode>   场所码 / the venue code printed on the venue's sign`,
      "  --scan        用闸机自己的扫码器扫描场所码（需要运行中的服务）/ read the venue code with the gate's own scanner (needs the running daemon)",
      '  --json        以 JSON 输出 / print the result as JSON',
    ],
    examples: [`passgate ${mode} 3202000001`, `passgate ${mode} --scan`],
    exits: [
      'ok',
      'usage',
      'notProvisioned',
      'venueUnknown',
      'alreadyBound',
      'bindTimeout',
      'daemonNotRunning',
      'storage',
      ...PORTAL_EXITS,
    ],
  };
}

export const STATUS_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate status [--json] [--offline] [--mender-inventory]',
    '  --json      以 JSON 输出 / print the status as JSON',
    '  --offline   不询问门户平台 / do not ask the portal',
    '  --mender-inventory   Mender 清单格式（name=value，退出码 0）/ Mender inventory lines (name=value, exit 0)',
    '  非 0 退出码表示闸机当前无法核验 / a non-zero exit means the gate cannot verify anyone now',
  ],
  examples: ['passgate status', 'passgate status --json --offline'],
  exits: ['ok', 'usage', 'storage', 'notProvisioned', 'notBound', 'daemonNotRunning', ...PORTAL_EXITS],
};

export const SELFTEST_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate selftest [--json]',
    '  逐一点亮各灯并鸣响蜂鸣器，检查输入设备、门户平台和时钟 / cycles every light and the buzzer, checks the input devices, the portal and the clock',
    '  --json      以 JSON 输出 / print the checks as JSON',
  ],
  examples: ['passgate selftest'],
  exits: ['ok', 'failed', 'usage', 'storage', 'notProvisioned'],
};

export const CONFIG_USAGE: CommandUsage = {
  lines: [
    '用法 / usage:',
    '  passgate config list [--json]                  列出全部设置 / every setting',
    '  passgate config get KEY [--json]               查看一项 / one setting',
    '  passgate config set KEY VALUE [KEY VALUE …]    修改（一起保存）/ change (saved together)',
    '  passgate config reset KEY [KEY …]              恢复默认 / back to the default',
    '  --json      以 JSON 输出 / print as JSON',
  ],
  examples: ['passgate config list', 'passgate config set gate.showMs 2500', 'passgate config reset gate.showMs'],
  exits: ['ok', 'usage', 'invalidValue', 'unknownKey', 'storage', 'notProvisioned'],
};

export const DECODE_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate decode [--json] FILE…',
    '  FILE        PNG、JPEG 或 PGM 图像 / a PNG, JPEG or PGM image',
    '  --json      每个文件输出一个 JSON 对象 / one JSON object per file',
  ],
  examples: ['passgate decode photo.jpg'],
  exits: ['ok', 'usage', 'noSymbol', 'imageUnreadable'],
};

export const RUN_USAGE: CommandUsage = {
  lines: ['用法 / usage: passgate run   (闸机服务，SIGTERM/SIGINT 停止 / the gate daemon; stops on SIGTERM or SIGINT)'],
  examples: ['systemctl start passgate'],
  exits: ['ok', 'usage', 'crashed'],
};

export const VERSION_USAGE: CommandUsage = {
  lines: [
    '用法 / usage: passgate version | passgate --version | passgate -V',
    '  --json      以 JSON 输出 / print {"version": …}',
  ],
  examples: ['passgate version'],
  exits: ['ok'],
};

export const RELEASE_USAGE: CommandUsage = {
  lines: [
    'usage / 用法 (厂商构建机 / the vendor build machine):',
    '  passgate release keygen --out PREFIX [--force]      写 PREFIX.key (0600) 与 PREFIX.pem / write PREFIX.key (0600) and PREFIX.pem',
    '  passgate release sign --key PREFIX.key ARTIFACT…    写 ARTIFACT.sig / write a detached SM2 signature ARTIFACT.sig',
    '  passgate release verify --pubkey PREFIX.pem ARTIFACT…   校验 ARTIFACT.sig / check ARTIFACT.sig',
  ],
  examples: [
    'passgate release keygen --out vendor',
    'passgate release sign --key vendor.key dist/passgate_0.2.0_amd64.tar',
  ],
  exits: ['ok', 'usage', 'failed', 'unsigned', 'badSignature', 'releaseKeyExists'],
};

export const UPDATE_USAGE: CommandUsage = {
  lines: [
    'usage / 用法:',
    '  passgate update apply [--no-restart] ARTIFACT   校验签名，装入备用槽并切换 / verify, install into the inactive slot, switch, restart',
    '  passgate update commit                        等待新版本就绪并认证，否则回滚 / wait until ready and authorized, else roll back',
    '  passgate update rollback [--if-pending]       切回旧版本并恢复数据库 / switch back and restore the database',
    '  passgate update status [--json]               槽位、版本、待确认更新 / slots, versions, pending update',
    '安装目录 / install root: $PASSGATE_INSTALL_ROOT, else /opt/passgate',
    '同一时间只运行一个更新命令 / one update command at a time (apply, commit, rollback hold <root>/update.lock)',
  ],
  examples: [
    'passgate update apply /tmp/passgate_0.2.0_amd64.tar && passgate update commit',
    'passgate update status --json',
  ],
  exits: [
    'ok',
    'usage',
    'storage',
    'noReleaseKey',
    'unsigned',
    'badSignature',
    'downgrade',
    'badArtifact',
    'installFailed',
    'nothingPending',
    'rolledBack',
    'updateBusy',
  ],
};
