import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../firmware/core/errors.js';
import { SIGNAL_KINDS } from '../../firmware/core/outcome.js';
import { DEFAULT_PATTERNS, expandPattern, type Pattern, RELAY_KINDS, resolvePatterns } from '../../ui-led/patterns.js';

/** Canonical form of what a pattern does over time. */
function timeline(pattern: Pattern): string {
  return JSON.stringify({ d: pattern.durationMs, loop: !!pattern.loop, frames: expandPattern(pattern) });
}

function expectInvalid(overrides: unknown, key?: string): void {
  try {
    resolvePatterns(overrides);
  } catch (error) {
    expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
    if (key) expect((error as { details: { key: string } }).details.key).toBe(key);
    return;
  }
  throw new Error('override was accepted');
}

describe('default patterns', () => {
  it('has one pattern for every signal kind', () => {
    expect(Object.keys(DEFAULT_PATTERNS).sort()).toEqual([...SIGNAL_KINDS].sort());
  });

  it('every default pattern is distinct from every other', () => {
    const seen = new Map<string, string>();
    for (const kind of SIGNAL_KINDS) {
      const t = timeline(DEFAULT_PATTERNS[kind]);
      expect(seen.get(t), `${kind} looks like ${seen.get(t)}`).toBeUndefined();
      seen.set(t, kind);
    }
    expect(seen.size).toBe(SIGNAL_KINDS.length);
  });

  it('only pass and pass-with-notice energise the relay, for 500 ms, from the start', () => {
    for (const kind of SIGNAL_KINDS) {
      const frames = expandPattern(DEFAULT_PATTERNS[kind]);
      const relayOn = frames.filter((f) => f.state.relay);
      if (RELAY_KINDS.includes(kind)) {
        expect(frames[0]).toMatchObject({ atMs: 0, state: { relay: true } });
        const off = frames.find((f) => !f.state.relay);
        expect(off?.atMs).toBe(500);
      } else {
        expect(relayOn, kind).toEqual([]);
      }
    }
  });

  it('patterns are well-formed: ascending steps inside the duration, something on, only bind-mode loops', () => {
    for (const kind of SIGNAL_KINDS) {
      const p = DEFAULT_PATTERNS[kind];
      let prev = -1;
      for (const step of p.steps) {
        expect(step.atMs).toBeGreaterThan(prev);
        expect(step.atMs).toBeLessThan(p.durationMs);
        prev = step.atMs;
      }
      expect(expandPattern(p).some((f) => Object.values(f.state).some(Boolean))).toBe(true);
      expect(!!p.loop).toBe(kind === 'bind-mode');
    }
  });

  it('the defaults survive a round trip through JSON and validation unchanged', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_PATTERNS));
    const table = resolvePatterns(json);
    for (const kind of SIGNAL_KINDS) expect(timeline(table[kind])).toBe(timeline(DEFAULT_PATTERNS[kind]));
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_PATTERNS.pass.steps[0].set)).toBe(true);
  });
});

