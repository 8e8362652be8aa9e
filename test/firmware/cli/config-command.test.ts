import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../../firmware/cli/config-command.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { CONFIG_KEYS } from '../../../firmware/config/schema.js';
import { tempConfigStore } from '../../support/temp-store.js';

const temp = tempConfigStore('passgate-cmd-');

function run(...args: string[]): { code: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runConfigCommand(temp.store, args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

describe('passgate config', () => {
  it('set then get, plain and --json', () => {
    expect(run('set', 'gate.showMs', '2500')).toEqual({ code: 0, stdout: ['gate.showMs = 2500'], stderr: [] });
    expect(run('get', 'gate.showMs').stdout).toEqual(['2500']);
    expect(JSON.parse(run('get', 'gate.showMs', '--json').stdout[0])).toEqual({
      key: 'gate.showMs',
      value: 2500,
      isDefault: false,
      secret: false,
    });
    expect(JSON.parse(run('get', '--json', 'display.pins').stdout[0]).value).toEqual({
      red: 17,
      green: 27,
      buzzer: 22,
      relay: 23,
    });
    expect(temp.store.get('gate.showMs')).toBe(2500);
  });

  it('set with several pairs is atomic', () => {
    expect(run('set', 'gate.natPolicy', 'warn', 'gate.queueLimit', '3').code).toBe(0);
    expect(temp.store.get('gate.natPolicy')).toBe('warn');
    expect(temp.store.get('gate.queueLimit')).toBe(3);
    const bad = run('set', 'gate.natPolicy', 'deny', 'gate.showMs', '5');
    expect(bad.code).toBe(EXIT.invalidValue);
    expect(temp.store.get('gate.natPolicy')).toBe('warn');
  });

  it('list prints every key once, marks defaults, and --json parses', () => {
    run('set', 'gate.natPolicy', 'warn');
    const plain = run('list');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toHaveLength(CONFIG_KEYS.length);
    expect(plain.stdout).toContain('gate.natPolicy = warn');
    expect(plain.stdout).toContain('gate.busyInput = queue  (default)');
    const json = JSON.parse(run('list', '--json').stdout[0]) as { key: string; value: unknown; isDefault: boolean }[];
    expect(json.map((e) => e.key)).toEqual(CONFIG_KEYS);
    expect(json.find((e) => e.key === 'gate.natPolicy')).toMatchObject({ value: 'warn', isDefault: false });
  });

  it('never prints a secret: set, get, get --json, list, list --json', () => {
    const secret = 'synthetic-Secret-42';
    temp.store.set('vendor.appSecret', secret); // as provision sets it: config set refuses the key
    const outputs = [
      run('set', 'vendor.appSecret', secret),
      run('get', 'vendor.appSecret'),
      run('get', 'vendor.appSecret', '--json'),
      run('list'),
      run('list', '--json'),
      run('set', 'vendor.appSecret', 'bad secret with spaces'),
    ];
    const all = JSON.stringify(outputs);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('bad secret');
    expect(outputs[0]).toMatchObject({ code: EXIT.usage, stdout: [] });
    expect(outputs[1].stdout).toEqual(['(set)']);
    expect(JSON.parse(outputs[2].stdout[0]).value).toBe('(set)');
    expect(outputs[5].code).toBe(EXIT.usage);
    expect(temp.store.get('vendor.appSecret')).toBe(secret);
  });

  it('exit codes: usage 2, invalid value 3, unknown key 4, storage 5', () => {
    expect(run().code).toBe(EXIT.usage);
    expect(run('frobnicate').code).toBe(EXIT.usage);
    expect(run('get').code).toBe(EXIT.usage);
    expect(run('set', 'gate.showMs').code).toBe(EXIT.usage);
    expect(run('list', 'extra').code).toBe(EXIT.usage);
    expect(run('list', '--verbose').code).toBe(EXIT.usage);
    const invalid = run('set', 'gate.showMs', '100');
    expect(invalid.code).toBe(EXIT.invalidValue);
    expect(invalid.stderr.join('\n')).toContain('配置值无效');
    expect(invalid.stderr.join('\n')).toContain('an integer from 200 to 30000');
    const unknown = run('get', 'gate.nope');
    expect(unknown.code).toBe(EXIT.unknownKey);
    expect(unknown.stderr.join('\n')).toContain('gate.showMs'); // lists the known gate.* keys
    expect(run('set', 'nope', '1').code).toBe(EXIT.unknownKey);
    expect(run('reset', 'nope').code).toBe(EXIT.unknownKey);
    expect(run('--help').code).toBe(EXIT.ok);
    expect([EXIT.usage, EXIT.invalidValue, EXIT.unknownKey, EXIT.storage]).toEqual([2, 3, 4, 5]);
    const exitLine =
      'exit codes / 退出码: 0 ok, 2 usage, 3 invalid value, 4 unknown key, 5 storage, 10 not provisioned';
    expect(run('help').stdout.at(-1)).toBe(exitLine);
    temp.store.close();
    expect(run('get', 'gate.showMs').code).toBe(EXIT.storage);
  });

  it('skips --data-dir (the caller resolves it) and takes values after --', () => {
    expect(run('--data-dir', '/elsewhere', 'set', 'drivers.serial.prefix', 'A').code).toBe(0);
    expect(run('set', '--', 'drivers.serial.prefix', '--dash--').code).toBe(0);
    expect(temp.store.get('drivers.serial.prefix')).toBe('--dash--');
  });

  it('reset returns a key to its default', () => {
    run('set', 'gate.queueLimit', '7');
    expect(run('reset', 'gate.queueLimit')).toMatchObject({ code: 0, stdout: ['gate.queueLimit = 1  (default)'] });
    expect(temp.store.get('gate.queueLimit')).toBe(1);
  });

  it('random arguments give a documented exit code and never echo the value', () => {
    const codes = new Set<number>([EXIT.ok, EXIT.usage, EXIT.invalidValue, EXIT.unknownKey, EXIT.storage]);
    fc.assert(
      fc.property(
        fc.constantFrom('get', 'set', 'list', 'reset', 'x'),
        fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string({ maxLength: 20 })),
        fc.string({ minLength: 12, maxLength: 60 }).filter((s) => /^[A-Za-z0-9]+$/.test(s)),
        (command, key, value) => {
          const result = run(command, key, `ZZ${value}`);
          expect(codes.has(result.code)).toBe(true);
          if (result.code !== 0) expect(result.stderr.join('\n')).not.toContain(`ZZ${value}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
