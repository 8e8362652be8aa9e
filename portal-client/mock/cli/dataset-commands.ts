// Commands that read the mock's synthetic dataset from DIR/state.json (seeding it on first use,
// like serve does): the demo residents, their pass codes and their ID-card text.
import { maskIdNumber, maskName } from '../../../firmware/core/verdict.js';
import {
  DEMO_PASS_CODE_KEYWORDS,
  DEMO_RESIDENT_KEYWORDS,
  type DemoResidentKeyword,
  demoPassCode,
  describeDemoKeywords,
  isDemoPassCodeKeyword,
} from '../domain/demo-dataset.js';
import type { MockPortalState } from '../domain/portal-state.js';
import type { Resident } from '../domain/residents.js';
import { loadOrSeedState } from '../domain/state-file.js';
import { PASS_CODE_TTL_MS } from '../start-mock-portal.js';
import { intOption, positionals, UsageError } from './args.js';
import { type CommandContext, type CommandDef, printJson } from './command.js';
import { CliFailure } from './io.js';
import { PNG_OPTIONS, PNG_OPTIONS_HELP, requestedPng, writeSymbolPng } from './symbol-png.js';

const MAX_TTL_MS = 365 * 24 * 3600_000;
/** The idcard keyword of the synthetic person the portal does not know. */
const UNKNOWN_PERSON = 'unknown';

export async function loadState(ctx: CommandContext): Promise<MockPortalState> {
  return (await loadOrSeedState(ctx.dir, { now: ctx.now, crypto: ctx.crypto })).state;
}

function demoResident(state: MockPortalState, keyword: DemoResidentKeyword): Resident {
  const ref = state.demo.residents[keyword];
  const resident = ref === undefined ? undefined : state.residents.byRef(ref);
  if (!resident) {
    throw new CliFailure(
      'mock.not-found',
      `state.json 的数据集中没有 ${keyword} 的演示居民`,
      `the dataset in state.json has no demo resident for ${keyword}`,
    );
  }
  return resident;
}

export const residentsCommand: CommandDef = {
  name: 'residents',
  summary: 'list the demo residents (masked) and their 苏康码 colour',
  usage: ['residents [--dir DIR] [--json]'],
  details:
    'One line per demo keyword: masked name, masked ID number, 苏康码 colour (none: no code;\n' +
    'stale: not updated for 14 days) and list membership. Identities are printed masked only;\n' +
    '`idcard` gives one synthetic identity in full.',
  zh: {
    summary: '列出演示居民（脱敏）及其苏康码颜色',
    details:
      '每个演示关键词一行：脱敏姓名、脱敏身份证号、苏康码颜色及名单。身份信息只以脱敏形式输出；idcard 给出一个完整的合成身份。',
  },
  spec: { flags: ['json'] },
  async run(args, ctx) {
    positionals(args, []);
    const state = await loadState(ctx);
    const rows = DEMO_RESIDENT_KEYWORDS.map((keyword) => {
      const r = demoResident(state, keyword);
      const stale = r.skm !== null && ctx.now() - r.skm.updatedAt > 14 * 24 * 3600_000;
      const lists = [r.onControlList ? 'control' : null, r.onRedCodeList ? 'red-code' : null].filter((l) => l !== null);
      return {
        keyword,
        maskedName: maskName(r.name),
        maskedId: maskIdNumber(r.idNumber),
        skm: r.skm === null ? 'none' : stale ? `${r.skm.colour} (stale)` : r.skm.colour,
        lists,
      };
    });
    if (args.flags.has('json')) {
      printJson(ctx, rows);
      return 0;
    }
    ctx.io.stdout(
      `${'keyword'.padEnd(18)} ${'name'.padEnd(6)} ${'ID number'.padEnd(18)}  ${'苏康码'.padEnd(14)} lists`,
    );
    for (const row of rows) {
      ctx.io.stdout(
        `${row.keyword.padEnd(18)} ${row.maskedName.padEnd(6)} ${row.maskedId.padEnd(18)}  ${row.skm.padEnd(14)} ${row.lists.join(',') || '-'}`,
      );
    }
    return 0;
  },
};

