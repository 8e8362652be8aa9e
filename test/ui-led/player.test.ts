import { describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { SIGNAL_KINDS } from '../../firmware/core/outcome.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import { allOutputsOff, type OutputChanges } from '../../ui-led/outputs.js';
import { DEFAULT_PATTERNS, resolvePatterns } from '../../ui-led/patterns.js';
import { PatternPlayer } from '../../ui-led/player.js';

function setup(patterns = DEFAULT_PATTERNS) {
  const clock = new FakeClock(1000);
  const backend = new RecordingBackend(clock);
  const player = new PatternPlayer({ backend, clock, patterns });
  const errors: PassgateError[] = [];
  player.onError((e) => errors.push(e));
  /** Writes relative to t0 = 1000. */
  const writes = () => backend.writes.map((w) => [w.atMs - 1000, w.changes] as [number, OutputChanges]);
  return { clock, backend, player, errors, writes };
}

describe('PatternPlayer: exact sequences per outcome', () => {
  it('pass: green, 100 ms beep, 500 ms relay pulse, all off at 1500 ms', async () => {
    const { clock, player, writes, backend } = setup();
    player.play('pass');
    await clock.advance(5000);
    expect(writes()).toEqual([
      [0, { red: false, green: true, blue: false, buzzer: true, relay: true }],
      [100, { buzzer: false }],
      [500, { relay: false }],
      [1500, { green: false }],
    ]);
    expect(backend.state()).toEqual(allOutputsOff());
    expect(player.status().playing).toBeNull();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('deny: red with one 800 ms beep for 2 s, no relay', async () => {
    const { clock, player, writes } = setup();
    player.play('deny');
    await clock.advance(5000);
    expect(writes()).toEqual([
      [0, { red: true, green: false, blue: false, buzzer: true, relay: false }],
      [800, { buzzer: false }],
      [2000, { red: false }],
    ]);
  });

  it('policy-deny: red with three 150 ms beeps', async () => {
    const { clock, player, writes } = setup();
    player.play('policy-deny');
    await clock.advance(3000);
    expect(writes()).toEqual([
      [0, { red: true, green: false, blue: false, buzzer: true, relay: false }],
      [150, { buzzer: false }],
      [300, { buzzer: true }],
      [450, { buzzer: false }],
      [600, { buzzer: true }],
      [750, { buzzer: false }],
      [2000, { red: false }],
    ]);
  });

  it('network-error: amber (red+green) steady, three 80 ms beeps', async () => {
    const { clock, player, writes } = setup();
    player.play('network-error');
    await clock.advance(3000);
    expect(writes()).toEqual([
      [0, { red: true, green: true, blue: false, buzzer: true, relay: false }],
      [80, { buzzer: false }],
      [200, { buzzer: true }],
      [280, { buzzer: false }],
      [400, { buzzer: true }],
      [480, { buzzer: false }],
      [2500, { red: false, green: false }],
    ]);
  });

  it('show-code: red blinks 250/250 for 2 s with two 150 ms beeps', async () => {
    const { clock, player, writes } = setup();
    player.play('show-code');
    await clock.advance(3000);
    expect(writes()).toEqual([
      [0, { red: true, green: false, blue: false, buzzer: true, relay: false }],
      [150, { buzzer: false }],
      [250, { red: false }],
      [300, { buzzer: true }],
      [450, { buzzer: false }],
      [500, { red: true }],
      [750, { red: false }],
      [1000, { red: true }],
      [1250, { red: false }],
      [1500, { red: true }],
      [1750, { red: false }],
    ]);
  });

  it('every kind ends with all outputs off and no timer left, except looping bind-mode', async () => {
    for (const kind of SIGNAL_KINDS) {
      const { clock, player, backend } = setup();
      player.play(kind);
      await clock.advance(DEFAULT_PATTERNS[kind].durationMs + 1);
      if (kind === 'bind-mode') {
        expect(clock.pendingTimers()).toBe(1);
        await player.close();
      }
      expect(backend.state(), kind).toEqual(allOutputsOff());
      expect(clock.pendingTimers(), kind).toBe(0);
    }
  });

  it('bind-mode loops: a 200 ms blue flash every second until replaced', async () => {
    const { clock, player, writes } = setup();
    player.play('bind-mode');
    await clock.advance(3100);
    expect(writes()).toEqual([
      [0, { red: false, green: false, blue: true, buzzer: false, relay: false }],
      [200, { blue: false }],
      [1000, { blue: true }],
      [1200, { blue: false }],
      [2000, { blue: true }],
      [2200, { blue: false }],
      [3000, { blue: true }],
    ]);
    player.play('bind-ok');
    await clock.advance(2000);
    // blue already on: only green and the buzzer are written
    expect(writes().slice(7)).toEqual([
      [3100, { green: true, buzzer: true }],
      [3180, { buzzer: false }],
      [3300, { buzzer: true }],
      [3380, { buzzer: false }],
      [4600, { green: false, blue: false }],
    ]);
  });

  it('uses resolved overrides', async () => {
    const { clock, player, writes } = setup(
      resolvePatterns({
        deny: {
          durationMs: 400,
          steps: [
            { atMs: 0, set: { red: true } },
            { atMs: 100, set: { blue: true } },
          ],
        },
      }),
    );
    player.play('deny');
    await clock.advance(1000);
    expect(writes()).toEqual([
      [0, { red: true, green: false, blue: false, buzzer: false, relay: false }],
      [100, { blue: true }],
      [400, { red: false, blue: false }],
    ]);
  });

  it('passes the text to the backend screen', () => {
    const { player, backend } = setup();
    player.play('deny', { opinion: 'DENY', maskedName: '**丙', maskedId: '1****************X' });
    expect(backend.shown).toEqual([
      { kind: 'deny', zh: '否-禁止通行', en: 'Entry denied', maskedName: '**丙', maskedId: '1****************X' },
    ]);
  });
});

describe('PatternPlayer: preemption, shutdown, failures', () => {
  it('a new play preempts mid-pattern without toggling outputs that stay the same', async () => {
    const { clock, player, writes } = setup();
    player.play('pass');
    await clock.advance(300); // green on, relay on, beep over
    player.play('pass-with-notice');
    await clock.advance(3000);
    expect(writes()).toEqual([
      [0, { red: false, green: true, blue: false, buzzer: true, relay: true }],
      [100, { buzzer: false }],
      // green and relay already on: untouched. The new pattern's relay pulse starts anew.
      [300, { red: true, buzzer: true }],
      [400, { buzzer: false }],
      [550, { red: false }],
      [800, { red: true, relay: false }],
      [1050, { red: false }],
      [1300, { red: true }],
      [1550, { red: false }],
      [1800, { red: true }],
      [2050, { red: false }],
      [2300, { green: false }],
    ]);
    // the old pattern's pending steps (relay off at 500, green off at 1500) never ran
    expect(writes().some(([t]) => t === 500 || t === 1500)).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('deny right after pass drops the relay at once', async () => {
    const { clock, player, writes } = setup();
    player.play('pass');
    await clock.advance(50);
    player.play('deny');
    expect(writes()[1]).toEqual([50, { red: true, green: false, relay: false }]);
  });

  it('allOff stops the pattern and switches everything off', async () => {
    const { clock, player, writes, backend } = setup();
    player.play('show-code');
    await clock.advance(100);
    await player.allOff();
    expect(writes().at(-1)).toEqual([100, { red: false, buzzer: false }]);
    await clock.advance(5000);
    expect(writes()).toHaveLength(2);
    expect(backend.state()).toEqual(allOutputsOff());
  });

  it('close switches everything off, closes the backend once and ignores later plays', async () => {
    const { clock, player, backend, writes } = setup();
    player.play('pass');
    await clock.advance(200);
    await player.close();
    expect(writes().at(-1)).toEqual([200, { green: false, relay: false }]);
    expect(backend.state()).toEqual(allOutputsOff());
    expect(backend.closeCalls()).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    player.play('deny');
    await player.close();
    await clock.advance(3000);
    expect(writes()).toHaveLength(3);
    expect(backend.closeCalls()).toBe(1);
    expect(player.status().closed).toBe(true);
  });

  it('backend failures are reported once per run, never thrown, and the player recovers', async () => {
    const { clock, player, backend, writes, errors } = setup();
    backend.setFailing(true);
    expect(() => player.play('show-code')).not.toThrow();
    await clock.advance(600);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('display.backend-failed');
    expect(errors[0].details).toMatchObject({ backend: 'recording', stage: 'set' });
    // a failed backend is tried at each step and on the backoff timer (100, 200, 400 ms…), never
    // in a tight loop
    expect(player.status().consecutiveFailures).toBeGreaterThanOrEqual(6);
    expect(player.status().consecutiveFailures).toBeLessThanOrEqual(10);
    expect(player.status().mismatched).toEqual(['red', 'green', 'blue', 'buzzer', 'relay']);
    backend.setFailing(false);
    await clock.advance(150); // step at 750: the relay alone first, then everything else unknown
    expect(writes()).toEqual([
      [750, { relay: false }],
      [750, { red: false, green: false, blue: false, buzzer: false }],
    ]);
    expect(player.status().consecutiveFailures).toBe(0);
    expect(player.status().mismatched).toEqual([]);
    await clock.advance(3000);
    expect(backend.state()).toEqual(allOutputsOff());
  });

  it('a backend throwing synchronously is contained too', async () => {
    const clock = new FakeClock();
    const errors: PassgateError[] = [];
    const player = new PatternPlayer({
      clock,
      backend: {
        name: 'throwing',
        open: async () => {},
        set: () => {
          throw new Error('sync boom');
        },
        show: () => {
          throw new Error('screen boom');
        },
        close: async () => {
          throw new Error('close boom');
        },
      },
    });
    player.onError((e) => errors.push(e));
    player.onError(() => {
      throw new Error('listener boom');
    });
    expect(() => player.play('deny')).not.toThrow();
    await clock.advance(3000);
    // close retries the all-off write for displayCloseMs on the clock, then gives up and closes
    const closing = player.close();
    await clock.advance(3000);
    await expect(closing).resolves.toBeUndefined();
    expect(errors.map((e) => e.details.stage)).toEqual(['show', 'set', 'close']);
    expect(errors.every((e) => isPassgateError(e, 'display.backend-failed'))).toBe(true);
  });

  it('a backend fault makes every output unknown, so the next step rewrites them all', async () => {
    const { clock, player, backend, writes, errors } = setup();
    player.play('deny');
    await clock.advance(100);
    backend.emitFault('unplugged');
    expect(errors.map((e) => e.details.stage)).toEqual(['unplugged']);
    await clock.advance(800);
    expect(writes().at(-1)).toEqual([800, { red: true, green: false, blue: false, buzzer: false, relay: false }]);
  });

  it('a slow backend skips intermediate states instead of queueing them', async () => {
    const clock = new FakeClock();
    const sets: OutputChanges[] = [];
    const release: (() => void)[] = [];
    const player = new PatternPlayer({
      clock,
      backend: {
        name: 'slow',
        open: async () => {},
        set: (changes) => {
          sets.push(changes);
          return new Promise<void>((resolve) => release.push(resolve));
        },
        close: async () => {},
      },
    });
    player.play('show-code');
    await clock.advance(1000); // eight steps fall due while the first write hangs
    expect(sets).toHaveLength(1);
    release.shift()!();
    await new Promise((r) => setImmediate(r));
    // state at 1000 ms: red on (blink), buzzer off; red was already on → only buzzer
    expect(sets).toEqual([{ red: true, green: false, blue: false, buzzer: true, relay: false }, { buzzer: false }]);
    release.shift()!();
    const closing = player.close();
    await new Promise((r) => setImmediate(r));
    expect(sets.at(-1)).toEqual({ red: false });
    release.shift()!();
    await closing;
    expect(release).toHaveLength(0);
  });
});
