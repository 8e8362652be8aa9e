// Reed–Solomon error correction over GF(2^7) with primitive polynomial x^7 + x^3 + 1 (0x89),
// as Grid Matrix uses it: generator roots α^1 … α^E, the first codeword is the coefficient of
// the highest power. Errors are found with Berlekamp–Massey, located by a Chien search and
// sized with Forney's formula.

const FIELD_SIZE = 128;
const ORDER = FIELD_SIZE - 1;
const PRIMITIVE = 0x89;

const EXP = new Uint8Array(2 * ORDER);
const LOG = new Uint8Array(FIELD_SIZE);
{
  let x = 1;
  for (let i = 0; i < ORDER; i++) {
    EXP[i] = x;
    EXP[i + ORDER] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & FIELD_SIZE) x ^= PRIMITIVE;
  }
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

function div(a: number, b: number): number {
  if (a === 0) return 0;
  return EXP[(LOG[a] + ORDER - LOG[b]) % ORDER];
}

/** α^e for any integer e. */
function pow(e: number): number {
  return EXP[((e % ORDER) + ORDER) % ORDER];
}

/** ECC codewords for `data` (used by tests to build blocks; the decoder never encodes). */
export function rsEncode(data: ArrayLike<number>, eccCount: number): Uint8Array {
  // g(x) = Π (x − α^i), i = 1..E, highest power first.
  let g = [1];
  for (let i = 1; i <= eccCount; i++) {
    const next = new Array<number>(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] ^= g[j];
      next[j + 1] ^= mul(g[j], pow(i));
    }
    g = next;
  }
  const rem = new Uint8Array(eccCount);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i] ^ rem[0];
    rem.copyWithin(0, 1);
    rem[eccCount - 1] = 0;
    for (let j = 0; j < eccCount; j++) rem[j] ^= mul(g[j + 1], factor);
  }
  return rem;
}

/**
 * Corrects `block` (data then `eccCount` ECC codewords) in place. Returns the number of
 * codewords corrected, or -1 when the block has more errors than the code can correct.
 */
export function rsCorrect(block: Uint8Array, eccCount: number): number {
  const n = block.length;
  if (eccCount <= 0) return 0;
  // Syndromes S_j = c(α^j), j = 1..E.
  const synd = new Uint8Array(eccCount);
  let clean = true;
  for (let j = 0; j < eccCount; j++) {
    const a = pow(j + 1);
    let s = 0;
    for (let i = 0; i < n; i++) s = mul(s, a) ^ block[i];
    synd[j] = s;
    if (s !== 0) clean = false;
  }
  if (clean) return 0;

  // Berlekamp–Massey: error locator Λ(x), lowest power first.
  const lambda = new Uint8Array(eccCount + 1);
  let prev = new Uint8Array(eccCount + 1);
  lambda[0] = 1;
  prev[0] = 1;
  let degree = 0;
  let shift = 1;
  let lastDisc = 1;
  for (let k = 0; k < eccCount; k++) {
    let disc = synd[k];
    for (let i = 1; i <= degree; i++) disc ^= mul(lambda[i], synd[k - i]);
    if (disc === 0) {
      shift++;
      continue;
    }
    const coef = div(disc, lastDisc);
    if (2 * degree <= k) {
      const saved = lambda.slice();
      for (let i = 0; i + shift <= eccCount; i++) lambda[i + shift] ^= mul(coef, prev[i]);
      degree = k + 1 - degree;
      prev = saved;
      lastDisc = disc;
      shift = 1;
    } else {
      for (let i = 0; i + shift <= eccCount; i++) lambda[i + shift] ^= mul(coef, prev[i]);
      shift++;
    }
  }
  if (degree === 0 || 2 * degree > eccCount) return -1;

  // Error evaluator Ω(x) = S(x)·Λ(x) mod x^E, with S(x) = Σ S_{j+1} x^j.
  const omega = new Uint8Array(eccCount);
  for (let i = 0; i < eccCount; i++) {
    let v = 0;
    for (let j = 0; j <= Math.min(i, degree); j++) v ^= mul(lambda[j], synd[i - j]);
    omega[i] = v;
  }

  // Chien search: position p (from the end, power of x) is an error when Λ(α^-p) = 0.
  let found = 0;
  for (let p = 0; p < n; p++) {
    const xinv = pow(-p);
    let v = 0;
    for (let i = degree; i >= 0; i--) v = mul(v, xinv) ^ lambda[i];
    if (v !== 0) continue;
    // Forney with first root α^1: e = Ω(X^-1) / Λ'(X^-1), the X^(1-b) factor being 1.
    let num = 0;
    for (let i = eccCount - 1; i >= 0; i--) num = mul(num, xinv) ^ omega[i];
    let den = 0;
    for (let i = 1; i <= degree; i += 2) den ^= mul(lambda[i], pow(-p * (i - 1)));
    if (den === 0) return -1;
    block[n - 1 - p] ^= div(num, den);
    found++;
  }
  if (found !== degree) return -1;
  return found;
}
