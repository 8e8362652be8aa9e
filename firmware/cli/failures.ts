// Every failure a technician can meet at the CLI: a distinct exit code and a message in Chinese
// and English. Messages name the problem and the next step, never personal data.
import type { ErrorCode, PassgateError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import type { CommandOutput } from './io.js';

export interface Failure {
  exit: number;
  zh: string;
  en: string;
}

const FAILURES: Partial<Record<ErrorCode, Failure>> = {
  'config.not-provisioned': {
    exit: EXIT.notProvisioned,
    zh: '设备尚未初始化，请先运行 passgate provision',
    en: 'device not provisioned: run `passgate provision` first',
  },
  'config.no-database': {
    exit: EXIT.notProvisioned,
    zh: '数据目录中没有配置数据库：请检查 --data-dir 或 $PASSGATE_DATA_DIR；新设备请先运行 passgate provision',
    en: 'no config database in the data directory: check --data-dir or $PASSGATE_DATA_DIR; a new device needs `passgate provision` first',
  },
  'config.already-provisioned': {
    exit: EXIT.alreadyProvisioned,
    zh: '设备已有身份，如需覆盖请加 --force',
    en: 'device already has an identity: add --force to replace it',
  },
  'portal.unreachable': {
    exit: EXIT.portalUnreachable,
    zh: '无法连接城市门户平台，请检查网络',
    en: 'portal unreachable: check the network and portal URL',
  },
  'portal.timeout': {
    exit: EXIT.portalUnreachable,
    zh: '城市门户平台响应超时，请检查网络',
    en: 'portal did not answer in time: check the network',
  },
  'portal.venue-unknown': {
    exit: EXIT.venueUnknown,
    zh: '场所码不存在，请核对场所码',
    en: 'venue code unknown: check the venue code',
  },
  'portal.already-bound': {
    exit: EXIT.alreadyBound,
    zh: '设备已绑定场所，请使用 passgate rebind 更换绑定',
    en: 'device already bound: use `passgate rebind`',
  },
  'portal.device-unknown': {
    exit: EXIT.deviceNotRegistered,
    zh: '设备未在门户平台登记，请厂商登记设备公钥',
    en: 'device not registered at the portal: the vendor must register its public key',
  },
  'portal.vendor-suspended': {
    exit: EXIT.vendorSuspended,
    zh: '设备厂商已被暂停服务，请联系厂商',
    en: 'vendor suspended by the portal: contact the vendor',
  },
  'portal.auth-failed': {
    exit: EXIT.authFailed,
    zh: '身份认证失败（设备密钥、厂商凭证或门户证书不符）',
    en: 'authentication failed (device key, vendor credentials or portal certificate)',
  },
  'portal.not-bound': {
    exit: EXIT.notBound,
    zh: '设备尚未绑定场所，请先运行 passgate bind',
    en: 'device not bound: run `passgate bind` first',
  },
  'portal.insecure-url': {
    exit: EXIT.usage,
    zh: '门户地址必须使用 https（仅开发时可加 --allow-insecure-http）',
    en: 'portal URL must be https (only for development: --allow-insecure-http)',
  },
  'gate.bind-timeout': { exit: EXIT.bindTimeout, zh: '等待扫描场所码超时', en: 'no venue code was scanned in time' },
  'gate.bind-cancelled': { exit: EXIT.bindTimeout, zh: '绑定已取消', en: 'bind was cancelled' },
  'daemon.not-running': {
    exit: EXIT.daemonNotRunning,
    zh: 'passgate 服务未运行，请运行 systemctl start passgate',
    en: 'the passgate daemon is not running: start it with `systemctl start passgate`',
  },
  'config.invalid-value': { exit: EXIT.invalidValue, zh: '参数无效', en: 'invalid argument' },
  'config.unknown-key': { exit: EXIT.unknownKey, zh: '未知配置项', en: 'unknown config key' },
  'config.storage': { exit: EXIT.storage, zh: '配置数据库不可用', en: 'config database unavailable' },
  'decode.no-symbol': { exit: EXIT.noSymbol, zh: '图像中没有找到码', en: 'no code found in the image' },
  'decode.file-missing': { exit: EXIT.imageUnreadable, zh: '文件不存在', en: 'no such file' },
  'decode.image-unreadable': { exit: EXIT.imageUnreadable, zh: '无法读取图像', en: 'the file is not a readable image' },
  'update.no-release-key': {
    exit: EXIT.noReleaseKey,
    zh: '设备没有厂商发布公钥，请运行 passgate provision --vendor-release-key vendor.pem',
    en: 'no vendor release key on this device: provision it with --vendor-release-key vendor.pem',
  },
  'update.unsigned': {
    exit: EXIT.unsigned,
    zh: '更新包没有签名文件（.sig），拒绝安装',
    en: 'the artifact has no signature file (.sig): refused',
  },
  'update.bad-signature': {
    exit: EXIT.badSignature,
    zh: '更新包签名无效（内容被改动或不是厂商密钥签名），拒绝安装',
    en: "the artifact's signature does not verify (changed, or not the vendor's key): refused",
  },
  'update.downgrade': {
    exit: EXIT.downgrade,
    zh: '更新包版本不高于当前版本，拒绝降级',
    en: 'the artifact is not newer than the active version: refused',
  },
  'update.bad-artifact': {
    exit: EXIT.badArtifact,
    zh: '不是有效的 passgate 更新包',
    en: 'not a passgate update artifact',
  },
  'update.install-failed': {
    exit: EXIT.installFailed,
    zh: '更新未能完成，当前版本保持不变',
    en: 'the update could not be completed; the active version is unchanged',
  },
  'update.nothing-pending': { exit: EXIT.nothingPending, zh: '没有待确认的更新', en: 'no update is pending' },
  'update.rolled-back': {
    exit: EXIT.rolledBack,
    zh: '新版本未能按时就绪并通过门户认证，已回滚到旧版本',
    en: 'the new version was not ready and authorized in time: rolled back to the old version',
  },
  'update.release-key-exists': {
    exit: EXIT.releaseKeyExists,
    zh: '发布密钥文件已存在，不会覆盖（--force 可替换）',
    en: 'a release key file exists and is never overwritten (--force replaces it)',
  },
  'update.busy': {
    exit: EXIT.updateBusy,
    zh: '另一个更新命令（安装、确认或回滚）正在运行，本命令未做任何改动，请稍后重试',
    en: 'another update command (apply, commit or rollback) is running; nothing was changed: try again later',
  },
  'crypto.bad-key': {
    exit: EXIT.failed,
    zh: '设备密钥文件缺失、损坏或权限不是 0600，请检查或重新运行 passgate provision --force',
    en: 'device key file missing, malformed or not mode 0600: check it or re-run `passgate provision --force`',
  },
};

export function failureFor(code: ErrorCode): Failure {
  return (
    FAILURES[code] ??
    (code.startsWith('portal.')
      ? { exit: EXIT.portalRejected, zh: '门户平台拒绝了请求', en: `portal refused the request (${code})` }
      : { exit: EXIT.failed, zh: '操作失败', en: `failed (${code})` })
  );
}

/**
 * 'portal.auth-failed' covers two different stories: the portal refused who we are (device key,
 * vendor credentials), or the portal's answer itself failed its check and was not trusted (a
 * forged or garbled MAC, a replayed timestamp, a TLS certificate not pinned). The second must not
 * read as bad credentials, or a technician re-provisions a device that is fine.
 */
const UNTRUSTED_ANSWER: Record<string, Failure> = {
  mac: {
    exit: EXIT.authFailed,
    zh: '门户平台的应答未通过认证（未予采信）：可能在途中被篡改，或门户公钥不符',
    en: "the portal's answer failed authentication (not trusted): tampered with on the way, or the wrong portal key",
  },
  timestamp: {
    exit: EXIT.authFailed,
    zh: '门户平台的应答时间超出允许范围（未予采信），请检查时钟',
    en: "the portal's answer is outside the replay window (not trusted): check the clock",
  },
  tls: {
    exit: EXIT.authFailed,
    zh: '门户平台的 TLS 证书不受信任，请检查 --ca-file 与门户地址',
    en: "the portal's TLS certificate is not trusted: check the pinned CA and the portal URL",
  },
};

/** The failure of `code`, told more exactly by what failed for a portal answer (`check`). */
export function failureForCheck(code: ErrorCode, check: string | null | undefined): Failure {
  return (code === 'portal.auth-failed' && check ? UNTRUSTED_ANSWER[check] : undefined) ?? failureFor(code);
}

/** Which check a portal answer failed ('mac', 'timestamp', 'tls'), from an error's details. */
export function responseCheckOf(error: PassgateError): string | null {
  if (error.details.tls === true) return 'tls';
  const check = error.details.check;
  return typeof check === 'string' && check in UNTRUSTED_ANSWER ? check : null;
}

/** One line for the terminal: "错误: … / error: …" plus the detail, if any. */
export function failureLines(code: ErrorCode, detail?: string, check?: string | null): string[] {
  const f = failureForCheck(code, check);
  return [`错误: ${f.zh}`, `error: ${f.en}${detail ? ` (${detail})` : ''}`];
}

/** Writes the failure lines of `code` to stderr; returns its exit code. */
export function reportFailure(out: CommandOutput, code: ErrorCode, detail?: string): number {
  for (const line of failureLines(code, detail)) out.stderr(line);
  return failureFor(code).exit;
}

/** reportFailure for a caught error: a portal answer that failed its check is named as such. */
export function reportError(out: CommandOutput, error: PassgateError, detail?: string): number {
  const check = responseCheckOf(error);
  for (const line of failureLines(error.code, detail, check)) out.stderr(line);
  return failureForCheck(error.code, check).exit;
}
