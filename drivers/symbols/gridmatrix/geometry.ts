// Grid Matrix geometry: versions, macromodules and the order in which they carry codewords.
// A symbol of version v has M = 2v + 1 macromodules per side, each 6×6 modules, so N = 12v + 6
// modules per side. Macromodule frames form a chequerboard (dark where mx + my is even).

export const MIN_VERSION = 1;
export const MAX_VERSION = 13;
export const MACRO = 6;

/** A square module matrix, row-major; 1 = dark. */
export interface ModuleMatrix {
  size: number;
  dark: Uint8Array;
}

export function modulesPerSide(version: number): number {
  return 12 * version + 6;
}

export function macrosPerSide(version: number): number {
  return 2 * version + 1;
}

/** The version whose side is `size` modules, or undefined when no version has that size. */
export function versionForSize(size: number): number | undefined {
  if ((size - 6) % 12 !== 0) return undefined;
  const v = (size - 6) / 12;
  return v >= MIN_VERSION && v <= MAX_VERSION ? v : undefined;
}

/** Ring (layer) of macromodule (mx, my): 0 for the centre, v for the outer ring. */
export function ringOf(mx: number, my: number, version: number): number {
  return Math.max(Math.abs(mx - version), Math.abs(my - version));
}

/**
 * Sequence number k of macromodule (mx, my); it carries codewords 2k and 2k+1. Number 0 is the
 * centre; each ring starts right of its top-left corner, runs clockwise and ends on that corner.
 */
export function macroIndex(mx: number, my: number, perSide: number): number {
  const last = perSide - 1;
  const r = Math.min(mx, my, last - mx, last - my);
  const m = perSide - 2 * r;
  const b = m * m - 1;
  if (mx === r) return b - (my - r);
  if (my === r) return b - 4 * (m - 1) + (mx - r);
  if (mx === last - r) return b - 3 * (m - 1) + (my - r);
  return b - (m - 1) - (mx - r);
}

/** True when the frame of macromodule (mx, my) is dark. */
export function frameIsDark(mx: number, my: number): boolean {
  return ((mx + my) & 1) === 0;
}

/** True when module (row, col) lies on a macromodule frame, and so has a fixed colour. */
export function isFrameModule(row: number, col: number): boolean {
  const r = row % MACRO;
  const c = col % MACRO;
  return r === 0 || r === 5 || c === 0 || c === 5;
}
