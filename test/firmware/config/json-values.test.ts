import { describe, expect, it } from 'vitest';
import { checkPatterns, checkPins, checkTimeouts, PINS_SHAPE } from '../../../firmware/config/json-values.js';
import { MAX_GPIO_LINE } from '../../../ui-led/backends/pins.js';

const reasonOf = (checked: { ok: boolean; reason?: string }) => (checked.ok ? undefined : checked.reason);

describe('checkPins', () => {
  it('takes the ui-led outputs, blue optional, and returns them in output order', () => {
    expect(PINS_SHAPE).toBe('{red, green, blue?, buzzer, relay}');
    expect(checkPins({ relay: 4, buzzer: 3, green: 2, red: 1 })).toEqual({
      ok: true,
      value: { red: 1, green: 2, buzzer: 3, relay: 4 },
    });
    const all = checkPins({ relay: 5, blue: 3, buzzer: 4, green: 2, red: 1 });
    expect(all.ok && Object.keys(all.value)).toEqual(['red', 'green', 'blue', 'buzzer', 'relay']);
  });

  it('says which rule broke, without the value', () => {
    expect(reasonOf(checkPins([1]))).toBe('must be an object {red, green, blue?, buzzer, relay}');
    expect(reasonOf(checkPins({ red: 1, green: 2, buzzer: 3, relay: 4, fan: 5 }))).toBe(
      'has a field that is not red, green, blue, buzzer or relay',
    );
    expect(reasonOf(checkPins({ red: 1, green: 2, buzzer: 3 }))).toBe(
      `relay must be a line number from 0 to ${MAX_GPIO_LINE}`,
    );
    expect(reasonOf(checkPins({ red: 1, green: 2, buzzer: 3, relay: MAX_GPIO_LINE + 1 }))).toMatch(/^relay must be/);
    expect(reasonOf(checkPins({ red: 1, green: 1, buzzer: 3, relay: 4 }))).toBe('two outputs share one line');
  });
});

describe('checkTimeouts and checkPatterns', () => {
  it('timeouts: known names to timer-safe numbers', () => {
    expect(checkTimeouts({ verifyDeadlineMs: 0 })).toEqual({ ok: true, value: { verifyDeadlineMs: 0 } });
    expect(reasonOf(checkTimeouts({ nope: 1 }))).toBe('names a timeout that firmware/core/timeouts.ts does not have');
    expect(reasonOf(checkTimeouts({ verifyDeadlineMs: 2 ** 31 }))).toMatch(/^every timeout must be/);
  });

  it('patterns: exactly what ui-led resolvePatterns plays, with its reason', () => {
    const beep = { selftest: { durationMs: 100, steps: [{ atMs: 0, set: { buzzer: true } }] } };
    expect(checkPatterns(beep)).toEqual({ ok: true, value: beep });
    expect(checkPatterns({}).ok).toBe(true);
    expect(reasonOf(checkPatterns({ pass: { anything: true } }))).toBe('unknown pattern field');
    expect(reasonOf(checkPatterns({ 'no-such-kind': {} }))).toMatch(/^unknown signal kind/);
    // A deny that would open the gate: refused here, not first at the daemon's next start.
    const opens = { deny: { durationMs: 100, steps: [{ atMs: 0, set: { relay: true } }] } };
    expect(reasonOf(checkPatterns(opens))).toBe('only pass and pass-with-notice may switch the relay on');
    expect(checkPatterns('pass').ok).toBe(false);
  });
});
