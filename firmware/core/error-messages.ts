// The message of every error code, in Chinese and in English: what a technician reads when a
// command fails (passgate, passgate-mock), and the shape `--json` prints it in. Messages name
// the problem and the next step, never personal data (standard 8.1.2).
import type { ErrorCode } from './errors.js';

/** A text for the technician, in both languages. */
export interface Message {
  zh: string;
  en: string;
}

const REPROVISION = '请重新运行 passgate provision --force 并登记新公钥';
const REPROVISION_EN = 're-run `passgate provision --force` and register the new key';

const MESSAGES: Record<ErrorCode, Message> = {
  'config.not-provisioned': {
    zh: '设备尚未初始化，请先运行 passgate provision',
    en: 'device not provisioned: run `passgate provision` first',
  },
  'config.already-provisioned': {
    zh: '设备已有身份，如需覆盖请加 --force',
    en: 'device already has an identity: add --force to replace it',
  },
  'portal.unreachable': {
    zh: '无法连接城市门户平台，请检查网络',
    en: 'portal unreachable: check the network and portal URL',
  },
  'portal.timeout': { zh: '城市门户平台响应超时，请检查网络', en: 'portal did not answer in time: check the network' },
  'portal.venue-unknown': { zh: '场所码不存在，请核对场所码', en: 'venue code unknown: check the venue code' },
  'portal.already-bound': {
    zh: '设备已绑定场所，请使用 passgate rebind 更换绑定',
    en: 'device already bound: use `passgate rebind`',
  },
  'portal.device-unknown': {
    zh: '设备未在门户平台登记，请厂商登记设备公钥',
    en: 'device not registered at the portal: the vendor must register its public key',
  },
  'portal.vendor-suspended': {
    zh: '设备厂商已被暂停服务，请联系厂商',
    en: 'vendor suspended by the portal: contact the vendor',
  },
  'portal.auth-failed': {
    zh: '身份认证失败（设备密钥、厂商凭证或门户证书不符）',
    en: 'authentication failed (device key, vendor credentials or portal certificate)',
  },
  'portal.not-bound': {
    zh: '设备尚未绑定场所，请先运行 passgate bind',
    en: 'device not bound: run `passgate bind` first',
  },
  'portal.insecure-url': {
    zh: '门户地址必须使用 https（仅开发时可加 --allow-insecure-http）',
    en: 'portal URL must be https (only for development: --allow-insecure-http)',
  },
  'portal.bad-response': {
    zh: '门户平台的应答格式不对，请稍后再试或联系厂商',
    en: "the portal's answer was malformed (portal.bad-response): try again later or contact the vendor",
  },
  'portal.rejected': { zh: '门户平台拒绝了请求', en: 'the portal refused the request (portal.rejected)' },
  'crypto.bad-key': {
    zh: `设备密钥文件缺失、损坏或权限不是 0600，请检查或${REPROVISION}`,
    en: `device key file missing, malformed or not mode 0600: check it or ${REPROVISION_EN}`,
  },
  'crypto.bad-ciphertext': { zh: '无法解密门户平台的应答', en: "the portal's answer could not be decrypted" },
  'crypto.bad-signature': { zh: '签名校验失败', en: 'a signature did not verify' },
  'protocol.malformed': { zh: '收到的数据不符合协议', en: 'data that does not follow the protocol' },
  'protocol.unauthenticated': {
    zh: '门户平台的应答未通过认证，已丢弃',
    en: "the portal's answer failed authentication and was dropped",
  },
  'config.invalid-value': { zh: '参数无效', en: 'invalid argument' },
  'config.unknown-key': { zh: '未知配置项', en: 'unknown config key' },
  'config.no-database': {
    zh: '数据目录中没有配置数据库：请检查 --data-dir 或 $PASSGATE_DATA_DIR；新设备请先运行 passgate provision',
    en: 'no config database in the data directory: check --data-dir or $PASSGATE_DATA_DIR; a new device needs `passgate provision` first',
  },
  'decode.file-missing': { zh: '文件不存在', en: 'no such file' },
  'update.no-release-key': {
    zh: '设备没有厂商发布公钥，请运行 passgate provision --vendor-release-key vendor.pem',
    en: 'no vendor release key on this device: provision it with --vendor-release-key vendor.pem',
  },
  'update.unsigned': {
    zh: '更新包没有签名文件（.sig），拒绝安装',
    en: 'the artifact has no signature file (.sig): refused',
  },
  'update.bad-signature': {
    zh: '更新包签名无效（内容被改动或不是厂商密钥签名），拒绝安装',
    en: "the artifact's signature does not verify (changed, or not the vendor's key): refused",
  },
  'update.downgrade': {
    zh: '更新包版本不高于当前版本，拒绝降级',
    en: 'the artifact is not newer than the active version: refused',
  },
  'update.bad-artifact': { zh: '不是有效的 passgate 更新包', en: 'not a passgate update artifact' },
  'update.install-failed': {
    zh: '更新未能完成，当前版本保持不变',
    en: 'the update could not be completed; the active version is unchanged',
  },
  'update.nothing-pending': { zh: '没有待确认的更新', en: 'no update is pending' },
  'update.rolled-back': {
    zh: '新版本未能按时就绪并通过门户认证，已回滚到旧版本',
    en: 'the new version was not ready and authorized in time: rolled back to the old version',
  },
  'update.release-key-exists': {
    zh: '发布密钥文件已存在，不会覆盖（--force 可替换）',
    en: 'a release key file exists and is never overwritten (--force replaces it)',
  },
  'update.busy': {
    zh: '另一个更新命令（安装、确认或回滚）正在运行，本命令未做任何改动，请稍后重试',
    en: 'another update command (apply, commit or rollback) is running; nothing was changed: try again later',
  },
  'config.storage': { zh: '配置数据库不可用', en: 'config database unavailable' },
  'config.untrusted-path': {
    zh: '数据目录、数据库或密钥文件的属主或权限不安全（其他用户可写），请修正属主和权限',
    en: 'the data directory, database or key file is owned or writable by another user: fix its owner and mode',
  },
  'config.newer-schema': {
    zh: '配置数据库由更新版本的 passgate 写入，请升级 passgate 或使用其他数据目录',
    en: 'the config database was written by a newer passgate version: upgrade passgate or use another --data-dir',
  },
  'config.permission-denied': {
    zh: '当前用户无权读写数据目录，请以服务用户身份或用 sudo 运行',
    en: 'the data directory is not writable by this user: run as the service user or with sudo',
  },
  'driver.open-failed': {
    zh: '无法打开输入设备，请检查连线和设备路径',
    en: 'an input device could not be opened: check its cable and device path',
  },
  'driver.disconnected': { zh: '输入设备已断开，请检查连线', en: 'an input device was disconnected: check its cable' },
  'driver.timeout': { zh: '输入设备无应答', en: 'an input device did not answer in time' },
  'driver.frame-invalid': { zh: '输入设备发来的数据有误', en: 'an input device sent a garbled frame' },
  'driver.card-status': { zh: '读卡器报告错误', en: 'the card reader reported an error' },
  'driver.card-invalid': { zh: '身份证信息无法读取', en: 'the ID card could not be read' },
  'driver.command-forbidden': {
    zh: '禁止发送的读卡命令（指纹）',
    en: 'a card reader command that is never sent (fingerprint)',
  },
  'driver.overlong': { zh: '输入过长', en: 'input longer than allowed' },
  'driver.encoding': { zh: '输入不是有效的 UTF-8', en: 'input is not valid UTF-8' },
  'decode.no-symbol': { zh: '图像中没有找到码', en: 'no code found in the image' },
  'decode.image-unreadable': { zh: '无法读取图像', en: 'the file is not a readable image' },
  'decode.unsupported': { zh: '无法识别该码的格式', en: 'the code is in a format that cannot be read' },
  'decode.worker-failed': {
    zh: '摄像头解码线程故障，正在重启',
    en: "the camera's decode worker failed and is being restarted",
  },
  'gate.busy': { zh: '闸机正忙，请稍后再试', en: 'the gate is busy: try again' },
  'gate.invalid-transition': { zh: '闸机当前状态不允许该操作', en: 'the gate cannot do that in its current state' },
  'gate.bind-timeout': { zh: '等待扫描场所码超时', en: 'no venue code was scanned in time' },
  'gate.bind-cancelled': { zh: '绑定已取消', en: 'bind was cancelled' },
  'display.backend-failed': {
    zh: '指示灯、蜂鸣器或继电器无法驱动，请检查连线和配置 display.*',
    en: 'the lights, buzzer or relay could not be driven: check the wiring and the display.* settings',
  },
  'daemon.not-running': {
    zh: 'passgate 服务未运行，请运行 systemctl start passgate',
    en: 'the passgate daemon is not running: start it with `systemctl start passgate`',
  },
  'daemon.already-running': {
    zh: '该数据目录已有 passgate 服务在运行',
    en: 'a passgate daemon already runs for this data directory',
  },
  'daemon.socket-path-too-long': {
    zh: '数据目录路径过长，无法创建控制套接字，请使用更短的 --data-dir',
    en: 'the data directory path is too long for the control socket: use a shorter --data-dir',
  },
  'daemon.control-socket': { zh: '无法创建控制套接字', en: 'the control socket could not be created' },
  'usage.unknown-command': { zh: '未知命令', en: 'unknown command' },
  'usage.unknown-option': { zh: '未知选项', en: 'unknown option' },
  'usage.missing-value': { zh: '选项缺少值', en: 'an option needs a value' },
  'usage.missing-argument': { zh: '缺少参数', en: 'an argument is missing' },
  'usage.extra-argument': { zh: '多余的参数', en: 'unexpected argument' },
  'usage.invalid-argument': { zh: '参数不正确', en: 'wrong argument' },
  'usage.owned-key': { zh: '该配置项由 provision 或 bind 设置', en: 'that key is set by provision or bind' },
  'mock.not-running': {
    zh: '没有运行中的模拟门户平台，请先运行 passgate-mock serve',
    en: 'no mock portal is running: start one with `passgate-mock serve`',
  },
  'mock.already-running': {
    zh: '该目录已有模拟门户平台在运行，请先停止',
    en: 'a mock already runs for this directory: stop it first',
  },
  'mock.listen-failed': { zh: '无法监听该端口', en: 'cannot listen on that port' },
  'mock.refused': { zh: '模拟门户平台拒绝了该操作', en: 'the mock refused the change' },
  'mock.not-found': { zh: '模拟数据集中没有该项', en: "not in the mock's dataset" },
  'mock.unreadable': { zh: '无法读取模拟平台的文件', en: "a file of the mock's directory cannot be read" },
  'mock.zint-failed': {
    zh: 'zint 未安装或运行失败（apt-get install zint）',
    en: 'zint is missing or failed (apt-get install zint)',
  },
  'mock.unexpected': { zh: '意外错误', en: 'unexpected failure' },
  'selftest.failed': { zh: '自检未通过，请查看失败的项目', en: 'selftest failed: see the failed checks' },
};

/** The message of `code`; a code from a newer program (read off a socket) gets a generic one. */
export function errorMessage(code: ErrorCode): Message {
  return MESSAGES[code] ?? { zh: `操作失败（${code}）`, en: `failed (${code})` };
}

/** What --json prints for a failure: the one shape of every command of both programs. */
export function errorObject(code: ErrorCode, message: Message): { error: { code: ErrorCode; message: Message } } {
  return { error: { code, message: { zh: message.zh, en: message.en } } };
}
