// Files stay small: no source or test file over 400 lines (a file that long mixes concerns).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/repo.js';

const MAX_LINES = 400;
const ROOTS = ['firmware', 'drivers', 'ui-led', 'portal-client', 'scripts', 'test'];

function codeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return codeFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('file size', () => {
  it(`no source or test file has more than ${MAX_LINES} lines`, () => {
    const files = ROOTS.flatMap((root) => codeFiles(join(REPO, root)));
    expect(files.length).toBeGreaterThan(200);
    const long = files
      .map((path) => ({ file: relative(REPO, path), lines: readFileSync(path, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
