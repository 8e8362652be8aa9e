// `passgate-mock venues`: the venue codes of the mock's dataset with their category and presets
// (what a gate bound there asks about NAT and vaccination), and a venue code as a QR or Grid
// Matrix PNG for a technician's `passgate bind --scan`.
import type { Venue } from '../domain/registry.js';
import { positionals, UsageError } from './args.js';
import { type CommandDef, printJson } from './command.js';
import { loadState } from './dataset-commands.js';
import { CliFailure } from './io.js';
import { PNG_OPTIONS, PNG_OPTIONS_HELP, requestedPng, writeSymbolPng } from './symbol-png.js';

function presetText(venue: Venue): { nat: string; vaccination: string } {
  return {
    nat: venue.natValidityHours === null ? 'none' : `${venue.natValidityHours} h`,
    vaccination: venue.vaccinationDoses === null ? 'none' : `${venue.vaccinationDoses} doses`,
  };
}

export const venuesCommand: CommandDef = {
  name: 'venues',
  summary: 'list the venue codes with their presets, or write one as a QR or Grid Matrix PNG for bind --scan',
  usage: ['venues [--dir DIR] [--json]', 'venues <venueCode> --png FILE [--grid-matrix] [--dir DIR] [--json]'],
  details:
    'Without a venue code: one line per venue of DIR/state.json: code, category (clause 5), NAT\n' +
    'preset (a negative NAT result within 24, 48 or 72 h; none: the venue asks nothing), vaccination\n' +
    'preset (doses that count as complete; none) and name. --json prints them as a JSON array.\n' +
    'With a venue code: the code itself, and with --png the code as a symbol for the gate to scan\n' +
    '(`passgate bind --scan` takes the next code the gate reads as the venue code).\n' +
    PNG_OPTIONS_HELP,
  zh: {
    summary: '列出场所码及其预设，或把一个场所码写成二维码或汉信码 PNG 供 bind --scan 扫描',
    details:
      '不带场所码：每个场所一行（场所码、类别、核酸与疫苗预设、名称），--json 输出 JSON 数组。\n带场所码：输出该码，加 --png 写成码图供闸机扫描（passgate bind --scan 把下一个读到的码当作场所码）。',
  },
  spec: { values: [...PNG_OPTIONS.values], flags: ['json', ...PNG_OPTIONS.flags] },
  async run(args, ctx) {
    const png = requestedPng(args);
    const [code] = args.positional.length === 0 ? [undefined] : positionals(args, ['<venueCode>']);
    if (code === undefined && png)
      throw new UsageError('usage.missing-argument', '--png 需要场所码', '--png needs the venue code to write');
    const state = await loadState(ctx);
    const venues = state.registry.listVenues();
    if (code === undefined) {
      const rows = venues.map((v) => ({
        code: v.venueCode,
        name: v.name,
        category: v.category,
        natValidityHours: v.natValidityHours,
        vaccinationDoses: v.vaccinationDoses,
      }));
      if (args.flags.has('json')) printJson(ctx, rows);
      else {
        const width = Math.max(...venues.map((v) => v.venueCode.length));
        ctx.io.stdout(
          `${'code'.padEnd(width)}  ${'category'.padEnd(12)}  ${'NAT'.padEnd(5)}  ${'vaccination'.padEnd(11)}  name`,
        );
        for (const v of venues) {
          const { nat, vaccination } = presetText(v);
          ctx.io.stdout(
            `${v.venueCode.padEnd(width)}  ${v.category.padEnd(12)}  ${nat.padEnd(5)}  ${vaccination.padEnd(11)}  ${v.name}`,
          );
        }
      }
      return 0;
    }
    const venue = venues.find((v) => v.venueCode === code);
    if (!venue) {
      throw new CliFailure(
        'mock.not-found',
        `模拟数据集中没有场所 ${code}（passgate-mock venues 列出全部）`,
        `no venue ${code} in the mock's dataset (passgate-mock venues lists them)`,
      );
    }
    if (png) await writeSymbolPng(code, png.file, { symbology: png.symbology, timeoutMs: ctx.timeouts.symbolRenderMs });
    if (args.flags.has('json')) printJson(ctx, { code, png: png?.file ?? null });
    else ctx.io.stdout(code);
    return 0;
  },
};
