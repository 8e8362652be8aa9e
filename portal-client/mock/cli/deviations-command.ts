// `passgate-mock deviations`: what a running `serve --strict` found wrong with the requests
// devices sent, counted by rule (each with its PROTOCOL.md section), and the latest ones.
import { STRICT_RULES, type StrictRule } from '../strict/device-deviations.js';
import { positionals } from './args.js';
import { type CommandDef, printJson } from './command.js';
import { CliFailure } from './io.js';
import { adminRequest, findRunningMock } from './running-mock.js';

interface DeviationsAnswer {
  strict: boolean;
  total?: number;
  byRule?: Partial<Record<StrictRule, number>>;
  recent?: { rule: string; section: string; path: string; detail: string }[];
}

export const deviationsCommand: CommandDef = {
  name: 'deviations',
  summary: 'what a running serve --strict found wrong in device requests, by PROTOCOL.md rule',
  usage: ['deviations [--clear] [--url URL] [--dir DIR] [--json]'],
  details:
    'Prints the number of deviations, one line per rule broken (count, section, rule) and the\n' +
    'latest deviations (section, rule, path, what was wrong; field names only, never values).\n' +
    '--clear   start counting afresh (prints the counts before clearing)\n' +
    `rules: ${Object.keys(STRICT_RULES).join(', ')}\n` +
    'exit code 3 when the running mock is not strict.',
  zh: {
    summary: '运行中的 serve --strict 在设备请求中发现的偏差，按 PROTOCOL.md 规则列出',
    details:
      '输出偏差总数、每条被违反的规则一行（次数、章节、规则）及最近的偏差（只有字段名，从不含值）。\n' +
      '--clear 重新计数（先输出清除前的计数）。运行中的模拟平台不是严格模式时退出码为 3。',
  },
  spec: { values: ['url'], flags: ['json', 'clear'] },
  async run(args, ctx) {
    positionals(args, []);
    const mock = await findRunningMock(ctx.dir, args.values.get('url'));
    if (!mock)
      throw new CliFailure(
        'mock.not-running',
        `${ctx.dir} 没有运行中的模拟平台（先运行 passgate-mock serve --strict）`,
        `no mock is running for ${ctx.dir} (start one with: passgate-mock serve --strict)`,
      );
    const ms = ctx.timeouts.adminRequestMs;
    const answer = (await adminRequest(mock, '/admin/deviations', {}, ms)) as DeviationsAnswer;
    if (!answer.strict)
      throw new CliFailure(
        'mock.refused',
        '运行中的模拟平台不是严格模式（serve --strict）',
        'the running mock is not strict (serve --strict)',
      );
    if (args.flags.has('clear')) await adminRequest(mock, '/admin/deviations/clear', {}, ms);
    if (args.flags.has('json')) {
      printJson(ctx, answer);
      return 0;
    }
    ctx.io.stdout(`${answer.total ?? 0} deviation(s)`);
    for (const [rule, count] of Object.entries(answer.byRule ?? {})) {
      ctx.io.stdout(`${String(count).padStart(6)}  ${STRICT_RULES[rule as StrictRule].padEnd(10)}  ${rule}`);
    }
    for (const d of answer.recent ?? []) ctx.io.stdout(`deviation ${d.section} ${d.rule} (${d.path}): ${d.detail}`);
    return 0;
  },
};
