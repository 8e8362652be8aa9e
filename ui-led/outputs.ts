// The five things a gate can switch: three LED colours, the buzzer and the gate relay.
// Every backend maps these names onto its hardware; patterns and the player speak only these.

export const OUTPUT_NAMES = ['red', 'green', 'blue', 'buzzer', 'relay'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** The complete state of all outputs; `true` means on (lit, sounding, relay energised). */
export type OutputState = Record<OutputName, boolean>;
/** Some outputs and the value each should take; outputs not named keep their value. */
export type OutputChanges = Partial<Record<OutputName, boolean>>;

export function isOutputName(value: unknown): value is OutputName {
  return typeof value === 'string' && (OUTPUT_NAMES as readonly string[]).includes(value);
}

export function allOutputsOff(): OutputState {
  return { red: false, green: false, blue: false, buzzer: false, relay: false };
}

/**
 * The changes that take `from` to `to`. An output whose value in `from` is unknown
 * (undefined, e.g. after a failed write) is always included.
 */
export function diffOutputs(from: Partial<Record<OutputName, boolean | undefined>>, to: OutputState): OutputChanges {
  const changes: OutputChanges = {};
  for (const name of OUTPUT_NAMES) {
    if (from[name] !== to[name]) changes[name] = to[name];
  }
  return changes;
}

export function hasChanges(changes: OutputChanges): boolean {
  return OUTPUT_NAMES.some((name) => changes[name] !== undefined);
}
