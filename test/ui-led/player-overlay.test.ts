// Overlay signals (input-dropped): played on top of whatever plays, they only add light and sound,
// never switch off what the pattern under them shows, never touch the relay, and end by themselves.
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import type { OutputChanges, OutputState } from '../../ui-led/outputs.js';
import { DEFAULT_PATTERNS, expandPattern, OVERLAY_KINDS, RELAY_KINDS, resolvePatterns } from '../../ui-led/patterns.js';
import { PatternPlayer } from '../../ui-led/player.js';

function setup() {
  const clock = new FakeClock(1000);
  const backend = new RecordingBackend(clock);
  const player = new PatternPlayer({ backend, clock });
  const writes = () => backend.writes.map((w) => [w.atMs - 1000, w.changes] as [number, OutputChanges]);
  /** The backend's state after `ms` of play (from t0), sampled on the fake clock. */
  const sample = async (ms: number): Promise<OutputState> => {
    await clock.advanceTo(1000 + ms);
    await player.idle();
    return backend.state();
  };
  return { clock, backend, player, writes, sample };
}

describe('the input-dropped pattern', () => {
  it('is an overlay, never energises the relay, and does not loop', () => {
    expect(OVERLAY_KINDS).toEqual(['input-dropped']);
    expect(RELAY_KINDS).not.toContain('input-dropped');
    const pattern = DEFAULT_PATTERNS['input-dropped'];
    expect(pattern.loop).toBeUndefined();
    const frames = expandPattern(pattern);
    expect(frames.some((f) => f.state.relay)).toBe(false);
    expect(frames.some((f) => f.state.buzzer)).toBe(true); // audible
    expect(frames.some((f) => f.state.red || f.state.green || f.state.blue)).toBe(true); // visible
  });

  it('an override may change it, but not make it loop or switch the relay', () => {
    const loop = { durationMs: 400, loop: true, steps: [{ atMs: 0, set: { buzzer: true } }] };
    const relay = { durationMs: 400, steps: [{ atMs: 0, set: { relay: true } }] };
    for (const bad of [loop, relay]) {
      try {
        resolvePatterns({ 'input-dropped': bad });
        throw new Error('accepted');
      } catch (error) {
        expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
      }
    }
    const ok = { durationMs: 300, steps: [{ atMs: 0, set: { red: true, buzzer: true } }] };
    expect(resolvePatterns({ 'input-dropped': ok })['input-dropped']).toEqual(ok);
  });
});

describe('PatternPlayer overlays', () => {
  it('alone: plays its pattern and ends all off; status tells it apart from the main pattern', async () => {
    const { clock, player, backend, writes } = setup();
    player.play('input-dropped');
    expect(player.status()).toMatchObject({ playing: null, overlay: 'input-dropped' });
    await clock.advance(2000);
    const expected = expandPattern(DEFAULT_PATTERNS['input-dropped']);
    expect(writes()[0][0]).toBe(0);
    expect(writes().map(([at]) => at)).toEqual(expected.map((f) => f.atMs));
    expect(backend.state()).toEqual({ red: false, green: false, blue: false, buzzer: false, relay: false });
    expect(player.status()).toMatchObject({ playing: null, overlay: null });
    expect(clock.pendingTimers()).toBe(0);
    expect(backend.shown.map((t) => t.kind)).toEqual(['input-dropped']);
  });

  it('over a pass: green and the relay pulse are exactly the pass’s; the overlay adds blue and beeps', async () => {
    const { clock, player, writes, sample } = setup();
    player.play('pass');
    await clock.advanceTo(1200);
    player.play('input-dropped');
    expect(player.status()).toMatchObject({ playing: 'pass', overlay: 'input-dropped' });
    for (const ms of [200, 249, 250, 300, 449, 450, 499, 500, 600, 700, 1499, 1500]) {
      const state = await sample(ms);
      expect({ ms, green: state.green, relay: state.relay }).toEqual({ ms, green: ms < 1500, relay: ms < 500 });
    }
    const relayWrites = writes().filter(([, c]) => c.relay !== undefined);
    expect(relayWrites.map(([at, c]) => [at, c.relay])).toEqual([
      [0, true],
      [500, false],
    ]);
    expect(writes().some(([at, c]) => at === 200 && c.blue === true && c.buzzer === true)).toBe(true);
    await clock.advance(2000);
    expect(player.status()).toMatchObject({ playing: null, overlay: null });
  });

  it('never switches off what the pattern under it has on (a deny’s long beep stays whole)', async () => {
    const { player, sample } = setup();
    player.play('deny');
    player.play('input-dropped');
    for (let ms = 0; ms < 800; ms += 25) expect((await sample(ms)).buzzer, `${ms} ms`).toBe(true);
    expect((await sample(1999)).red).toBe(true);
  });

  it('a new signal does not end it, and it does not end the new signal; allOff ends both', async () => {
    const { player, sample, clock } = setup();
    player.play('input-dropped');
    await clock.advanceTo(1100);
    player.play('deny');
    expect(player.status()).toMatchObject({ playing: 'deny', overlay: 'input-dropped' });
    expect((await sample(260)).blue).toBe(true); // the overlay's second flash, over the deny
    expect((await sample(700)).red).toBe(true);
    player.play('input-dropped');
    await player.allOff();
    expect(player.status()).toMatchObject({ playing: null, overlay: null });
    expect(await sample(800)).toEqual({ red: false, green: false, blue: false, buzzer: false, relay: false });
  });
});
