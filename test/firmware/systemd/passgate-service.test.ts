// The unit as systemd reads it: runs as the service user under Type=notify with a watchdog, a
// start limit that ends in a rollback, the device ACL of every device class a gate drives, and
// hardening that `systemd-analyze security` rates OK (≤ 2.5).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../support/repo.js';

const UNIT = join(REPO, 'firmware/systemd/passgate.service');

/** Each section's assignments, in order; a key given twice keeps both values. */
function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`not an assignment in a section: ${line}`);
    current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unit = parseUnit(readFileSync(UNIT, 'utf8'));
const values = (section: string, key: string) => (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
const value = (section: string, key: string) => values(section, key).at(-1);

describe('passgate.service', () => {
  it('runs `passgate run` as the passgate user, Type=notify with a watchdog', () => {
    expect(value('Service', 'ExecStart')).toBe('/usr/bin/passgate run');
    expect(value('Service', 'User')).toBe('passgate');
    expect(value('Service', 'Type')).toBe('notify');
    // READY=1 and WATCHDOG=1 come from a systemd-notify child (firmware/daemon/service-notify.ts).
    expect(value('Service', 'NotifyAccess')).toBe('all');
    expect(Number(value('Service', 'WatchdogSec'))).toBeGreaterThan(0);
    expect(value('Service', 'StateDirectory')).toBe('passgate');
    expect(value('Service', 'StateDirectoryMode')).toBe('0700');
    expect(values('Service', 'Environment')).toContain('PASSGATE_DATA_DIR=/var/lib/passgate');
  });

  it('a start that keeps failing ends the restarts and rolls back', () => {
    expect(value('Service', 'Restart')).toBe('always');
    expect(Number(value('Unit', 'StartLimitIntervalSec'))).toBeGreaterThan(0);
    expect(Number(value('Unit', 'StartLimitBurst'))).toBeGreaterThan(0);
    expect(value('Unit', 'OnFailure')).toBe('passgate-rollback.service');
  });

  it('allows the serial, video, hidraw and gpiochip devices, and no others', () => {
    expect(value('Service', 'DevicePolicy')).toBe('closed');
    expect(value('Service', 'PrivateDevices')).toBeUndefined();
    const allowed = values('Service', 'DeviceAllow').map((v) => v.split(/\s+/));
    for (const [device, access] of allowed) {
      expect(access, device).toBe('rw');
      expect(device, 'a serial, video, hidraw or gpiochip device').toMatch(
        /^(char-ttyUSB|char-ttyACM|\/dev\/ttyS\d+|\/dev\/ttyAMA\d+|char-video4linux|char-hidraw|char-gpiochip)$/,
      );
    }
    const devices = allowed.map(([device]) => device);
    for (const needed of [
      'char-ttyUSB',
      'char-ttyACM',
      '/dev/ttyS0',
      'char-video4linux',
      'char-hidraw',
      'char-gpiochip',
    ]) {
      expect(devices).toContain(needed);
    }
  });

  it('systemd-analyze security rates it OK (exposure ≤ 2.5)', () => {
    const report = execFileSync('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_COLORS: '0' },
    });
    const overall = /Overall exposure level for passgate\.service: (\d+(?:\.\d+)?) (\w+)/.exec(report);
    expect(overall, report.slice(-500)).not.toBeNull();
    expect(Number(overall?.[1])).toBeLessThanOrEqual(2.5);
    expect(overall?.[2]).toBe('OK');
    // Runs as its own user, without capabilities, on a read-only system.
    expect(report).toMatch(/✓ User=\/DynamicUser=/);
    expect(report).toMatch(/✓ ProtectSystem=\s+Service has strict read-only access/);
    expect(report).toMatch(/✓ CapabilityBoundingSet=~CAP_SYS_ADMIN/);
  });
});
