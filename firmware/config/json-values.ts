// The shapes of the config's JSON values and their checks: the daemon's answer to a bind request,
// the GPIO lines of the outputs, the pattern overrides and the timeout overrides. Each check
// returns the typed value or the broken rule in words, never the value itself.

import { VENUE_CATEGORIES } from '../../portal-client/protocol/messages.js';
import { MAX_GPIO_LINE } from '../../ui-led/backends/pins.js';
import { OUTPUT_NAMES, type OutputName } from '../../ui-led/outputs.js';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { DEFAULT_TIMEOUTS, type TimeoutName, type TimeoutTable } from '../core/timeouts.js';
import { type Checked, CONTROL_CHARS } from './rules.js';
import { ID_TEXT, MAX_ID_LENGTH } from './text-values.js';

/** A venue category as the portal names it, or '' while unknown. */
export const VENUE_CATEGORY_OR_UNKNOWN = ['', ...VENUE_CATEGORIES] as const;
export type VenueCategoryOrUnknown = (typeof VENUE_CATEGORY_OR_UNKNOWN)[number];
export const MAX_VENUE_NAME_LENGTH = 128;

/** Written by the daemon when a bind/rebind requested through `binding.scanRequest` ends. */
export interface ScanResult {
  readonly requestId: string;
  readonly ok: boolean;
  readonly errorCode?: ErrorCode;
  readonly venueName?: string;
  readonly venueCategory?: VenueCategoryOrUnknown;
}

/** GPIO line numbers of the gate's outputs (ui-led/outputs.ts); `blue` is optional. */
export interface DisplayPins extends Readonly<Record<Exclude<OutputName, 'blue'>, number>> {
  readonly blue?: number;
}
/** Outputs a gate may leave unwired: RG-only light bars have no blue LED. */
const OPTIONAL_PINS: readonly OutputName[] = ['blue'];

/** The pins object in words, e.g. "{red, green, blue?, buzzer, relay}". */
export const PINS_SHAPE = `{${OUTPUT_NAMES.map((name) => (OPTIONAL_PINS.includes(name) ? `${name}?` : name)).join(', ')}}`;

/** Opaque to the config store: ui-led validates the pattern table itself. */
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

const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());
const SCAN_RESULT_FIELDS = ['requestId', 'ok', 'errorCode', 'venueName', 'venueCategory'] as const;

export function checkScanResult(value: unknown): Checked<ScanResult | null> {
  if (value === null) return ok(null);
  if (!isPlainObject(value)) return broken('must be null or an object');
  for (const field of Object.keys(value)) {
    if (!(SCAN_RESULT_FIELDS as readonly string[]).includes(field)) {
      return broken(`has a field that is not ${orList(SCAN_RESULT_FIELDS)}`);
    }
  }
  const { requestId, ok: succeeded, errorCode, venueName, venueCategory } = value;
  if (
    typeof requestId !== 'string' ||
    requestId.length < 1 ||
    requestId.length > MAX_ID_LENGTH ||
    !ID_TEXT.pattern.test(requestId)
  ) {
    return broken(`requestId must be 1 to ${MAX_ID_LENGTH} ${ID_TEXT.patternHint}`);
  }
  if (typeof succeeded !== 'boolean') return broken('ok must be true or false');
  const result: { -readonly [K in keyof ScanResult]: ScanResult[K] } = { requestId, ok: succeeded };
  if (errorCode !== undefined) {
    if (typeof errorCode !== 'string' || !KNOWN_ERROR_CODES.has(errorCode)) {
      return broken('errorCode must be a passgate error code');
    }
    result.errorCode = errorCode as ErrorCode;
  }
  if (venueName !== undefined) {
    if (typeof venueName !== 'string' || venueName.length > MAX_VENUE_NAME_LENGTH || CONTROL_CHARS.test(venueName)) {
      return broken(`venueName must be text of at most ${MAX_VENUE_NAME_LENGTH} characters on one line`);
    }
    result.venueName = venueName;
  }
  if (venueCategory !== undefined) {
    if (!(VENUE_CATEGORY_OR_UNKNOWN as readonly unknown[]).includes(venueCategory)) {
      return broken('venueCategory must be a venue category');
    }
    result.venueCategory = venueCategory as VenueCategoryOrUnknown;
  }
  return ok(result);
}

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

export function checkPatterns(value: unknown): Checked<DisplayPatterns> {
  if (!isPlainObject(value)) return broken('must be an object (empty for the built-in patterns)');
  return ok(value);
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
