// Undoing blur at 2–3 pixels per module. Each sampled module value is modelled as a mix of its
// own colour and its neighbours' (the optics' point spread):
//   z = b + a_c·x + a_e·(sum of 4 edge neighbours) + a_d·(sum of 4 diagonal neighbours)
// where z is the sample's local darkness (0 = light frame level, 1 = dark frame level) and x is
// 1 for a dark module. The weights are fitted by least squares to a first guess of x (frame
// modules are known exactly), then every data module is re-decided with its neighbours'
// contribution removed, a few sweeps in turn (decision feedback, as in a channel equaliser).
import { frameIsDark, isFrameModule, MACRO } from './geometry.js';

/**
 * Re-decides the data modules of `dark` (1 = dark) in place from the raw samples `raw` (gray,
 * row-major n×n). `lightLevel`/`darkLevel` give each macromodule's local light and dark gray
 * levels.
 */
export function equaliseModules(
  raw: Float32Array,
  n: number,
  lightLevel: Float32Array,
  darkLevel: Float32Array,
  dark: Uint8Array,
  sweeps: number,
): void {
  const m = n / MACRO;
  const z = new Float32Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = ((r / MACRO) | 0) * m + ((c / MACRO) | 0);
      const span = lightLevel[k] - darkLevel[k];
      z[r * n + c] = span > 1 ? (lightLevel[k] - raw[r * n + c]) / span : 0.5;
    }
  }
  // Frame modules are known.
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (isFrameModule(r, c)) dark[r * n + c] = frameIsDark((c / MACRO) | 0, (r / MACRO) | 0) ? 1 : 0;
    }
  }
  const neighbourSums = (r: number, c: number): [number, number] => {
    let e = 0;
    let d = 0;
    for (let dr = -1; dr <= 1; dr++) {
      const rr = r + dr;
      for (let dc = -1; dc <= 1; dc++) {
        if (dr === 0 && dc === 0) continue;
        const cc = c + dc;
        // Outside the symbol is quiet zone: light.
        const v = rr < 0 || cc < 0 || rr >= n || cc >= n ? 0 : dark[rr * n + cc];
        if (dr === 0 || dc === 0) e += v;
        else d += v;
      }
    }
    return [e, d];
  };
  // Least squares for (b, a_c, a_e, a_d) over all modules. (Refitting after the sweeps below was
  // tried and gained nothing, as did adding rings at distance 2 and √5.)
  const ata = new Float64Array(16);
  const atz = new Float64Array(4);
  const row = new Float64Array(4);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const [e, d] = neighbourSums(r, c);
      row[0] = 1;
      row[1] = dark[r * n + c];
      row[2] = e;
      row[3] = d;
      const t = z[r * n + c];
      for (let i = 0; i < 4; i++) {
        atz[i] += row[i] * t;
        for (let j = 0; j < 4; j++) ata[i * 4 + j] += row[i] * row[j];
      }
    }
  }
  const w = solve4(ata, atz);
  if (!w) return;
  const [b, ac, ae, ad] = w;
  // A plausible spread: the module's own weight dominates and neighbours add, not subtract.
  if (!(ac > 0.05) || ae < -0.05 || ad < -0.05) return;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let changed = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (isFrameModule(r, c)) continue;
        const [e, d] = neighbourSums(r, c);
        const x = z[r * n + c] - b - ae * e - ad * d > ac / 2 ? 1 : 0;
        if (x !== dark[r * n + c]) {
          dark[r * n + c] = x;
          changed++;
        }
      }
    }
    if (changed === 0) break;
  }
}

/** Gaussian elimination with partial pivoting, 4×4. */
function solve4(a: Float64Array, y: Float64Array): number[] | undefined {
  const n = 4;
  const m = Array.from(a);
  const v = Array.from(y);
  for (let col = 0; col < n; col++) {
    let p = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[p * n + col])) p = r;
    if (Math.abs(m[p * n + col]) < 1e-9) return undefined;
    for (let c = 0; c < n; c++) [m[col * n + c], m[p * n + c]] = [m[p * n + c], m[col * n + c]];
    [v[col], v[p]] = [v[p], v[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col] / m[col * n + col];
      for (let c = col; c < n; c++) m[r * n + c] -= f * m[col * n + c];
      v[r] -= f * v[col];
    }
  }
  return v.map((x, i) => x / m[i * n + i]);
}
