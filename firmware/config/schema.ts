// The config schema as the rest of passgate uses it: the key table (keys.ts), the value shapes
// (json-values.ts) and the rule engine (rules.ts) bound together, so that every caller checks,
// parses, describes and shows a key's value the same way. Callers outside firmware/config import
// from here only.
import { PassgateError } from '../core/errors.js';
import { type ConfigKey, type ConfigValue, isConfigKey, specOf } from './keys.js';
import { checkValue, describeSpec, displaySpecValue, parseText } from './rules.js';

export type { DisplayPatterns, DisplayPins } from './json-values.js';
export {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  type ConfigSchema,
  type ConfigValue,
  type ConfigValues,
  defaultOf,
  isConfigKey,
  specOf,
} from './keys.js';
export type { BoolSpec, Checked, ConfigType, EnumSpec, IntSpec, JsonSpec, KeySpec, StringSpec } from './rules.js';
export type { VenueCategoryOrUnknown } from './venue-values.js';

/**
 * An unknown key is echoed only when it looks like a key: short dotted words. Anything else (a
 * pass code pasted in the wrong place, say) is shown as "(not shown)".
 */
export function printableKey(key: string): string {
  return /^[a-z][A-Za-z0-9]{0,23}(\.[A-Za-z0-9]{1,24}){0,3}$/.test(key) && key.length <= 48 ? key : '(not shown)';
}

export function unknownKeyError(key: string): PassgateError {
  return new PassgateError('config.unknown-key', `unknown config key ${printableKey(key)}`, { key: printableKey(key) });
}

/** The rule of a key in words, e.g. "an integer from 200 to 30000". */
export function describeRule(key: ConfigKey): string {
  return describeSpec(specOf(key));
}

/** Checks a typed value against its key's rule; returns the value to store or throws. */
export function validateValue<K extends ConfigKey>(key: K, value: unknown): ConfigValue<K>;
export function validateValue(key: string, value: unknown): unknown;
export function validateValue(key: string, value: unknown): unknown {
  if (!isConfigKey(key)) throw unknownKeyError(key);
  return checkValue(key, specOf(key), value);
}

/**
 * Turns the text a person typed (`passgate config set KEY TEXT`) into the key's typed value,
 * validated (see rules.ts parseText for the accepted spellings).
 */
export function parseValueText<K extends ConfigKey>(key: K, text: string): ConfigValue<K>;
export function parseValueText(key: string, text: string): unknown;
export function parseValueText(key: string, text: string): unknown {
  if (!isConfigKey(key)) throw unknownKeyError(key);
  return parseText(key, specOf(key), text);
}

/** A value as `passgate config get/list` prints it; secrets only as "(set)" or "(unset)". */
export function displayValue(key: ConfigKey, value: unknown): string {
  return displaySpecValue(specOf(key), value);
}
