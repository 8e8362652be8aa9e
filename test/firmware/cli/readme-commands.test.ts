import { describe, expect, it } from 'vitest';
import type { ArgSpec } from '../../../firmware/cli/args.js';
import { BIND_OPTIONS } from '../../../firmware/cli/bind-command.js';
import { CONFIG_OPTIONS } from '../../../firmware/cli/config-command.js';
import { DECODE_OPTIONS } from '../../../firmware/cli/decode-command.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { COMMANDS } from '../../../firmware/cli/main.js';
import { OPTIONS as PROVISION_OPTIONS } from '../../../firmware/cli/provision-command.js';
import { SPEC as RELEASE_ARGS } from '../../../firmware/cli/release-command.js';
import { RUN_OPTIONS } from '../../../firmware/cli/run-command.js';
import { SELFTEST_ARGS } from '../../../firmware/cli/selftest-command.js';
import { STATUS_ARGS } from '../../../firmware/cli/status-command.js';
import { SPEC as UPDATE_ARGS } from '../../../firmware/cli/update-command.js';
import { runMain } from '../../support/cli.js';
import { readmeTable } from '../../support/readme-table.js';

/** What each command's parser accepts; version and help are answered by main itself. */
const SPECS: Record<string, ArgSpec> = {
  provision: PROVISION_OPTIONS,
  bind: BIND_OPTIONS,
  rebind: BIND_OPTIONS,
  status: STATUS_ARGS,
  selftest: SELFTEST_ARGS,
  config: CONFIG_OPTIONS,
  decode: DECODE_OPTIONS,
  run: RUN_OPTIONS,
  update: UPDATE_ARGS,
  release: RELEASE_ARGS,
  version: { flags: ['json'] },
  help: {},
};

const optionsOf = (spec: ArgSpec) => [...(spec.values ?? []), ...(spec.flags ?? [])].map((o) => `--${o}`).sort();
/** Options every command takes, which the tables and help texts need not repeat per command. */
const EVERYWHERE = new Set(['--data-dir', '--help', '--version']);

describe("the README's commands and options table", () => {
  it('lists every command once, with exactly the options its parser takes', () => {
    const rows = readmeTable('## Commands and options');
    const commands = rows.map((r) => /^`([a-z-]+)`$/.exec(r[0])?.[1]);
    expect(commands).toEqual([...COMMANDS]);
    expect(Object.keys(SPECS).sort()).toEqual([...COMMANDS].sort());
    for (const [cell, options, what] of rows) {
      const command = cell.slice(1, -1);
      const listed = [...options.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]).sort();
      expect(listed, command).toEqual(optionsOf(SPECS[command]));
      if (listed.length === 0) expect(options, command).toBe('(none)');
      expect(what.length, command).toBeGreaterThan(10);
    }
  });
});

describe('passgate help <command>', () => {
  it.each(Object.keys(SPECS).filter((c) => c !== 'help'))(
    '%s: names every option its parser takes and no other, with examples of the command',
    async (command) => {
      const help = await runMain(['help', command]);
      expect(help.code).toBe(EXIT.ok);
      const text = help.stdout.join('\n');
      const named = new Set([...text.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((m) => m[1]));
      for (const option of optionsOf(SPECS[command])) expect(named.has(option), `${command} ${option}`).toBe(true);
      for (const option of named) {
        if (!EVERYWHERE.has(option)) expect(optionsOf(SPECS[command]), `${command} ${option}`).toContain(option);
      }
      const examples = help.stdout.slice(help.stdout.indexOf('示例 / examples:') + 1).filter((l) => l.startsWith('  '));
      expect(examples.length, command).toBeGreaterThan(0);
      // run's example is how it is really started: by the service manager.
      const starts = command === 'run' ? 'systemctl start passgate' : `passgate ${command}`;
      expect(
        examples.some((e) => e.trim().startsWith(starts)),
        command,
      ).toBe(true);
    },
  );
});

describe("the README's technician troubleshooting table", () => {
  const rows = readmeTable('## Technician: troubleshooting');

  it('covers the problems a technician meets on site', () => {
    const symptoms = rows.map((r) => r[0]).join('\n');
    for (const problem of [
      'not provisioned',
      'not bound',
      'binding mismatch',
      'portal unreachable',
      'vendor suspended',
      'device not registered',
      'authentication failed',
      'daemon not running',
      'serial-scanner',
      'idcard',
      'no input device',
      'clock',
      'not writable',
      'display',
    ]) {
      expect(symptoms, problem).toContain(problem);
    }
  });

  it('names real commands and exit codes, and a fix on every row', () => {
    const exitCodes = new Set<number>(Object.values(EXIT));
    for (const [symptom, command, fix] of rows) {
      const word = /^`passgate ([a-z-]+)/.exec(command)?.[1];
      expect(COMMANDS, symptom).toContain(word);
      const exit = /\(exit (\d+)\)/.exec(command)?.[1];
      if (exit !== undefined) expect(exitCodes.has(Number(exit)), symptom).toBe(true);
      expect(fix.length, symptom).toBeGreaterThan(20);
    }
  });
});
