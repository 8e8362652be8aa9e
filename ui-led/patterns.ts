// What each signal looks and sounds like. A pattern is data: timed steps that switch outputs,
// and a total duration after which everything goes off (or, for a looping pattern, the steps
// start over). Steps are cumulative: an output keeps the value its last step gave it, and an
// output no step has named yet is off. Beep lengths and blink rates live here, as pattern
// data; they are not timeouts.
//
// Venues may override patterns per signal kind with JSON (config key `display.patterns`);
// resolvePatterns validates the override and merges it over the defaults, kind by kind.
import { PassgateError } from '../firmware/core/errors.js';
import { SIGNAL_KINDS, type SignalKind } from '../firmware/core/outcome.js';
import {
  allOutputsOff,
  isOutputName,
  OUTPUT_NAMES,
  type OutputChanges,
  type OutputName,
  type OutputState,
} from './outputs.js';

export interface PatternStep {
  /** Offset from the start of the pattern (of each round, when looping). */
  readonly atMs: number;
  readonly set: Readonly<OutputChanges>;
}

export interface Pattern {
  /** Length of the pattern, or of one round when `loop` is set. */
  readonly durationMs: number;
  /** Strictly ascending `atMs`, each below `durationMs`. */
  readonly steps: readonly PatternStep[];
  /** Start over after `durationMs` until another signal replaces it (bind mode). */
  readonly loop?: boolean;
}

export type PatternTable = Readonly<Record<SignalKind, Pattern>>;

/** Only these kinds may energise the gate relay: every other signal keeps the gate shut. */
export const RELAY_KINDS: readonly SignalKind[] = ['pass', 'pass-with-notice'];

/**
 * Played on top of whatever plays instead of replacing it: an overlay only switches outputs on
 * over the pattern under it, never off, never the relay, and ends by itself (it may not loop).
 * So a dropped input is told to its person without hiding the verdict shown to the person before,
 * cutting a relay pulse short, or ending the looping bind-mode light.
 */
export const OVERLAY_KINDS: readonly SignalKind[] = ['input-dropped'];

export function isOverlayKind(kind: SignalKind): boolean {
  return OVERLAY_KINDS.includes(kind);
}

/** Limits of an override, so a typo cannot hold the gate open or make the player run wild. */
export const PATTERN_LIMITS = {
  maxDurationMs: 600_000,
  maxSteps: 256,
  /** Longest continuous relay-on time in a pattern. */
  maxRelayOnMs: 10_000,
} as const;

// ---- building blocks for the defaults ------------------------------------------------------

type Track = PatternStep[];

/** `outputs` on from `fromMs` until `toMs` (or until the pattern ends, when omitted). */
function hold(outputs: readonly OutputName[], fromMs: number, toMs?: number): Track {
  const on = Object.fromEntries(outputs.map((o) => [o, true])) as OutputChanges;
  const off = Object.fromEntries(outputs.map((o) => [o, false])) as OutputChanges;
  const steps: Track = [{ atMs: fromMs, set: on }];
  if (toMs !== undefined) steps.push({ atMs: toMs, set: off });
  return steps;
}

/** `count` pulses of `outputs`, each `onMs` long, one every `onMs + offMs`, from `startMs`. */
function pulses(outputs: readonly OutputName[], count: number, onMs: number, offMs: number, startMs = 0): Track {
  const steps: Track = [];
  for (let i = 0; i < count; i++)
    steps.push(...hold(outputs, startMs + i * (onMs + offMs), startMs + i * (onMs + offMs) + onMs));
  return steps;
}

/** Blinks `outputs` (on first) for the whole of `durationMs`. */
function blink(outputs: readonly OutputName[], onMs: number, offMs: number, durationMs: number): Track {
  return pulses(outputs, Math.ceil(durationMs / (onMs + offMs)), onMs, offMs);
}

/** Merges tracks into one pattern: steps at the same time combine; steps at or past the end drop. */
function compose(durationMs: number, tracks: Track[], loop = false): Pattern {
  const byTime = new Map<number, OutputChanges>();
  for (const track of tracks) {
    for (const step of track) {
      if (step.atMs >= durationMs) continue;
      byTime.set(step.atMs, { ...byTime.get(step.atMs), ...step.set });
    }
  }
  const steps = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([atMs, set]) => ({ atMs, set }));
  return loop ? { durationMs, steps, loop } : { durationMs, steps };
}

const RED: OutputName[] = ['red'];
const GREEN: OutputName[] = ['green'];
const BLUE: OutputName[] = ['blue'];
const AMBER: OutputName[] = ['red', 'green']; // a two-colour LED lit red and green reads amber
const BUZZER: OutputName[] = ['buzzer'];
const RELAY: OutputName[] = ['relay'];

