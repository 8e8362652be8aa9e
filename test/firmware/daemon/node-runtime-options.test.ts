import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyDaemonV8Flags,
  DAEMON_V8_FLAGS,
  DEVICE_NODE_OPTIONS,
  deviceNodeOptionsValue,
} from '../../../firmware/daemon/node-runtime-options.js';
import { parseRestartRule } from '../../../scripts/soak/systemd-unit.js';
import { REPO } from '../../support/repo.js';

describe('the Node options a device starts passgate with', () => {
  it('are what the systemd unit sets', () => {
    const unit = readFileSync(join(REPO, 'firmware/systemd/passgate.service'), 'utf8');
    expect(parseRestartRule(unit).environment.NODE_OPTIONS).toBe(deviceNodeOptionsValue());
  });

  it('are accepted by this Node in NODE_OPTIONS and shrink the young generation to 1 MB a semi-space', () => {
    const script = `const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); process.stdout.write(String(s.space_size));`;
    const withOptions = Number(
      execFileSync(process.execPath, ['-e', script], {
        env: { ...process.env, NODE_OPTIONS: deviceNodeOptionsValue() },
        encoding: 'utf8',
      }),
    );
    expect(withOptions).toBeLessThanOrEqual(1024 * 1024);
    expect(DEVICE_NODE_OPTIONS).toContain('--v8-pool-size=1');
  });
});

describe('the V8 flags passgate run sets on itself', () => {
  it('are set through the given setter, each once', () => {
    const set: string[] = [];
    applyDaemonV8Flags((flag) => set.push(flag));
    expect(set).toEqual([...DAEMON_V8_FLAGS]);
  });

  it('are flags this Node knows (so setting one is not silently ignored)', () => {
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of DAEMON_V8_FLAGS) expect(known).toContain(`\n  ${flag} (`);
  });
});
