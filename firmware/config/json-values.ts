// The shapes of the config's JSON values and their checks: the GPIO lines of the outputs, the
// pattern overrides and the timeout overrides. Each check returns the typed value or the broken
// rule in words, never the value itself.

import { MAX_GPIO_LINE } from '../../ui-led/backends/pins.js';
import { OUTPUT_NAMES, type OutputName } from '../../ui-led/outputs.js';
import { resolvePatterns } from '../../ui-led/patterns.js';
import { isPassgateError } from '../core/errors.js';
import { DEFAULT_TIMEOUTS, type TimeoutName, type TimeoutTable } from '../core/timeouts.js';
import type { Checked } from './rules.js';

/** GPIO line numbers of the gate's outputs (ui-led/outputs.ts); `blue` is optional. */
export interface DisplayPins extends Readonly<Record<Exclude<OutputName, 'blue'>, number>> {
  readonly blue?: number;
}
/** Outputs a gate may leave unwired: RG-only light bars have no blue LED. */
const OPTIONAL_PINS: readonly OutputName[] = ['blue'];

/** The pins object in words, e.g. "{red, green, blue?, buzzer, relay}". */
export const PINS_SHAPE = `{${OUTPUT_NAMES.map((name) => (OPTIONAL_PINS.includes(name) ? `${name}?` : name)).join(', ')}}`;

/** Stored as given, once ui-led's resolvePatterns accepts it (checkPatterns). */
export type DisplayPatterns = { readonly [name: string]: unknown };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const broken = (reason: string): Checked<never> => ({ ok: false, reason });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** "a, b or c" */
const orList = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

export function checkPins(value: unknown): Checked<DisplayPins> {
  if (!isPlainObject(value)) return broken(`must be an object ${PINS_SHAPE}`);
  for (const field of Object.keys(value)) {
    if (!(OUTPUT_NAMES as readonly string[]).includes(field)) {
      return broken(`has a field that is not ${orList(OUTPUT_NAMES)}`);
    }
  }
  const pins: Partial<Record<OutputName, number>> = {};
  const used = new Set<number>();
  for (const name of OUTPUT_NAMES) {
    const line = value[name];
    if (line === undefined && OPTIONAL_PINS.includes(name)) continue;
    if (!Number.isSafeInteger(line) || (line as number) < 0 || (line as number) > MAX_GPIO_LINE) {
      return broken(`${name} must be a line number from 0 to ${MAX_GPIO_LINE}`);
    }
    // Two outputs on one line would fire the relay whenever the red LED lights: refuse it.
    if (used.has(line as number)) return broken('two outputs share one line');
    used.add(line as number);
    pins[name] = line as number;
  }
  return ok(pins as DisplayPins);
}

/** Exactly what the daemon will play: ui-led's resolvePatterns decides, and gives its reason. */
export function checkPatterns(value: unknown): Checked<DisplayPatterns> {
  if (!isPlainObject(value)) return broken('must be an object (empty for the built-in patterns)');
  try {
    resolvePatterns(value);
  } catch (error) {
    if (isPassgateError(error, 'config.invalid-value')) return broken(withoutKeyPrefix(error.message));
    throw error;
  }
  return ok(value);
}

/** resolvePatterns names the key itself ("display.patterns: …"); the schema's message does too. */
function withoutKeyPrefix(message: string): string {
  return message.replace(/^display\.patterns: /, '');
}

/** setTimeout fires at once for delays above 2^31-1 ms, which would turn a timeout into none. */
const MAX_TIMER_MS = 2_147_483_647;

export function checkTimeouts(value: unknown): Checked<Partial<TimeoutTable>> {
  if (!isPlainObject(value)) return broken('must be an object of timeout name to number');
  const overrides: Partial<Record<TimeoutName, number>> = {};
  for (const [name, ms] of Object.entries(value)) {
    if (!Object.hasOwn(DEFAULT_TIMEOUTS, name)) {
      return broken('names a timeout that firmware/core/timeouts.ts does not have');
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
      return broken(`every timeout must be a number from 0 to ${MAX_TIMER_MS}`);
    }
    overrides[name as TimeoutName] = ms;
  }
  return ok(overrides);
}
