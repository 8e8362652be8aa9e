// The README's Markdown tables, read the way the tests that keep them equal to the code need them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from './repo.js';

/** The rows of the README table under `heading`, as arrays of trimmed cells. */
export function readmeTable(heading: string): string[][] {
  const text = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}