/** Short beep (acknowledge), long beep (refusal). */
const SHORT_BEEP_MS = 80;
const BEEP_MS = 150;
const LONG_BEEP_MS = 800;
/** Relay pulse that releases a turnstile or door strike. */
const RELAY_PULSE_MS = 500;

function buildDefaults(): PatternTable {
  return {
    // Green, one short beep, the relay pulsed once.
    pass: compose(1500, [hold(GREEN, 0), pulses(BUZZER, 1, 100, 0), hold(RELAY, 0, RELAY_PULSE_MS)]),
    // As pass, but amber flashes over the green (red blinking on top of steady green): a notice.
    'pass-with-notice': compose(2000, [
      hold(GREEN, 0),
      blink(RED, 250, 250, 2000),
      pulses(BUZZER, 1, 100, 0),
      hold(RELAY, 0, RELAY_PULSE_MS),
    ]),
    deny: compose(2000, [hold(RED, 0), pulses(BUZZER, 1, LONG_BEEP_MS, 0)]),
    'show-code': compose(2000, [blink(RED, 250, 250, 2000), pulses(BUZZER, 2, BEEP_MS, BEEP_MS)]),
    'check-skm': compose(2000, [blink(AMBER, 250, 250, 2000), pulses(BUZZER, 2, SHORT_BEEP_MS, 120)]),
    'policy-deny': compose(2000, [hold(RED, 0), pulses(BUZZER, 3, BEEP_MS, BEEP_MS)]),
    // Slow blue blink: the device cannot verify until bound to a venue.
    'not-bound': compose(3000, [blink(BLUE, 500, 500, 3000), pulses(BUZZER, 1, 200, 0)]),
    // Amber, three short beeps: the portal did not answer, the staff checks manually.
    'network-error': compose(2500, [hold(AMBER, 0), pulses(BUZZER, 3, SHORT_BEEP_MS, 120)]),
    'read-error': compose(1200, [blink(AMBER, 150, 150, 1200), pulses(BUZZER, 1, SHORT_BEEP_MS, 0)]),
    // Short blue flash once a second until the venue code is scanned.
    'bind-mode': compose(1000, [hold(BLUE, 0, 200)], true),
    // Red flickers over the blue of bind mode, two short beeps: that was no venue code, scan again.
    // As long as a verdict shows (gate.showMs, 2 s by default); then bind mode's light is back.
    'not-venue-code': compose(2000, [hold(BLUE, 0), blink(RED, 150, 150, 2000), pulses(BUZZER, 2, SHORT_BEEP_MS, 120)]),
    'bind-ok': compose(1500, [hold(['blue', 'green'], 0), pulses(BUZZER, 2, SHORT_BEEP_MS, 120)]),
    'bind-failed': compose(2000, [hold(['blue', 'red'], 0), pulses(BUZZER, 1, 600, 0)]),
    // Each colour, then the buzzer; never the relay: a self-test must not open the gate.
    selftest: compose(1200, [hold(RED, 0, 300), hold(GREEN, 300, 600), hold(BLUE, 600, 900), hold(BUZZER, 900, 1100)]),
    // An overlay (OVERLAY_KINDS): two blue flashes with two blips, over whatever shows.
    'input-dropped': compose(500, [pulses(BLUE, 2, 150, 100), pulses(BUZZER, 2, 50, 200)]),
  };
}

export const DEFAULT_PATTERNS: PatternTable = deepFreeze(buildDefaults());

// ---- expansion -------------------------------------------------------------------------------

export interface PatternFrame {
  atMs: number;
  /** The full output state from `atMs` until the next frame (or the end of the pattern). */
  state: OutputState;
}

/** The full output state after each step, starting from all off. */
export function expandPattern(pattern: Pattern): PatternFrame[] {
  const frames: PatternFrame[] = [];
  let state = allOutputsOff();
  for (const step of pattern.steps) {
    state = { ...state, ...definedOnly(step.set) };
    frames.push({ atMs: step.atMs, state });
  }
  return frames;
}

function definedOnly(changes: OutputChanges): OutputChanges {
  const out: OutputChanges = {};
  for (const name of OUTPUT_NAMES) if (typeof changes[name] === 'boolean') out[name] = changes[name];
  return out;
}

// ---- overrides ---------------------------------------------------------------------------------

