// Stage 2a: finding candidate symbols among classified pixels. There is no finder pattern, but
// the macromodule frames form a chequerboard whose dark squares touch at their corners, so after
// a slight dilation (pooling blocks of pixels, "any dark") a whole symbol is one 8-connected
// blob. The four corner macromodules are always dark-framed, so the blob's convex hull is the
// symbol's outline and its four extreme points are the symbol's corners.

export interface Candidate {
  /** Four image corners in order around the quadrilateral. */
  corners: [number, number][];
  /** Pooled cells in the blob (a size measure for ranking). */
  cells: number;
}

export interface LocateOptions {
  /** Smallest side of a candidate, pixels. */
  minSide: number;
  /** Most candidates to return, largest first. */
  maxCandidates: number;
  /** Side of the square of mask pixels pooled into one cell for labelling. */
  pool: number;
  /** Class bit (see classifyPixels) of pixels that make up blobs. */
  blobBit: number;
  /** Class bit of pixels that trace outlines. */
  edgeBit: number;
}

/**
 * Candidate quadrilaterals in a pixel-class image (see classifyPixels): `blobBit` pixels (best
 * smoothed against noise) form the blobs, `edgeBit` pixels (unsmoothed, so not widened) trace
 * their outlines.
 */
export function findCandidates(classes: Uint8Array, width: number, height: number, opts: LocateOptions): Candidate[] {
  const blobBit = opts.blobBit;
  const edgeBit = opts.edgeBit;
  const pool = Math.max(1, Math.round(opts.pool));
  const pw = Math.ceil(width / pool);
  const ph = Math.ceil(height / pool);
  const pooled = new Uint8Array(pw * ph);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const prow = ((y / pool) | 0) * pw;
    for (let x = 0; x < width; x++) if (classes[row + x] & blobBit) pooled[prow + ((x / pool) | 0)] = 1;
  }

  // Union–find labelling, 8-connectivity.
  const parent = new Int32Array(pw * ph).fill(-1);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const i = y * pw + x;
      if (!pooled[i]) continue;
      parent[i] = i;
      if (x > 0 && pooled[i - 1]) union(i, i - 1);
      if (y > 0) {
        const up = i - pw;
        if (pooled[up]) union(i, up);
        if (x > 0 && pooled[up - 1]) union(i, up - 1);
        if (x + 1 < pw && pooled[up + 1]) union(i, up + 1);
      }
    }
  }

  // Per-blob size and bounding box.
  const stats = new Map<number, { cells: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let i = 0; i < pw * ph; i++) {
    if (parent[i] < 0) continue;
    const root = find(i);
    parent[i] = root;
    const x = i % pw;
    const y = (i / pw) | 0;
    const s = stats.get(root);
    if (!s) stats.set(root, { cells: 1, x0: x, y0: y, x1: x, y1: y });
    else {
      s.cells++;
      if (x < s.x0) s.x0 = x;
      if (x > s.x1) s.x1 = x;
      if (y < s.y0) s.y0 = y;
      if (y > s.y1) s.y1 = y;
    }
  }
  const minCells = opts.minSide / pool;
  const roots = [...stats.entries()]
    .filter(([, s]) => s.x1 - s.x0 + 1 >= minCells && s.y1 - s.y0 + 1 >= minCells)
    // A symbol is a dense blob: a large share of its bounding box is covered.
    .filter(([, s]) => s.cells >= 0.2 * (s.x1 - s.x0 + 1) * (s.y1 - s.y0 + 1))
    .sort((a, b) => b[1].cells - a[1].cells)
    .slice(0, opts.maxCandidates);

  const out: Candidate[] = [];
  const hullOf = (
    members: Set<number>,
    box: { x0: number; y0: number; x1: number; y1: number },
  ): [number, number][] | undefined => {
    // Row extremes of the members' full-resolution pixels are enough for the convex hull.
    const pts: number[] = [];
    const px0 = box.x0 * pool;
    const px1 = Math.min(width, (box.x1 + 1) * pool);
    const py1 = Math.min(height, (box.y1 + 1) * pool);
    for (let y = box.y0 * pool; y < py1; y++) {
      const prow = ((y / pool) | 0) * pw;
      let left = -1;
      let right = -1;
      for (let x = px0; x < px1; x++) {
        if (classes[y * width + x] & edgeBit && members.has(parent[prow + ((x / pool) | 0)])) {
          if (left < 0) left = x;
          right = x;
        }
      }
      if (left < 0) continue;
      pts.push(left, y, left, y + 1, right + 1, y, right + 1, y + 1);
    }
    return quadFromHull(convexHull(pts));
  };
  for (const [root, s] of roots) {
    const plain = hullOf(new Set([root]), s);
    if (plain) out.push({ corners: plain, cells: s.cells });
    // Damage can cut a corner macromodule off the blob (it touches the rest only diagonally), so
    // also try the blob joined with the pieces lying close around it.
    const margin = Math.max(2, Math.round(0.35 * Math.max(s.x1 - s.x0, s.y1 - s.y0)));
    const members = new Set([root]);
    const box = { ...s };
    for (const [other, o] of stats) {
      if (other === root) continue;
      if (o.x1 < s.x0 - margin || o.x0 > s.x1 + margin || o.y1 < s.y0 - margin || o.y0 > s.y1 + margin) continue;
      // Only pieces smaller than the blob itself, and not specks of noise.
      if (o.cells > s.cells || o.cells < Math.max(3, s.cells / 2000)) continue;
      members.add(other);
      box.x0 = Math.min(box.x0, o.x0);
      box.y0 = Math.min(box.y0, o.y0);
      box.x1 = Math.max(box.x1, o.x1);
      box.y1 = Math.max(box.y1, o.y1);
    }
    if (members.size > 1) {
      const joined = hullOf(members, box);
      if (joined) out.push({ corners: joined, cells: s.cells });
    }
  }
  return out;
}

