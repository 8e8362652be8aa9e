import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRestartRule, parseTimeSpanMs, shouldRestart } from '../../../scripts/soak/systemd-unit.js';
import { REPO } from '../../support/repo.js';

describe('the unit file’s restart rule', () => {
  it('reads passgate.service as systemd would', () => {
    const rule = parseRestartRule(readFileSync(join(REPO, 'firmware/systemd/passgate.service'), 'utf8'));
    expect(rule.restart).toBe('always');
    expect(rule.restartSecMs).toBe(2_000);
    expect(rule.environment).toMatchObject({ PASSGATE_DATA_DIR: '/var/lib/passgate' });
    expect(rule.environment.NODE_OPTIONS).toMatch(/^--/);
  });

  it('takes only the [Service] section, comments and systemd’s defaults into account', () => {
    expect(parseRestartRule('[Unit]\nRestart=always\n[Service]\n# Restart=no\nExecStart=/bin/true\n')).toEqual({
      restart: 'no',
      restartSecMs: 100,
      environment: {},
    });
    expect(parseRestartRule('[Service]\nRestart=on-failure\nRestartSec=500ms\nEnvironment="A=1 2" B=3\n')).toEqual({
      restart: 'on-failure',
      restartSecMs: 500,
      environment: { A: '1 2', B: '3' },
    });
    expect(() => parseRestartRule('[Service]\nRestart=sometimes\n')).toThrow();
  });

  it('time spans', () => {
    expect(parseTimeSpanMs('2')).toBe(2_000);
    expect(parseTimeSpanMs('1min 30s')).toBe(90_000);
    expect(() => parseTimeSpanMs('soon')).toThrow();
  });

  it('restarts as systemd.service(5) says', () => {
    const crash = { code: 70, signal: null } as const;
    const clean = { code: 0, signal: null } as const;
    const killed = { code: null, signal: 'SIGKILL' } as const;
    const term = { code: null, signal: 'SIGTERM' } as const;
    expect([crash, clean, killed, term].map((e) => shouldRestart('always', e))).toEqual([true, true, true, true]);
    expect([crash, clean, killed, term].map((e) => shouldRestart('on-failure', e))).toEqual([true, false, true, false]);
    expect([crash, clean, killed, term].map((e) => shouldRestart('on-abnormal', e))).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect([crash, clean, killed, term].map((e) => shouldRestart('no', e))).toEqual([false, false, false, false]);
    expect(shouldRestart('on-abort', { code: null, signal: 'SIGABRT' })).toBe(true);
  });
});
