// What the outputs must do for a signal, derived from the pattern table alone: the state after
// each expanded frame (frames at 0 ms apply together at the start), all off at the pattern's end,
// and the writes that take one state to the next, naming only the outputs that change.
import type { SignalKind } from '../../../firmware/core/outcome.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputChanges, type OutputState } from '../../../ui-led/outputs.js';
import { DEFAULT_PATTERNS, expandPattern } from '../../../ui-led/patterns.js';
import type { TimedWrite } from './runner-rig.js';

export interface TimedState {
  atMs: number;
  state: OutputState;
}

/** One round of `kind` from all off: the states at each change time, ending all off. */
export function expectedStates(kind: SignalKind, rounds = 1): TimedState[] {
  const pattern = DEFAULT_PATTERNS[kind];
  const frames = expandPattern(pattern);
  const states: TimedState[] = [];
  for (let round = 0; round < rounds; round++) {
    const offset = round * pattern.durationMs;
    let i = 0;
    let first = allOutputsOff();
    while (i < frames.length && frames[i].atMs === 0) first = frames[i++].state;
    states.push({ atMs: offset, state: first });
    for (; i < frames.length; i++) states.push({ atMs: offset + frames[i].atMs, state: frames[i].state });
  }
  if (!pattern.loop) states.push({ atMs: pattern.durationMs, state: allOutputsOff() });
  return states;
}

/** The writes a player makes for `states`, starting from `from` (all off unless given). */
export function expectedWrites(states: readonly TimedState[], from: OutputState = allOutputsOff()): TimedWrite[] {
  const writes: TimedWrite[] = [];
  let current = from;
  for (const { atMs, state } of states) {
    const changes: OutputChanges = {};
    for (const name of OUTPUT_NAMES) if (state[name] !== current[name]) changes[name] = state[name];
    if (Object.keys(changes).length > 0) writes.push({ atMs, changes });
    current = state;
  }
  return writes;
}
