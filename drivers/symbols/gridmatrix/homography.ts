// Plane-to-plane projective maps (symbol module coordinates → image pixels). A 3×3 matrix,
// row-major, with h[8] = 1.

export type Homography = Float64Array;

export function applyH(h: Homography, u: number, v: number): [number, number] {
  const w = h[6] * u + h[7] * v + h[8];
  return [(h[0] * u + h[1] * v + h[2]) / w, (h[3] * u + h[4] * v + h[5]) / w];
}

/** Solves a small dense system in place (Gaussian elimination, partial pivoting). */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    if (Math.abs(a[pivot * n + col]) < 1e-12) return undefined;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c];
        a[col * n + c] = a[pivot * n + c];
        a[pivot * n + c] = t;
      }
      const t = b[col];
      b[col] = b[pivot];
      b[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / a[col * n + col];
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= a[r * n + c] * x[c];
    x[r] = s / a[r * n + r];
  }
  return x;
}

/**
 * Least-squares homography from ≥ 4 correspondences (u, v) → (x, y), by the linear
 * (DLT, h[8] = 1) normal equations. Coordinates are normalised around their centroids first so
 * the system stays well conditioned.
 */
export function fitHomography(src: ArrayLike<number>, dst: ArrayLike<number>, count: number): Homography | undefined {
  if (count < 4) return undefined;
  const norm = (p: ArrayLike<number>): [number, number, number] => {
    let mx = 0;
    let my = 0;
    for (let i = 0; i < count; i++) {
      mx += p[2 * i];
      my += p[2 * i + 1];
    }
    mx /= count;
    my /= count;
    let d = 0;
    for (let i = 0; i < count; i++) d += Math.hypot(p[2 * i] - mx, p[2 * i + 1] - my);
    const s = d > 0 ? (count * Math.SQRT2) / d : 1;
    return [mx, my, s];
  };
  const [smx, smy, ss] = norm(src);
  const [dmx, dmy, ds] = norm(dst);
  const ata = new Float64Array(64);
  const atb = new Float64Array(8);
  const row = new Float64Array(8);
  const addRow = (target: number): void => {
    for (let i = 0; i < 8; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < 8; j++) ata[i * 8 + j] += row[i] * row[j];
      atb[i] += row[i] * target;
    }
  };
  for (let i = 0; i < count; i++) {
    const u = (src[2 * i] - smx) * ss;
    const v = (src[2 * i + 1] - smy) * ss;
    const x = (dst[2 * i] - dmx) * ds;
    const y = (dst[2 * i + 1] - dmy) * ds;
    row.set([u, v, 1, 0, 0, 0, -u * x, -v * x]);
    addRow(x);
    row.set([0, 0, 0, u, v, 1, -u * y, -v * y]);
    addRow(y);
  }
  const p = solve(ata, atb, 8);
  if (!p) return undefined;
  // Undo the normalisations: H = D^-1 · Hn · S.
  const hn = [p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 1];
  const S = [ss, 0, -ss * smx, 0, ss, -ss * smy, 0, 0, 1];
  const Dinv = [1 / ds, 0, dmx, 0, 1 / ds, dmy, 0, 0, 1];
  const h = mul3(Dinv, mul3(hn, S));
  if (!Number.isFinite(h[8]) || Math.abs(h[8]) < 1e-15) return undefined;
  const out = new Float64Array(9);
  for (let i = 0; i < 9; i++) out[i] = h[i] / h[8];
  return out;
}

function mul3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k] * b[k * 3 + j];
      r[i * 3 + j] = s;
    }
  }
  return r;
}

/** The homography taking the square (0,0)-(side,side) onto 4 image corners, in order. */
export function squareToQuad(side: number, corners: readonly [number, number][]): Homography | undefined {
  const src = [0, 0, side, 0, side, side, 0, side];
  const dst = corners.flat();
  return fitHomography(src, dst, 4);
}
