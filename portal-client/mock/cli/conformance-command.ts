// `passgate-mock conformance`: runs the conformance kit (../conformance/) against a portal that
// speaks PROTOCOL.md and prints a pass/fail table with the section of each check.
import { PROTOCOL_DOCUMENT_VERSION } from '../../protocol/constants.js';
import { type CheckOutcome, runChecks } from '../conformance/check.js';
import { CONFORMANCE_CHECKS, UNPROVOKABLE_ERROR_CODES } from '../conformance/checks.js';
import { ConformanceContext } from '../conformance/context.js';
import { createKitHttp } from '../conformance/http-client.js';
import { positionals } from './args.js';
import { type CommandDef, printJson } from './command.js';
import { kitInputs } from './conformance-setup.js';

/** Exit codes of conformance besides the CLI's own (2 usage, 3 the run could not start). */
export const CONFORMANCE_EXIT = { allPassed: 0, failed: 1, incomplete: 4 } as const;

function summary(outcomes: readonly CheckOutcome[]) {
  const count = (status: CheckOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return { total: outcomes.length, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

export const conformanceCommand: CommandDef = {
  name: 'conformance',
  summary: 'check a portal against PROTOCOL.md: vectors, the five interfaces, every error a client can provoke',
  usage: [
    'conformance --portal URL --dir DIR [--venue CODE] [--json]',
    'conformance --portal URL --device-id ID --device-key FILE --app-id ID --app-secret-file FILE',
    '            --portal-public-key HEX [--ca-file F] [--venue CODE] [--allow-http] [--json]',
  ],
  details:
    `Runs ${CONFORMANCE_CHECKS.length} checks in order and prints one line per check: PASS, FAIL or SKIP, the\n` +
    "PROTOCOL.md section, its name and what it checks (a failure's reason on the next line). The\n" +
    "§10 vectors run locally: they check this build's protocol and crypto code, the code a vendor\n" +
    'adapts. The rest are requests built with that code, correct ones and ones broken on purpose:\n' +
    'replays, skewed clocks, tampered MACs and ciphertexts, wrong signatures, expired sessions,\n' +
    `MAC-valid malformed requests. ${UNPROVOKABLE_ERROR_CODES.join(' and ')} cannot be provoked and are not checked.\n` +
    '--portal   the portal under test (https://; http:// only with --allow-http)\n' +
    "--dir      the bundled mock's data directory: its admin API registers fresh devices (the kit's\n" +
    '           own, unbound ones, one of a vendor it suspends), and its CA, portal key, app\n' +
    '           credentials and first venue are read from DIR. Leaves those devices registered,\n' +
    '           and its last check expires every session of the mock (devices re-authorize).\n' +
    '--device-id, --device-key (0600 key file), --app-id, --app-secret-file: a registered device of\n' +
    '           an approved vendor, for a portal that is not the bundled mock\n' +
    '--portal-public-key  the portal SM2 key, 04‖X‖Y hex (with --dir: read from DIR/portal.key)\n' +
    '--ca-file  the CA of the portal TLS certificate (default: the system CAs; with --dir: DIR/tls)\n' +
    '--venue    a venue code to bind to (with --dir: the first of the dataset); without it bind\n' +
    '           checks skip. A given device that is unbound gets bound to it; checks that need an\n' +
    '           unbound device skip for a bound one (with --dir the kit registers its own).\n' +
    '--json     one JSON object: the portal, the document version, counts and every outcome\n' +
    'exit codes: 0 every check passed, 1 a check failed, 4 none failed but some were skipped,\n' +
    '            2 usage error, 3 the run could not start.',
  zh: {
    summary: '按 PROTOCOL.md 检查门户平台：测试向量、五个接口、客户端可触发的每种错误',
    details:
      '依次运行各项检查，每项一行：PASS、FAIL 或 SKIP，附 PROTOCOL.md 章节与检查内容（失败原因在下一行）。\n' +
      '§10 向量在本地运行；其余是用本构建的协议代码发出的请求，有正确的，也有故意破坏的。\n' +
      '退出码：0 全部通过，1 有检查失败，4 无失败但有跳过，2 命令行有误，3 无法运行。',
  },
  spec: {
    values: ['portal', 'device-id', 'device-key', 'app-id', 'app-secret-file', 'portal-public-key', 'ca-file', 'venue'],
    flags: ['json', 'allow-http'],
  },
  async run(args, ctx) {
    positionals(args, []);
    const inputs = await kitInputs(args, ctx);
    const http = createKitHttp({
      portalUrl: inputs.portalUrl,
      caPem: inputs.caPem,
      timeoutMs: ctx.timeouts.conformanceRequestMs,
    });
    const kit = new ConformanceContext({ ...inputs, crypto: ctx.crypto, http, now: ctx.now });
    const json = args.flags.has('json');
    if (!json) {
      ctx.io.stdout(`conformance of ${inputs.portalUrl.origin} to PROTOCOL.md document ${PROTOCOL_DOCUMENT_VERSION}`);
      ctx.io.stdout(`${'result'.padEnd(6)}  ${'section'.padEnd(10)}  check`);
    }
    const width = Math.max(...CONFORMANCE_CHECKS.map((c) => c.id.length));
    let outcomes: CheckOutcome[];
    try {
      outcomes = await runChecks(CONFORMANCE_CHECKS, kit, (o) => {
        if (json) return;
        ctx.io.stdout(
          `${o.status.toUpperCase().padEnd(6)}  ${o.section.padEnd(10)}  ${o.id.padEnd(width)}  ${o.title}`,
        );
        if (o.detail !== null) ctx.io.stdout(`${' '.repeat(20)}${o.status === 'fail' ? '✗' : '·'} ${o.detail}`);
      });
    } finally {
      await http.close();
      inputs.device.privateKey.fill(0);
    }
    const counts = summary(outcomes);
    if (json) {
      printJson(ctx, {
        portal: inputs.portalUrl.origin,
        protocolDocument: PROTOCOL_DOCUMENT_VERSION,
        ...counts,
        checks: outcomes,
      });
    } else {
      ctx.io.stdout(
        `${counts.total} checks: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
      );
    }
    if (counts.failed > 0) return CONFORMANCE_EXIT.failed;
    return counts.skipped > 0 ? CONFORMANCE_EXIT.incomplete : CONFORMANCE_EXIT.allPassed;
  },
};
