// Every process the soak starts (daemons, socat, its portal and link emulator, CLI runs), by pid,
// so that however the soak ends (a second Ctrl-C, a crash) none is left running: the exit
// handler SIGKILLs exactly these, by id, and nothing else. They are started detached (a process
// group of their own), so a Ctrl-C in the terminal reaches the soak alone, which then stops the
// fleet in order, instead of every daemon at once.
import type { ChildProcess } from 'node:child_process';

const running = new Set<number>();
let installed = false;

/** Remembers the child until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  const pid = child.pid;
  if (pid === undefined) return child;
  running.add(pid);
  child.once('exit', () => running.delete(pid));
  if (!installed) {
    installed = true;
    process.once('exit', killAllTracked);
  }
  return child;
}

/** SIGKILL to every child still running (synchronous: usable in an exit handler). */
export function killAllTracked(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  running.clear();
}
