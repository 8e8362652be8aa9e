// `npm start` as someone runs it: the demo as a child process, typed lines on a pipe to stdin.
// It prompts, `help` lists the commands, a word that is no command is not scanned (a pass code
// is marked `code <text>`), `--help` prints the usage, and the script shows every outcome with
// the unbound line once.
import { describe, expect, it } from 'vitest';
import { CHILD_START_MS, CHILD_TEST_MS, type RunningBin, spawnNode } from '../../support/cli.js';

function startDemo(args: string[]): RunningBin {
  // The demo as `npm start` runs it, with this process's environment as it is.
  return spawnNode('the demo', ['scripts/bin/run-ts.mjs', 'scripts/demo/main.ts', ...args], { env: process.env });
}

const count = (text: string, part: string) => text.split(part).length - 1;
const TIMING = '(demo-keyboard: read→signal';

describe('npm start (the interactive demo)', () => {
  it(
    '--help prints the usage and exits 0; an unknown argument exits 2',
    async () => {
      const help = await startDemo(['--help']).exited;
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('用法 / usage: npm start');
      expect(help.stdout).toContain('--script');
      const wrong = await startDemo(['--scirpt']).exited;
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('unknown argument');
    },
    CHILD_TEST_MS,
  );

  it(
    'prompts; help lists the commands; a word that is no command is not scanned; code <text> is',
    async () => {
      const demo = startDemo([]);
      try {
        await demo.until((s) => s.includes('passgate> '), 'the prompt', CHILD_START_MS);
        expect(demo.stdout()).toContain('code <text>');
        const helps = count(demo.stdout(), 'passgate 演示命令 / passgate demo commands:');
        demo.child.stdin.write('help\n');
        await demo.until(
          (s) => count(s, 'passgate 演示命令 / passgate demo commands:') === helps + 1,
          'the help listed again',
        );
        for (const command of ['card <keyword>', 'code <text>', 'help', 'quit', 'green']) {
          expect(demo.stdout()).toContain(command);
        }

        demo.child.stdin.write('gren\n');
        await demo.until((s) => s.includes('unknown command: "gren"'), 'the unknown command answer');
        // Not sent as a pass code: the next marked code is the first scan the gate sees.
        demo.child.stdin.write('code PG-NOT-A-REAL-PASS-CODE\n');
        await demo.until((s) => count(s, TIMING) === 1, 'the verdict of the marked code');
        demo.child.stdin.write('green\n');
        // The display's line and the timing line are two writes: wait for the second verdict's timing.
        await demo.until((s) => count(s, TIMING) === 2, 'the verdict of the green code');
        expect(demo.stdout()).toContain('[GREEN]');
        // The answer to a typed line is followed by the prompt again.
        expect(demo.stdout()).toContain('type code <text>\npassgate> ');
        demo.child.stdin.write('quit\n');
        expect((await demo.exited).code).toBe(0);
      } finally {
        demo.child.kill();
      }
    },
    CHILD_TEST_MS,
  );

  it(
    '--script: every outcome, the unbound line once in the first step',
    async () => {
      const run = await startDemo(['--script']).exited;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('demo script: every outcome shown');
      const firstStep = run.stdout.slice(0, run.stdout.indexOf('▶ technician binds'));
      expect(count(firstStep, '设备未绑定场所 Device not bound to a venue')).toBe(1);
    },
    CHILD_TEST_MS,
  );
});
