// Release versions are semantic versions (MAJOR.MINOR.PATCH[-pre]); an update must be newer than
// what runs. Build metadata (+…) is not allowed: two artifacts of one version could differ.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function isReleaseVersion(text: string): boolean {
  return text.length <= 64 && SEMVER.test(text);
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = (s: string) => /^\d+$/.test(s);
  if (numeric(a) && numeric(b)) return Math.sign(Number(a) - Number(b));
  if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1; // numbers sort before words
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. Both must be valid. */
export function compareVersions(a: string, b: string): number {
  const [, ...pa] = SEMVER.exec(a) ?? [];
  const [, ...pb] = SEMVER.exec(b) ?? [];
  if (pa.length === 0 || pb.length === 0) throw new RangeError('not a release version');
  for (let i = 0; i < 3; i++) {
    const d = Math.sign(Number(pa[i]) - Number(pb[i]));
    if (d !== 0) return d;
  }
  const [preA, preB] = [pa[3], pb[3]];
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  const ia = preA.split('.');
  const ib = preB.split('.');
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const d = compareIdentifiers(ia[i], ib[i]);
    if (d !== 0) return d;
  }
  return Math.sign(ia.length - ib.length);
}
