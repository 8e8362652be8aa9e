// Every text a technician reads at the CLI is in Chinese and in English: each line of every help
// text, the exit-code table, and the message of every error code.
import { describe, expect, it } from 'vitest';
import { failureFor } from '../../../firmware/cli/failures.js';
import { ERROR_CODES } from '../../../firmware/core/errors.js';
import { runMain } from '../../support/cli.js';

const CJK = /[\u4e00-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{2,}/;

const COMMANDS = [
  'provision',
  'bind',
  'rebind',
  'status',
  'selftest',
  'config',
  'decode',
  'run',
  'update',
  'release',
  'version',
];

/**
 * The lines of a help text that are prose: every line but blank ones and the example command
 * lines under "示例 / examples:" (commands to copy, the same in any language).
 */
function proseLines(lines: readonly string[]): string[] {
  const prose: string[] = [];
  let inExamples = false;
  for (const line of lines) {
    if (line.startsWith('示例 / examples:')) inExamples = true;
    else if (inExamples && line.startsWith('  ')) continue;
    else inExamples = false;
    if (line.trim() !== '') prose.push(line);
  }
  return prose;
}

function expectBothLanguages(line: string, where: string): void {
  expect(line, where).toMatch(CJK);
  expect(line.replace(/--?[a-z][a-z-]*|passgate[a-z-]*|\$[A-Z_]+|\/[\w/.-]+/g, ''), where).toMatch(LATIN_WORD);
}

describe('passgate speaks both languages', () => {
  it.each([
    ['help', []],
    ...COMMANDS.map((c) => [`help ${c}`, [c]] as [string, string[]]),
    ['help exit-codes', ['exit-codes']],
  ])('%s: every line in Chinese and English', async (_, topic) => {
    const r = await runMain(['help', ...topic]);
    expect(r.code).toBe(0);
    const lines = proseLines(r.stdout);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expectBothLanguages(line, line);
  });

  it('every error code has its own message in both languages (never the generic 操作失败)', () => {
    for (const code of Object.values(ERROR_CODES).flat()) {
      const { zh, en } = failureFor(code);
      expect(zh, code).toMatch(CJK);
      expect(zh, code).not.toContain('操作失败');
      expect(en, code).toMatch(LATIN_WORD);
      expect(en, code).not.toMatch(CJK);
    }
  });

  it('the newer-schema and permission errors say what is wrong and what to do', () => {
    expect(failureFor('config.newer-schema')).toMatchObject({
      zh: expect.stringContaining('更新版本的 passgate'),
      en: expect.stringContaining('written by a newer passgate version'),
    });
    expect(failureFor('config.permission-denied')).toMatchObject({
      zh: expect.stringContaining('sudo'),
      en: expect.stringMatching(/not writable by this user.*service user or with sudo/),
    });
  });
});
