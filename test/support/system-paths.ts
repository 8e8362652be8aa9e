// Tests that write the machine's own paths (the .deb test installs into /usr and /opt; the Mender
// test puts the Update Module into /usr/share/mender/modules/v3) must not run side by side: one's
// purge would remove a file the other is using. Each holds this machine-wide lock for its whole
// run (the daemon's kind of lock: the kernel drops it if the test process dies).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InstanceLock, tryExclusiveFileLock } from '../../firmware/daemon/instance-lock.js';

const LOCK_PATH = join(tmpdir(), 'passgate-tests-system-paths.lock');

/** Waits (up to `timeoutMs`: the other test's whole run) for the lock; release it in afterAll. */
export async function holdSystemPaths(timeoutMs: number): Promise<InstanceLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = tryExclusiveFileLock(LOCK_PATH);
    if (lock !== null) return lock;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_PATH} (another system-paths test)`);
    // The other test runs for minutes: a try every half second costs nothing meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
