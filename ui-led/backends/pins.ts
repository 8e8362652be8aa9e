// Which GPIO line drives which output. Outputs without a line are simply not wired
// (a board without a blue LED, a gate without a relay); writes to them are ignored.
import { PassgateError } from '../../firmware/core/errors.js';
import { isOutputName, OUTPUT_NAMES, type OutputName } from '../outputs.js';

export interface PinSpec {
  /** sysfs GPIO number, or the line offset on the gpiochip for gpioset. */
  line: number;
  /** The output is on when the line is low (LED to +V, relay boards with inverting drivers). */
  activeLow?: boolean;
}

export type PinMap = Partial<Record<OutputName, PinSpec>>;
/** As in config: a bare number is an active-high line. */
export type PinMapInput = Partial<Record<OutputName, number | PinSpec>>;

/** The largest line number accepted; sysfs GPIO numbers and gpiochip offsets stay far below it. */
export const MAX_GPIO_LINE = 65_535;

/** Validates a pin map from config; throws 'config.invalid-value' (details.key). */
export function normalizePins(input: unknown, key = 'display.pins'): PinMap {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PassgateError('config.invalid-value', `${key} must map outputs to GPIO lines`, { key });
  }
  const pins: PinMap = {};
  const used = new Set<number>();
  for (const [name, value] of Object.entries(input)) {
    if (!isOutputName(name)) {
      throw new PassgateError('config.invalid-value', `${key}: unknown output (known: ${OUTPUT_NAMES.join(', ')})`, {
        key,
      });
    }
    const spec = typeof value === 'number' ? { line: value } : value;
    const line = typeof spec === 'object' && spec !== null ? (spec as PinSpec).line : undefined;
    const activeLow = typeof spec === 'object' && spec !== null ? (spec as PinSpec).activeLow : undefined;
    if (!Number.isSafeInteger(line) || (line as number) < 0 || (line as number) > MAX_GPIO_LINE) {
      throw new PassgateError('config.invalid-value', `${key}.${name} must be a GPIO line number`, {
        key: `${key}.${name}`,
      });
    }
    if (activeLow !== undefined && typeof activeLow !== 'boolean') {
      throw new PassgateError('config.invalid-value', `${key}.${name}.activeLow must be true or false`, {
        key: `${key}.${name}.activeLow`,
      });
    }
    if (used.has(line as number)) {
      throw new PassgateError('config.invalid-value', `${key}.${name}: line ${line} is used twice`, {
        key: `${key}.${name}`,
      });
    }
    used.add(line as number);
    pins[name] = { line: line as number, activeLow: activeLow === true };
  }
  return pins;
}

/** The level to drive for a logical value. */
export function lineLevel(spec: PinSpec, on: boolean): 0 | 1 {
  return on !== (spec.activeLow === true) ? 1 : 0;
}
