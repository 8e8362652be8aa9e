// Reads every file the gates left (data directories with the SQLite database and its -wal and
// -shm, device keys, GPIO trees, every daemon log line, every CLI output) and searches it for
// the soak's needles. Symlinks (the pty device links) and sockets are skipped.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivacyHit, PrivacyNeedles } from './privacy-search.js';

export interface PrivacySweep {
  hits: PrivacyHit[];
  files: number;
  bytes: number;
  logLines: number;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

export function sweepForPersonalData(
  dirs: readonly string[],
  needles: PrivacyNeedles,
  extraTexts: ReadonlyArray<[string, string]> = [],
): PrivacySweep {
  const sweep: PrivacySweep = { hits: [], files: 0, bytes: 0, logLines: 0 };
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) {
      const bytes = readFileSync(file);
      sweep.files++;
      sweep.bytes += bytes.length;
      if (file.endsWith('.log')) for (const b of bytes) if (b === 0x0a) sweep.logLines++;
      sweep.hits.push(...needles.search(bytes, file));
    }
  }
  for (const [where, text] of extraTexts) sweep.hits.push(...needles.search(Buffer.from(text, 'utf8'), where));
  return sweep;
}
