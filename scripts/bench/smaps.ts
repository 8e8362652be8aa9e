// Where a process's resident memory sits, by kind of mapping (Linux /proc/<pid>/smaps): the
// camera daemon's RSS is mostly native, and process.memoryUsage() cannot say whose.
// - `binary`: the node executable's pages (shared, file-backed: the same in every Node process);
// - `libraries`: other file-backed mappings (libc, libstdc++, the SQLite addon …);
// - `mallocMain`: glibc's main arena (the [heap] mapping grown with brk);
// - `mallocThreads`: glibc's per-thread arenas: anonymous read-write heaps at 64 MB-aligned
//   addresses (glibc's HEAP_MAX_SIZE on 64-bit);
// - `wasm`: WebAssembly memories: a read-write mapping followed by the multi-gigabyte
//   inaccessible reservation V8 puts behind each (zxing-wasm's linear memory);
// - `otherAnon`: the rest: V8's heap pages, thread stacks, large buffers mmap'd on their own.
import { readFileSync } from 'node:fs';

export interface SmapsBreakdown {
  binary: number;
  libraries: number;
  mallocMain: number;
  mallocThreads: number;
  wasm: number;
  otherAnon: number;
}

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  name: string;
  rssKb: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/;
const ARENA_ALIGN = 64n << 20n;
const WASM_RESERVATION = 4n << 30n;

/** Parses smaps text into mappings with their resident size. */
export function parseSmaps(text: string): Mapping[] {
  const maps: Mapping[] = [];
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      maps.push({
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3],
        name: header[4].trim(),
        rssKb: 0,
      });
    } else if (line.startsWith('Rss:') && maps.length > 0) {
      maps[maps.length - 1].rssKb = Number(line.split(/\s+/)[1]);
    }
  }
  return maps;
}

/** Resident MB by kind of mapping (see the top of this file). */
export function smapsBreakdown(maps: readonly Mapping[], executable = process.execPath): SmapsBreakdown {
  const mb: SmapsBreakdown = { binary: 0, libraries: 0, mallocMain: 0, mallocThreads: 0, wasm: 0, otherAnon: 0 };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    let kind: keyof SmapsBreakdown;
    if (m.name === executable) kind = 'binary';
    else if (m.name === '[heap]') kind = 'mallocMain';
    else if (m.name.startsWith('/')) kind = 'libraries';
    else if (m.name !== '')
      kind = 'otherAnon'; // [stack], [vdso] …
    else if (
      m.perms.startsWith('rw') &&
      next !== undefined &&
      next.start === m.end &&
      next.perms === '---p' &&
      next.end - m.start >= WASM_RESERVATION
    )
      kind = 'wasm';
    else if (m.perms.startsWith('rw') && m.start % ARENA_ALIGN === 0n && m.end - m.start <= ARENA_ALIGN)
      kind = 'mallocThreads';
    else kind = 'otherAnon';
    mb[kind] += m.rssKb / 1024;
  });
  return mb;
}

/** This process's breakdown, or undefined off Linux. */
export function ownSmapsBreakdown(): SmapsBreakdown | undefined {
  try {
    return smapsBreakdown(parseSmaps(readFileSync('/proc/self/smaps', 'utf8')));
  } catch {
    return undefined;
  }
}
