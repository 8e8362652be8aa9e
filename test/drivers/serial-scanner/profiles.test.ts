import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../../../drivers/input.js';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import {
  DEFAULT_SERIAL_SCANNER_OPTIONS,
  MAX_CODE_LENGTH_BOUNDS,
  serialScannerOptions,
} from '../../../drivers/serial-scanner/options.js';
import {
  GM65_SAVE,
  gm65Replies,
  honeywellReplies,
  newlandReplies,
  SCANNER_PROFILES,
} from '../../../drivers/serial-scanner/profiles.js';
import { isPassgateError } from '../../../firmware/core/errors.js';

const hexOf = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

describe('scanner profiles: command bytes', () => {
  it('generic has no commands', () => {
    expect(SCANNER_PROFILES.generic.trigger()).toBeUndefined();
    expect(SCANNER_PROFILES.generic.configure({ suffix: 'cr', mode: 'continuous', persist: true })).toEqual([]);
  });

  it('GM65: trigger writes 01 to 0x0002, save is 7E 00 09 01 00 00 00 DE C8', () => {
    expect(hexOf(SCANNER_PROFILES.gm65.trigger()?.bytes)).toBe('7e000801000201abcd');
    expect(hexOf(GM65_SAVE)).toBe('7e000901000000dec8');
  });

  it('GM65: configure reads then rewrites mode and tail, saving only when asked', () => {
    const steps = SCANNER_PROFILES.gm65.configure({ suffix: 'none', mode: 'continuous', persist: true });
    expect(steps.map((s) => s.description)).toEqual([
      'read the mode register',
      'set the read mode',
      'read the tail register',
      'set the tail',
      'save to flash',
    ]);
    expect(steps.map((s) => s.expectsReply)).toEqual([true, true, true, true, true]);
    expect(hexOf(steps[0].build(undefined))).toBe('7e0007010000' + '01abcd');
    expect(hexOf(steps[1].build(Uint8Array.of(0b1111_0101)))).toBe('7e0008010000' + 'f6' + 'abcd'); // bits 1-0 → 10
    expect(hexOf(steps[2].build(undefined))).toBe('7e0007010060' + '01abcd');
    expect(hexOf(steps[3].build(Uint8Array.of(0b1000_0001)))).toBe('7e0008010060' + 'e1' + 'abcd'); // bits 6-5 → 11
    expect(hexOf(steps[4].build(undefined))).toBe(hexOf(GM65_SAVE));
    expect(SCANNER_PROFILES.gm65.configure({ suffix: 'cr', mode: 'trigger', persist: false })).toHaveLength(4);
  });

  it('GM65: LF cannot be configured (the tail register has no LF)', () => {
    const error = (() => {
      try {
        SCANNER_PROFILES.gm65.configure({ suffix: 'lf', mode: 'trigger', persist: false });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
  });

  it('GM65: a read-modify-write step without a value read fails with a typed error', () => {
    const steps = SCANNER_PROFILES.gm65.configure({ suffix: 'cr', mode: 'trigger', persist: false });
    expect(() => steps[1].build(undefined)).toThrow(expect.objectContaining({ code: 'driver.frame-invalid' }));
  });

  it('Honeywell: SYN T CR trigger and SYN M CR menu commands ending in ! or .', () => {
    const trigger = SCANNER_PROFILES.honeywell.trigger();
    expect(hexOf(trigger?.bytes)).toBe('16540d');
    expect(trigger?.expectsReply).toBe(false);
    const volatile = SCANNER_PROFILES.honeywell.configure({ suffix: 'crlf', mode: 'trigger', persist: false });
    expect(volatile.map((s) => Buffer.from(s.build(undefined)).toString('latin1'))).toEqual([
      '\x16M\rTRGMOD0!',
      '\x16M\rSUFBK2990D0A!',
    ]);
    const saved = SCANNER_PROFILES.honeywell.configure({ suffix: 'none', mode: 'continuous', persist: true });
    expect(saved.map((s) => Buffer.from(s.build(undefined)).toString('latin1'))).toEqual([
      '\x16M\rTRGMOD3.',
      '\x16M\rSUFCA2.',
    ]);
  });

  it('Newland: commands wrapped in 7E 01 "0000" … ";" 03', () => {
    expect(Buffer.from(SCANNER_PROFILES.newland.trigger()!.bytes).toString('latin1')).toBe('\x7e\x010000#SCNTRG1;\x03');
    const [mode] = SCANNER_PROFILES.newland.configure({ suffix: 'cr', mode: 'continuous', persist: true });
    expect(Buffer.from(mode.build(undefined)).toString('latin1')).toBe('\x7e\x010000@SCNMOD3;\x03');
    const [trigger] = SCANNER_PROFILES.newland.configure({ suffix: 'cr', mode: 'trigger', persist: false });
    expect(Buffer.from(trigger.build(undefined)).toString('latin1')).toBe('\x7e\x010000#SCNMOD0;\x03');
  });
});

describe('reply recognisers under random input', () => {
  it('never throw and never claim more bytes than they were given', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(gm65Replies, honeywellReplies, newlandReplies),
        fc.uint8Array({ maxLength: 300 }),
        (r, bytes) => {
          const match = r.match(bytes);
          return match.kind !== 'reply' || (match.length <= bytes.length && match.length > 0);
        },
      ),
    );
  });
});