/** Andrew's monotone chain; input flat [x, y, …]; output counter-clockwise (in y-down: clockwise). */
export function convexHull(flat: number[]): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) pts.push([flat[i], flat[i + 1]]);
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/**
 * The symbol's quadrilateral from its convex hull. The hull's diameter is one diagonal and the
 * points farthest from it on either side are the other two corners; each side's line is then
 * fitted to all hull vertices between its two corners (the outer corners of the dark-framed edge
 * macromodules lie on it), and the corners are taken as the intersections of those lines, which
 * is steadier than single extreme pixels.
 */
export function quadFromHull(hull: [number, number][]): [number, number][] | undefined {
  const n = hull.length;
  if (n < 4) return undefined;
  let best = -1;
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = (hull[i][0] - hull[j][0]) ** 2 + (hull[i][1] - hull[j][1]) ** 2;
      if (d > best) {
        best = d;
        ia = i;
        ib = j;
      }
    }
  }
  const [ax, ay] = hull[ia];
  const [bx, by] = hull[ib];
  let maxPos = 0;
  let maxNeg = 0;
  let ic = -1;
  let id = -1;
  for (let i = 0; i < n; i++) {
    const side = (bx - ax) * (hull[i][1] - ay) - (by - ay) * (hull[i][0] - ax);
    if (side > maxPos) {
      maxPos = side;
      ic = i;
    } else if (side < maxNeg) {
      maxNeg = side;
      id = i;
    }
  }
  if (ic < 0 || id < 0) return undefined;
  // Corner indices in hull order.
  const order = [ia, ib, ic, id].sort((p, q) => p - q);
  const lines: [number, number, number][] = [];
  for (let k = 0; k < 4; k++) {
    const from = order[k];
    const to = order[(k + 1) % 4];
    const pts: [number, number][] = [];
    for (let i = from; ; i = (i + 1) % n) {
      pts.push(hull[i]);
      if (i === to) break;
    }
    const line = fitLine(pts);
    if (!line) return undefined;
    lines.push(line);
  }
  const corners: [number, number][] = [];
  for (let k = 0; k < 4; k++) {
    const p = intersect(lines[(k + 3) % 4], lines[k]);
    if (!p) return undefined;
    // A fitted corner far from the hull's own corner means the side was not straight.
    const [hx, hy] = hull[order[k]];
    if (Math.hypot(p[0] - hx, p[1] - hy) > 0.05 * Math.sqrt(best) + 2) corners.push([hx, hy]);
    else corners.push(p);
  }
  return corners;
}

/** Total-least-squares line a·x + b·y = c through points (unit normal (a, b)). */
function fitLine(pts: [number, number][]): [number, number, number] | undefined {
  const m = pts.length;
  if (m < 2) return undefined;
  let mx = 0;
  let my = 0;
  for (const [x, y] of pts) {
    mx += x;
    my += y;
  }
  mx /= m;
  my /= m;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of pts) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  // Direction of largest spread; the normal is perpendicular to it.
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const a = -Math.sin(angle);
  const b = Math.cos(angle);
  return [a, b, a * mx + b * my];
}

function intersect(l1: [number, number, number], l2: [number, number, number]): [number, number] | undefined {
  const det = l1[0] * l2[1] - l1[1] * l2[0];
  if (Math.abs(det) < 1e-9) return undefined;
  return [(l1[2] * l2[1] - l1[1] * l2[2]) / det, (l1[0] * l2[2] - l1[2] * l2[0]) / det];
}
