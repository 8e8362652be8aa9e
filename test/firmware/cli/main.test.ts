// main()'s answers before any data directory is opened, where they echo what was typed.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { allText, runMain } from '../../support/cli.js';

describe('an unknown command or help topic is named only when it looks like a word', () => {
  // Found by `npm run fuzz` (cli-args): `passgate 110105198305020483` answered "unknown command:
  // 110105198305020483", printing an ID number pasted in the wrong place.
  it('a pasted ID number or pass code as the command: exit 2, not echoed', async () => {
    for (const pasted of ['110105198305020483', 'PGC1.q83vEjRWeJC8Cg3PuLq4Zw']) {
      const r = await runMain([pasted]);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr.slice(0, 2)).toEqual([
        '错误: 未知命令: (不显示 / not shown)',
        'error: unknown command: (不显示 / not shown)',
      ]);
      expect(allText(r)).not.toContain(pasted);
    }
  });

  it('the same as a help topic', async () => {
    const r = await runMain(['help', '110105198305020483']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.slice(0, 2)).toEqual([
      '错误: 未知帮助主题: (不显示 / not shown)',
      'error: unknown help topic: (不显示 / not shown)',
    ]);
    expect(allText(r)).not.toContain('110105198305020483');
  });

  it('a mistyped command word is still named, with the nearest command', async () => {
    const r = await runMain(['stauts']);
    expect(r.stderr.slice(0, 2)).toEqual([
      '错误: 未知命令: stauts，您是否想输入 status？',
      'error: unknown command: stauts; did you mean status?',
    ]);
  });
});
