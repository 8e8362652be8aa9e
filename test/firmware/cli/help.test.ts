// `passgate help`: the usage with examples of every command, the exit-code table generated from
// exit-codes.ts, and the README's copy of that table kept equal to the code.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANINGS, type ExitName } from '../../../firmware/cli/exit-codes.js';
import { cli, runMain, tempRoot } from '../../support/cli.js';
import { readmeTable } from '../../support/readme-table.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeEach(() => {
  tmp = tempRoot('pg-cli-help-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

const COMMANDS = ['provision', 'bind', 'rebind', 'status', 'selftest', 'config', 'decode', 'run', 'version'];

describe('passgate help', () => {
  it.each(COMMANDS)('help %s: usage, examples and exit codes, as with --help; no data dir made', async (c) => {
    const help = await cli(dataDir, 'help', c);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout.join('\n')).toContain(`passgate ${c}`);
    expect(help.stdout).toContain('示例 / examples:');
    expect(help.stdout.at(-1)).toMatch(/^exit codes \/ 退出码: 0 ok/);
    expect((await cli(dataDir, c, '--help')).stdout).toEqual(help.stdout);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('help exit-codes: every code of exit-codes.ts, in both languages', async () => {
    const r = await runMain(['help', 'exit-codes']);
    expect(r.code).toBe(EXIT.ok);
    for (const name of Object.keys(EXIT) as ExitName[]) {
      const line = r.stdout.find((l) => l.trim().startsWith(`${EXIT[name]}  ${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(`${EXIT_MEANINGS[name].zh} / ${EXIT_MEANINGS[name].en}`);
    }
  });

  it('an unknown help topic: exit 2 with the nearest topic', async () => {
    const r = await runMain(['help', 'exit-code']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr[0]).toContain('您是否想输入 exit-codes？');
    expect(r.stderr[1]).toContain('did you mean exit-codes?');
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'help %s: an unknown topic like any other, not a crash (fuzz finding: `in` saw the prototype)',
    async (topic) => {
      const r = await runMain(['help', topic]);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr.join('\n')).toContain('unknown help topic');
    },
  );

  it.each(['toString', 'constructor'])('update %s: a usage error, as any unknown action', async (action) => {
    const r = await cli(dataDir, 'update', action);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.join('\n')).toContain('wrong or missing action or file');
  });

  it("the README's exit-code table is the code's", () => {
    const expected = (Object.keys(EXIT) as ExitName[]).map((name) => [
      String(EXIT[name]),
      `\`${name}\``,
      EXIT_MEANINGS[name].en,
      EXIT_MEANINGS[name].zh,
    ]);
    expect(readmeTable('## Exit codes')).toEqual(expected);
  });
});
