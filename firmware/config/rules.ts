// The rule engine of the config schema: the kinds of key (string, int, bool, enum, json) and how a
// value of each kind is checked, parsed from the text a person typed, described and shown. It
// knows no key; keys.ts holds the table, schema.ts binds the two.
//
// Validation messages describe the rule that failed and never repeat the value that broke it, so
// a code pasted into the wrong place cannot end up in a log through an error message.
import { PassgateError } from '../core/errors.js';

/** The outcome of checking a JSON value: the typed value, or why it breaks the key's rule. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

interface SpecBase {
  /** One line of English for `passgate config list` and the docs. */
  readonly description: string;
  /** Never shown in full: list/get print "(set)" or "(unset)". */
  readonly secret?: true;
}

export interface StringSpec extends SpecBase {
  readonly type: 'string';
  readonly default: string;
  readonly maxLength: number;
  /** The whole value must match; `patternHint` says in words what that means. */
  readonly pattern?: RegExp;
  readonly patternHint?: string;
  /** Allows line breaks and tabs (a PEM bundle); every other control character is refused. */
  readonly multiline?: true;
  /** A further semantic check (a parsable date, URL, PEM block). Returns the reason, if broken. */
  readonly refine?: (value: string) => string | undefined;
}

export interface IntSpec extends SpecBase {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** When present, only these values (e.g. the usual baud rates). */
  readonly allowed?: readonly number[];
}

export interface BoolSpec extends SpecBase {
  readonly type: 'bool';
  readonly default: boolean;
}

export interface EnumSpec extends SpecBase {
  readonly type: 'enum';
  readonly values: readonly (string | number)[];
  readonly default: string | number;
}

export interface JsonSpec extends SpecBase {
  readonly type: 'json';
  readonly default: unknown;
  /** What the value looks like, in words, for error messages and the CLI's help. */
  readonly shape: string;
  readonly check: (value: unknown) => Checked<unknown>;
}

export type KeySpec = StringSpec | IntSpec | BoolSpec | EnumSpec | JsonSpec;
export type ConfigType = KeySpec['type'];

/** C0 controls and DEL; multiline strings may still hold tab, CR and LF. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const CONTROL_CHARS_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Largest JSON value, as text. */
const MAX_JSON_LENGTH = 16_384;

/** Longest text accepted by parseText (the biggest key, caPem, is 64 KiB). */
const MAX_TEXT_LENGTH = 70_000;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function invalid(key: string, spec: KeySpec, rule: string): PassgateError {
  const tail = spec.secret ? ' (value not shown)' : '';
  return new PassgateError('config.invalid-value', `${key} ${rule}${tail}`, { key, type: spec.type });
}

/** The rule in words, e.g. "an integer from 200 to 30000". */
export function describeSpec(spec: KeySpec): string {
  switch (spec.type) {
    case 'string':
      return `text of at most ${spec.maxLength} characters${spec.patternHint ? ` (${spec.patternHint})` : ''}`;
    case 'int':
      return spec.allowed ? `one of ${spec.allowed.join(', ')}` : `an integer from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => (v === '' ? '""' : String(v))).join(', ')}`;
    case 'json':
      return `JSON: ${spec.shape}`;
  }
}

/** Checks a typed value against the rule of `key`; returns the value to store or throws. */
export function checkValue(key: string, spec: KeySpec, value: unknown): unknown {
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') throw invalid(key, spec, 'must be text');
      if (value.length > spec.maxLength) throw invalid(key, spec, `must be at most ${spec.maxLength} characters`);
      if ((spec.multiline ? CONTROL_CHARS_MULTILINE : CONTROL_CHARS).test(value)) {
        const rule = spec.multiline
          ? 'must not contain control characters'
          : 'must be one line without control characters';
        throw invalid(key, spec, rule);
      }
      if (spec.pattern && !spec.pattern.test(value)) {
        throw invalid(key, spec, `must be ${spec.patternHint ?? 'of the documented form'}`);
      }
      const reason = spec.refine?.(value);
      if (reason !== undefined) throw invalid(key, spec, reason);
      return value;
    }
    case 'int': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(key, spec, 'must be an integer');
      if (spec.allowed && !spec.allowed.includes(value)) {
        throw invalid(key, spec, `must be one of ${spec.allowed.join(', ')}`);
      }
      if (value < spec.min || value > spec.max) throw invalid(key, spec, `must be from ${spec.min} to ${spec.max}`);
      // "-0" and JSON -0 are integers too; store the 0 that `config get` shows, so what it shows
      // sets the same value again.
      return value === 0 ? 0 : value;
    }
    case 'bool': {
      if (typeof value !== 'boolean') throw invalid(key, spec, 'must be true or false');
      return value;
    }
    case 'enum': {
      // The listed member itself: `includes` also matches -0 to a listed 0.
      const index = spec.values.indexOf(value as string | number);
      if (index === -1) throw invalid(key, spec, `must be ${describeSpec(spec)}`);
      return spec.values[index];
    }
    case 'json': {
      // Check exactly what will be stored: the value after a JSON round trip. This also refuses
      // BigInt and cycles, and bounds the size.
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        text = undefined;
      }
      if (text === undefined) throw invalid(key, spec, 'must be JSON data');
      if (text.length > MAX_JSON_LENGTH) {
        throw invalid(key, spec, `must be at most ${MAX_JSON_LENGTH} characters as JSON`);
      }
      const checked = spec.check(JSON.parse(text));
      if (!checked.ok) throw invalid(key, spec, checked.reason);
      return checked.value;
    }
  }
}

/**
 * Turns the text a person typed (`passgate config set KEY TEXT`) into the typed value of `key`,
 * checked. Ints accept decimal or 0x hex (USB ids); bools accept true/false, 1/0, yes/no,
 * on/off; enums their values as written; json keys JSON text.
 */
export function parseText(key: string, spec: KeySpec, text: string): unknown {
  if (typeof text !== 'string') throw invalid(key, spec, 'must be given as text');
  if (text.length > MAX_TEXT_LENGTH) throw invalid(key, spec, `is longer than ${MAX_TEXT_LENGTH} characters`);
  switch (spec.type) {
    case 'string':
      return checkValue(key, spec, text);
    case 'int': {
      const trimmed = text.trim();
      let parsed: number;
      if (/^[+-]?\d{1,16}$/.test(trimmed)) parsed = Number(trimmed);
      else if (/^0x[0-9a-f]{1,13}$/i.test(trimmed)) parsed = Number.parseInt(trimmed.slice(2), 16);
      else throw invalid(key, spec, `must be ${describeSpec(spec)}`);
      return checkValue(key, spec, parsed);
    }
    case 'bool': {
      const word = text.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw invalid(key, spec, 'must be true or false');
    }
    case 'enum': {
      const match = spec.values.find((v) => String(v) === text.trim());
      if (match === undefined) throw invalid(key, spec, `must be ${describeSpec(spec)}`);
      return match;
    }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw invalid(key, spec, `must be JSON (${spec.shape})`);
      }
      return checkValue(key, spec, parsed);
    }
  }
}

/** A value as `passgate config get/list` prints it; secrets only as "(set)" or "(unset)". */
export function displaySpecValue(spec: KeySpec, value: unknown): string {
  if (spec.secret) return value === '' || value === undefined ? '(unset)' : '(set)';
  if (spec.type === 'json') return JSON.stringify(value);
  return String(value);
}
