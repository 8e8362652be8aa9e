// Damage painted over a Grid Matrix symbol, sized against its error-correction capacity: whole
// macromodules (frame and data) are painted one colour, growing a patch from a random start,
// while no RS block would see more than `fraction` × ⌊E/2⌋ damaged codewords. The four corner
// macromodules are spared (a reader needs some of the outline).
import { blockLayout } from '../../../drivers/symbols/gridmatrix/blocks.js';
import { macroIndex, macrosPerSide } from '../../../drivers/symbols/gridmatrix/geometry.js';

export interface PaintedDamage {
  matrix: boolean[][];
  /** Macromodules painted over. */
  macros: number;
}

export function paintDamage(
  matrix: boolean[][],
  version: number,
  ecl: number,
  fraction: number,
  rng: () => number,
): PaintedDamage {
  const layout = blockLayout(version, ecl);
  if (!layout) throw new RangeError('no such version/ECL');
  const m = macrosPerSide(version);
  const nb = layout.blocks.length;
  const budget = layout.blocks.map((b) => Math.floor(fraction * Math.floor(b.ecc / 2)));
  const used = new Array<number>(nb).fill(0);
  const out = matrix.map((row) => row.slice());
  const painted = new Set<number>();
  const isCorner = (mx: number, my: number): boolean => (mx === 0 || mx === m - 1) && (my === 0 || my === m - 1);
  const frontier: [number, number][] = [[Math.floor(rng() * m), Math.floor(rng() * m)]];
  const colour = rng() < 0.5;
  while (frontier.length > 0) {
    const [mx, my] = frontier.splice(Math.floor(rng() * frontier.length), 1)[0];
    const key = my * m + mx;
    if (painted.has(key) || isCorner(mx, my)) continue;
    const k = macroIndex(mx, my, m);
    const blocks = [(2 * k) % nb, (2 * k + 1) % nb];
    const need = new Array<number>(nb).fill(0);
    for (const b of blocks) need[b]++;
    if (blocks.some((b) => used[b] + need[b] > budget[b])) continue;
    for (const b of blocks) used[b]++;
    painted.add(key);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) out[my * 6 + r][mx * 6 + c] = colour;
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      const x = mx + dx;
      const y = my + dy;
      if (x >= 0 && y >= 0 && x < m && y < m && !painted.has(y * m + x)) frontier.push([x, y]);
    }
  }
  return { matrix: out, macros: painted.size };
}