export const issueCommand: CommandDef = {
  name: 'issue',
  summary: 'print a pass code for a demo keyword, optionally as a QR code or Grid Matrix PNG',
  usage: ['issue <keyword> [--ttl-ms N] [--png FILE [--grid-matrix]] [--dir DIR] [--json]'],
  details:
    'Keywords, and what the code gives at the gate (findings only at venues whose presets ask;\n' +
    '`passgate-mock venues` lists the venues and their presets):\n' +
    `${describeDemoKeywords(DEMO_PASS_CODE_KEYWORDS).join('\n')}\n` +
    `--ttl-ms   validity of the code (default ${PASS_CODE_TTL_MS}, one day)\n` +
    `${PNG_OPTIONS_HELP}\n` +
    '--json     print {"keyword","code","png"} instead of the bare code',
  zh: {
    summary: '输出演示关键词对应的通行码，可另存为二维码或汉信码 PNG',
    details:
      '关键词及其在闸机上的结果见上。--ttl-ms 为码的有效期；--png 另存为 PNG（需要 zint），--grid-matrix 改用汉信码；--json 输出 {"keyword","code","png"}。',
  },
  spec: { values: ['ttl-ms', ...PNG_OPTIONS.values], flags: ['json', ...PNG_OPTIONS.flags] },
  async run(args, ctx) {
    const [keyword] = positionals(args, ['<keyword>']);
    if (!isDemoPassCodeKeyword(keyword))
      throw new UsageError(
        'usage.invalid-argument',
        `未知关键词；可用: ${DEMO_PASS_CODE_KEYWORDS.join(', ')}`,
        `unknown keyword; one of: ${DEMO_PASS_CODE_KEYWORDS.join(', ')}`,
      );
    const ttlMs = intOption(args, 'ttl-ms', 1000, MAX_TTL_MS) ?? PASS_CODE_TTL_MS;
    const png = requestedPng(args);
    const state = await loadState(ctx);
    const code = demoPassCode(state, keyword, { now: ctx.now, ttlMs, crypto: ctx.crypto });
    if (png) await writeSymbolPng(code, png.file, { symbology: png.symbology, timeoutMs: ctx.timeouts.symbolRenderMs });
    if (args.flags.has('json')) printJson(ctx, { keyword, code, png: png?.file ?? null });
    else ctx.io.stdout(code);
    return 0;
  },
};

export const idcardCommand: CommandDef = {
  name: 'idcard',
  summary: "print a demo resident's synthetic name and ID number as JSON",
  usage: ['idcard <keyword> [--dir DIR] [--json]'],
  details:
    'Keywords, and what the card gives at the gate (findings only at venues whose presets ask):\n' +
    `${describeDemoKeywords(DEMO_RESIDENT_KEYWORDS).join('\n')}\n` +
    `  ${UNKNOWN_PERSON.padEnd(17)}  CHECK_SKM; a synthetic person the portal does not know (no 苏康码)\n` +
    'Prints {"cardType":"resident","name":…,"idNumber":…}, the text a simulated ID-card reader\n' +
    'would give; always JSON (--json is accepted for symmetry). Synthetic data only.',
  zh: {
    summary: '以 JSON 输出演示居民的合成姓名和身份证号',
    details:
      '输出模拟身份证读卡器给出的文本 {"cardType":"resident","name":…,"idNumber":…}；总是 JSON（也接受 --json）。仅为合成数据。',
  },
  spec: { flags: ['json'] },
  async run(args, ctx) {
    const [keyword] = positionals(args, ['<keyword>']);
    const known = (DEMO_RESIDENT_KEYWORDS as readonly string[]).includes(keyword);
    if (!known && keyword !== UNKNOWN_PERSON) {
      const all = `${DEMO_RESIDENT_KEYWORDS.join(', ')}, ${UNKNOWN_PERSON}`;
      throw new UsageError('usage.invalid-argument', `未知关键词；可用: ${all}`, `unknown keyword; one of: ${all}`);
    }
    const state = await loadState(ctx);
    const person = known ? demoResident(state, keyword as DemoResidentKeyword) : state.demo.unknownPerson;
    printJson(ctx, { cardType: 'resident', name: person.name, idNumber: person.idNumber });
    return 0;
  },
};

export const vendorsCommand: CommandDef = {
  name: 'vendors',
  summary: 'list the vendors with their status and app ID (and app secret with --secrets)',
  usage: ['vendors [--secrets] [--dir DIR] [--json]'],
  details:
    'Reads DIR/state.json (a running serve saves every change there). --secrets adds each\n' +
    "vendor's synthetic app secret, which `passgate provision` needs for a demo device.",
  zh: {
    summary: '列出厂商及其状态和应用 ID（加 --secrets 显示应用密钥）',
    details: '读取 DIR/state.json。--secrets 另外输出每个厂商的合成应用密钥，演示设备的 passgate provision 需要它。',
  },
  spec: { flags: ['json', 'secrets'] },
  async run(args, ctx) {
    positionals(args, []);
    const state = await loadState(ctx);
    const secrets = args.flags.has('secrets');
    const rows = state.registry.listVendors().map((v) => ({
      id: v.id,
      name: v.name,
      status: v.status,
      appId: v.appId,
      ...(secrets ? { appSecret: v.appSecret } : {}),
    }));
    if (args.flags.has('json')) printJson(ctx, rows);
    else
      for (const v of rows)
        ctx.io.stdout(`${v.id.padEnd(20)} ${v.status.padEnd(10)} ${v.appId}${v.appSecret ? `  ${v.appSecret}` : ''}`);
    return 0;
  },
};
