// The decode thread's scheduling priority. Decoding is background work next to the gate: on a
// busy CPU the gate's event loop must win. Linux schedules threads, not processes: setpriority()
// with a thread id (what /proc/thread-self names) changes that thread's nice value only, so the
// decode worker lowers its own priority without touching the gate's thread.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The decode thread's nice value: behind the gate's thread (0), still ahead of idle work. */
export const DECODE_THREAD_NICE = 10;

/** This thread's kernel thread id (Linux), or undefined where /proc/thread-self is missing. */
export function currentThreadId(): number | undefined {
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets the calling thread's nice value to `nice` (only ever lowering its priority: an
 * unprivileged process cannot raise it back). Returns the thread id and the nice value now in
 * effect, or undefined where threads cannot be told apart (not Linux) or the call is refused.
 */
export function lowerThreadPriority(nice: number): { tid: number; nice: number } | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return { tid, nice: getPriority(tid) };
  } catch {
    return undefined;
  }
}
