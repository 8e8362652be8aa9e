// `passgate config …`: read and change settings from a shell. The daemon notices the change
// through the store's watch() poll, so no restart is needed.
//
//   passgate config list [--json]
//   passgate config get KEY [--json]
//   passgate config set KEY VALUE [KEY VALUE …]   several pairs are saved together, all or nothing
//   passgate config reset KEY [KEY …]             back to the default
//
// Exit codes: 0 ok, 2 usage, 3 invalid value, 4 unknown key, 5 storage (database) error.
// Secrets print as "(set)" or "(unset)" in every form, JSON included. Error messages name the
// key and the rule, never the rejected value.
import { isPassgateError, type PassgateError } from '../core/errors.js';
import { CONFIG_KEYS, type ConfigKey, type ConfigValues, describeRule, displayValue, isConfigKey, parseValueText, printableKey, unknownKeyError } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { CommandOutput } from './io.js';

export const CONFIG_EXIT = {
  ok: 0,
  usage: 2,
  invalidValue: 3,
  unknownKey: 4,
  storage: 5,
} as const;

export type { CommandOutput };

const USAGE = [
  'usage / 用法:',
  '  passgate config list [--json]',
  '  passgate config get KEY [--json]',
  '  passgate config set KEY VALUE [KEY VALUE …]',
  '  passgate config reset KEY [KEY …]',
  'exit codes / 退出码: 0 ok, 2 usage, 3 invalid value, 4 unknown key, 5 storage error',
];

interface ParsedArgs {
  json: boolean;
  help: boolean;
  positional: string[];
  unknownOption?: string;
}

/** Splits flags from positionals. `--data-dir` (resolved by the caller) is skipped; `--` ends flags. */
function parseArgs(args: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { json: false, help: false, positional: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--json') parsed.json = true;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--data-dir') i++;
    else if (arg.startsWith('--data-dir=')) continue;
    else if (arg.startsWith('--') && arg.length > 2) parsed.unknownOption ??= arg;
    else parsed.positional.push(arg);
  }
  return parsed;
}

function usage(out: CommandOutput, problem?: string): number {
  if (problem) out.stderr(problem);
  for (const line of USAGE) out.stderr(line);
  return CONFIG_EXIT.usage;
}

function reportError(out: CommandOutput, error: unknown): number {
  if (!isPassgateError(error)) throw error;
  switch (error.code) {
    case 'config.unknown-key':
      out.stderr(`错误：未知配置项 / error: ${error.message}`);
      hintKeys(out, error);
      return CONFIG_EXIT.unknownKey;
    case 'config.invalid-value': {
      out.stderr(`错误：配置值无效 / error: invalid value: ${error.message}`);
      const key = error.details.key;
      if (typeof key === 'string' && isConfigKey(key)) out.stderr(`允许 / allowed: ${describeRule(key)}`);
      return CONFIG_EXIT.invalidValue;
    }
    default:
      out.stderr(`错误：配置数据库不可用 / error: ${error.message}`);
      return CONFIG_EXIT.storage;
  }
}

/** Lists the keys of the area the unknown key names, when that area exists. */
function hintKeys(out: CommandOutput, error: PassgateError): void {
  const key = error.details.key;
  if (typeof key !== 'string') return;
  const area = key.split('.')[0];
  const near = CONFIG_KEYS.filter((k) => k.split('.')[0] === area);
  if (near.length > 0) out.stderr(`可用 / known keys: ${near.join(', ')}`);
}

/** Runs `passgate config ARGS…` against `store`; returns the process exit code. */
export function runConfigCommand(store: ConfigStore, args: readonly string[], out: CommandOutput): number {
  const parsed = parseArgs(args);
  const [command, ...rest] = parsed.positional;
  if (parsed.help || command === 'help') {
    for (const line of USAGE) out.stdout(line);
    return CONFIG_EXIT.ok;
  }
  if (parsed.unknownOption !== undefined) return usage(out, `未知选项 / unknown option: ${printableKey(parsed.unknownOption)}`);
  try {
    switch (command) {
      case 'list': {
        if (rest.length > 0) return usage(out, 'list takes no arguments / list 不接受参数');
        const entries = store.list();
        if (parsed.json) {
          out.stdout(
            JSON.stringify(
              entries.map((e) => ({ key: e.key, type: e.type, value: e.json, isDefault: e.isDefault, secret: e.secret, description: e.description })),
            ),
          );
        } else {
          for (const e of entries) out.stdout(`${e.key} = ${e.value}${e.isDefault ? '  (default)' : ''}`);
        }
        return CONFIG_EXIT.ok;
      }
      case 'get': {
        if (rest.length !== 1) return usage(out, 'get takes one key / get 需要一个配置项');
        const key = rest[0];
        if (!isConfigKey(key)) throw unknownKeyError(key);
        const entry = store.list().find((e) => e.key === key)!;
        out.stdout(
          parsed.json
            ? JSON.stringify({ key, value: entry.json, isDefault: entry.isDefault, secret: entry.secret })
            : entry.value,
        );
        return CONFIG_EXIT.ok;
      }
      case 'set': {
        if (rest.length === 0 || rest.length % 2 !== 0) return usage(out, 'set takes KEY VALUE pairs / set 需要 配置项 值 成对出现');
        const values: Partial<Record<ConfigKey, unknown>> = {};
        for (let i = 0; i < rest.length; i += 2) {
          const key = rest[i];
          values[key as ConfigKey] = parseValueText(key, rest[i + 1]);
        }
        store.setMany(values as Partial<ConfigValues>);
        for (const key of Object.keys(values) as ConfigKey[]) out.stdout(`${key} = ${displayValue(key, store.get(key))}`);
        return CONFIG_EXIT.ok;
      }
      case 'reset': {
        if (rest.length === 0) return usage(out, 'reset takes one or more keys / reset 需要配置项');
        for (const key of rest) if (!isConfigKey(key)) throw unknownKeyError(key);
        store.reset(...(rest as ConfigKey[]));
        for (const key of rest as ConfigKey[]) out.stdout(`${key} = ${displayValue(key, store.get(key))}  (default)`);
        return CONFIG_EXIT.ok;
      }
      case undefined:
        return usage(out);
      default:
        return usage(out, `未知子命令 / unknown subcommand: ${printableKey(command)}`);
    }
  } catch (error) {
    return reportError(out, error);
  }
}
