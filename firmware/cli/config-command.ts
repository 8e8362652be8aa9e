// `passgate config …`: read and change settings from a shell. The daemon notices the change
// through the store's watch() poll and applies it, except display and input device settings,
// which wait for its next start: `config set` says so.
//
//   passgate config list [--json]
//   passgate config get KEY [--json]
//   passgate config set KEY VALUE [KEY VALUE …]   several pairs are saved together, all or nothing
//   passgate config reset KEY [KEY …]             back to the default
//
// Exit codes (exit-codes.ts): 0 ok, 2 usage, 3 invalid value, 4 unknown key, 5 storage error, 10
// no config database (get and list open an existing one read-only and create none).
// Secrets print as "(set)" or "(unset)" in every form, JSON included. Error messages name the
// key and the rule, never the rejected value.

import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigValues,
  describeRule,
  displayValue,
  isConfigKey,
  parseValueText,
  printableKey,
  unknownKeyError,
} from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { isPassgateError, type PassgateError } from '../core/errors.js';
import { needsRestart } from '../daemon/config-bridge.js';
import { type ArgSpec, type Problem, problem, readCommandArgs, showUsage, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { reportFailure, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { nearestName } from './nearest.js';
import { CONFIG_USAGE } from './usages.js';

export type { CommandOutput };

const USAGE = CONFIG_USAGE;

const SUBCOMMANDS = ['list', 'get', 'set', 'reset', 'help'];

/** The options of config (the README's command table is checked against these). */
export const CONFIG_OPTIONS: ArgSpec = { flags: ['json'] };

/**
 * Keys that another command writes, each area with the command that owns it: set one by hand and
 * the device key, the portal's record and the local copy no longer agree.
 */
const OWNED_AREAS: Record<string, string> = {
  identity: 'passgate provision --force',
  portal: 'passgate provision --force',
  vendor: 'passgate provision --force',
  binding: 'passgate bind / passgate rebind',
};

/** The usage error for the first key another command owns, or undefined when none is. */
function refuseOwnedKeys(keys: readonly string[], out: CommandOutput): number | undefined {
  for (const key of keys) {
    const owner = OWNED_AREAS[key.split('.')[0]];
    if (owner === undefined || !isConfigKey(key)) continue;
    return usageError(
      out,
      USAGE,
      problem(
        'usage.owned-key',
        `${key} 由 ${owner} 设置，不能用 config 修改`,
        `${key} is set by \`${owner}\`, not by config`,
      ),
    );
  }
  return undefined;
}

function reportError(out: CommandOutput, error: unknown): number {
  if (!isPassgateError(error)) throw error;
  switch (error.code) {
    case 'config.unknown-key': {
      const known = knownKeysHint(error);
      return reportMessage(out, error.code, {
        zh: `未知配置项（${error.message}）${known ? `；可用: ${known}` : ''}`,
        en: `unknown config key: ${error.message}${known ? `; known keys: ${known}` : ''}`,
      });
    }
    case 'config.invalid-value': {
      const key = error.details.key;
      // A rule across keys (combined-rules.ts) is broken by the other settings, not by this key's form.
      const rule =
        error.details.combined === true
          ? { zh: '；请同时修改相关配置项', en: '; change the related settings together' }
          : typeof key === 'string' && isConfigKey(key)
            ? { zh: `；允许: ${describeRule(key)}`, en: `; allowed: ${describeRule(key)}` }
            : { zh: '', en: '' };
      return reportMessage(out, error.code, {
        zh: `配置值无效（${error.message}）${rule.zh}`,
        en: `invalid value: ${error.message}${rule.en}`,
      });
    }
    default:
      // The database unusable, or none for get/list (they create none), an untrusted directory.
      return reportFailure(out, error.code, error.message);
  }
}

/** The keys just set or reset with their values now: `KEY = VALUE` lines, or one JSON array. */
function printChanged(out: CommandOutput, json: boolean, store: ConfigStore, keys: readonly ConfigKey[]): void {
  if (json) {
    const entries = store.list().filter((e) => keys.includes(e.key as ConfigKey));
    out.stdout(JSON.stringify(entries.map((e) => ({ key: e.key, value: e.json, isDefault: e.isDefault }))));
    return;
  }
  for (const key of keys) {
    const isDefault = store.list().find((e) => e.key === key)?.isDefault === true;
    out.stdout(`${key} = ${displayValue(key, store.get(key))}${isDefault ? '  (default)' : ''}`);
  }
}

/**
 * The daemon applies most settings as they change; display and input device settings only at its
 * next start. Said on stderr, so stdout stays `KEY = VALUE` lines for scripts.
 */
function sayIfRestartNeeded(out: CommandOutput, keys: readonly string[]): void {
  const later = keys.filter(needsRestart);
  if (later.length === 0) return;
  out.stderr(
    `注意: ${later.join(', ')} 在服务重启后生效（systemctl restart passgate）/ ` +
      `note: ${later.join(', ')} take effect when the daemon restarts (systemctl restart passgate)`,
  );
}

/** The keys of the area the unknown key names, when that area exists. */
function knownKeysHint(error: PassgateError): string | undefined {
  const key = error.details.key;
  if (typeof key !== 'string') return undefined;
  const area = key.split('.')[0];
  const near = CONFIG_KEYS.filter((k) => k.split('.')[0] === area);
  return near.length > 0 ? near.join(', ') : undefined;
}

/**
 * Runs `passgate config ARGS…` against `source` (a store, or what opens one when a subcommand
 * first needs it); returns the process exit code.
 */
export function runConfigCommand(
  source: ConfigStore | (() => ConfigStore),
  args: readonly string[],
  out: CommandOutput,
): number {
  const store = (): ConfigStore => (typeof source === 'function' ? source() : source);
  const read = readCommandArgs(args, CONFIG_OPTIONS, USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const json = read.args.flags.has('json');
  const [command, ...rest] = read.args.positional;
  if (command === 'help') return showUsage(out, USAGE);
  const usage = (why?: Problem) => usageError(out, USAGE, why);
  try {
    switch (command) {
      case 'list': {
        if (rest.length > 0)
          return usage(problem('usage.extra-argument', 'list 不接受参数', 'list takes no arguments'));
        const entries = store().list();
        if (json) {
          out.stdout(
            JSON.stringify(
              entries.map((e) => ({
                key: e.key,
                type: e.type,
                value: e.json,
                isDefault: e.isDefault,
                secret: e.secret,
                description: e.description,
              })),
            ),
          );
        } else {
          for (const e of entries) out.stdout(`${e.key} = ${e.value}${e.isDefault ? '  (default)' : ''}`);
        }
        return EXIT.ok;
      }
      case 'get': {
        if (rest.length !== 1) {
          return usage(
            problem(
              rest.length === 0 ? 'usage.missing-argument' : 'usage.extra-argument',
              'get 需要一个配置项',
              'get takes one key',
            ),
          );
        }
        const key = rest[0];
        if (!isConfigKey(key)) throw unknownKeyError(key);
        const entry = store()
          .list()
          .find((e) => e.key === key)!;
        out.stdout(
          json
            ? JSON.stringify({ key, value: entry.json, isDefault: entry.isDefault, secret: entry.secret })
            : entry.value,
        );
        return EXIT.ok;
      }
      case 'set': {
        if (rest.length === 0 || rest.length % 2 !== 0)
          return usage(problem('usage.missing-argument', 'set 需要 配置项 值 成对出现', 'set takes KEY VALUE pairs'));
        const refused = refuseOwnedKeys(
          rest.filter((_, i) => i % 2 === 0),
          out,
        );
        if (refused !== undefined) return refused;
        const values: Partial<Record<ConfigKey, unknown>> = {};
        for (let i = 0; i < rest.length; i += 2) {
          const key = rest[i];
          values[key as ConfigKey] = parseValueText(key, rest[i + 1]);
        }
        store().setMany(values as Partial<ConfigValues>);
        printChanged(out, json, store(), Object.keys(values) as ConfigKey[]);
        sayIfRestartNeeded(out, Object.keys(values));
        return EXIT.ok;
      }
      case 'reset': {
        if (rest.length === 0)
          return usage(problem('usage.missing-argument', 'reset 需要配置项', 'reset takes one or more keys'));
        for (const key of rest) if (!isConfigKey(key)) throw unknownKeyError(key);
        const refused = refuseOwnedKeys(rest, out);
        if (refused !== undefined) return refused;
        store().reset(...(rest as ConfigKey[]));
        printChanged(out, json, store(), rest as ConfigKey[]);
        sayIfRestartNeeded(out, rest);
        return EXIT.ok;
      }
      case undefined:
        return usage(
          problem(
            'usage.missing-argument',
            '缺少子命令 list、get、set 或 reset',
            'no subcommand: list, get, set or reset',
          ),
        );
      default: {
        const shown = printableKey(command);
        const hint = nearestName(command, SUBCOMMANDS);
        return usage(problem('usage.unknown-command', `未知子命令: ${shown}`, `unknown subcommand: ${shown}`, hint));
      }
    }
  } catch (error) {
    return reportError(out, error);
  }
}
