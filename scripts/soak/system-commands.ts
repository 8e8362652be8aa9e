// Absolute paths of the system tools the soak runs (ip, tc, socat, sysctl). A bare name goes
// through PATH on every spawn, and `npm run` puts node_modules/.bin directories first: when one
// of them is being reinstalled by someone else, the lookup can fail (ELOOP was seen) and take a
// daemon restart with it. So each tool is looked up once, in the system directories first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];
const found = new Map<string, string>();

export function bin(name: 'ip' | 'tc' | 'socat' | 'sysctl'): string {
  const known = found.get(name);
  if (known) return known;
  const dirs = [...SYSTEM_DIRS, ...(process.env.PATH ?? '').split(':').filter((d) => d && !d.includes('node_modules'))];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (existsSync(path)) {
      found.set(name, path);
      return path;
    }
  }
  return name; // not installed: the spawn fails with a clear ENOENT
}
