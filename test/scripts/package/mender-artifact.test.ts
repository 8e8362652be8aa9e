// The .mender writer the package script calls: a module-image for the `passgate` module, for the
// vendor's device types, carrying the signed artifact and its signature, never an unsigned one.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTypesFrom, writeMenderArtifact } from '../../../scripts/package/mender-artifact.js';
import { tempRoot } from '../../support/cli.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

let tmp: ReturnType<typeof tempRoot>;
beforeEach(() => {
  tmp = tempRoot('pg-mender-artifact-');
});
afterEach(() => tmp.remove());

describe('writeMenderArtifact', () => {
  it('reads device types from MENDER_DEVICE_TYPES, spaces or commas', () => {
    expect(deviceTypesFrom(' rk3568-gate, imx8-gate  pi4 ')).toEqual(['rk3568-gate', 'imx8-gate', 'pi4']);
    expect(deviceTypesFrom(undefined)).toEqual([]);
  });

  it('writes a module-image for the passgate module with the artifact and its signature', async () => {
    const artifact = join(tmp.root, 'passgate_1.4.0_amd64.tar');
    writeFileSync(artifact, 'tar bytes');
    writeFileSync(`${artifact}.sig`, 'signature bytes');
    const out = await writeMenderArtifact({ updateArtifact: artifact, deviceTypes: ['board-a', 'board-b'] });
    expect(out).toBe(join(tmp.root, 'passgate_1.4.0_amd64.mender'));
    const read = execFileSync('mender-artifact', ['read', out], {
      timeout: EVENT_WAIT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    expect(read).toContain('Name: passgate-1.4.0');
    expect(read).toMatch(/Compatible devices: '\[board-a board-b\]'/);
    expect(read).toMatch(/Type: +passgate/);
    expect(read).toContain('passgate_1.4.0_amd64.tar.sig');
  });

  it('refuses an unsigned artifact, no device type, and a name that is no artifact', async () => {
    const artifact = join(tmp.root, 'passgate_1.4.0_amd64.tar');
    writeFileSync(artifact, 'tar bytes');
    await expect(writeMenderArtifact({ updateArtifact: artifact, deviceTypes: ['board-a'] })).rejects.toThrow();
    writeFileSync(`${artifact}.sig`, 'signature bytes');
    await expect(writeMenderArtifact({ updateArtifact: artifact, deviceTypes: [] })).rejects.toThrow(/device type/);
    await expect(
      writeMenderArtifact({ updateArtifact: join(tmp.root, 'other.tar'), deviceTypes: ['board-a'] }),
    ).rejects.toThrow();
  });
});