describe('resolvePatterns', () => {
  it('returns the defaults for no override', () => {
    expect(resolvePatterns(undefined)).toBe(DEFAULT_PATTERNS);
    expect(resolvePatterns(null)).toBe(DEFAULT_PATTERNS);
    expect(resolvePatterns({}).deny).toEqual(DEFAULT_PATTERNS.deny);
  });

  it('replaces overridden kinds as a whole and keeps the others', () => {
    const table = resolvePatterns({
      deny: {
        durationMs: 1000,
        steps: [
          { atMs: 0, set: { red: true, buzzer: true } },
          { atMs: 300, set: { buzzer: false } },
        ],
      },
    });
    expect(expandPattern(table.deny)).toEqual([
      { atMs: 0, state: { red: true, green: false, blue: false, buzzer: true, relay: false } },
      { atMs: 300, state: { red: true, green: false, blue: false, buzzer: false, relay: false } },
    ]);
    expect(table.pass).toBe(DEFAULT_PATTERNS.pass);
    expect(Object.isFrozen(table)).toBe(true);
  });

  it('accepts a relay pulse for pass', () => {
    const table = resolvePatterns({
      pass: {
        durationMs: 2000,
        steps: [
          { atMs: 0, set: { green: true, relay: true } },
          { atMs: 1000, set: { relay: false } },
        ],
      },
    });
    expect(expandPattern(table.pass)[1].state.relay).toBe(false);
  });

  it('rejects invalid overrides with config.invalid-value naming the field', () => {
    expectInvalid('pass', 'display.patterns');
    expectInvalid([], 'display.patterns');
    expectInvalid({ opened: { durationMs: 10, steps: [] } }, 'display.patterns');
    expectInvalid({ deny: 5 }, 'display.patterns.deny');
    expectInvalid({ deny: { durationMs: 0, steps: [] } }, 'display.patterns.deny.durationMs');
    expectInvalid({ deny: { durationMs: 1.5, steps: [] } }, 'display.patterns.deny.durationMs');
    expectInvalid({ deny: { durationMs: '100', steps: [] } }, 'display.patterns.deny.durationMs');
    expectInvalid({ deny: { durationMs: 600_001, steps: [] } }, 'display.patterns.deny.durationMs');
    expectInvalid({ deny: { durationMs: 100 } }, 'display.patterns.deny.steps');
    expectInvalid({ deny: { durationMs: 100, steps: [], colour: 'red' } }, 'display.patterns.deny.colour');
    expectInvalid({ deny: { durationMs: 100, steps: [], loop: 'yes' } }, 'display.patterns.deny.loop');
    expectInvalid(
      { deny: { durationMs: 100, steps: [{ atMs: 100, set: { red: true } }] } },
      'display.patterns.deny.steps[0].atMs',
    );
    expectInvalid(
      { deny: { durationMs: 100, steps: [{ atMs: -1, set: { red: true } }] } },
      'display.patterns.deny.steps[0].atMs',
    );
    expectInvalid(
      {
        deny: {
          durationMs: 100,
          steps: [
            { atMs: 50, set: { red: true } },
            { atMs: 50, set: { red: false } },
          ],
        },
      },
      'display.patterns.deny.steps[1].atMs',
    );
    expectInvalid({ deny: { durationMs: 100, steps: [{ atMs: 0, set: {} }] } }, 'display.patterns.deny.steps[0].set');
    expectInvalid(
      { deny: { durationMs: 100, steps: [{ atMs: 0, set: { yellow: true } }] } },
      'display.patterns.deny.steps[0].set',
    );
    expectInvalid(
      { deny: { durationMs: 100, steps: [{ atMs: 0, set: { red: 1 } }] } },
      'display.patterns.deny.steps[0].set.red',
    );
    expectInvalid(
      { deny: { durationMs: 100, steps: [{ atMs: 0, set: { red: true }, extra: 1 }] } },
      'display.patterns.deny.steps[0].extra',
    );
    expectInvalid({ deny: { durationMs: 100, steps: [null] } }, 'display.patterns.deny.steps[0]');
    expectInvalid({
      deny: { durationMs: 100, steps: Array.from({ length: 257 }, (_, i) => ({ atMs: i, set: { red: true } })) },
    });
  });

  it('keeps the gate shut: relay only for pass kinds, never looping, never held too long', () => {
    expectInvalid({ deny: { durationMs: 1000, steps: [{ atMs: 0, set: { relay: true } }] } }, 'display.patterns.deny');
    expectInvalid({
      selftest: {
        durationMs: 1000,
        steps: [
          { atMs: 10, set: { relay: true } },
          { atMs: 20, set: { relay: false } },
        ],
      },
    });
    expectInvalid(
      { pass: { durationMs: 1000, steps: [{ atMs: 0, set: { relay: true } }], loop: true } },
      'display.patterns.pass',
    );
    expectInvalid(
      { pass: { durationMs: 20_000, steps: [{ atMs: 0, set: { relay: true } }] } },
      'display.patterns.pass',
    );
    // relay: false in a non-pass kind is harmless
    expect(() =>
      resolvePatterns({ deny: { durationMs: 100, steps: [{ atMs: 0, set: { red: true, relay: false } }] } }),
    ).not.toThrow();
  });

  it('never throws anything but PassgateError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...SIGNAL_KINDS), (value, kind) => {
        for (const input of [value, { [kind]: value }]) {
          try {
            resolvePatterns(input);
          } catch (error) {
            if (!isPassgateError(error, 'config.invalid-value')) throw error;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
