// Input the gate cannot take, through the real portal client and the file-GPIO outputs: a card
// left on the reader while the queue is full is read again and verified once there is room, and
// a dropped input shows its own signal on top of the verdict being shown, never hiding it and
// never touching the relay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import type { SignalKind } from '../../../firmware/core/outcome.js';
import { demoCard } from '../../../scripts/lab/provisioned-gate.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputState } from '../../../ui-led/outputs.js';
import { DEFAULT_PATTERNS } from '../../../ui-led/patterns.js';
import { expectedStates } from './expected-pattern.js';
import { type RunnerRig, startRunnerRig } from './runner-rig.js';

const SHOW_MS = 2000;

/** The state `kind` asks for `ms` after it started (all off before and after). */
function stateAt(kind: SignalKind, ms: number): OutputState {
  if (ms < 0 || ms >= DEFAULT_PATTERNS[kind].durationMs) return allOutputsOff();
  return expectedStates(kind)
    .filter((s) => s.atMs <= ms)
    .at(-1)!.state;
}

/** A verdict pattern with an overlay on top: the overlay only adds, and never the relay. */
function withOverlay(base: OutputState, overlay: OutputState): OutputState {
  const out = { ...base };
  for (const name of OUTPUT_NAMES) if (name !== 'relay') out[name] = base[name] || overlay[name];
  return out;
}

describe('a card dropped while the queue is full', () => {
  const clock = new FakeClock(2_000_000);
  let rig: RunnerRig;

  beforeAll(async () => {
    rig = await startRunnerRig({ clock, policy: { busyInput: 'queue', queueLimit: 1, showMs: SHOW_MS } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('is read again from the reader and verified once the queue has room', async () => {
    rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
    expect((await rig.logger.verdict(0)).outcome).toBe('pass');
    rig.scanner.inject(rig.fixture.mock.passCodeFor('green')); // queued: the queue is full
    rig.cards.present(demoCard(rig.fixture.mock, 'green')); // left on the reader
    expect(rig.logger.events('input-dropped')).toEqual([
      expect.objectContaining({ reason: 'queue-full', source: 'test-card-reader' }),
    ]);
    await clock.advance(SHOW_MS); // the queued code is verified; the card is read again and queued
    expect(await rig.logger.verdict(1)).toMatchObject({ outcome: 'pass', source: 'test-scanner' });
    await clock.advance(SHOW_MS);
    expect(await rig.logger.verdict(2)).toMatchObject({ source: 'test-card-reader' });
    expect(rig.logger.verdicts).toHaveLength(3);
  });
});

describe('the input-dropped signal', () => {
  const clock = new FakeClock(3_000_000);
  let rig: RunnerRig;

  beforeAll(async () => {
    rig = await startRunnerRig({ clock, policy: { busyInput: 'drop', showMs: SHOW_MS } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('plays over a pass being shown: the green and the relay pulse stay as the pass has them', async () => {
    const t0 = clock.now();
    rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
    expect((await rig.logger.verdict(0)).outcome).toBe('pass');
    await rig.player.idle();
    const dropAt = 200; // within the relay pulse
    await clock.advanceTo(t0 + dropAt);
    const relayWrites = () => rig.tap.writes.filter((w) => w.changes.relay !== undefined).map((w) => w.atMs - t0);
    rig.cards.present(demoCard(rig.fixture.mock, 'green'));
    expect(rig.logger.events('input-dropped')).toEqual([expect.objectContaining({ reason: 'busy' })]);
    const overlay = DEFAULT_PATTERNS['input-dropped'];
    const times = new Set<number>([dropAt]);
    for (const s of expectedStates('pass')) if (s.atMs > dropAt) times.add(s.atMs);
    for (const s of expectedStates('input-dropped')) times.add(dropAt + s.atMs);
    for (const ms of [...times].sort((a, b) => a - b)) {
      await clock.advanceTo(t0 + ms);
      await rig.player.idle();
      const want = withOverlay(stateAt('pass', ms), stateAt('input-dropped', ms - dropAt));
      expect({ ms, pins: rig.pins() }).toEqual({ ms, pins: want });
    }
    // The overlay lit something of its own, and the relay was switched only by the pass: on at 0, off at 500.
    expect(rig.tap.writes.some((w) => w.atMs - t0 >= dropAt && w.changes.blue === true)).toBe(true);
    expect(relayWrites()).toEqual([0, 500]);
    expect(dropAt + overlay.durationMs).toBeLessThan(DEFAULT_PATTERNS.pass.durationMs);
    await clock.advanceTo(t0 + SHOW_MS);
    await rig.player.idle();
    expect(rig.pins()).toEqual(allOutputsOff());
    // The gate rests: the card still lying on the reader is read again and verified after all.
    expect(await rig.logger.verdict(1)).toMatchObject({ source: 'test-card-reader' });
    rig.cards.remove();
    await clock.advance(SHOW_MS);
  });

  it('a duplicate of the code just verified gets no signal', async () => {
    const t0 = clock.now();
    const code = rig.fixture.mock.passCodeFor('green');
    const index = rig.logger.verdicts.length;
    rig.scanner.inject(code);
    expect((await rig.logger.verdict(index)).outcome).toBe('pass');
    await clock.advanceTo(t0 + SHOW_MS);
    await rig.player.idle();
    const writes = rig.tap.writes.length;
    rig.scanner.inject(code); // a scanner in continuous mode reads it again
    await rig.player.idle();
    expect(rig.logger.events('input-dropped').at(-1)).toMatchObject({ reason: 'duplicate' });
    expect(rig.tap.writes.length).toBe(writes);
  });
});