describe('serialScannerOptions', () => {
  it('fills defaults', () => {
    expect(serialScannerOptions({ path: '/dev/serial/by-id/usb-x' })).toEqual({
      path: '/dev/serial/by-id/usb-x',
      ...DEFAULT_SERIAL_SCANNER_OPTIONS,
    });
  });

  it('accepts the edges of every range and list', () => {
    const edges = [
      { maxCodeLength: MAX_CODE_LENGTH_BOUNDS.min },
      { maxCodeLength: MAX_CODE_LENGTH_BOUNDS.max },
      { baudRate: 1200 },
      { baudRate: 230_400 },
      { dataBits: 7, parity: 'even', stopBits: 2 },
      { suffix: 'none', profile: 'newland', mode: 'trigger' },
    ] as const;
    for (const edge of edges) expect(serialScannerOptions({ path: '/dev/ttyACM0', ...edge })).toMatchObject(edge);
  });

  it.each([
    [{ baudRate: 0 }, 'baudRate'],
    [{ baudRate: 96_000 }, 'baudRate'],
    [{ dataBits: 9 }, 'dataBits'],
    [{ dataBits: 5 }, 'dataBits'],
    [{ stopBits: 1.5 }, 'stopBits'],
    [{ parity: 'mark' }, 'parity'],
    [{ suffix: 'tab' }, 'suffix'],
    [{ maxCodeLength: 0 }, 'maxCodeLength'],
    [{ maxCodeLength: MAX_CODE_LENGTH_BOUNDS.min - 1 }, 'maxCodeLength'],
    [{ maxCodeLength: MAX_CODE_LENGTH_BOUNDS.max + 1 }, 'maxCodeLength'],
    [{ mode: 'sense' }, 'mode'],
    [{ profile: 'zebra' }, 'profile'],
    [{ path: '' }, 'path'],
  ])('rejects %o with config.invalid-value naming %s', (bad, key) => {
    let caught: unknown;
    try {
      serialScannerOptions({ path: '/dev/ttyACM0', ...(bad as object) });
    } catch (e) {
      caught = e;
    }
    expect(isPassgateError(caught, 'config.invalid-value')).toBe(true);
    expect((caught as { details: { key: string } }).details.key).toBe(key);
  });
});

describe('MockSerialScanner', () => {
  it('emits injected codes only while open, and simulates unplug', async () => {
    const mock = new MockSerialScanner();
    const events: InputEvent[] = [];
    const states: string[] = [];
    mock.onEvent((e) => events.push(e));
    mock.onState((s) => states.push(s.state));
    mock.inject('LOST');
    await mock.open();
    mock.inject('PG-MOCK-1');
    mock.injectError('driver.overlong');
    mock.unplug();
    expect(mock.status()).toEqual({ name: 'serial-scanner', state: 'reconnecting', lastError: 'driver.disconnected' });
    mock.inject('LOST-TOO');
    mock.replug();
    await mock.trigger();
    await mock.close();
    expect(events).toEqual([
      { kind: 'code', source: 'serial-scanner', text: 'PG-MOCK-1', symbology: 'qr', arrivedAt: expect.any(Number) },
      { kind: 'read-error', source: 'serial-scanner', code: 'driver.overlong', arrivedAt: expect.any(Number) },
    ]);
    expect(states).toEqual(['opening', 'open', 'reconnecting', 'open', 'closed']);
    expect(mock.triggers).toBe(1);
  });
});
