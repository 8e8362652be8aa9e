// The udev rules against the supported-device table: each serial device gets its stable name and
// the dialout group, each HID scanner maker's hidraw nodes the plugdev group, the GPIO chips the
// gpio group; nothing in the rules is missing from the table, and the config defaults are the
// stable names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  IDCARD_DEVICE_PATH,
  SCANNER_DEVICE_PATH,
  SUPPORTED_HID_SCANNER_VENDORS,
  SUPPORTED_SERIAL_DEVICES,
  stablePathOf,
  usbIdHex,
} from '../../../drivers/supported-devices.js';
import { defaultOf } from '../../../firmware/config/schema.js';
import { REPO } from '../../support/repo.js';

interface Rule {
  /** Match keys (==, !=), e.g. SUBSYSTEM, ATTRS{idVendor}. */
  match: Record<string, string>;
  /** Assignments (=, +=, :=), e.g. SYMLINK, GROUP, MODE. */
  assign: Record<string, string>;
}

/** udev's rule syntax: comma-separated KEY[{attr}] OP "value" pairs, one rule a line. */
function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const rule: Rule = { match: {}, assign: {} };
    const pair = /^\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*(,|$)/;
    let rest = line;
    while (rest.length > 0) {
      const m = pair.exec(rest);
      if (!m) throw new Error(`not a udev rule: ${line}`);
      if (m[2] === '==' || m[2] === '!=') rule.match[m[1]] = m[3];
      else rule.assign[m[1]] = m[3];
      rest = rest.slice(m[0].length);
    }
    rules.push(rule);
  }
  return rules;
}

const rules = parseRules(readFileSync(join(REPO, 'firmware/udev/60-passgate.rules'), 'utf8'));
const ofSubsystem = (subsystem: string) => rules.filter((r) => r.match.SUBSYSTEM === subsystem);

describe('60-passgate.rules', () => {
  it('parses: every line is a rule of known keys', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(['tty', 'hidraw', 'gpio']).toContain(rule.match.SUBSYSTEM);
      expect(rule.assign.MODE).toBe('0660');
    }
  });

  it('links every supported serial device to its stable name, group dialout', () => {
    for (const device of SUPPORTED_SERIAL_DEVICES) {
      const matching = ofSubsystem('tty').filter(
        (r) =>
          r.match['ATTRS{idVendor}'] === usbIdHex(device.vendorId) &&
          r.match['ATTRS{idProduct}'] === usbIdHex(device.productId),
      );
      expect(matching, device.chip).toHaveLength(1);
      const { assign } = matching[0];
      expect(`/dev/${assign.SYMLINK}`, device.chip).toBe(stablePathOf(device.role));
      expect(assign.GROUP).toBe('dialout');
    }
    // …and names nothing else.
    expect(ofSubsystem('tty')).toHaveLength(SUPPORTED_SERIAL_DEVICES.length);
    const ids = SUPPORTED_SERIAL_DEVICES.map((d) => `${d.vendorId}:${d.productId}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the service user the hidraw nodes of every supported HID scanner maker', () => {
    const vendors = ofSubsystem('hidraw').map((r) => {
      expect(r.assign.GROUP).toBe('plugdev');
      return r.match['ATTRS{idVendor}'];
    });
    expect(vendors.sort()).toEqual(SUPPORTED_HID_SCANNER_VENDORS.map((v) => usbIdHex(v.vendorId)).sort());
  });

  it('gives the gpio group the GPIO chips', () => {
    const gpio = ofSubsystem('gpio');
    expect(gpio).toEqual([
      { match: { SUBSYSTEM: 'gpio', KERNEL: 'gpiochip*' }, assign: { GROUP: 'gpio', MODE: '0660' } },
    ]);
  });

  it('the config defaults are the stable names', () => {
    expect(defaultOf('drivers.serial.path')).toBe(SCANNER_DEVICE_PATH);
    expect(defaultOf('drivers.idcard.path')).toBe(IDCARD_DEVICE_PATH);
    expect(SCANNER_DEVICE_PATH).toBe('/dev/passgate/scanner');
    expect(IDCARD_DEVICE_PATH).toBe('/dev/passgate/idcard');
  });
});
