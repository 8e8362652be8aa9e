// "Did you mean …?" for a mistyped command, subcommand or option: the known name at the smallest
// edit distance, when it is close enough to be the likely intent. A tired technician's typo gets
// the right word back instead of just "unknown".

/**
 * Edit distance with adjacent transpositions (optimal string alignment): insertions, deletions,
 * substitutions and swapping two neighbours each count 1, since `stauts` is one slip, not two.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
      }
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/**
 * The candidate nearest to `typed`, or undefined when none is within reach: at most 2 edits,
 * and fewer than half the typed word (so `--x` does not "mean" `--json`).
 */
export function nearestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const reach = Math.min(2, Math.ceil(typed.length / 2) - 1);
  return bestDistance <= reach ? best : undefined;
}
