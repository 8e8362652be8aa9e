// The relay must not stay energised after a PASS when a write fails (issue: a board answering
// ERR, timing out or unplugged at the relay-off step, or a sysfs write failing, left the turnstile
// released until the next scan). The player retries on a backoff timer, the relay alone first,
// reports the mismatch in status(), and caps a continuous relay-on time on its own.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { DEFAULT_TIMEOUTS } from '../../firmware/core/timeouts.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import type { OutputChanges } from '../../ui-led/outputs.js';
import { PATTERN_LIMITS } from '../../ui-led/patterns.js';
import { PatternPlayer } from '../../ui-led/player.js';

function setup() {
  const clock = new FakeClock(0);
  const backend = new RecordingBackend(clock);
  const player = new PatternPlayer({ backend, clock });
  return { clock, backend, player };
}

/** Relay on/off times from the recorded writes. */
function relayEdges(backend: RecordingBackend): Array<[number, boolean]> {
  return backend.writes.flatMap((w) =>
    w.changes.relay === undefined ? [] : [[w.atMs, w.changes.relay] as [number, boolean]],
  );
}

describe('PatternPlayer: a failed relay-off write', () => {
  it('is retried on a backoff after the pattern ended, the relay alone first, until the relay is off', async () => {
    const { clock, backend, player } = setup();
    const relayOff = (changes: OutputChanges) => changes.relay === false;
    player.play('pass');
    backend.setFailing(relayOff); // the board answers ERR to every write that releases the relay
    await clock.advance(5000); // the pass pattern (1500 ms) is long over
    expect(backend.state().relay).toBe(true);
    expect(player.status().playing).toBeNull();
    expect(player.status().mismatched).toContain('relay');
    const failuresSoFar = player.status().consecutiveFailures;
    // 500 ms relay-off step, then retries at +100, +200, +400, +800, +1600, +2000…: not a tight loop
    expect(failuresSoFar).toBeGreaterThanOrEqual(5);
    expect(failuresSoFar).toBeLessThanOrEqual(9);

    backend.setFailing(false);
    await clock.advance(DEFAULT_TIMEOUTS.displayRetryMaxMs);
    expect(backend.state().relay).toBe(false);
    const afterRecovery = backend.writes.filter((w) => w.atMs > 5000).map((w) => w.changes);
    expect(afterRecovery[0]).toEqual({ relay: false });
    expect(player.status().mismatched).toEqual([]);
    expect(player.status().consecutiveFailures).toBe(0);
    expect(clock.pendingTimers()).toBe(0); // retries stop once the backend has the state
  });

  it('a backend that lost its outputs is rewritten by the retry even when nothing plays', async () => {
    const { clock, backend, player } = setup();
    player.play('deny');
    await clock.advance(3000);
    backend.setFailing(true);
    backend.emitFault('unplugged'); // every output unknown now
    await clock.advance(10);
    player.play('read-error');
    await clock.advance(3000);
    expect(player.status().mismatched.length).toBeGreaterThan(0);
    backend.setFailing(false);
    await clock.advance(DEFAULT_TIMEOUTS.displayRetryMaxMs);
    expect(player.status().mismatched).toEqual([]);
    expect(backend.state()).toEqual({ red: false, green: false, blue: false, buzzer: false, relay: false });
  });
});

describe('PatternPlayer: the relay cap', () => {
  it('never holds the relay on longer than PATTERN_LIMITS.maxRelayOnMs, whatever the signals', async () => {
    const { clock, backend, player } = setup();
    // A pass every 300 ms preempts each pattern before its 500 ms relay-off step.
    for (let t = 0; t < PATTERN_LIMITS.maxRelayOnMs + 3000; t += 300) {
      player.play('pass');
      await clock.advance(300);
    }
    const edges = relayEdges(backend);
    expect(edges[0]).toEqual([0, true]);
    expect(edges[1]).toEqual([PATTERN_LIMITS.maxRelayOnMs, false]);
    expect(edges).toHaveLength(2); // later passes kept it off: still no relay-off step seen
    // Once a pattern's own relay-off step has passed, the next pass releases the gate again.
    await clock.advance(2000);
    player.play('pass');
    await clock.advance(2000);
    expect(relayEdges(backend).slice(2)).toEqual([
      [clock.now() - 2000, true],
      [clock.now() - 1500, false],
    ]);
  });

  it('a single pass pattern is not affected', async () => {
    const { clock, backend, player } = setup();
    player.play('pass');
    await clock.advance(3000);
    expect(relayEdges(backend)).toEqual([
      [0, true],
      [500, false],
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('PatternPlayer: close on a failing backend', () => {
  it('keeps retrying the all-off write for displayCloseMs, so a backend that recovers ends off', async () => {
    const { clock, backend, player } = setup();
    player.play('pass');
    await clock.advance(100);
    backend.setFailing(true);
    const closing = player.close();
    await clock.advance(500);
    expect(backend.state().relay).toBe(true);
    backend.setFailing(false);
    await clock.advance(DEFAULT_TIMEOUTS.displayCloseMs);
    await closing;
    expect(backend.state()).toEqual({ red: false, green: false, blue: false, buzzer: false, relay: false });
    expect(backend.closeCalls()).toBe(1);
  });
});
