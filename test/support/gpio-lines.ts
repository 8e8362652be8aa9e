// A fake sysfs GPIO tree whose `value` files remember every write. Each value file is a named
// pipe (FIFO) that this process holds open for reading and writing: whoever writes the line (the
// code under test in this process, or a child process such as `passgate run`) opens it, writes
// "0" or "1" and closes it, and the level stays in the pipe until the recorder reads it. A test
// then waits for the writes themselves (events) instead of sampling the files and hoping to catch
// a 200 ms buzzer pulse on a machine too busy to sample often. Linux (mkfifo, from coreutils).
//
// The gpio-sysfs backend only ever writes value files (it never reads them back), so a FIFO in
// their place changes nothing for it.
import { execFileSync } from 'node:child_process';
import { constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { EVENT_WAIT_MS, until } from './polling.js';

export interface RecordedLines {
  /** Every level written to `line` so far, in order: "0" or "1". */
  writes(line: number): string[];
  /** The last level written to `line` ("0" before any write, as a fresh line reads). */
  level(line: number): string;
  /**
   * The lines in the order a "1" was first read from them. Pipes holding data are read in the
   * order they became non-empty, however late the reader runs; so this is the order of the first
   * "1" writes unless a line switched on later still held older unread levels than one switched
   * on before it (the test using it says why that cannot happen there).
   */
  firstOn(): number[];
  /** Resolves once every write made before this call has been read. */
  flush(): Promise<void>;
  /** Closes the pipes (the files stay). */
  close(): void;
}

/** A marker the recorder writes itself: seeing it back means everything before it was read. */
const FLUSH = 'F';

/**
 * Makes `root/gpio<N>/value` (a recording FIFO) and `root/gpio<N>/direction` (a plain file,
 * `direction` as given) for each line, and an empty `root/export`: lines already exported.
 */
export function recordingGpioRoot(root: string, lines: readonly number[], direction = 'in'): RecordedLines {
  const written = new Map<number, string[]>();
  const flushes = new Map<number, number>();
  const firstOn: number[] = [];
  const sockets: Socket[] = [];
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'export'), '');
  for (const line of lines) {
    const dir = join(root, `gpio${line}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'direction'), direction);
    const value = join(dir, 'value');
    execFileSync('mkfifo', [value]);
    written.set(line, []);
    flushes.set(line, 0);
    // Read and write, non-blocking: opening never waits for a peer, and the pipe always has a
    // reader, so a writer's open never blocks and its data is never lost.
    const fd = openSync(value, constants.O_RDWR | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      for (const c of chunk) {
        if (c === FLUSH) flushes.set(line, (flushes.get(line) ?? 0) + 1);
        else if (c === '0' || c === '1') {
          written.get(line)!.push(c);
          if (c === '1' && !firstOn.includes(line)) firstOn.push(line);
        }
      }
    });
    sockets.push(socket);
  }
  const writes = (line: number) => [...(written.get(line) ?? [])];
  return {
    writes,
    level: (line) => writes(line).at(-1) ?? '0',
    firstOn: () => [...firstOn],
    async flush() {
      const targets = new Map([...flushes].map(([line, n]) => [line, n + 1]));
      for (const line of lines) writeFileSync(join(root, `gpio${line}`, 'value'), FLUSH, { flag: 'r+' });
      await until(
        () => [...targets].every(([line, n]) => (flushes.get(line) ?? 0) >= n),
        EVENT_WAIT_MS,
        'the GPIO recorder to catch up',
      );
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
