// A linked pair of pseudo-terminals made by socat, standing in for a serial cable in tests.
// `devicePath` is what the driver opens; `peerPath` is where the simulated device sits.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  devicePath: string;
  peerPath: string;
  /** Kills socat: both links vanish, as when a USB adapter is unplugged. */
  close(): Promise<void>;
}

export async function openPtyPair(dir = mkdtempSync(join(tmpdir(), 'pty-'))): Promise<PtyPair> {
  const devicePath = join(dir, 'device');
  const peerPath = join(dir, 'peer');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${peerPath}`], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 5000;
  while (!(existsSync(devicePath) && existsSync(peerPath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty pair (is socat installed?)');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    devicePath,
    peerPath,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
