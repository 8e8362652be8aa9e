// Memory and file descriptors of a running process, from /proc (Linux only): VmRSS from
// /proc/<pid>/status, and the entries of /proc/<pid>/fd grouped by what they point at.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcSample {
  /** Epoch ms. */
  at: number;
  pid: number;
  rssKb: number;
  /** User + system CPU time so far, ms (clock ticks of 10 ms). */
  cpuMs: number;
  fds: number;
  /** fd count by kind: socket, pipe, anon_inode, pts, file, other. */
  fdKinds: Record<string, number>;
}

/** "socket:[123]" → socket; "/dev/pts/4" → pts; "anon_inode:[eventfd]" → anon_inode:[eventfd]. */
export function fdKind(target: string): string {
  if (target.startsWith('socket:')) return 'socket';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('anon_inode:')) return target;
  if (target.startsWith('/dev/pts/') || target === '/dev/ptmx') return 'pts';
  if (target.startsWith('/dev/')) return 'dev';
  if (target.startsWith('/')) return 'file';
  return 'other';
}

/** VmRSS in kB from the text of /proc/<pid>/status; NaN when absent. */
export function rssKbOf(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) : Number.NaN;
}

/** utime + stime in ms from the text of /proc/<pid>/stat (after the command name's closing parenthesis). */
export function cpuMsOf(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (100 Hz).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Time spent waiting for a CPU (ns) and timeslices run, from /proc/<pid>/schedstat; null off Linux. */
export function schedstatOf(pid: number): { waitNs: number; slices: number } | null {
  try {
    const [, wait, slices] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return Number.isFinite(wait) && Number.isFinite(slices) ? { waitNs: wait, slices } : null;
  } catch {
    return null;
  }
}

/** One sample, or null when the process is gone (or /proc is not there). */
export function sampleProcess(pid: number): ProcSample | null {
  try {
    const rssKb = rssKbOf(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const cpuMs = cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const fdKinds: Record<string, number> = {};
    let fds = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      fds++;
      const kind = fdKind(target);
      fdKinds[kind] = (fdKinds[kind] ?? 0) + 1;
    }
    return { at: Date.now(), pid, rssKb, cpuMs, fds, fdKinds };
  } catch {
    return null;
  }
}
