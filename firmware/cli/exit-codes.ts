// The exit codes of every `passgate` command, in one table: scripts and the vendor's flashing
// station branch on them, so a number keeps its meaning across commands and releases. Which
// error code leads to which exit code is decided in failures.ts.
export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** Anything not listed below: a selftest check failed, the device key file is unusable. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument or option value. */
  usage: 2,
  /** A value breaks its rule (config.invalid-value): `config set`, a provision option. */
  invalidValue: 3,
  /** A config key that does not exist (config.unknown-key). */
  unknownKey: 4,
  /** The config database could not be opened, read or written (config.storage). */
  storage: 5,
  /** `decode`: an image was read but held no code (decode.no-symbol). */
  noSymbol: 6,
  /** `decode`: a file is missing (decode.file-missing) or not a readable image (decode.image-unreadable); wins over 6. */
  imageUnreadable: 7,
  notProvisioned: 10,
  portalUnreachable: 11,
  venueUnknown: 12,
  alreadyBound: 13,
  deviceNotRegistered: 14,
  vendorSuspended: 15,
  authFailed: 16,
  notBound: 17,
  /** No venue code was scanned in time during `bind --scan` (or the bind was cancelled). */
  bindTimeout: 18,
  daemonNotRunning: 19,
  alreadyProvisioned: 20,
  /** The portal refused the request for a reason without a code of its own above. */
  portalRejected: 21,
  /** `update apply`: the device holds no vendor release key (provision --vendor-release-key). */
  noReleaseKey: 30,
  /** `update apply`: the artifact has no signature file beside it. */
  unsigned: 31,
  /** `update apply`, `release verify`: the signature does not verify (a changed byte, another key). */
  badSignature: 32,
  /** `update apply`: the artifact is not newer than the active version. */
  downgrade: 33,
  /** `update apply`: not an update artifact (name, tar, manifest, architecture). */
  badArtifact: 34,
  /** `update`: the slots, the current link, the state file or the database backup failed. */
  installFailed: 35,
  /** `update commit` or `update rollback` with no update pending. */
  nothingPending: 36,
  /** `update commit`: the new version did not become healthy in time; the old one is back. */
  rolledBack: 37,
  /** `release keygen`: a key file exists (add --force to replace it). */
  releaseKeyExists: 38,
  /** `run` crashed (sysexits EX_SOFTWARE): the service manager restarts the daemon. */
  crashed: 70,
} as const;

export type ExitName = keyof typeof EXIT;

/** "0 ok, 2 usage, …" for a command's usage text, so the text follows the table. */
export function exitCodeSummary(names: readonly ExitName[]): string {
  return names.map((name) => `${EXIT[name]} ${name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`).join(', ');
}

/** What each exit code means, for `passgate help exit-codes` and the README's table. */
export const EXIT_MEANINGS: Record<ExitName, { zh: string; en: string }> = {
  ok: { zh: '成功', en: 'done as asked; for status: the gate can verify' },
  failed: { zh: '失败（自检未通过、设备密钥不可用等）', en: 'failed: a selftest check, an unusable device key, other' },
  usage: { zh: '命令行有误', en: 'wrong command line: unknown command or option, missing or extra argument' },
  invalidValue: { zh: '参数值无效', en: 'a value breaks its rule (config set, provision options)' },
  unknownKey: { zh: '未知配置项', en: 'no such config key' },
  storage: { zh: '配置数据库或数据目录不可用', en: 'the data directory or config database cannot be used' },
  noSymbol: { zh: '图像中没有码', en: 'decode: an image held no code' },
  imageUnreadable: { zh: '文件缺失或不是图像', en: 'decode: a file is missing or not a readable image' },
  notProvisioned: { zh: '设备尚未初始化', en: 'not provisioned: run passgate provision' },
  portalUnreachable: { zh: '无法连接门户平台', en: 'portal unreachable or too slow' },
  venueUnknown: { zh: '场所码不存在', en: 'venue code unknown' },
  alreadyBound: { zh: '已绑定其他场所', en: 'already bound to another venue: use rebind' },
  deviceNotRegistered: { zh: '设备公钥未在门户登记', en: 'device key not registered at the portal' },
  vendorSuspended: { zh: '厂商已被暂停', en: 'vendor suspended by the portal' },
  authFailed: { zh: '认证失败', en: 'authentication failed, or the portal answer failed authentication' },
  notBound: { zh: '尚未绑定场所', en: 'not bound to a venue: run passgate bind' },
  bindTimeout: { zh: '等待扫描场所码超时或已取消', en: 'bind --scan: no venue code scanned in time, or cancelled' },
  daemonNotRunning: { zh: '服务未运行', en: 'the passgate daemon is not running' },
  alreadyProvisioned: { zh: '设备已有身份', en: 'already provisioned: add --force to replace' },
  portalRejected: { zh: '门户平台拒绝了请求', en: 'the portal refused for another reason' },
  noReleaseKey: { zh: '设备没有厂商发布公钥', en: 'update: no vendor release key provisioned' },
  unsigned: { zh: '更新包没有签名', en: 'update: the artifact has no signature file' },
  badSignature: { zh: '更新包签名无效', en: 'the signature does not verify: tampered, or another key' },
  downgrade: { zh: '更新包版本不高于当前版本', en: 'update: not newer than the active version' },
  badArtifact: { zh: '不是有效的更新包', en: 'update: not an update artifact (name, tar, manifest, arch)' },
  installFailed: { zh: '更新安装或回滚未完成', en: 'update: slots, link, state or database backup failed' },
  nothingPending: { zh: '没有待确认的更新', en: 'update: no update pending' },
  rolledBack: { zh: '新版本未就绪，已回滚', en: 'update: the new version did not become healthy; rolled back' },
  releaseKeyExists: { zh: '发布密钥文件已存在', en: 'release keygen: a key file exists (--force replaces it)' },
  crashed: { zh: '服务启动失败或崩溃', en: 'run: start-up failed or the daemon crashed (systemd restarts it)' },
};

/** `passgate help exit-codes`: one line per code, number first. */
export function exitCodeTableLines(): string[] {
  return [
    '退出码 / exit codes:',
    ...(Object.keys(EXIT) as ExitName[]).map(
      (name) =>
        `  ${String(EXIT[name]).padStart(2)}  ${name.padEnd(20)} ${EXIT_MEANINGS[name].zh} / ${EXIT_MEANINGS[name].en}`,
    ),
  ];
}