function invalid(key: string, message: string): PassgateError {
  return new PassgateError('config.invalid-value', `display.patterns: ${message}`, { key });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isSignalKind(value: string): value is SignalKind {
  return (SIGNAL_KINDS as readonly string[]).includes(value);
}

/**
 * Validates an override object (config `display.patterns`: signal kind → pattern) and returns
 * the defaults with each overridden kind's pattern replaced as a whole. `undefined` or `null`
 * means no override. Throws PassgateError 'config.invalid-value' (details.key names the bad
 * field) for anything malformed, for a relay step in a kind that must not open the gate, for
 * a looping pattern that energises the relay, or for a relay held on longer than allowed.
 */
export function resolvePatterns(overrides: unknown, base: PatternTable = DEFAULT_PATTERNS): PatternTable {
  if (overrides === undefined || overrides === null) return base;
  if (!isPlainObject(overrides)) throw invalid('display.patterns', 'must be an object of signal kind to pattern');
  const table: Record<SignalKind, Pattern> = { ...base };
  for (const [kind, value] of Object.entries(overrides)) {
    const key = `display.patterns.${kind}`;
    if (!isSignalKind(kind))
      throw invalid('display.patterns', `unknown signal kind (known: ${SIGNAL_KINDS.join(', ')})`);
    table[kind] = validatePattern(kind, value, key);
  }
  return deepFreeze(table);
}

function validatePattern(kind: SignalKind, value: unknown, key: string): Pattern {
  if (!isPlainObject(value)) throw invalid(key, 'a pattern must be an object { durationMs, steps, loop? }');
  for (const field of Object.keys(value)) {
    if (!['durationMs', 'steps', 'loop'].includes(field)) throw invalid(`${key}.${field}`, 'unknown pattern field');
  }
  const { durationMs, steps, loop } = value;
  if (
    !Number.isSafeInteger(durationMs) ||
    (durationMs as number) < 1 ||
    (durationMs as number) > PATTERN_LIMITS.maxDurationMs
  ) {
    throw invalid(`${key}.durationMs`, `durationMs must be an integer from 1 to ${PATTERN_LIMITS.maxDurationMs}`);
  }
  const duration = durationMs as number;
  if (loop !== undefined && typeof loop !== 'boolean') throw invalid(`${key}.loop`, 'loop must be true or false');
  if (!Array.isArray(steps)) throw invalid(`${key}.steps`, 'steps must be an array');
  if (steps.length > PATTERN_LIMITS.maxSteps) throw invalid(`${key}.steps`, `at most ${PATTERN_LIMITS.maxSteps} steps`);
  const out: PatternStep[] = [];
  let previousAt = -1;
  steps.forEach((step: unknown, i) => {
    const stepKey = `${key}.steps[${i}]`;
    if (!isPlainObject(step)) throw invalid(stepKey, 'a step must be an object { atMs, set }');
    for (const field of Object.keys(step)) {
      if (field !== 'atMs' && field !== 'set') throw invalid(`${stepKey}.${field}`, 'unknown step field');
    }
    const { atMs, set } = step;
    if (!Number.isSafeInteger(atMs) || (atMs as number) < 0 || (atMs as number) >= duration) {
      throw invalid(`${stepKey}.atMs`, 'atMs must be an integer from 0 to below durationMs');
    }
    if ((atMs as number) <= previousAt) throw invalid(`${stepKey}.atMs`, 'steps must be in strictly ascending atMs');
    previousAt = atMs as number;
    if (!isPlainObject(set) || Object.keys(set).length === 0) {
      throw invalid(`${stepKey}.set`, `set must name at least one of ${OUTPUT_NAMES.join(', ')}`);
    }
    const changes: OutputChanges = {};
    for (const [name, on] of Object.entries(set)) {
      if (!isOutputName(name)) throw invalid(`${stepKey}.set`, `unknown output (known: ${OUTPUT_NAMES.join(', ')})`);
      if (typeof on !== 'boolean') throw invalid(`${stepKey}.set.${name}`, 'an output value must be true or false');
      changes[name] = on;
    }
    out.push({ atMs: atMs as number, set: changes });
  });
  const pattern: Pattern = loop
    ? { durationMs: duration, steps: out, loop: true }
    : { durationMs: duration, steps: out };
  checkRelay(kind, pattern, key);
  if (pattern.loop && isOverlayKind(kind)) throw invalid(`${key}.loop`, 'an overlay signal must end by itself');
  return pattern;
}

function checkRelay(kind: SignalKind, pattern: Pattern, key: string): void {
  const frames = expandPattern(pattern);
  const energises = frames.some((f) => f.state.relay);
  if (!energises) return;
  if (!RELAY_KINDS.includes(kind)) throw invalid(key, `only ${RELAY_KINDS.join(' and ')} may switch the relay on`);
  if (pattern.loop) throw invalid(key, 'a looping pattern must not switch the relay on');
  let onSince: number | null = null;
  for (let i = 0; i <= frames.length; i++) {
    const atMs = i < frames.length ? frames[i].atMs : pattern.durationMs;
    const on = i < frames.length && frames[i].state.relay;
    if (on && onSince === null) onSince = atMs;
    if (!on && onSince !== null) {
      if (atMs - onSince > PATTERN_LIMITS.maxRelayOnMs) {
        throw invalid(key, `the relay may stay on at most ${PATTERN_LIMITS.maxRelayOnMs} ms at a time`);
      }
      onSince = null;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
