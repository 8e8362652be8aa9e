// `passgate-mock serve`: runs the mock portal for a data directory until SIGINT/SIGTERM.
import { join } from 'node:path';
import { PROTOCOL_DOCUMENT_VERSION } from '../../protocol/constants.js';
import { type RunningMockPortal, startMockPortal } from '../start-mock-portal.js';
import type { DeviceDeviation } from '../strict/device-deviations.js';
import { isTestBreach, TEST_BREACHES, type TestBreach } from '../test-breaches.js';
import { intOption, positionals, UsageError } from './args.js';
import { type CommandDef, printJson } from './command.js';
import { CliFailure } from './io.js';
import {
  rememberedPort,
  rememberPort,
  removeServeFiles,
  SERVE_FILES,
  servedUrl,
  writeServeFiles,
} from './running-mock.js';

/** --deviate's comma-separated names; a usage error for an unknown one. */
function breachesOption(text: string | undefined): TestBreach[] {
  if (text === undefined) return [];
  const names = text.split(',');
  const unknown = names.find((n) => !isTestBreach(n));
  if (unknown !== undefined) {
    const shown = JSON.stringify(unknown.slice(0, 40));
    const known = Object.keys(TEST_BREACHES).join(', ');
    throw new UsageError(
      'usage.invalid-argument',
      `未知的 --deviate ${shown}；可用: ${known}`,
      `unknown --deviate ${shown}; known: ${known}`,
    );
  }
  return names as TestBreach[];
}

/** Hosts that listen on every address; the URL recorded for the CLI then names loopback. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

export const serveCommand: CommandDef = {
  name: 'serve',
  summary: 'run the mock portal (HTTPS with its own CA) until Ctrl-C or SIGTERM',
  usage: ['serve [--port N] [--host H] [--http] [--strict] [--dir DIR] [--json]'],
  details:
    "--port     TCP port (default: the port this directory's mock used last, kept in DIR/port, so\n" +
    '           provisioned devices reach it after a restart; on first run any free port; 0: any)\n' +
    '--host     address to listen on (default 127.0.0.1)\n' +
    '--http     plain HTTP instead of HTTPS (a device then needs portal.allowInsecureHttp)\n' +
    '--strict   check every request a device sends against PROTOCOL.md (serialisation, field order,\n' +
    '           envelope fields and encodings, clock, nonce reuse, MAC, body shapes, bind signature)\n' +
    '           and report each deviation on stderr with its section; answers stay the same.\n' +
    "           `passgate-mock deviations` counts them. For checking a vendor's own device.\n" +
    `--deviate  TEST ONLY: break a rule of PROTOCOL.md on purpose (${Object.keys(TEST_BREACHES).join(', ')}),\n` +
    '           to prove that `conformance` notices; never for a device to rely on.\n' +
    'On first run DIR gets the portal key, a CA and server certificate (DIR/tls), the seeded demo\n' +
    'dataset (state.json) and the admin token (DIR/admin-token, mode 0600). serve prints the URL,\n' +
    "the CA path, the portal's SM2 public key (hex) and the admin token's file, never the token.\n" +
    'While it runs, DIR/url and DIR/serve.pid tell the other commands where it is.',
  zh: {
    summary: '运行模拟门户平台（HTTPS，自带 CA），直到 Ctrl-C 或 SIGTERM',
    details:
      '--port 为 TCP 端口（默认沿用该目录上次的端口），--host 为监听地址（默认 127.0.0.1），--http 使用明文 HTTP（仅开发）。\n首次运行时在 DIR 中生成门户密钥、CA 与服务器证书、演示数据集和管理令牌（0600）；serve 输出地址、CA 路径和门户公钥，从不输出令牌。',
  },
  spec: { values: ['port', 'host', 'deviate'], flags: ['http', 'json', 'strict'] },
  async run(args, ctx) {
    positionals(args, []);
    const explicitPort = intOption(args, 'port', 0, 65535);
    const remembered = explicitPort === undefined ? await rememberedPort(ctx.dir) : null;
    const port = explicitPort ?? remembered ?? 0;
    const host = args.values.get('host');
    const testBreaches = breachesOption(args.values.get('deviate'));
    const strict = args.flags.has('strict')
      ? {
          onDeviation: (d: DeviceDeviation) =>
            ctx.io.stderr(`deviation ${d.section} ${d.rule} (${d.path}): ${d.detail}`),
        }
      : undefined;
    const already = await servedUrl(ctx.dir);
    if (already) {
      throw new CliFailure(
        'mock.already-running',
        `${ctx.dir} 已有模拟平台在 ${already} 运行（请先停止）`,
        `a mock already runs for ${ctx.dir} at ${already} (stop it first)`,
      );
    }
    let mock: RunningMockPortal;
    try {
      mock = await startMockPortal({
        dir: ctx.dir,
        crypto: ctx.crypto,
        plainHttp: args.flags.has('http'),
        port,
        host,
        now: ctx.now,
        strict,
        testBreaches,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        const hint = remembered === null ? '' : ` (the port ${ctx.dir} used last; --port 0 picks any free one)`;
        const hintZh = remembered === null ? '' : `（${ctx.dir} 上次使用的端口；--port 0 任选空闲端口）`;
        const where = `${host ?? '127.0.0.1'}:${port}`;
        throw new CliFailure(
          'mock.listen-failed',
          `无法监听 ${where}${hintZh}（${code}）`,
          `cannot listen on ${where}${hint} (${code})`,
          { cause: error },
        );
      }
      throw error;
    }
    try {
      const url = new URL(mock.url);
      if (WILDCARD_HOSTS.has(url.hostname)) url.hostname = 'localhost';
      const localUrl = url.origin;
      await rememberPort(ctx.dir, Number(url.port));
      await writeServeFiles(ctx.dir, localUrl, process.pid);
      const info = {
        url: mock.url,
        caPath: mock.caPath,
        portalPublicKey: mock.portalPublicKey.toString('hex'),
        adminTokenFile: join(ctx.dir, SERVE_FILES.adminToken),
        dir: ctx.dir,
        protocolDocument: PROTOCOL_DOCUMENT_VERSION,
        strict: strict !== undefined,
      };
      for (const breach of testBreaches) ctx.io.stderr(`TEST ONLY: this mock ${TEST_BREACHES[breach]} (--deviate)`);
      if (args.flags.has('json')) printJson(ctx, info);
      else {
        ctx.io.stdout('passgate mock portal running');
        ctx.io.stdout(`url:          ${info.url}`);
        ctx.io.stdout(`protocol:     reference protocol v1, PROTOCOL.md document ${info.protocolDocument}`);
        ctx.io.stdout(`ca:           ${info.caPath ?? 'none (plain HTTP)'}`);
        ctx.io.stdout(`portal key:   ${info.portalPublicKey}`);
        ctx.io.stdout(`admin token:  in ${info.adminTokenFile} (header x-admin-token, loopback only)`);
        if (strict) ctx.io.stdout('strict:       every deviation of a device request goes to stderr');
        ctx.io.stdout('stop with Ctrl-C or SIGTERM');
      }
      const signal = await ctx.io.untilStopped();
      ctx.io.stderr(`stopping (${signal})`);
    } finally {
      await mock.stop();
      await removeServeFiles(ctx.dir);
    }
    return 0;
  },
};
