// Who may own the files the device trusts. Whoever can write the data directory, the config
// database or the device key chooses the portal the gate believes, so an existing one is used
// only when its owner is trusted and neither group nor others may write it (or, for secrets,
// read it). Trusted owners: this process's user, root, and the `passgate` system user that the
// package runs the service as (so `sudo passgate status` works on the service's directory).
import { readFileSync, type Stats } from 'node:fs';

/** The service user the Debian package creates. */
export const SERVICE_USER = 'passgate';

/** Mode bits refused on a directory: group or others may write (replace files) in it. */
export const UNTRUSTED_DIRECTORY_BITS = 0o022;
/** Mode bits refused on a file holding a secret: group or others may read or write it. */
export const UNTRUSTED_SECRET_FILE_BITS = 0o077;

/** The user ids trusted to own the device's files. */
export function trustedOwners(passwdPath = '/etc/passwd'): ReadonlySet<number> {
  const owners = new Set<number>([0]);
  if (typeof process.geteuid === 'function') owners.add(process.geteuid());
  try {
    for (const line of readFileSync(passwdPath, 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name === SERVICE_USER && /^[0-9]+$/.test(uid ?? '')) owners.add(Number(uid));
    }
  } catch {
    // No passwd file to read (a container, a test root): this user and root only.
  }
  return owners;
}

export type TrustProblem = 'owner' | 'mode';

/**
 * Why `stat` (of `path`) must not be trusted, or null. `forbiddenBits` are the mode bits that
 * make it untrusted (UNTRUSTED_DIRECTORY_BITS, UNTRUSTED_SECRET_FILE_BITS).
 */
export function trustProblem(stat: Stats, forbiddenBits: number, owners: ReadonlySet<number>): TrustProblem | null {
  if (!owners.has(stat.uid)) return 'owner';
  if ((stat.mode & forbiddenBits) !== 0) return 'mode';
  return null;
}

/** A sentence naming the problem and the fix, for an error message (paths are not personal data). */
export function describeTrustProblem(path: string, stat: Stats, problem: TrustProblem, fixMode: number): string {
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  if (problem === 'owner') {
    return `${path} is owned by user ${stat.uid}, not by this user, root or ${SERVICE_USER}; whoever owns it could choose the portal. Fix: chown it to the service user (or remove it and provision again)`;
  }
  return `${path} has mode ${mode}: group or others may change it. Fix: chmod ${fixMode.toString(8).padStart(4, '0')} ${path}`;
}
