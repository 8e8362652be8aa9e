// `passgate config set` refuses whatever the daemon would refuse at its next start, by the same
// checks: the pattern overrides (ui-led resolvePatterns), the display backend with all of its
// settings together (createDisplayBackend), and the portal URL with its dev flag (the transport).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runConfigCommand } from '../../../firmware/cli/config-command.js';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { systemClock } from '../../../firmware/core/clock.js';
import { DEFAULT_TIMEOUTS } from '../../../firmware/core/timeouts.js';
import { displayBackendFromConfig, patternsFromConfig } from '../../../firmware/daemon/display-from-config.js';
import { CONFIGURABLE_DISPLAY_BACKENDS } from '../../../ui-led/create-backend.js';
import { tempConfigStore } from '../../support/temp-store.js';

const temp = tempConfigStore('pg-combined-');

function run(...args: string[]): { code: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runConfigCommand(temp.store, args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

/** What the daemon does with the display settings at start; throws what it would refuse. */
function daemonBuildsDisplay(): void {
  patternsFromConfig(temp.store);
  displayBackendFromConfig(temp.store, {
    stream: { write: () => true },
    timeouts: DEFAULT_TIMEOUTS,
    clock: systemClock,
  });
}

const RELAY_ON_DENY = JSON.stringify({ deny: { durationMs: 100, steps: [{ atMs: 0, set: { relay: true } }] } });
const QUICK_SELFTEST = JSON.stringify({ selftest: { durationMs: 20, steps: [{ atMs: 0, set: { red: true } }] } });

describe('config set and the daemon agree on the display', () => {
  it('display.patterns: a pattern the player would refuse is refused with its reason', () => {
    const r = run('set', 'display.patterns', RELAY_ON_DENY);
    expect(r.code).toBe(EXIT.invalidValue);
    expect(r.stderr[0]).toContain('only pass and pass-with-notice may switch the relay on');
    expect(run('set', 'display.patterns', '{"pass":{"durationMs":0,"steps":[]}}').code).toBe(EXIT.invalidValue);
    expect(run('set', 'display.patterns', '{"no-such-signal":{}}').code).toBe(EXIT.invalidValue);
    expect(temp.store.get('display.patterns')).toEqual({});
    expect(run('set', 'display.patterns', QUICK_SELFTEST).code).toBe(EXIT.ok);
  });

  it('a serial LED board needs its port: refused alone, taken together, and the port cannot be reset under it', () => {
    const alone = run('set', 'display.backend', 'serial-board');
    expect(alone.code).toBe(EXIT.invalidValue);
    expect(alone.stderr[0]).toContain('display.serialPath must name the board serial port');
    expect(temp.store.get('display.backend')).toBe('terminal');
    expect(run('set', 'display.backend', 'serial-board', 'display.serialPath', '/dev/ttyACM1').code).toBe(EXIT.ok);
    expect(run('reset', 'display.serialPath').code).toBe(EXIT.invalidValue);
    expect(run('set', 'display.serialPath', '').code).toBe(EXIT.invalidValue);
    expect(temp.store.get('display.serialPath')).toBe('/dev/ttyACM1');
    daemonBuildsDisplay();
    expect(run('set', 'display.backend', 'none').code).toBe(EXIT.ok);
    expect(run('reset', 'display.serialPath').code).toBe(EXIT.ok);
  });

  it('whatever sequence of display settings config set accepts, the daemon builds', () => {
    const op = fc.oneof(
      fc.tuple(fc.constant('set'), fc.constant('display.backend'), fc.constantFrom(...CONFIGURABLE_DISPLAY_BACKENDS)),
      fc.tuple(fc.constant('set'), fc.constant('display.serialPath'), fc.constantFrom('', '/dev/ttyACM1', 'rel')),
      fc.tuple(fc.constant('set'), fc.constant('display.gpioChip'), fc.constantFrom('gpiochip0', 'chip 0', '')),
      fc.tuple(fc.constant('set'), fc.constant('display.patterns'), fc.constantFrom(RELAY_ON_DENY, QUICK_SELFTEST)),
      fc.tuple(
        fc.constant('set'),
        fc.constant('display.pins'),
        fc.constantFrom('{"red":1,"green":2,"buzzer":3,"relay":4}', '{}'),
      ),
      fc.tuple(fc.constant('reset'), fc.constantFrom('display.backend', 'display.serialPath', 'display.patterns')),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        run('reset', 'display.backend', 'display.serialPath', 'display.gpioChip', 'display.patterns', 'display.pins');
        for (const args of ops) {
          const r = run(...args);
          expect([EXIT.ok, EXIT.invalidValue]).toContain(r.code);
          expect(daemonBuildsDisplay).not.toThrow();
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('config set and the daemon agree on the portal URL', () => {
  it('http:// only with the development flag, in either order of setting them (the store checks; provision writes them)', () => {
    const refusal = (act: () => void) => {
      try {
        act();
      } catch (error) {
        return error as { code?: string; message?: string };
      }
      return null;
    };
    const bare = refusal(() => temp.store.set('portal.url', 'http://127.0.0.1:8080'));
    expect(bare?.code).toBe('config.invalid-value');
    expect(bare?.message).toContain('portal.allowInsecureHttp');
    expect(
      refusal(() => temp.store.setMany({ 'portal.url': 'http://127.0.0.1:8080', 'portal.allowInsecureHttp': true })),
    ).toBeNull();
    expect(refusal(() => temp.store.set('portal.allowInsecureHttp', false))?.code).toBe('config.invalid-value');
    expect(refusal(() => temp.store.reset('portal.allowInsecureHttp'))?.code).toBe('config.invalid-value');
    expect(refusal(() => temp.store.set('portal.url', 'https://portal.example'))).toBeNull();
    expect(refusal(() => temp.store.reset('portal.allowInsecureHttp'))).toBeNull();
    // And `config set` leaves these keys to provision.
    expect(run('set', 'portal.url', 'https://portal.example').code).toBe(EXIT.usage);
  });
});
