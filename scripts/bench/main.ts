// `npm run bench [-- --json] [-- --only name,name]`: runs every section, prints a table, and with
// --json prints one JSON object of all figures as the last line.
import type { BenchRow, BenchSection } from './section.js';
import { sections } from './sections.js';

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : undefined;
  const chosen: BenchSection[] = sections().filter((s) => !only || only.has(s.name));
  const rows: Array<BenchRow & { section: string }> = [];
  let failed = false;
  for (const section of chosen) {
    process.stderr.write(`bench: ${section.name}…\n`);
    try {
      for (const row of await section.run()) rows.push({ ...row, section: section.name });
    } catch (error) {
      failed = true;
      process.stderr.write(`bench: section ${section.name} failed: ${(error as Error).message}\n`);
    }
  }
  const width = Math.max(10, ...rows.map((r) => r.key.length));
  const lines = [`${'section'.padEnd(12)} ${'key'.padEnd(width)} ${'value'.padStart(12)} unit     target`];
  for (const r of rows) {
    lines.push(
      `${r.section.padEnd(12)} ${r.key.padEnd(width)} ${String(r.value).padStart(12)} ${r.unit.padEnd(8)} ${r.target ?? ''}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (json) process.stdout.write(JSON.stringify(Object.fromEntries(rows.map((r) => [r.key, r.value]))) + '\n');
  return failed ? 1 : 0;
}
